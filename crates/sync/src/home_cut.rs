//! A home relay's signed word of what its copy of a document held at a moment: the **cut** a
//! consultation is counted at.
//!
//! Devices go offline and clocks are wrong, so no device can say which votes were in time. The
//! space's home relay (see `home_relay`) can: every change reaches it, it keeps a log of its heads
//! as they change, and it answers "what did you hold at time T?" with the heads it held then,
//! signed. An organiser's device closes a consultation with the cut at its closing time, whenever
//! it comes online: every vote the home held by then counts, and nothing that reached it later
//! does, whichever device closes and whatever its clock says (docs/capabilities.md).

use automerge::ChangeHash;
use ed25519_dalek::{Signature, Signer, Verifier, VerifyingKey};

use crate::DocumentId;
use crate::home_relay::RelayKey;

/// A cut signs this context first: it cannot pass for a receipt or a change signature.
const CONTEXT: &[u8] = b"linli-cut-v1";

/// "My copy of `document_id` held exactly the changes up to `heads` at `at` (ms, my clock)."
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    pub at: u64,
    /// Sorted, as signed.
    pub heads: Vec<ChangeHash>,
    pub signature: [u8; 64],
}

impl Cut {
    /// Whether the home relay with public key `home` signed this cut for `document_id`.
    pub fn is_valid_under(&self, home: &[u8; 32], document_id: &DocumentId) -> bool {
        let Ok(key) = VerifyingKey::from_bytes(home) else { return false };
        key.verify(&signed_bytes(document_id, self.at, &self.heads), &Signature::from_bytes(&self.signature)).is_ok()
    }
}

impl RelayKey {
    /// Signs what this relay's copy of `document_id` held at `at`.
    pub fn cut(&self, document_id: &DocumentId, at: u64, mut heads: Vec<ChangeHash>) -> Cut {
        heads.sort();
        heads.dedup();
        let signature = self.signing_key().sign(&signed_bytes(document_id, at, &heads)).to_bytes();
        Cut { at, heads, signature }
    }
}

fn signed_bytes(document_id: &DocumentId, at: u64, heads: &[ChangeHash]) -> Vec<u8> {
    let mut sorted = heads.to_vec();
    sorted.sort();
    let mut bytes = Vec::with_capacity(CONTEXT.len() + 16 + 8 + 8 + 32 * sorted.len());
    bytes.extend_from_slice(CONTEXT);
    bytes.extend_from_slice(document_id.as_bytes());
    bytes.extend_from_slice(&at.to_be_bytes());
    bytes.extend_from_slice(&(sorted.len() as u64).to_be_bytes());
    for head in &sorted {
        bytes.extend_from_slice(&head.0);
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_is_valid_only_from_its_relay_for_its_document_time_and_heads() {
        let (relay, other) = (RelayKey::from_seed([3; 32]), RelayKey::from_seed([4; 32]));
        let (doc, elsewhere) = (DocumentId::from_bytes([1; 16]), DocumentId::from_bytes([2; 16]));
        let cut = relay.cut(&doc, 1_000, vec![ChangeHash([9; 32]), ChangeHash([8; 32])]);
        assert_eq!(cut.heads, vec![ChangeHash([8; 32]), ChangeHash([9; 32])], "signed sorted");
        assert!(cut.is_valid_under(&relay.public(), &doc));
        assert!(!cut.is_valid_under(&other.public(), &doc));
        assert!(!cut.is_valid_under(&relay.public(), &elsewhere));
        assert!(!Cut { at: 1_001, ..cut.clone() }.is_valid_under(&relay.public(), &doc), "another time");
        assert!(!Cut { heads: vec![ChangeHash([8; 32])], ..cut.clone() }.is_valid_under(&relay.public(), &doc), "fewer heads");
        // A receipt for the same bytes is no cut.
        let receipt = relay.receipt(ChangeHash([8; 32]));
        assert!(!Cut { at: 0, heads: vec![receipt.hash], signature: receipt.signature }.is_valid_under(&relay.public(), &doc));
        // An empty copy can be cut too (nothing held yet).
        assert!(relay.cut(&doc, 5, Vec::new()).is_valid_under(&relay.public(), &doc));
    }
}
