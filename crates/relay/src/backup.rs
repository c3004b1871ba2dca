//! `linli-relay backup DIR`: a consistent copy of the data folder, made while the relay runs.
//!
//! # What "consistent" means here
//!
//! Every change the relay had acknowledged when the backup started is in the copy, with its
//! signatures, and the copy of each document is whole: no change in it lacks the changes it
//! builds on. Restoring is copying DIR back as the data folder.
//!
//! # How, while the relay keeps writing
//!
//! Chunks are content-addressed files that never change once in place (`folder_store.rs` writes
//! a temporary file and renames it), so copying a chunk's bytes copies exactly what the relay
//! wrote. What moves is the set of files: the relay adds incremental chunks, and compacts: it
//! writes a snapshot of the whole document and only once that is durable deletes the chunks the
//! snapshot covers (signature chunks are folded the same way). So at every moment, every change
//! ever stored is in a file present at that moment, and the newest snapshot holds every change
//! that was ever compacted.
//!
//! For each document the backup works in rounds. A round lists the document's folders in
//! [`LISTING_ORDER`] (incremental chunks before snapshots, so a change compacted away from the
//! incremental listing is in the snapshot listed after it; signatures last, as the relay stores a
//! change's signatures no later than the change), reads every chunk not taken yet (a file that
//! vanished between listing and reading was compacted: its changes are in a newer file), and lists
//! the snapshot and signature folders once more. A round in which nothing vanished and that second
//! listing shows nothing new is the last: it took the newest snapshot and signature chunks, and
//! every incremental chunk that existed when the backup started was taken in the first round
//! unless compaction moved its changes into that snapshot. Chunks written during the backup are
//! taken too when a round sees them, with whatever they build on (an earlier incremental chunk, or
//! the snapshot that covers it). Only the reading is inside that window; the taken chunks are then
//! written to DIR (temporary file, fsync, rename, fsync of the folder: `FolderStore::put`), and
//! the folders that hold them are fsynced before the command returns.
//!
//! The simpler rule "copy until a listing shows no new name" is not used: under steady writing
//! every listing shows a new incremental chunk, so it might never stop, and new incremental chunks
//! are not needed for what was acknowledged before the backup started. Only the chunks a compaction
//! replaces must be seen settled.
//!
//! The argument assumes a listing of a snapshot or signature folder (a handful of names) sees a
//! compaction's rename and delete together or not at all; on Linux it is one `getdents` call made
//! under the folder's lock. A compaction that fell between the two listings of a round makes the
//! round not the last. A document that keeps the backup from settling for [`MOST_ROUNDS`] rounds
//! makes the backup fail with a message saying so, never finish with a partial copy. The relay
//! writes a batch's signature chunks before the changes they sign (`hub.rs`), and signatures are
//! listed last, so a change taken is taken with its signatures.
//!
//! # An earlier backup in DIR
//!
//! It is brought up to date: a chunk already there is not copied again (same name, same
//! content). Then the files of the earlier backup that the data folder no longer has (chunks the
//! relay has since compacted) are removed, but only once the newly taken chunks are proven to
//! hold everything they hold: every change of the old chunks is in the new ones (loaded with
//! Automerge, panics contained) and every old signature entry is in a new signature chunk. Old
//! files that hold something the data folder lost (say, a damaged chunk an admin moved away) are
//! kept and listed in the report. Without that cleanup a backup made every night into the same
//! folder would keep every snapshot ever made, and a relay restored from it would load them all.
//! A document the data folder no longer has is left in DIR untouched. Leftover temporary files of
//! an interrupted backup are removed; a lock file (`.linli-backup.lock`) keeps two backups from
//! writing to one folder at once.
//!
//! # The rest of the folder
//!
//! The storage ID (`st/orage-adapter-id`) is copied, and the backup refuses a DIR that holds
//! another relay's backup. So is the relay's own key (`st/relay-key`), which makes it the home
//! relay of the spaces that name it (a private key: see below). `acme/` (the HTTPS account and certificates, when the relay gets them
//! itself) is copied so that a restored relay need not ask for new ones; the backup therefore
//! holds a private key and should be kept as private as the data folder. Temporary files are never
//! copied, nor anything else (automerge-repo's `sync-state` files, which Linli does not use). The
//! heads logs are not copied either: copied apart from the chunks, a log could claim changes the
//! copy lacks; a restored relay's log starts again, and until then it says it cannot give a cut.
//! `data_folder.rs` names every part of the layout.

