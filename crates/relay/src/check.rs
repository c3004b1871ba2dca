//! `linli-relay check`: loads every document of a data folder and reports the chunks that cannot
//! be read, and removes the temporary files that writes cut short left behind.
//!
//! A document's snapshots and incremental chunks are loaded as the relay loads them
//! (`ChunkLedger::load`: all together, and one by one if that fails, with Automerge's panics
//! contained), so a chunk is reported exactly when the relay could not use it. Signature chunks
//! have no checksum of their own: one is reported when its content does not hash to its name, or
//! is not a whole number of entries. Incremental chunks are not checked against their names
//! (older automerge-repo versions named some by other bytes); Automerge checks their checksums.
//!
//! Chunks are never changed or deleted: the relay skips what it cannot read, keeps everything
//! else, and stops compacting that document so nothing more is lost; a chunk's name is the hash
//! of its content, so the file of the same name from a backup repairs it.
//!
//! A temporary file (`.<name>.tmp`) is the start of a write; a relay killed mid-write leaves it.
//! Those older than [`LEFTOVER_AGE`] are removed; younger ones are left alone, as a running relay
//! may be writing them. The check can run while the relay runs: a chunk that vanishes while it
//! is being read was compacted and is skipped.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use linli_sync::{ChangeSignature, ChunkKey, ChunkKind, ChunkLedger, MemberSignature, contain, sha256_hex};

use crate::FolderStore;
use crate::backup::{LISTING_ORDER, list_chunk_folder, with_path};
use crate::data_folder::{STORAGE_ID_FILE, chunk_path, document_folder, is_temporary};

/// How old a temporary file must be to count as left by a write cut short (a write takes well
/// under a second, even of a large snapshot on a slow SD card).
pub const LEFTOVER_AGE: Duration = Duration::from_secs(5 * 60);

/// A chunk file that cannot be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub path: PathBuf,
    pub reason: String,
}

/// What a check found and did.
#[derive(Debug, Default)]
pub struct CheckReport {
    pub documents: usize,
    /// Chunk files read (the relay may compact some away while the check runs).
    pub chunks: usize,
    pub unreadable_chunks: Vec<Unreadable>,
    /// Temporary files older than [`LEFTOVER_AGE`], removed.
    pub temporary_files_removed: Vec<PathBuf>,
    /// Temporary files younger than that, left alone.
    pub recent_temporary_files: Vec<PathBuf>,
}

impl CheckReport {
    /// Whether every chunk could be read.
    pub fn is_healthy(&self) -> bool {
        self.unreadable_chunks.is_empty()
    }
}

/// "1 chunk", "2 chunks".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "checked {}, {}: ", count(self.documents, "document", "documents"), count(self.chunks, "chunk", "chunks"))?;
        if self.is_healthy() {
            write!(f, "all readable")?;
        } else {
            write!(f, "{} cannot be read", self.unreadable_chunks.len())?;
        }
        let minutes = LEFTOVER_AGE.as_secs() / 60;
        if !self.temporary_files_removed.is_empty() {
            let files = count(self.temporary_files_removed.len(), "leftover temporary file", "leftover temporary files");
            write!(f, "; removed {files} (of writes cut short, older than {minutes} minutes)")?;
        }
        if !self.recent_temporary_files.is_empty() {
            let files = count(self.recent_temporary_files.len(), "temporary file", "temporary files");
            write!(f, "; left {files} younger than {minutes} minutes alone (a write may be under way)")?;
        }
        for unreadable in &self.unreadable_chunks {
            write!(f, "\n  {}\n    {}", unreadable.path.display(), unreadable.reason)?;
        }
        if !self.is_healthy() {
            write!(
                f,
                "\nThese files were left as they are. The relay skips them and serves everything else;\n\
                 devices that have the space send the relay what it lacks when they next sync.\n\
                 To repair a file, copy the file of the same name from a backup over it\n\
                 (a chunk's name is the hash of its content: the same name means the same content)."
            )?;
        }
        Ok(())
    }
}

/// Checks every document of the data folder `data` (see the module docs).
pub fn check_data_folder(data: &Path) -> io::Result<CheckReport> {
    #[allow(clippy::disallowed_methods, reason = "the relay is native; the lint keeps the clock out of the browser build")]
    let now = SystemTime::now();
    check_data_folder_at(data, now)
}

