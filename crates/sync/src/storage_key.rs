//! Storage keys in automerge-repo's scheme: `[docId, "snapshot" | "incremental", sha256hex]`, plus
//! Linli's `[docId, "signatures" | "member-signatures", sha256hex]` for the signatures of a
//! protected document's changes.
//!
//! Every implementation that keeps documents (the relay's folder, the browser's IndexedDB, the
//! npm NodeFS adapter) uses these keys, so a data folder can move between them.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::DocumentId;

/// Which kind of chunk a key names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChunkKind {
    /// A whole saved document, named by the hash of its heads.
    Snapshot,
    /// Changes saved since an earlier save, named by the hash of the bytes.
    Incremental,
    /// Write-key signatures of changes (see `signature_book`), named by the hash of the bytes.
    Signatures,
    /// Member signatures of changes (see `signature_book`), named by the hash of the bytes.
    MemberSignatures,
}

impl ChunkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChunkKind::Snapshot => "snapshot",
            ChunkKind::Incremental => "incremental",
            ChunkKind::Signatures => "signatures",
            ChunkKind::MemberSignatures => "member-signatures",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "snapshot" => Some(ChunkKind::Snapshot),
            "incremental" => Some(ChunkKind::Incremental),
            "signatures" => Some(ChunkKind::Signatures),
            "member-signatures" => Some(ChunkKind::MemberSignatures),
            _ => None,
        }
    }
}

/// The key of one stored chunk of one document. Each part is safe as a file name: the document ID
/// is validated bs58, the kind is one of four words and the hash is 64 lowercase hex digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChunkKey {
    pub document_id: DocumentId,
    pub kind: ChunkKind,
    pub hash: String,
}

impl ChunkKey {
    /// The key of an incremental chunk: its name is the SHA-256 of its bytes.
    pub fn incremental(document_id: DocumentId, bytes: &[u8]) -> Self {
        ChunkKey { document_id, kind: ChunkKind::Incremental, hash: sha256_hex(bytes) }
    }

    /// The key of a snapshot: its name is the SHA-256 of the hex heads, concatenated in order.
    pub fn snapshot(document_id: DocumentId, heads: &[automerge::ChangeHash]) -> Self {
        let mut sorted = heads.to_vec();
        sorted.sort();
        let joined: String = sorted.iter().map(|head| head.to_string()).collect();
        ChunkKey { document_id, kind: ChunkKind::Snapshot, hash: sha256_hex(joined.as_bytes()) }
    }

    /// Rebuilds a key from its three parts, refusing anything that is not a chunk key.
    pub fn from_parts(document_id: &str, kind: &str, hash: &str) -> Option<Self> {
        let document_id = document_id.parse().ok()?;
        let kind = ChunkKind::parse(kind)?;
        let is_hash = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        is_hash.then(|| ChunkKey { document_id, kind, hash: hash.to_owned() })
    }

    /// The key as automerge-repo's string array.
    pub fn parts(&self) -> [String; 3] {
        [self.document_id.to_string(), self.kind.as_str().to_owned(), self.hash.clone()]
    }
}

impl fmt::Display for ChunkKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.document_id, self.kind.as_str(), self.hash)
    }
}

/// Lowercase hex of the SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(64);
    for byte in Sha256::digest(bytes) {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_round_trip_and_refuse_traversal() {
        let id = DocumentId::from_bytes([3; 16]);
        let key = ChunkKey::incremental(id, b"abc");
        let [doc, kind, hash] = key.parts();
        assert_eq!(ChunkKey::from_parts(&doc, &kind, &hash), Some(key));
        assert_eq!(hash, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(ChunkKey::from_parts(&doc, "snapshot", "../x"), None);
        assert_eq!(ChunkKey::from_parts(&doc, "sync-state", &hash), None);
        assert_eq!(ChunkKey::from_parts("..", "snapshot", &hash), None);
    }
}