use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use linli_sync::automerge::{AutoCommit, AutomergeError, LoadOptions, OnPartialLoad};
use linli_sync::{ChangeSignature, ChunkKey, ChunkKind, DocumentId, MemberSignature, contain};

use crate::FolderStore;
use crate::data_folder::{self, RELAY_KEY_FILE, STORAGE_ID_FILE, chunk_path, document_folder, is_temporary};

/// The order in which a document's chunk folders are listed (see the module docs): incremental
/// chunks, then snapshots, then signatures.
pub(crate) const LISTING_ORDER: [ChunkKind; 4] = [ChunkKind::Incremental, ChunkKind::Snapshot, ChunkKind::Signatures, ChunkKind::MemberSignatures];

/// The folders whose chunks a compaction or a fold replaces.
const REPLACED_KINDS: [ChunkKind; 3] = [ChunkKind::Snapshot, ChunkKind::Signatures, ChunkKind::MemberSignatures];

/// Most rounds one document may take before the backup gives up on it.
pub const MOST_ROUNDS: usize = 100;

/// The lock file in DIR while a backup writes there.
const LOCK_FILE: &str = ".linli-backup.lock";

/// What a backup did.
#[derive(Debug, Default)]
pub struct BackupReport {
    /// Documents in the data folder, all of them copied.
    pub documents: usize,
    /// Files written to DIR: chunks, the storage ID, certificates.
    pub files_copied: usize,
    /// Chunks DIR already had from an earlier backup.
    pub files_already_there: usize,
    /// Chunks the relay compacted between being listed and being read (their newer files were
    /// copied instead).
    pub files_compacted_while_copying: usize,
    /// Files of an earlier backup removed because the newly copied chunks hold everything in them.
    pub old_files_removed: usize,
    /// Files of an earlier backup kept because they hold changes the data folder no longer has.
    pub old_files_kept: Vec<PathBuf>,
}

impl fmt::Display for BackupReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "backed up {} documents: copied {} files, {} were already in the backup", self.documents, self.files_copied, self.files_already_there)?;
        if self.files_compacted_while_copying > 0 {
            write!(f, "; {} were compacted by the relay as they were copied, and the newer files taken instead", self.files_compacted_while_copying)?;
        }
        if self.old_files_removed > 0 {
            write!(f, "\nremoved {} files of an earlier backup that the relay has since compacted (newer files hold their changes)", self.old_files_removed)?;
        }
        if !self.old_files_kept.is_empty() {
            write!(
                f,
                "\nkept {} files of an earlier backup that hold changes the data folder no longer has (run `linli-relay check` on the data folder):",
                self.old_files_kept.len()
            )?;
            for path in &self.old_files_kept {
                write!(f, "\n  {}", path.display())?;
            }
        }
        Ok(())
    }
}

/// Copies every document of `data` into `dest` while a relay may be writing to `data`, bringing
/// an earlier backup in `dest` up to date (see the module docs).
pub fn copy_data_folder(data: &Path, dest: &Path) -> io::Result<BackupReport> {
    copy_data_folder_with(data, dest, &mut |_| {})
}

