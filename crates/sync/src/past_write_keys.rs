//! The write keys a space had before. Moving the write key ("stop old edit links") seals every
//! earlier write seed under the new one (`past_write_keys_sealed`: for each, its public key and
//! its seed XOR SHA-256(context, current write seed, that public key)), so that organisers who hold
//! only the new organise link still open what was sealed to the organisers before the move
//! (private requests: docs/capabilities.md). Holders of an old link read what came before it moved,
//! as they always could, and nothing after.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT, ReadDoc, ScalarValue, Value};
use sha2::{Digest, Sha256};

use crate::capability::WriteKey;

/// The root field: 64 bytes per earlier key (its public key, then its sealed seed).
pub const PAST_WRITE_KEYS_FIELD: &str = "past_write_keys_sealed";
/// Most earlier keys kept (the oldest go first).
pub const MAX_PAST_WRITE_KEYS: usize = 64;
const CONTEXT: &[u8] = b"linli-past-write-key-v1";

fn pad(current: &WriteKey, public: &[u8]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(CONTEXT);
    hash.update(current.seed());
    hash.update(public);
    hash.finalize().into()
}

/// The seeds of the document's earlier write keys, opened with `current` (those that do not open
/// with it, or are damaged, are left out).
pub fn past_write_seeds(doc: &impl ReadDoc, current: &WriteKey) -> Vec<[u8; 32]> {
    let Ok(Some((Value::Scalar(value), _))) = doc.get(ROOT, PAST_WRITE_KEYS_FIELD) else { return Vec::new() };
    let ScalarValue::Bytes(bytes) = value.as_ref() else { return Vec::new() };
    bytes
        .chunks_exact(64)
        .filter_map(|entry| {
            let (public, sealed) = entry.split_at(32);
            let pad = pad(current, public);
            let seed: [u8; 32] = std::array::from_fn(|i| sealed[i] ^ pad[i]);
            (WriteKey::from_seed(seed).public()[..] == *public).then_some(seed)
        })
        .collect()
}

/// Writes `past` (earlier write seeds, oldest first) sealed under `current` (the caller commits).
pub(crate) fn seal_past_write_seeds(doc: &mut AutoCommit, current: &WriteKey, past: &[[u8; 32]]) {
    let kept = &past[past.len().saturating_sub(MAX_PAST_WRITE_KEYS)..];
    let mut bytes = Vec::with_capacity(kept.len() * 64);
    for seed in kept {
        let public = WriteKey::from_seed(*seed).public();
        let pad = pad(current, &public);
        bytes.extend_from_slice(&public);
        bytes.extend(seed.iter().zip(pad).map(|(s, p)| s ^ p));
    }
    doc.put(ROOT, PAST_WRITE_KEYS_FIELD, ScalarValue::Bytes(bytes)).expect("the root map always takes a field");
}
