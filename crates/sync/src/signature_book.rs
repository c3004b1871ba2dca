//! The signatures a peer keeps for one document's changes, and the storage writes that keep them.
//!
//! Signatures are stored beside the document's chunks as `[docId, "signatures", sha256hex]`
//! chunks, each a run of 96-byte entries (change hash, then signature). New signatures are
//! appended as a new chunk; once there are many chunks they are folded into one, deleting only
//! the chunks this book loaded or wrote.

use std::collections::HashMap;

use automerge::ChangeHash;

use crate::capability::ChangeSignature;
use crate::storage_key::{ChunkKey, ChunkKind, sha256_hex};
use crate::{DocumentId, StorageOp};

/// Fold the chunks into one when there are more than this many.
const MAX_CHUNKS: usize = 16;

#[derive(Debug, Default)]
pub struct SignatureBook {
    known: HashMap<ChangeHash, [u8; 64]>,
    unsaved: Vec<ChangeSignature>,
    chunks: Vec<ChunkKey>,
}

impl SignatureBook {
    /// Reads stored signature chunks. A torn last entry (a crash mid-write cannot leave one,
    /// as chunks are written whole, but a damaged disk can) is skipped.
    pub fn load(chunks: Vec<(ChunkKey, Vec<u8>)>) -> Self {
        let mut book = SignatureBook::default();
        for (key, bytes) in chunks {
            for entry in bytes.chunks_exact(ChangeSignature::LEN) {
                if let Some(signature) = ChangeSignature::from_bytes(entry) {
                    book.known.insert(signature.hash, signature.signature);
                }
            }
            book.chunks.push(key);
        }
        book
    }

    pub fn get(&self, hash: &ChangeHash) -> Option<ChangeSignature> {
        self.known.get(hash).map(|signature| ChangeSignature { hash: *hash, signature: *signature })
    }

    /// Keeps a signature (already checked by the caller) and marks it for the next save.
    pub fn insert(&mut self, signature: ChangeSignature) {
        if self.known.insert(signature.hash, signature.signature).is_none() {
            self.unsaved.push(signature);
        }
    }

    /// The writes that store what was inserted since the last save. Run before the document's
    /// own chunks are written, so that no stored change is ever without its signature.
    pub fn save(&mut self, document_id: DocumentId) -> Vec<StorageOp> {
        if self.unsaved.is_empty() {
            return Vec::new();
        }
        if self.chunks.len() < MAX_CHUNKS {
            let entries = std::mem::take(&mut self.unsaved);
            let (key, data) = chunk(document_id, entries.iter());
            self.chunks.push(key.clone());
            return vec![StorageOp::Put { key, data }];
        }
        self.unsaved.clear();
        let mut all: Vec<ChangeSignature> = self.known.iter().map(|(hash, signature)| ChangeSignature { hash: *hash, signature: *signature }).collect();
        all.sort_by_key(|s| s.hash);
        let (key, data) = chunk(document_id, all.iter());
        let old = std::mem::replace(&mut self.chunks, vec![key.clone()]);
        let mut ops = vec![StorageOp::Put { key: key.clone(), data }];
        ops.extend(old.into_iter().filter(|k| *k != key).map(|key| StorageOp::Delete { key }));
        ops
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.known.len()
    }

    pub fn is_empty(&self) -> bool {
        self.known.is_empty()
    }
}

fn chunk<'a>(document_id: DocumentId, entries: impl Iterator<Item = &'a ChangeSignature>) -> (ChunkKey, Vec<u8>) {
    let data: Vec<u8> = entries.flat_map(|s| s.to_bytes()).collect();
    let key = ChunkKey { document_id, kind: ChunkKind::Signatures, hash: sha256_hex(&data) };
    (key, data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capability::WriteKey;

    #[test]
    fn saved_signatures_load_back_and_many_chunks_fold_into_one() {
        let id = DocumentId::from_bytes([5; 16]);
        let key = WriteKey::from_seed([1; 32]);
        let mut book = SignatureBook::default();
        let mut stored: Vec<(ChunkKey, Vec<u8>)> = Vec::new();
        for n in 0..(MAX_CHUNKS as u8 + 2) {
            book.insert(key.sign(ChangeHash([n; 32])));
            book.insert(key.sign(ChangeHash([n; 32]))); // a repeat is not saved twice
            for op in book.save(id) {
                match op {
                    StorageOp::Put { key, data } => stored.push((key, data)),
                    StorageOp::Delete { key } => stored.retain(|(k, _)| *k != key),
                    StorageOp::Load { .. } => unreachable!(),
                }
            }
        }
        assert!(stored.len() < MAX_CHUNKS, "folded: {} chunks", stored.len());
        let again = SignatureBook::load(stored);
        assert_eq!(again.len(), MAX_CHUNKS + 2);
        assert_eq!(again.get(&ChangeHash([3; 32])), Some(key.sign(ChangeHash([3; 32]))));
    }
}
