//! The data folder's layout, in one place: the store writes it, the backup copies it, the check
//! reads it.
//!
//! ```text
//! <data>/<id[..2]>/<id[2..]>/<kind>/<hash>   a document's chunks (automerge-repo's NodeFS layout)
//! <data>/st/orage-adapter-id                 the storage ID (NodeFS's key ["storage-adapter-id"])
//! <data>/st/relay-key                        this relay's own key (its identity as a home relay)
//! <data>/heads-logs/<id>                     each document's heads over time (`heads_log.rs`)
//! <data>/acme/                               the HTTPS account and certificates, when ACME is on
//! .<name>.tmp                                a write not yet renamed into place, anywhere above
//! ```

use std::path::{Path, PathBuf};

use linli_sync::{ChunkKey, DocumentId};

/// The storage ID's file, as (folder, file).
pub const STORAGE_ID_FILE: [&str; 2] = ["st", "orage-adapter-id"];

/// This relay's own key (`linli_sync::RelayKey`, the 32-byte seed as bs58 text), as (folder,
/// file): its identity as the home relay of the spaces that name it. Kept beside the storage ID.
pub const RELAY_KEY_FILE: [&str; 2] = ["st", "relay-key"];

/// The folder of the heads logs.
pub const HEADS_LOGS: &str = "heads-logs";

/// The folder ACME's account and certificates are cached in.
pub const ACME: &str = "acme";

/// Folders a backup copies file by file as they are (their files are written whole). The heads
/// logs are not among them: a log copied apart from the chunks could say the relay held changes
/// the copy lacks, or leave out ones it holds (see `backup.rs`).
pub const COPIED_AS_IS: [&str; 1] = [ACME];

/// A file given as (folder, file) in the data folder at `root`.
pub fn file(root: &Path, [folder, name]: [&str; 2]) -> PathBuf {
    root.join(folder).join(name)
}

/// A document's folder: `<root>/<id[..2]>/<id[2..]>`.
pub fn document_folder(root: &Path, document_id: &DocumentId) -> PathBuf {
    let id = document_id.to_string();
    // A bs58 ID is ASCII and longer than 2 characters, so the split is on a char boundary.
    root.join(&id[..2]).join(&id[2..])
}

/// A chunk's file: `<root>/<id[..2]>/<id[2..]>/<kind>/<hash>`.
pub fn chunk_path(root: &Path, key: &ChunkKey) -> PathBuf {
    document_folder(root, &key.document_id).join(key.kind.as_str()).join(&key.hash)
}

/// A document's heads log: `<root>/heads-logs/<id>`.
pub fn heads_log(root: &Path, document_id: &DocumentId) -> PathBuf {
    root.join(HEADS_LOGS).join(document_id.to_string())
}

/// The temporary file a write of `path` goes to before it is renamed into place.
pub fn temporary_for(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp"))
}

/// Whether a file name is a temporary file of a write ([`temporary_for`]).
pub fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_is_where_the_npm_sync_server_and_the_relay_put_it() {
        let root = Path::new("/data");
        let id: DocumentId = "4Rct2D13W3DMKTJnGf3GVwvaTqHB".parse().unwrap();
        assert_eq!(document_folder(root, &id), Path::new("/data/4R/ct2D13W3DMKTJnGf3GVwvaTqHB"));
        let key = ChunkKey::from_parts(&id.to_string(), "incremental", &"ab".repeat(32)).unwrap();
        assert_eq!(chunk_path(root, &key), Path::new("/data/4R/ct2D13W3DMKTJnGf3GVwvaTqHB/incremental").join("ab".repeat(32)));
        assert_eq!(file(root, STORAGE_ID_FILE), Path::new("/data/st/orage-adapter-id"));
        assert_eq!(heads_log(root, &id), Path::new("/data/heads-logs/4Rct2D13W3DMKTJnGf3GVwvaTqHB"));
        let temporary = temporary_for(&chunk_path(root, &key));
        assert!(is_temporary(&temporary.file_name().unwrap().to_string_lossy()));
        assert_eq!(temporary.parent(), chunk_path(root, &key).parent());
        assert!(!is_temporary("ab12"));
    }
}