/// [`check_data_folder`] at the time `now` (temporary files are judged by their age then).
fn check_data_folder_at(data: &Path, now: SystemTime) -> io::Result<CheckReport> {
    if !data.is_dir() {
        return Err(io::Error::new(io::ErrorKind::NotFound, format!("there is no data folder at {}", data.display())));
    }
    let mut report = CheckReport::default();
    tidy_storage_id_folder(&data.join(STORAGE_ID_FILE[0]), now, &mut report)?;
    for document_id in FolderStore::open(data)?.document_ids()? {
        report.documents += 1;
        let folder = document_folder(data, &document_id);
        let mut chunks = Vec::new();
        for kind in LISTING_ORDER {
            let listed = list_chunk_folder(&folder, &document_id, kind)?;
            for temporary in listed.temporary {
                tidy_temporary_file(temporary, now, &mut report)?;
            }
            for key in listed.chunks {
                let path = chunk_path(data, &key);
                match fs::read(&path) {
                    Ok(bytes) => chunks.push((key, bytes)),
                    // Compacted by the running relay since the listing: its changes are in a newer file.
                    Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                    Err(error) => report.unreadable_chunks.push(Unreadable { path, reason: error.to_string() }),
                }
            }
        }
        report.chunks += chunks.len();
        match contain(|| unreadable_chunks(chunks)) {
            Ok(found) => report.unreadable_chunks.extend(found.into_iter().map(|(key, reason)| Unreadable { path: chunk_path(data, &key), reason })),
            Err(panic) => report.unreadable_chunks.push(Unreadable { path: folder, reason: format!("the document could not be loaded: {panic}") }),
        }
    }
    Ok(report)
}

/// The chunks of one document that cannot be read, and why.
fn unreadable_chunks(chunks: Vec<(ChunkKey, Vec<u8>)>) -> Vec<(ChunkKey, String)> {
    let (document_chunks, signature_chunks): (Vec<_>, Vec<_>) = chunks.into_iter().partition(|(key, _)| matches!(key.kind, ChunkKind::Snapshot | ChunkKind::Incremental));
    let (_, _, unreadable) = ChunkLedger::load(document_chunks);
    let mut found: Vec<(ChunkKey, String)> = unreadable.into_iter().map(|chunk| (chunk.key, chunk.reason)).collect();
    found.extend(signature_chunks.into_iter().filter_map(|(key, bytes)| Some((key.clone(), signature_chunk_damage(&key, &bytes)?))));
    found
}

/// What is wrong with a chunk of signatures, if anything.
fn signature_chunk_damage(key: &ChunkKey, bytes: &[u8]) -> Option<String> {
    let (entry_len, entry) = match key.kind {
        ChunkKind::Signatures => (ChangeSignature::LEN, "change signature"),
        ChunkKind::MemberSignatures => (MemberSignature::STORED_LEN, "member signature"),
        ChunkKind::Snapshot | ChunkKind::Incremental => return None,
    };
    if sha256_hex(bytes) != key.hash {
        return Some("its content does not match its name (the SHA-256 of what was written): the file was damaged or changed after it was written".into());
    }
    if !bytes.len().is_multiple_of(entry_len) {
        return Some(format!("{} bytes is not a whole number of {entry}s ({entry_len} bytes each)", bytes.len()));
    }
    if key.kind == ChunkKind::MemberSignatures && bytes.chunks_exact(entry_len).any(|stored| MemberSignature::from_stored(stored).is_none()) {
        return Some(format!("it holds an entry that is not a {entry}"));
    }
    None
}

/// Tidies the temporary file of a write of the storage ID (`st/.storage-adapter-id.tmp`).
fn tidy_storage_id_folder(folder: &Path, now: SystemTime, report: &mut CheckReport) -> io::Result<()> {
    let entries = match fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(with_path(error, folder)),
    };
    for entry in entries {
        let entry = entry?;
        if entry.file_name().to_str().is_some_and(is_temporary) {
            tidy_temporary_file(entry.path(), now, report)?;
        }
    }
    Ok(())
}

