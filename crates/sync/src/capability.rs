//! Write keys and change signatures: what makes an edit link different from a view link.
//!
//! A protected document holds a public key in its root (`write_key`). Only changes signed with the
//! matching secret key are accepted by Linli peers; the secret travels in the edit link's
//! fragment, never to a server. See docs/capabilities.md for the scheme and its threat model.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ChangeHash, ROOT, ReadDoc, ScalarValue, Value};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

/// The root field holding a protected document's public write key (32 bytes).
pub const WRITE_KEY_FIELD: &str = "write_key";

/// What is signed is this context followed by the 32-byte change hash, so that a Linli change
/// signature cannot be replayed as a signature over anything else.
const CONTEXT: &[u8] = b"linli-change-v1";

/// The secret half of a document's write key: whoever holds it may change the document.
///
/// ```
/// use linli_sync::{DocumentId, WriteKey};
///
/// let key = WriteKey::from_seed([3; 32]);
/// // The seed travels in the edit link as text, and reads back as the same key.
/// let again = WriteKey::from_text(&key.to_text()).unwrap();
/// assert_eq!(again.public(), key.public());
/// assert!(WriteKey::from_text("not a key").is_none());
///
/// // The public half protects the document, and a new space's ID certifies it.
/// assert!(key.opens(&key.public()));
/// assert!(DocumentId::certified(&key.public()).certifies(&key.public()));
/// ```
#[derive(Clone)]
pub struct WriteKey(SigningKey);

crate::seed_key::seed_key!(WriteKey, "The seed as it appears in an organise address (the \"edit link\"): bs58 text.");

impl WriteKey {
    /// The seed: the take-part key is sealed under it (`participate_key`), and the organisers'
    /// reading key for private requests comes from it (linli-core's `private`).
    pub fn seed(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// Signs one change.
    pub fn sign(&self, hash: ChangeHash) -> ChangeSignature {
        let signature = self.0.sign(&signed_bytes(hash));
        ChangeSignature { hash, signature: signature.to_bytes() }
    }

    /// Whether this key may change a document protected by `public`.
    pub fn opens(&self, public: &[u8; 32]) -> bool {
        &self.public() == public
    }
}

/// A signature over one change, as it travels beside the change and as it is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeSignature {
    pub hash: ChangeHash,
    pub signature: [u8; 64],
}

impl ChangeSignature {
    /// The length of [`ChangeSignature::to_bytes`]: the hash, then the signature.
    pub const LEN: usize = 96;

    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut out = [0; Self::LEN];
        out[..32].copy_from_slice(&self.hash.0);
        out[32..].copy_from_slice(&self.signature);
        out
    }

    /// Reads one entry; `None` unless it is exactly [`ChangeSignature::LEN`] bytes.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != Self::LEN {
            return None;
        }
        let hash = ChangeHash(bytes[..32].try_into().ok()?);
        let signature = bytes[32..].try_into().ok()?;
        Some(ChangeSignature { hash, signature })
    }

    /// Whether this is a valid signature of its change under the public key `public`.
    pub fn is_valid_under(&self, public: &[u8; 32]) -> bool {
        let Ok(key) = VerifyingKey::from_bytes(public) else { return false };
        key.verify(&signed_bytes(self.hash), &Signature::from_bytes(&self.signature)).is_ok()
    }
}

fn signed_bytes(hash: ChangeHash) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(CONTEXT.len() + 32);
    bytes.extend_from_slice(CONTEXT);
    bytes.extend_from_slice(&hash.0);
    bytes
}

/// Protects a document with `public` (writes the root field; the caller commits). Done in a new
/// space's first change, or (signed with the old key) to rotate the key.
pub fn protect(doc: &mut AutoCommit, public: [u8; 32]) {
    doc.put(ROOT, WRITE_KEY_FIELD, ScalarValue::Bytes(public.to_vec())).expect("the root map always takes a field");
}

/// The root field set (to `true`) by the change that moves a document to a new key.
pub const KEY_MOVED_FIELD: &str = "write_key_moved";

/// Moves a protected document to a new key (the caller commits and signs with the key before).
pub fn move_key(doc: &mut AutoCommit, public: [u8; 32]) {
    protect(doc, public);
    doc.put(ROOT, KEY_MOVED_FIELD, true).expect("the root map always takes a field");
}

/// Whether the document's key has ever moved: then a change's signature under an older key
/// cannot be vouched for by a newer one, and messages carry every signature.
pub fn key_has_moved(doc: &impl ReadDoc) -> bool {
    doc.get(ROOT, KEY_MOVED_FIELD).ok().flatten().is_some()
}

/// The public write key a document is protected by, or `None` for an open document (one made
/// by a JavaScript peer or before protection existed: anyone may change it).
pub fn protection(doc: &impl ReadDoc) -> Option<[u8; 32]> {
    match doc.get(ROOT, WRITE_KEY_FIELD).ok()?? {
        (Value::Scalar(value), _) => match value.as_ref() {
            ScalarValue::Bytes(bytes) => bytes.as_slice().try_into().ok(),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_is_valid_only_under_its_key_and_for_its_change() {
        let key = WriteKey::from_seed([7; 32]);
        let other = WriteKey::from_seed([8; 32]);
        let signature = key.sign(ChangeHash([1; 32]));
        assert!(signature.is_valid_under(&key.public()));
        assert!(!signature.is_valid_under(&other.public()));
        let moved = ChangeSignature { hash: ChangeHash([2; 32]), ..signature };
        assert!(!moved.is_valid_under(&key.public()));
        assert_eq!(ChangeSignature::from_bytes(&signature.to_bytes()), Some(signature));
        assert_eq!(ChangeSignature::from_bytes(&signature.to_bytes()[1..]), None);
    }

    #[test]
    fn the_seed_round_trips_through_link_text_and_garbage_is_refused() {
        let key = WriteKey::from_seed([9; 32]);
        let again = WriteKey::from_text(&key.to_text()).expect("own text reads back");
        assert_eq!(again.public(), key.public());
        assert!(WriteKey::from_text("not-bs58-0OIl").is_none());
        assert!(WriteKey::from_text("abc").is_none());
    }
}