/// [`copy_data_folder`], calling `after_listing` once a round has listed a document and before it
/// reads the chunks (the tests compact there).
fn copy_data_folder_with(data: &Path, dest: &Path, after_listing: &mut dyn FnMut(DocumentId)) -> io::Result<BackupReport> {
    if !data.is_dir() {
        return Err(io::Error::new(io::ErrorKind::NotFound, format!("there is no data folder at {}", data.display())));
    }
    let destination = FolderStore::open(dest)?;
    if fs::canonicalize(data)? == fs::canonicalize(dest)? {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "the backup folder is the data folder itself"));
    }
    let _lock = lock(dest)?;
    let mut report = BackupReport::default();
    copy_storage_id(data, dest, &mut report)?;
    copy_relay_key(data, dest, &mut report)?;
    let source = FolderStore::open(data)?;
    for document_id in source.document_ids()? {
        copy_document(data, &destination, document_id, &mut report, after_listing)?;
        report.documents += 1;
    }
    for folder in data_folder::COPIED_AS_IS {
        copy_folder_as_is(&data.join(folder), &dest.join(folder), &mut report)?;
    }
    sync_folder(dest)?;
    Ok(report)
}

/// Takes the lock of the backup folder, or says that another backup holds it.
fn lock(dest: &Path) -> io::Result<fs::File> {
    let file = fs::OpenOptions::new().create(true).truncate(false).write(true).open(dest.join(LOCK_FILE))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(io::Error::new(io::ErrorKind::WouldBlock, format!("another backup into {} is running", dest.display()))),
        Err(fs::TryLockError::Error(error)) => Err(error),
    }
}

/// Copies the relay's own key (a restored relay stays the home of the spaces that name it).
fn copy_relay_key(data: &Path, dest: &Path, report: &mut BackupReport) -> io::Result<()> {
    match fs::read(data_folder::file(data, RELAY_KEY_FILE)) {
        Ok(key) => {
            write_durably(&data_folder::file(dest, RELAY_KEY_FILE), &key)?;
            report.files_copied += 1;
            Ok(())
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error),
    }
}

/// Copies the storage ID, refusing a backup folder that holds another relay's.
fn copy_storage_id(data: &Path, dest: &Path, report: &mut BackupReport) -> io::Result<()> {
    let read = |root: &Path| match fs::read_to_string(data_folder::file(root, STORAGE_ID_FILE)) {
        Ok(text) => Ok(Some(text.trim().to_owned()).filter(|id| !id.is_empty())),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    };
    let Some(ours) = read(data)? else { return Ok(()) };
    match read(dest)? {
        Some(theirs) if theirs == ours => Ok(()),
        Some(theirs) => Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} holds the backup of another relay (storage ID {theirs}, this one is {ours}); back up into an empty folder", dest.display()),
        )),
        None => {
            write_durably(&data_folder::file(dest, STORAGE_ID_FILE), ours.as_bytes())?;
            report.files_copied += 1;
            Ok(())
        }
    }
}

