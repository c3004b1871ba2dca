//! The participate key: what a take-part link carries, between a view link and an edit link.
//!
//! A protected space names a second public key in its root, `participate_key`. A change whose
//! member signature comes with a signature by that key is a resident's change: admitted only if
//! every operation in it is one a resident may make (docs/capabilities.md). The secret travels in
//! the take-part link's fragment. So that every organiser can hand out take-part links, the
//! secret also sits in the root **sealed** under the write key (`participate_seed_sealed`: the
//! seed XOR SHA-256(context, write seed, participate public key)); only an edit-link holder can
//! open it, and moving the write key seals it again.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT, ReadDoc, ScalarValue, Value};
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};

use crate::capability::WriteKey;
use crate::member_key::ParticipateSigner;

/// The root field holding a space's public participate key (32 bytes).
pub const PARTICIPATE_KEY_FIELD: &str = "participate_key";
/// The root field holding the participate key's seed, sealed under the write key (32 bytes).
pub const PARTICIPATE_SEALED_FIELD: &str = "participate_seed_sealed";
const SEAL_CONTEXT: &[u8] = b"linli-participate-seal-v1";

/// The secret of a take-part link.
///
/// ```
/// use linli_sync::ParticipateKey;
///
/// let key = ParticipateKey::from_seed([5; 32]);
/// // The seed travels in the take-part link as text, and reads back as the same key.
/// let again = ParticipateKey::from_text(&key.to_text()).unwrap();
/// assert_eq!(again.public(), key.public());
/// assert!(ParticipateKey::from_text("").is_none());
/// // Another seed, another key.
/// assert_ne!(ParticipateKey::from_seed([6; 32]).public(), key.public());
/// ```
#[derive(Clone)]
pub struct ParticipateKey(SigningKey);

impl std::fmt::Debug for ParticipateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ParticipateKey(public {})", bs58::encode(self.public()).into_string())
    }
}

impl ParticipateKey {
    pub fn from_seed(seed: [u8; 32]) -> Self {
        ParticipateKey(SigningKey::from_bytes(&seed))
    }

    /// The seed as it appears in a take-part link: bs58 text.
    pub fn to_text(&self) -> String {
        bs58::encode(self.0.to_bytes()).into_string()
    }

    pub fn from_text(text: &str) -> Option<Self> {
        let seed: [u8; 32] = bs58::decode(text.trim()).into_vec().ok()?.try_into().ok()?;
        Some(Self::from_seed(seed))
    }

    pub fn public(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }

    /// The signing key, for proofs that the holder may take part (`link_proof`).
    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.0
    }

    /// Lends the key to [`crate::MemberKey::sign`], to sign a change made through the take-part link.
    pub fn signer(&self) -> ParticipateSigner<'_> {
        ParticipateSigner(&self.0)
    }
}

fn pad(write: &WriteKey, participate_public: &[u8; 32]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(SEAL_CONTEXT);
    hash.update(write.seed());
    hash.update(participate_public);
    hash.finalize().into()
}

fn xor(a: [u8; 32], b: [u8; 32]) -> [u8; 32] {
    std::array::from_fn(|i| a[i] ^ b[i])
}

/// Writes a space's participate key: its public half, and its seed sealed under `write` (the
/// caller commits and signs with the write key). Moving to a new participate key stops every
/// take-part link given out before.
pub fn set_participate_key(doc: &mut AutoCommit, key: &ParticipateKey, write: &WriteKey) {
    let public = key.public();
    let sealed = xor(key.0.to_bytes(), pad(write, &public));
    doc.put(ROOT, PARTICIPATE_KEY_FIELD, ScalarValue::Bytes(public.to_vec())).expect("the root map always takes a field");
    doc.put(ROOT, PARTICIPATE_SEALED_FIELD, ScalarValue::Bytes(sealed.to_vec())).expect("the root map always takes a field");
}

/// The root field that says the participate key was moved by a change signed under the key
/// before it (a lower space accepting a link): such a document's member signatures are all sent
/// on, each change's own, since no later signature vouches for a change under an earlier key.
pub const PARTICIPATE_MOVED_FIELD: &str = "participate_key_moved";

/// Moves the participate key to `public` in a change signed under the key before it (the caller
/// commits it through a repo holding that key, then holds the new one).
pub fn move_participate_key(doc: &mut AutoCommit, public: [u8; 32]) {
    doc.put(ROOT, PARTICIPATE_KEY_FIELD, ScalarValue::Bytes(public.to_vec())).expect("the root map always takes a field");
    doc.put(ROOT, PARTICIPATE_MOVED_FIELD, true).expect("the root map always takes a field");
}

/// Whether the participate key was moved under itself ([`move_participate_key`]).
pub fn participate_key_moved(doc: &impl ReadDoc) -> bool {
    doc.get(ROOT, PARTICIPATE_MOVED_FIELD).ok().flatten().is_some()
}

/// The public participate key a space names, if it has one.
pub fn participate_protection(doc: &impl ReadDoc) -> Option<[u8; 32]> {
    root_bytes(doc, PARTICIPATE_KEY_FIELD)
}

/// Opens the sealed participate key with the write key; `None` if there is none or `write` is not
/// the key it was sealed under.
pub fn unseal(doc: &impl ReadDoc, write: &WriteKey) -> Option<ParticipateKey> {
    let public = participate_protection(doc)?;
    let sealed = root_bytes(doc, PARTICIPATE_SEALED_FIELD)?;
    let key = ParticipateKey::from_seed(xor(sealed, pad(write, &public)));
    (key.public() == public).then_some(key)
}

/// A 32-byte key a document's root holds in `field`, if it holds one.
pub(crate) fn root_bytes(doc: &impl ReadDoc, field: &str) -> Option<[u8; 32]> {
    match doc.get(ROOT, field).ok()?? {
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
    fn only_the_write_key_opens_the_sealed_participate_key() {
        let write = WriteKey::from_seed([1; 32]);
        let participate = ParticipateKey::from_seed([2; 32]);
        let mut doc = AutoCommit::new();
        set_participate_key(&mut doc, &participate, &write);
        assert_eq!(participate_protection(&doc), Some(participate.public()));
        assert_eq!(unseal(&doc, &write).map(|k| k.public()), Some(participate.public()));
        assert!(unseal(&doc, &WriteKey::from_seed([3; 32])).is_none());
        let again = ParticipateKey::from_text(&participate.to_text()).expect("own text reads back");
        assert_eq!(again.public(), participate.public());
    }
}
