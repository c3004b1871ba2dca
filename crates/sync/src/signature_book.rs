//! The signatures a peer keeps for one document's changes, and the storage writes that keep them.
//!
//! Two kinds, each on its own shelf of chunks beside the document's: write-key signatures as
//! `[docId, "signatures", sha256hex]` (96-byte entries: change hash, then signature) and member
//! signatures as `[docId, "member-signatures", sha256hex]` (193-byte entries, see
//! `MemberSignature::to_stored`). New signatures are appended as a new chunk; once a shelf holds
//! many chunks they are folded into one, deleting only the chunks this book loaded or wrote.

use std::collections::HashMap;

use automerge::ChangeHash;

use crate::capability::ChangeSignature;
use crate::home_relay::Receipt;
use crate::member_key::MemberSignature;
use crate::storage_key::{ChunkKey, ChunkKind, sha256_hex};
use crate::{DocumentId, StorageOp};

/// Fold a shelf's chunks into one when there are more than this many.
const MAX_CHUNKS: usize = 16;

#[derive(Debug, Default)]
pub struct SignatureBook {
    known: HashMap<ChangeHash, [u8; 64]>,
    members: HashMap<ChangeHash, MemberSignature>,
    /// The home relay's receipts (`home_relay`), kept in memory only: the home gives them again
    /// for its heads on every new connection.
    receipts: HashMap<ChangeHash, Receipt>,
    unsaved: Vec<Vec<u8>>,
    unsaved_members: Vec<Vec<u8>>,
    chunks: Vec<ChunkKey>,
    member_chunks: Vec<ChunkKey>,
}

impl SignatureBook {
    /// Reads stored signature chunks of both kinds. A torn last entry (a crash mid-write cannot
    /// leave one, as chunks are written whole, but a damaged disk can) is skipped.
    pub fn load(chunks: Vec<(ChunkKey, Vec<u8>)>) -> Self {
        let mut book = SignatureBook::default();
        for (key, bytes) in chunks {
            match key.kind {
                ChunkKind::MemberSignatures => {
                    for entry in bytes.chunks_exact(MemberSignature::STORED_LEN) {
                        if let Some(signature) = MemberSignature::from_stored(entry) {
                            book.members.insert(signature.hash, signature);
                        }
                    }
                    book.member_chunks.push(key);
                }
                _ => {
                    for entry in bytes.chunks_exact(ChangeSignature::LEN) {
                        if let Some(signature) = ChangeSignature::from_bytes(entry) {
                            book.known.insert(signature.hash, signature.signature);
                        }
                    }
                    book.chunks.push(key);
                }
            }
        }
        book
    }

    /// The write-key signature of a change, if this peer has it.
    pub fn get(&self, hash: &ChangeHash) -> Option<ChangeSignature> {
        self.known.get(hash).map(|signature| ChangeSignature { hash: *hash, signature: *signature })
    }

    /// The member signature of a change, if this peer has it.
    pub fn member(&self, hash: &ChangeHash) -> Option<MemberSignature> {
        self.members.get(hash).copied()
    }

    /// The home relay's receipt for a change, if this peer has it.
    pub fn receipt(&self, hash: &ChangeHash) -> Option<Receipt> {
        self.receipts.get(hash).copied()
    }

    /// Keeps a receipt (already checked by the caller).
    pub fn insert_receipt(&mut self, receipt: Receipt) {
        self.receipts.insert(receipt.hash, receipt);
    }

    /// Every write-key signature this book holds.
    pub fn all(&self) -> Vec<ChangeSignature> {
        self.known.iter().map(|(hash, signature)| ChangeSignature { hash: *hash, signature: *signature }).collect()
    }

    /// Every member signature this book holds.
    pub fn all_members(&self) -> Vec<MemberSignature> {
        self.members.values().copied().collect()
    }

    /// Keeps a write-key signature (already checked by the caller) for the next save.
    pub fn insert(&mut self, signature: ChangeSignature) {
        if self.known.insert(signature.hash, signature.signature).is_none() {
            self.unsaved.push(signature.to_bytes().to_vec());
        }
    }

    /// Keeps a member signature (already checked by the caller) for the next save.
    pub fn insert_member(&mut self, signature: MemberSignature) {
        if self.members.insert(signature.hash, signature).is_none() {
            self.unsaved_members.push(signature.to_stored().to_vec());
        }
    }

    /// Counts every signature as unsaved, so the next save writes them all again (after the
    /// driver failed a write, storage may lack any of them).
    pub fn unsave_all(&mut self) {
        let mut all = self.all();
        all.sort_by_key(|s| s.hash);
        self.unsaved = all.iter().map(|s| s.to_bytes().to_vec()).collect();
        let mut members = self.all_members();
        members.sort_by_key(|s| s.hash);
        self.unsaved_members = members.iter().map(|s| s.to_stored().to_vec()).collect();
    }

    /// The writes that store what was inserted since the last save. Run before the document's
    /// own chunks are written, so that no stored change is ever without its signatures.
    pub fn save(&mut self, document_id: DocumentId) -> Vec<StorageOp> {
        let mut ops = Vec::new();
        if !self.unsaved.is_empty() {
            let unsaved = std::mem::take(&mut self.unsaved);
            let all = || {
                let mut all: Vec<ChangeSignature> = self.known.iter().map(|(hash, signature)| ChangeSignature { hash: *hash, signature: *signature }).collect();
                all.sort_by_key(|s| s.hash);
                all.iter().map(|s| s.to_bytes().to_vec()).collect()
            };
            let folded = (self.chunks.len() >= MAX_CHUNKS).then(all);
            ops.extend(shelve(&mut self.chunks, document_id, ChunkKind::Signatures, unsaved, folded));
        }
        if !self.unsaved_members.is_empty() {
            let unsaved = std::mem::take(&mut self.unsaved_members);
            let all = || {
                let mut all: Vec<&MemberSignature> = self.members.values().collect();
                all.sort_by_key(|s| s.hash);
                all.iter().map(|s| s.to_stored().to_vec()).collect()
            };
            let folded = (self.member_chunks.len() >= MAX_CHUNKS).then(all);
            ops.extend(shelve(&mut self.member_chunks, document_id, ChunkKind::MemberSignatures, unsaved, folded));
        }
        ops
    }

    /// Whether this book holds no signature of either kind (an open document's).
    pub fn is_empty(&self) -> bool {
        self.known.is_empty() && self.members.is_empty()
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.known.len()
    }
}

/// Writes a shelf's new entries as one chunk, or (`folded`: every entry) replaces all its chunks
/// with one, deleting only those it knew of.
fn shelve(chunks: &mut Vec<ChunkKey>, document_id: DocumentId, kind: ChunkKind, unsaved: Vec<Vec<u8>>, folded: Option<Vec<Vec<u8>>>) -> Vec<StorageOp> {
    let entries = folded.as_ref().unwrap_or(&unsaved);
    let data: Vec<u8> = entries.concat();
    let key = ChunkKey { document_id, kind, hash: sha256_hex(&data) };
    let mut ops = vec![StorageOp::Put { key: key.clone(), data }];
    if folded.is_some() {
        let old = std::mem::take(chunks);
        ops.extend(old.into_iter().filter(|k| *k != key).map(|key| StorageOp::Delete { key }));
    }
    chunks.push(key);
    ops
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
