//! Documents in a folder, in the layout of automerge-repo's NodeFS storage adapter, written
//! crash-safely.
//!
//! A key `[docId, kind, hash]` lives at `<root>/<docId[..2]>/<docId[2..]>/<kind>/<hash>`
//! (`data_folder.rs` holds the whole layout), so a data folder of the npm sync server can be
//! served by this relay and back. A write goes to a temporary
//! file, is fsynced, renamed over its name and the folder fsynced: after a crash a chunk is either
//! whole or absent. Every path is built from a validated [`ChunkKey`], never from raw peer input.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use linli_sync::{ChunkKey, ChunkKind, DocumentId};

use crate::data_folder::{self, RELAY_KEY_FILE, STORAGE_ID_FILE};

/// A folder of stored documents.
#[derive(Debug, Clone)]
pub struct FolderStore {
    root: PathBuf,
}

impl FolderStore {
    /// Opens (and creates if needed) the data folder.
    pub fn open(root: impl Into<PathBuf>) -> io::Result<Self> {
        let root = root.into();
        fs::create_dir_all(&root)?;
        Ok(FolderStore { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn doc_dir(&self, document_id: &DocumentId) -> PathBuf {
        data_folder::document_folder(&self.root, document_id)
    }

    fn chunk_path(&self, key: &ChunkKey) -> PathBuf {
        data_folder::chunk_path(&self.root, key)
    }

    /// The documents stored in the folder (folders that do not spell a valid ID are skipped).
    pub fn document_ids(&self) -> io::Result<Vec<DocumentId>> {
        let mut ids = Vec::new();
        for prefix in fs::read_dir(&self.root)? {
            let prefix = prefix?;
            let Some(head) = prefix.file_name().to_str().map(str::to_owned) else { continue };
            if head.len() != 2 || !prefix.path().is_dir() {
                continue;
            }
            for rest in fs::read_dir(prefix.path())? {
                let Some(tail) = rest?.file_name().to_str().map(str::to_owned) else { continue };
                if let Ok(id) = format!("{head}{tail}").parse() {
                    ids.push(id);
                }
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// Every readable chunk stored for a document. Stray files (temporary files, other key kinds
    /// such as sync states) are skipped.
    pub fn load(&self, document_id: &DocumentId) -> io::Result<Vec<(ChunkKey, Vec<u8>)>> {
        let dir = self.doc_dir(document_id);
        let mut chunks = Vec::new();
        for kind in [ChunkKind::Snapshot, ChunkKind::Incremental, ChunkKind::Signatures, ChunkKind::MemberSignatures] {
            let entries = match fs::read_dir(dir.join(kind.as_str())) {
                Ok(entries) => entries,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            for entry in entries {
                let entry = entry?;
                let Some(name) = entry.file_name().to_str().map(str::to_owned) else { continue };
                let Some(key) = ChunkKey::from_parts(&document_id.to_string(), kind.as_str(), &name) else { continue };
                chunks.push((key, fs::read(entry.path())?));
            }
        }
        Ok(chunks)
    }

    /// Writes a chunk durably: temporary file, fsync, rename, fsync of the folder.
    pub fn put(&self, key: &ChunkKey, data: &[u8]) -> io::Result<()> {
        let path = self.chunk_path(key);
        let dir = path.parent().expect("a chunk path has a folder");
        fs::create_dir_all(dir)?;
        let temp = data_folder::temporary_for(&path);
        let mut file = fs::File::create(&temp)?;
        file.write_all(data)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, &path)?;
        fs::File::open(dir)?.sync_all()
    }

    /// Removes a chunk; a chunk that is already gone is fine.
    pub fn delete(&self, key: &ChunkKey) -> io::Result<()> {
        match fs::remove_file(self.chunk_path(key)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// The storage ID kept in the folder (automerge-repo's `["storage-adapter-id"]` key), made on
    /// first use.
    pub fn storage_id(&self, fresh: impl FnOnce() -> String) -> io::Result<String> {
        let path = data_folder::file(&self.root, STORAGE_ID_FILE);
        match fs::read_to_string(&path) {
            Ok(id) if !id.trim().is_empty() => Ok(id.trim().to_owned()),
            Ok(_) | Err(_) => {
                fs::create_dir_all(path.parent().expect("a file in a folder"))?;
                let id = fresh();
                let temp = data_folder::temporary_for(&path);
                fs::write(&temp, id.as_bytes())?;
                fs::File::open(&temp)?.sync_all()?;
                fs::rename(&temp, &path)?;
                Ok(id)
            }
        }
    }
}

impl FolderStore {
    /// This relay's own key: read from the data folder, or made once with `fresh` and kept there
    /// (written whole, then renamed, so a crash leaves the old state or the new, never half).
    pub fn relay_key(&self, fresh: impl FnOnce() -> [u8; 32]) -> io::Result<[u8; 32]> {
        let path = data_folder::file(&self.root, RELAY_KEY_FILE);
        match fs::read_to_string(&path) {
            Ok(text) => {
                let seed = bs58::decode(text.trim()).into_vec().ok().and_then(|bytes| <[u8; 32]>::try_from(bytes).ok());
                seed.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, format!("{} is not a relay key (32 bytes of bs58)", path.display())))
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                fs::create_dir_all(path.parent().expect("a file in a folder"))?;
                let seed = fresh();
                let temp = data_folder::temporary_for(&path);
                fs::write(&temp, bs58::encode(seed).into_string().as_bytes())?;
                fs::File::open(&temp)?.sync_all()?;
                fs::rename(&temp, &path)?;
                Ok(seed)
            }
            Err(error) => Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_load_delete_in_nodefs_layout() {
        let dir = tempfile::tempdir().unwrap();
        let store = FolderStore::open(dir.path()).unwrap();
        let id = DocumentId::from_bytes([5; 16]);
        let key = ChunkKey::incremental(id, b"chunk");
        store.put(&key, b"chunk").unwrap();
        let text = id.to_string();
        let expected = dir.path().join(&text[..2]).join(&text[2..]).join("incremental").join(&key.hash);
        assert_eq!(fs::read(expected).unwrap(), b"chunk");
        fs::write(dir.path().join(&text[..2]).join(&text[2..]).join("incremental").join(".junk.tmp"), b"x").unwrap();
        assert_eq!(store.load(&id).unwrap(), vec![(key.clone(), b"chunk".to_vec())]);
        assert_eq!(store.document_ids().unwrap(), vec![id]);
        store.delete(&key).unwrap();
        store.delete(&key).unwrap();
        assert!(store.load(&id).unwrap().is_empty());
        assert!(store.load(&DocumentId::from_bytes([6; 16])).unwrap().is_empty());
    }

    #[test]
    fn the_relay_key_is_made_once_and_a_damaged_one_is_an_error_not_a_new_key() {
        let dir = tempfile::tempdir().unwrap();
        let store = FolderStore::open(dir.path()).unwrap();
        assert_eq!(store.relay_key(|| [1; 32]).unwrap(), [1; 32]);
        assert_eq!(store.relay_key(|| [2; 32]).unwrap(), [1; 32]);
        fs::write(dir.path().join("st/relay-key"), "not a key").unwrap();
        assert!(store.relay_key(|| [3; 32]).is_err(), "a new key would silently end the relay's homes");
    }

    #[test]
    fn storage_id_is_made_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = FolderStore::open(dir.path()).unwrap();
        assert_eq!(store.storage_id(|| "first".into()).unwrap(), "first");
        assert_eq!(store.storage_id(|| "second".into()).unwrap(), "first");
    }
}