/// Copies one document's chunks in rounds until a round settles (see the module docs), then
/// removes what an earlier backup had that the copy proves redundant.
fn copy_document(data: &Path, destination: &FolderStore, document_id: DocumentId, report: &mut BackupReport, after_listing: &mut dyn FnMut(DocumentId)) -> io::Result<()> {
    let source_folder = document_folder(data, &document_id);
    let dest_folder = document_folder(destination.root(), &document_id);
    let mut already_there = BTreeSet::new();
    for kind in LISTING_ORDER {
        let entries = list_chunk_folder(&dest_folder, &document_id, kind)?;
        already_there.extend(entries.chunks);
        // No one else writes here while we hold the lock: these are left by an interrupted backup.
        for temporary in entries.temporary {
            remove_if_present(&temporary)?;
        }
    }
    let mut taken = BTreeSet::new();
    let mut wrote = false;
    for _ in 0..MOST_ROUNDS {
        let mut listed = Vec::new();
        for kind in LISTING_ORDER {
            listed.extend(list_chunk_folder(&source_folder, &document_id, kind)?.chunks);
        }
        after_listing(document_id);
        let mut read = Vec::new();
        let mut vanished = false;
        for key in listed {
            if taken.contains(&key) {
                continue;
            }
            if already_there.contains(&key) {
                report.files_already_there += 1;
                taken.insert(key);
                continue;
            }
            match fs::read(chunk_path(data, &key)) {
                Ok(bytes) => read.push((key, bytes)),
                Err(error) if error.kind() == io::ErrorKind::NotFound => {
                    report.files_compacted_while_copying += 1;
                    vanished = true;
                }
                Err(error) => return Err(with_path(error, &chunk_path(data, &key))),
            }
        }
        let mut settled = !vanished;
        if settled {
            let just_read: BTreeSet<&ChunkKey> = read.iter().map(|(key, _)| key).collect();
            for kind in REPLACED_KINDS {
                let again = list_chunk_folder(&source_folder, &document_id, kind)?.chunks;
                settled &= again.iter().all(|key| taken.contains(key) || just_read.contains(key));
            }
        }
        for (key, bytes) in read {
            destination.put(&key, &bytes)?;
            report.files_copied += 1;
            wrote = true;
            taken.insert(key);
        }
        if settled {
            let old: Vec<ChunkKey> = already_there.difference(&taken).cloned().collect();
            if !old.is_empty() {
                remove_what_the_copy_holds(destination.root(), &taken, old, report)?;
            }
            if wrote {
                // The chunk folders were fsynced by each write; their own names must be durable too.
                sync_folder(&dest_folder)?;
                if let Some(prefix) = dest_folder.parent() {
                    sync_folder(prefix)?;
                }
            }
            return Ok(());
        }
    }
    Err(io::Error::other(format!("document {document_id} kept being compacted while it was copied ({MOST_ROUNDS} times); nothing is wrong with it, run the backup again")))
}

/// Removes the chunks `old` of an earlier backup if the chunks `taken` in this one hold all
/// they hold; otherwise keeps them all and names them in the report.
fn remove_what_the_copy_holds(root: &Path, taken: &BTreeSet<ChunkKey>, old: Vec<ChunkKey>, report: &mut BackupReport) -> io::Result<()> {
    let read_all = |keys: &mut dyn Iterator<Item = &ChunkKey>| -> io::Result<Vec<(ChunkKey, Vec<u8>)>> {
        keys.map(|key| fs::read(chunk_path(root, key)).map(|bytes| (key.clone(), bytes)).map_err(|e| with_path(e, &chunk_path(root, key)))).collect()
    };
    let current = read_all(&mut taken.iter())?;
    let stale = read_all(&mut old.iter())?;
    if holds_everything_of(&current, &stale) {
        let mut folders = BTreeSet::new();
        for key in &old {
            let path = chunk_path(root, key);
            remove_if_present(&path)?;
            folders.extend(path.parent().map(Path::to_owned));
            report.old_files_removed += 1;
        }
        for folder in folders {
            sync_folder(&folder)?;
        }
    } else {
        report.old_files_kept.extend(old.iter().map(|key| chunk_path(root, key)));
    }
    Ok(())
}