/// Removes a temporary file older than [`LEFTOVER_AGE`]; notes a younger one.
fn tidy_temporary_file(path: PathBuf, now: SystemTime, report: &mut CheckReport) -> io::Result<()> {
    let modified = match fs::metadata(&path).and_then(|metadata| metadata.modified()) {
        Ok(modified) => modified,
        // Renamed into place by the relay since the listing.
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(with_path(error, &path)),
    };
    // A file dated in the future (a clock set back) counts as young.
    if now.duration_since(modified).unwrap_or(Duration::ZERO) < LEFTOVER_AGE {
        report.recent_temporary_files.push(path);
        return Ok(());
    }
    match fs::remove_file(&path) {
        Ok(()) => report.temporary_files_removed.push(path),
        Err(error) if error.kind() == io::ErrorKind::NotFound => {}
        Err(error) => return Err(with_path(error, &path)),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use linli_sync::DocumentId;
    use linli_sync::automerge::transaction::Transactable;
    use linli_sync::automerge::{AutoCommit, ROOT};

    use super::*;

    /// A data folder with one healthy document of a snapshot and an incremental chunk.
    fn healthy(root: &Path, byte: u8) -> (FolderStore, DocumentId, Vec<ChunkKey>) {
        let store = FolderStore::open(root).unwrap();
        let id = DocumentId::from_bytes([byte; 16]);
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "a", 1).unwrap();
        doc.commit();
        let snapshot = ChunkKey::snapshot(id, &doc.get_heads());
        store.put(&snapshot, &doc.save()).unwrap();
        let heads = doc.get_heads();
        doc.put(ROOT, "b", 2).unwrap();
        doc.commit();
        let changes = doc.save_after(&heads);
        let incremental = ChunkKey::incremental(id, &changes);
        store.put(&incremental, &changes).unwrap();
        (store, id, vec![snapshot, incremental])
    }

    fn signatures(id: DocumentId, kind: ChunkKind, bytes: &[u8]) -> ChunkKey {
        ChunkKey { document_id: id, kind, hash: sha256_hex(bytes) }
    }

    #[test]
    fn a_healthy_folder_reads_whole() {
        let dir = tempfile::tempdir().unwrap();
        let (store, id, _) = healthy(dir.path(), 1);
        let entries = vec![7u8; ChangeSignature::LEN * 2];
        store.put(&signatures(id, ChunkKind::Signatures, &entries), &entries).unwrap();
        let report = check_data_folder(dir.path()).unwrap();
        assert!(report.is_healthy(), "{report}");
        assert_eq!((report.documents, report.chunks), (1, 3));
        assert_eq!(report.to_string(), "checked 1 document, 3 chunks: all readable");
    }

    #[test]
    fn damaged_chunks_are_reported_with_their_paths_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let (store, id, keys) = healthy(dir.path(), 2);
        let incremental = chunk_path(dir.path(), &keys[1]);
        let cut = fs::read(&incremental).unwrap()[..10].to_vec();
        fs::write(&incremental, &cut).unwrap();
        let torn = vec![1u8; ChangeSignature::LEN + 5];
        let torn_key = signatures(id, ChunkKind::Signatures, &torn);
        store.put(&torn_key, &torn).unwrap();
        let bad_member = vec![9u8; MemberSignature::STORED_LEN];
        let bad_member_key = signatures(id, ChunkKind::MemberSignatures, &bad_member);
        store.put(&bad_member_key, &bad_member).unwrap();
        let renamed = vec![3u8; ChangeSignature::LEN];
        let renamed_key = ChunkKey { hash: sha256_hex(b"something else"), ..signatures(id, ChunkKind::Signatures, &renamed) };
        store.put(&renamed_key, &renamed).unwrap();

        let report = check_data_folder(dir.path()).unwrap();
        assert!(!report.is_healthy());
        let mut paths: Vec<&Path> = report.unreadable_chunks.iter().map(|u| u.path.as_path()).collect();
        paths.sort();
        let mut expected: Vec<PathBuf> = [&keys[1], &torn_key, &bad_member_key, &renamed_key].iter().map(|k| chunk_path(dir.path(), k)).collect();
        expected.sort();
        assert_eq!(paths, expected.iter().map(PathBuf::as_path).collect::<Vec<_>>(), "{report}");
        let text = report.to_string();
        assert!(text.starts_with("checked 1 document, 5 chunks: 4 cannot be read"), "{text}");
        assert!(text.contains("does not match its name") && text.contains("not a whole number") && text.contains("not a member signature"), "{text}");
        assert_eq!(fs::read(&incremental).unwrap(), cut, "a damaged chunk is never changed");
    }

    #[test]
    fn only_old_temporary_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let (_, _, keys) = healthy(dir.path(), 3);
        let folder = chunk_path(dir.path(), &keys[0]).parent().unwrap().to_owned();
        let (old, fresh) = (folder.join(format!(".{}.tmp", "a".repeat(64))), folder.join(format!(".{}.tmp", "b".repeat(64))));
        fs::write(&old, b"half").unwrap();
        fs::write(&fresh, b"half").unwrap();
        fs::create_dir_all(dir.path().join("st")).unwrap();
        let old_id = dir.path().join("st/.storage-adapter-id.tmp");
        fs::write(&old_id, b"x").unwrap();
        let now = fs::metadata(&fresh).unwrap().modified().unwrap() + Duration::from_secs(1);
        for path in [&old, &old_id] {
            fs::File::options().write(true).open(path).unwrap().set_modified(now - LEFTOVER_AGE - Duration::from_secs(1)).unwrap();
        }
        let report = check_data_folder_at(dir.path(), now).unwrap();
        assert!(report.is_healthy());
        assert!(!old.exists() && !old_id.exists() && fresh.exists());
        assert_eq!(report.temporary_files_removed.len(), 2);
        assert_eq!(report.recent_temporary_files, vec![fresh]);
        assert_eq!(
            report.to_string(),
            "checked 1 document, 2 chunks: all readable; removed 2 leftover temporary files (of writes cut short, older than 5 minutes); \
             left 1 temporary file younger than 5 minutes alone (a write may be under way)"
        );
    }

    #[test]
    fn a_missing_folder_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let error = check_data_folder(&dir.path().join("nothing")).unwrap_err();
        assert!(error.to_string().contains("no data folder"), "{error}");
    }
}
