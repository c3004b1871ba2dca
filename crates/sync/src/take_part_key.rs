//! The take-part key: what a take-part link carries, between a view link and an edit link.
//!
//! A protected space names a second public key in its root, `participate_key`. A change whose
//! member signature comes with a signature by that key is a resident's change: admitted only if
//! every operation in it is one a resident may make (docs/capabilities.md). The secret travels in
//! the take-part link's fragment. So that every organiser can hand out take-part links, the
//! secret also sits in the root **sealed** under the write key (`participate_seed_sealed`: the
//! seed XOR SHA-256(context, write seed, take-part public key)); only an edit-link holder can
//! open it, and moving the write key seals it again.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT, ReadDoc, ScalarValue, Value};
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};

use crate::capability::WriteKey;
use crate::member_key::TakePartSigner;

/// The root field holding a space's public take-part key (32 bytes).
pub const TAKE_PART_KEY_FIELD: &str = "participate_key";
/// The root field holding the take-part key's seed, sealed under the write key (32 bytes).
pub const TAKE_PART_SEALED_FIELD: &str = "participate_seed_sealed";
const SEAL_CONTEXT: &[u8] = b"linli-participate-seal-v1";

/// The secret of a take-part link.
///
/// ```
/// use linli_sync::TakePartKey;
///
/// let key = TakePartKey::from_seed([5; 32]);
/// // The seed travels in the take-part link as text, and reads back as the same key.
/// let again = TakePartKey::from_text(&key.to_text()).unwrap();
/// assert_eq!(again.public(), key.public());
/// assert!(TakePartKey::from_text("").is_none());
/// // Another seed, another key.
/// assert_ne!(TakePartKey::from_seed([6; 32]).public(), key.public());
/// ```
#[derive(Clone)]
pub struct TakePartKey(SigningKey);

crate::seed_key::seed_key!(TakePartKey, "The seed as it appears in a take-part address: bs58 text.");

impl TakePartKey {
    /// The signing key, for proofs that the holder may take part (`link_proof`).
    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.0
    }

    /// Lends the key to [`crate::MemberKey::sign`], to sign a change made through the take-part link.
    pub fn signer(&self) -> TakePartSigner<'_> {
        TakePartSigner(&self.0)
    }
}

fn pad(write: &WriteKey, take_part_public: &[u8; 32]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(SEAL_CONTEXT);
    hash.update(write.seed());
    hash.update(take_part_public);
    hash.finalize().into()
}

fn xor(a: [u8; 32], b: [u8; 32]) -> [u8; 32] {
    std::array::from_fn(|i| a[i] ^ b[i])
}

/// Writes a space's take-part key: its public half, and its seed sealed under `write` (the
/// caller commits and signs with the write key). Moving to a new take-part key stops every
/// take-part link given out before.
pub fn set_take_part_key(doc: &mut AutoCommit, key: &TakePartKey, write: &WriteKey) {
    let public = key.public();
    let sealed = xor(key.0.to_bytes(), pad(write, &public));
    doc.put(ROOT, TAKE_PART_KEY_FIELD, ScalarValue::Bytes(public.to_vec())).expect("the root map always takes a field");
    doc.put(ROOT, TAKE_PART_SEALED_FIELD, ScalarValue::Bytes(sealed.to_vec())).expect("the root map always takes a field");
}

/// The root field that says the take-part key was moved by a change signed under the key
/// before it (a lower space accepting a link): such a document's member signatures are all sent
/// on, each change's own, since no later signature vouches for a change under an earlier key.
pub const PARTICIPATE_MOVED_FIELD: &str = "participate_key_moved";

/// Moves the take-part key to `public` in a change signed under the key before it (the caller
/// commits it through a repo holding that key, then holds the new one).
pub fn move_take_part_key(doc: &mut AutoCommit, public: [u8; 32]) {
    doc.put(ROOT, TAKE_PART_KEY_FIELD, ScalarValue::Bytes(public.to_vec())).expect("the root map always takes a field");
    doc.put(ROOT, PARTICIPATE_MOVED_FIELD, true).expect("the root map always takes a field");
}

/// Whether the take-part key was moved under itself ([`move_take_part_key`]).
pub fn participate_key_moved(doc: &impl ReadDoc) -> bool {
    doc.get(ROOT, PARTICIPATE_MOVED_FIELD).ok().flatten().is_some()
}

/// The public take-part key a space names, if it has one.
pub fn take_part_protection(doc: &impl ReadDoc) -> Option<[u8; 32]> {
    root_bytes(doc, TAKE_PART_KEY_FIELD)
}

/// Opens the sealed take-part key with the write key; `None` if there is none or `write` is not
/// the key it was sealed under.
pub fn unseal(doc: &impl ReadDoc, write: &WriteKey) -> Option<TakePartKey> {
    let public = take_part_protection(doc)?;
    let sealed = root_bytes(doc, TAKE_PART_SEALED_FIELD)?;
    let key = TakePartKey::from_seed(xor(sealed, pad(write, &public)));
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
        let take_part = TakePartKey::from_seed([2; 32]);
        let mut doc = AutoCommit::new();
        set_take_part_key(&mut doc, &take_part, &write);
        assert_eq!(take_part_protection(&doc), Some(take_part.public()));
        assert_eq!(unseal(&doc, &write).map(|k| k.public()), Some(take_part.public()));
        assert!(unseal(&doc, &WriteKey::from_seed([3; 32])).is_none());
        let again = TakePartKey::from_text(&take_part.to_text()).expect("own text reads back");
        assert_eq!(again.public(), take_part.public());
    }
}