/// Whether the chunks `current` (one document's) hold every change and every signature entry
/// that the chunks `stale` hold. Anything unreadable in `stale` counts as not held.
fn holds_everything_of(current: &[(ChunkKey, Vec<u8>)], stale: &[(ChunkKey, Vec<u8>)]) -> bool {
    let is_document_chunk = |key: &ChunkKey| matches!(key.kind, ChunkKind::Snapshot | ChunkKind::Incremental);
    let stale_changes: Vec<&[u8]> = stale.iter().filter(|(key, _)| is_document_chunk(key)).map(|(_, bytes)| bytes.as_slice()).collect();
    if !stale_changes.is_empty() {
        let mut in_order: Vec<&(ChunkKey, Vec<u8>)> = current.iter().filter(|(key, _)| is_document_chunk(key)).collect();
        // Snapshots first, as the relay loads them (`ChunkLedger::load`).
        in_order.sort_by(|a, b| a.0.kind.cmp(&b.0.kind).then_with(|| a.0.hash.cmp(&b.0.hash)));
        let joined: Vec<u8> = in_order.iter().flat_map(|(_, bytes)| bytes.iter().copied()).collect();
        let adds_nothing = contain(|| -> Result<bool, AutomergeError> {
            let strict = || LoadOptions::new().on_partial_load(OnPartialLoad::Error);
            let mut doc = AutoCommit::load_with_options(&joined, strict())?;
            let heads = doc.get_heads();
            if heads.is_empty() {
                return Ok(false);
            }
            for bytes in &stale_changes {
                // Each old chunk must be whole on its own; changes it holds that build on changes
                // missing from `current` stay queued and show up as missing dependencies.
                match AutoCommit::load_with_options(bytes, strict()) {
                    Ok(_) | Err(AutomergeError::MissingDeps) => {}
                    Err(error) => return Err(error),
                }
                doc.load_incremental(bytes)?;
            }
            Ok(doc.get_heads() == heads && doc.get_missing_deps(&[]).is_empty())
        });
        if !matches!(adds_nothing, Ok(Ok(true))) {
            return false;
        }
    }
    for (kind, entry_len) in [(ChunkKind::Signatures, ChangeSignature::LEN), (ChunkKind::MemberSignatures, MemberSignature::STORED_LEN)] {
        let held: HashSet<&[u8]> = current.iter().filter(|(key, _)| key.kind == kind).flat_map(|(_, bytes)| bytes.chunks_exact(entry_len)).collect();
        for (_, bytes) in stale.iter().filter(|(key, _)| key.kind == kind) {
            if !bytes.len().is_multiple_of(entry_len) || !bytes.chunks_exact(entry_len).all(|entry| held.contains(entry)) {
                return false;
            }
        }
    }
    true
}

/// Copies a folder's files (recursively) that are missing or different in `to`, each durably.
/// A folder that does not exist is nothing to copy.
fn copy_folder_as_is(from: &Path, to: &Path, report: &mut BackupReport) -> io::Result<()> {
    let entries = match fs::read_dir(from) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(with_path(error, from)),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_str().is_some_and(is_temporary) {
            continue;
        }
        let (source, target) = (entry.path(), to.join(&name));
        if entry.file_type()?.is_dir() {
            copy_folder_as_is(&source, &target, report)?;
            continue;
        }
        let bytes = match fs::read(&source) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(error) => return Err(with_path(error, &source)),
        };
        if fs::read(&target).ok().as_deref() != Some(bytes.as_slice()) {
            write_durably(&target, &bytes)?;
            report.files_copied += 1;
        }
    }
    Ok(())
}

/// What one chunk folder of a document holds.
#[derive(Debug, Default)]
pub(crate) struct ChunkFolder {
    /// Files named as chunks, sorted.
    pub chunks: Vec<ChunkKey>,
    /// Temporary files of writes, finished or not.
    pub temporary: Vec<PathBuf>,
}

/// Lists a document's folder of one kind of chunk (missing: empty). Other files are left out.
pub(crate) fn list_chunk_folder(document_folder: &Path, document_id: &DocumentId, kind: ChunkKind) -> io::Result<ChunkFolder> {
    let folder = document_folder.join(kind.as_str());
    let entries = match fs::read_dir(&folder) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(ChunkFolder::default()),
        Err(error) => return Err(with_path(error, &folder)),
    };
    let id = document_id.to_string();
    let mut listed = ChunkFolder::default();
    for entry in entries {
        let Some(name) = entry?.file_name().to_str().map(str::to_owned) else { continue };
        if is_temporary(&name) {
            listed.temporary.push(folder.join(name));
        } else if let Some(key) = ChunkKey::from_parts(&id, kind.as_str(), &name) {
            listed.chunks.push(key);
        }
    }
    listed.chunks.sort();
    Ok(listed)
}

