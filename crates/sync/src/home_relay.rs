//! A space's home relay, and the receipts it gives: the one peer that decides the order of a
//! space's changes where order decides the outcome.
//!
//! Automerge holds one change per actor and sequence number. A writer who signs two different
//! changes with the same actor and number (a fork of their own line) and sends one to each of
//! two peers splits the replicas for good: each peer keeps the one it got first and refuses the
//! other, and whatever is built on either side stays on that side. Signatures cannot stop it;
//! only one peer choosing can. A space may therefore name a **home relay** (`home_relay`, its
//! public key, written by organisers). The home relay takes changes as any peer does, and for each
//! head of its copy signs a **receipt**: "my copy holds this change". Since its copy holds every
//! ancestor of a change and one change per actor and number, a receipt vouches for the change's
//! ancestors too, and there is never a receipt for both sides of a fork. Every other peer takes
//! another's change into a homed space only once a receipt covers it; until then the change
//! waits beside the document (and is passed on towards the home). See docs/capabilities.md.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ChangeHash, ROOT, ReadDoc, ScalarValue};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

use crate::capability::ChangeSignature;
use crate::take_part_key::root_bytes;

/// The root field naming a space's home relay by its public key (32 bytes).
pub const HOME_FIELD: &str = "home_relay";

/// A receipt signs this context, then the change hash: it cannot pass for any other signature.
const CONTEXT: &[u8] = b"linli-receipt-v1";

/// A relay's own key: its identity as a home. Kept in the relay's data folder.
#[derive(Clone)]
pub struct RelayKey(SigningKey);

impl std::fmt::Debug for RelayKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RelayKey(public {})", bs58::encode(self.public()).into_string())
    }
}

impl RelayKey {
    /// A key from 32 random bytes (the caller brings the randomness).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        RelayKey(SigningKey::from_bytes(&seed))
    }

    /// The seed, to keep in the data folder.
    pub fn seed(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The public half, as a space names its home by.
    pub fn public(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }

    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.0
    }

    /// The receipt for one change of this relay's copy.
    pub fn receipt(&self, hash: ChangeHash) -> Receipt {
        Receipt { hash, signature: self.0.sign(&signed_bytes(hash)).to_bytes() }
    }
}

/// A home relay's word that its copy holds a change (and so every ancestor of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    pub hash: ChangeHash,
    pub signature: [u8; 64],
}

impl Receipt {
    /// The length of [`Receipt::to_bytes`]: the hash, then the signature.
    pub const LEN: usize = ChangeSignature::LEN;

    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        ChangeSignature { hash: self.hash, signature: self.signature }.to_bytes()
    }

    /// Reads one entry; `None` unless it is exactly [`Receipt::LEN`] bytes.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        ChangeSignature::from_bytes(bytes).map(|s| Receipt { hash: s.hash, signature: s.signature })
    }

    /// Whether the home relay with the public key `home` gave this receipt.
    pub fn is_valid_under(&self, home: &[u8; 32]) -> bool {
        let Ok(key) = VerifyingKey::from_bytes(home) else { return false };
        key.verify(&signed_bytes(self.hash), &Signature::from_bytes(&self.signature)).is_ok()
    }
}

fn signed_bytes(hash: ChangeHash) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(CONTEXT.len() + 32);
    bytes.extend_from_slice(CONTEXT);
    bytes.extend_from_slice(&hash.0);
    bytes
}

/// Names the space's home relay (the caller commits, signed with the write key).
pub fn set_home(doc: &mut AutoCommit, public: [u8; 32]) {
    doc.put(ROOT, HOME_FIELD, ScalarValue::Bytes(public.to_vec())).expect("the root map always takes a field");
}

/// The home relay a document names, if any.
pub fn home(doc: &impl ReadDoc) -> Option<[u8; 32]> {
    root_bytes(doc, HOME_FIELD)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capability::WriteKey;

    #[test]
    fn a_receipt_is_valid_only_from_its_relay_for_its_change_and_is_no_change_signature() {
        let (relay, other) = (RelayKey::from_seed([3; 32]), RelayKey::from_seed([4; 32]));
        let receipt = relay.receipt(ChangeHash([1; 32]));
        assert!(receipt.is_valid_under(&relay.public()));
        assert!(!receipt.is_valid_under(&other.public()));
        assert!(!Receipt { hash: ChangeHash([2; 32]), ..receipt }.is_valid_under(&relay.public()));
        assert_eq!(Receipt::from_bytes(&receipt.to_bytes()), Some(receipt));
        // The same seed as a write key: neither signature passes for the other.
        let write = WriteKey::from_seed([3; 32]);
        let signature = write.sign(ChangeHash([1; 32]));
        assert!(!Receipt { hash: signature.hash, signature: signature.signature }.is_valid_under(&relay.public()));
        assert!(!ChangeSignature { hash: receipt.hash, signature: receipt.signature }.is_valid_under(&write.public()));
    }

    #[test]
    fn a_space_names_its_home() {
        let mut doc = AutoCommit::new();
        assert_eq!(home(&doc), None);
        set_home(&mut doc, [5; 32]);
        assert_eq!(home(&doc), Some([5; 32]));
    }
}