/// Writes a file as the relay writes chunks: temporary file, fsync, rename, fsync of the folder.
fn write_durably(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let folder = path.parent().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "a file to write has a folder"))?;
    fs::create_dir_all(folder)?;
    let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = folder.join(format!(".{name}.tmp"));
    let mut file = fs::File::create(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&temporary, path)?;
    sync_folder(folder)
}

/// Makes the names in a folder durable.
fn sync_folder(folder: &Path) -> io::Result<()> {
    fs::File::open(folder)?.sync_all()
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(with_path(error, path)),
        _ => Ok(()),
    }
}

/// An I/O error that names the file it is about.
pub(crate) fn with_path(error: io::Error, path: &Path) -> io::Error {
    io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use linli_sync::automerge::transaction::Transactable;
    use linli_sync::automerge::{ChangeHash, ROOT};
    use linli_sync::{ChunkLedger, StorageOp};

    use super::*;

    /// The chunks of a document a folder holds.
    fn chunks_in(root: &Path, document_id: DocumentId) -> BTreeMap<ChunkKey, Vec<u8>> {
        FolderStore::open(root).unwrap().load(&document_id).unwrap().into_iter().collect()
    }

    /// A document that a relay stores in `store` as it grows, through the relay's own ledger.
    struct Stored {
        id: DocumentId,
        doc: AutoCommit,
        ledger: ChunkLedger,
        made: Vec<ChangeHash>,
    }

    impl Stored {
        fn new(byte: u8) -> Self {
            Stored { id: DocumentId::from_bytes([byte; 16]), doc: AutoCommit::new(), ledger: ChunkLedger::default(), made: Vec::new() }
        }

        /// Makes one change and stores it as the relay would (writes, then deletes); says
        /// whether that store was a compaction.
        fn change(&mut self, store: &FolderStore, n: usize) -> bool {
            self.doc.put(ROOT, "count", n as i64).unwrap();
            self.doc.put(ROOT, format!("note{}", n % 7), linli_sync::sha256_hex(format!("{n}").as_bytes())).unwrap();
            self.doc.commit();
            self.made.push(self.doc.get_heads()[0]);
            let ops = self.ledger.save(self.id, &mut self.doc);
            let compacted = ops.iter().any(|op| matches!(op, StorageOp::Delete { .. }));
            for op in ops {
                match op {
                    StorageOp::Put { key, data } => store.put(&key, &data).unwrap(),
                    StorageOp::Delete { key } => store.delete(&key).unwrap(),
                    StorageOp::Load { .. } => unreachable!("a save never loads"),
                }
            }
            compacted
        }

        /// Changes until a store compacts.
        fn change_until_compacted(&mut self, store: &FolderStore) {
            let start = self.made.len();
            assert!((start..start + 500).any(|n| self.change(store, n)), "the ledger compacts within 500 changes");
        }

        /// Makes one change and compacts at once: the whole document as a snapshot, then every
        /// other chunk deleted.
        fn change_and_compact(&mut self, store: &FolderStore) {
            let n = self.made.len();
            self.change(store, n);
            let snapshot = ChunkKey::snapshot(self.id, &self.doc.get_heads());
            store.put(&snapshot, &self.doc.save()).unwrap();
            for (key, _) in store.load(&self.id).unwrap() {
                if key != snapshot {
                    store.delete(&key).unwrap();
                }
            }
        }
    }

    /// Everything `root` holds of a document, loaded as the relay loads it.
    fn loaded(root: &Path, id: DocumentId) -> AutoCommit {
        let (doc, _, unreadable) = ChunkLedger::load(chunks_in(root, id).into_iter().collect());
        assert!(unreadable.is_empty(), "{unreadable:?}");
        doc
    }

    fn has_all(doc: &mut AutoCommit, hashes: &[ChangeHash]) -> bool {
        hashes.iter().all(|hash| doc.get_change_by_hash(hash).is_some())
    }

    /// The relay compacts right after the backup listed the document, in several rounds: the
    /// chunks it listed are gone when it reads them, and the copy still holds every change.
    #[test]
    fn compactions_between_listing_and_reading_lose_nothing() {
        let (data, dest) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let store = FolderStore::open(data.path()).unwrap();
        let mut stored = Stored::new(1);
        for n in 0..40 {
            stored.change(&store, n);
        }
        let before = stored.made.clone();
        let mut compactions = 0;
        let report = copy_data_folder_with(data.path(), dest.path(), &mut |_| {
            if compactions < 3 {
                stored.change_until_compacted(&store);
                compactions += 1;
            }
        })
        .unwrap();
        assert_eq!(compactions, 3);
        assert!(report.files_compacted_while_copying > 0, "the rounds saw chunks vanish: {report:?}");
        assert!(has_all(&mut loaded(dest.path(), stored.id), &before), "every change stored before the backup is in it");
        assert!(has_all(&mut loaded(dest.path(), stored.id), &stored.made), "and every one made while it ran, as it settled after");
    }

    /// A relay that compacts in every round keeps the backup from settling: it fails with a
    /// message, it does not finish with a copy it cannot vouch for.
    #[test]
    fn a_document_that_never_settles_fails_the_backup() {
        let (data, dest) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let store = FolderStore::open(data.path()).unwrap();
        let mut stored = Stored::new(2);
        stored.change(&store, 0);
        let error = copy_data_folder_with(data.path(), dest.path(), &mut |_| stored.change_and_compact(&store)).unwrap_err();
        assert!(error.to_string().contains("run the backup again"), "{error}");
    }

    /// A second backup into the same folder copies only what is new, removes the chunks the
    /// relay compacted since (their changes are in the new snapshot), keeps old chunks that hold
    /// changes the data folder lost, and leaves temporary files behind in neither place.
    #[test]
    fn an_earlier_backup_is_brought_up_to_date() {
        let (data, dest) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let store = FolderStore::open(data.path()).unwrap();
        store.storage_id(|| "relay-a".into()).unwrap();
        let mut stored = Stored::new(3);
        for n in 0..30 {
            stored.change(&store, n);
        }
        let stray = document_folder(data.path(), &stored.id).join("incremental").join(format!(".{}.tmp", "0".repeat(64)));
        fs::write(&stray, b"half a chunk").unwrap();
        let first = copy_data_folder(data.path(), dest.path()).unwrap();
        assert_eq!(first.documents, 1);
        assert_eq!(first.files_already_there, 0);
        assert_eq!(first.files_copied, chunks_in(data.path(), stored.id).len() + 1, "every chunk and the storage ID");
        assert!(!document_folder(dest.path(), &stored.id).join("incremental").join(stray.file_name().unwrap()).exists());
        assert_eq!(fs::read_to_string(dest.path().join("st/orage-adapter-id")).unwrap(), "relay-a");

        let unchanged = copy_data_folder(data.path(), dest.path()).unwrap();
        assert_eq!((unchanged.files_copied, unchanged.old_files_removed), (0, 0), "{unchanged:?}");

        let old_names: BTreeSet<ChunkKey> = chunks_in(dest.path(), stored.id).into_keys().collect();
        stored.change_until_compacted(&store);
        stored.change(&store, 1000);
        let second = copy_data_folder(data.path(), dest.path()).unwrap();
        let now_names: BTreeSet<ChunkKey> = chunks_in(dest.path(), stored.id).into_keys().collect();
        assert_eq!(now_names, chunks_in(data.path(), stored.id).into_keys().collect(), "the backup holds what the data folder holds: {second}");
        assert_eq!(second.old_files_removed, old_names.difference(&now_names).count());
        assert!(second.old_files_removed > 0 && second.old_files_kept.is_empty(), "{second:?}");
        assert_eq!(second.files_copied, now_names.difference(&old_names).count(), "only what is new is copied");
        assert_eq!(second.files_already_there, now_names.intersection(&old_names).count());
        assert!(has_all(&mut loaded(dest.path(), stored.id), &stored.made));

        // A change only an old backup file has (the data folder lost it) keeps that file.
        let mut lost = loaded(dest.path(), stored.id);
        lost.put(ROOT, "only in the backup", true).unwrap();
        lost.commit();
        let lost_chunk = lost.save_after(&stored.doc.get_heads());
        let lost_key = ChunkKey::incremental(stored.id, &lost_chunk);
        FolderStore::open(dest.path()).unwrap().put(&lost_key, &lost_chunk).unwrap();
        let third = copy_data_folder(data.path(), dest.path()).unwrap();
        assert_eq!(third.old_files_kept, vec![chunk_path(dest.path(), &lost_key)], "{third}");
        assert!(third.to_string().contains("no longer has"), "{third}");
    }

    #[test]
    fn old_signature_chunks_are_removed_only_when_a_newer_one_holds_their_entries() {
        let id = DocumentId::from_bytes([4; 16]);
        let entry = |byte: u8| vec![byte; ChangeSignature::LEN];
        let chunk = |entries: &[Vec<u8>]| {
            let bytes = entries.concat();
            (ChunkKey { document_id: id, kind: ChunkKind::Signatures, hash: linli_sync::sha256_hex(&bytes) }, bytes)
        };
        let folded = chunk(&[entry(1), entry(2), entry(3)]);
        assert!(holds_everything_of(std::slice::from_ref(&folded), &[chunk(&[entry(1)]), chunk(&[entry(2), entry(3)])]));
        assert!(!holds_everything_of(std::slice::from_ref(&folded), &[chunk(&[entry(4)])]));
        assert!(!holds_everything_of(&[folded], &[(chunk(&[entry(1)]).0, vec![1; 50])]), "a torn chunk is never called held");
    }

    #[test]
    fn a_backup_folder_of_another_relay_is_refused() {
        let (data, dest) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        FolderStore::open(data.path()).unwrap().storage_id(|| "relay-a".into()).unwrap();
        FolderStore::open(dest.path()).unwrap().storage_id(|| "relay-b".into()).unwrap();
        let error = copy_data_folder(data.path(), dest.path()).unwrap_err();
        assert!(error.to_string().contains("another relay"), "{error}");
        assert!(copy_data_folder(&data.path().join("missing"), dest.path()).is_err(), "a data folder that is not there");
        assert!(copy_data_folder(data.path(), data.path()).is_err(), "the data folder itself");
    }

    #[test]
    fn a_second_backup_into_the_same_folder_at_once_is_refused() {
        let (data, dest) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let held = lock(dest.path()).unwrap();
        let error = copy_data_folder(data.path(), dest.path()).unwrap_err();
        assert!(error.to_string().contains("another backup"), "{error}");
        drop(held);
        copy_data_folder(data.path(), dest.path()).unwrap();
    }

    #[test]
    fn certificates_are_copied_and_kept_up_to_date() {
        let (data, dest) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        fs::create_dir_all(data.path().join("acme")).unwrap();
        fs::write(data.path().join("acme/cached_cert_x"), b"one").unwrap();
        copy_data_folder(data.path(), dest.path()).unwrap();
        fs::write(data.path().join("acme/cached_cert_x"), b"two").unwrap();
        let report = copy_data_folder(data.path(), dest.path()).unwrap();
        assert_eq!(fs::read(dest.path().join("acme/cached_cert_x")).unwrap(), b"two");
        assert_eq!(report.files_copied, 1);
    }
}
