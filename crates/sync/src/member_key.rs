//! Member keys and member signatures: who made a change, proven.
//!
//! Every device (or every device a resident linked together) keeps a member key (Ed25519). Its
//! public half is the member's ID in every space, and the first 32 bytes of every Automerge actor
//! the member writes with. Each change the member makes is signed with it; a change made through
//! a take-part link also carries a second signature, by the space's take-part key, proving the
//! capability (docs/capabilities.md).

use automerge::ChangeHash;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

/// What a member signs: this context, then the 32-byte change hash.
const MEMBER_CONTEXT: &[u8] = b"linli-member-change-v1";
/// What the take-part key signs: this context, then the 32-byte change hash.
const PARTICIPATE_CONTEXT: &[u8] = b"linli-participate-change-v1";

/// The secret half of a member key.
///
/// ```
/// use linli_sync::MemberKey;
///
/// let key = MemberKey::from_seed([8; 32]);
/// // Kept on the device as text; linking a second device reads it back as the same key.
/// let again = MemberKey::from_text(&key.to_text()).unwrap();
/// assert_eq!(again.seed(), key.seed());
///
/// // The public half is the member's ID, and starts every actor the member writes with.
/// let mut actor = key.public().to_vec();
/// actor.extend_from_slice(&[1; 8]);
/// assert!(key.owns_actor(&actor));
/// assert!(!MemberKey::from_seed([9; 32]).owns_actor(&actor));
/// ```
#[derive(Clone)]
pub struct MemberKey(SigningKey);

crate::seed_key::seed_key!(MemberKey, "The seed as text (bs58), as kept on the device and shown to pair a second device.");

impl MemberKey {
    /// The seed, from which the member's reading key for private requests comes (linli-core's
    /// `private`).
    pub fn seed(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// Whether `actor` (an Automerge actor ID's bytes) is one this member writes with.
    pub fn owns_actor(&self, actor: &[u8]) -> bool {
        actor_member(actor) == Some(self.public())
    }

    /// Signs one change; `take_part` adds the take-part capability's signature.
    pub fn sign(&self, hash: ChangeHash, take_part: Option<&TakePartSigner<'_>>) -> MemberSignature {
        MemberSignature {
            hash,
            member: self.public(),
            signature: self.0.sign(&signed(MEMBER_CONTEXT, hash)).to_bytes(),
            participation: take_part.map(|key| key.0.sign(&signed(PARTICIPATE_CONTEXT, hash)).to_bytes()),
        }
    }
}

/// The secret of a take-part link, lent to [`MemberKey::sign`].
pub struct TakePartSigner<'a>(pub(crate) &'a SigningKey);

/// The member an actor names: its first 32 bytes, for an actor of a keyed member (40 bytes: the
/// public key, then 8 bytes of device session). Other actors (older Linli, other software) name
/// no keyed member.
pub fn actor_member(actor: &[u8]) -> Option<[u8; 32]> {
    (actor.len() == 40).then(|| actor[..32].try_into().expect("40 bytes"))
}

/// A member's signature over one change, and the take-part key's signature if the change was
/// made through a take-part link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberSignature {
    pub hash: ChangeHash,
    pub member: [u8; 32],
    pub signature: [u8; 64],
    pub participation: Option<[u8; 64]>,
}

impl MemberSignature {
    /// On the wire: hash, member, signature (128 bytes), then the participation signature (192).
    pub fn to_wire(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(192);
        out.extend_from_slice(&self.hash.0);
        out.extend_from_slice(&self.member);
        out.extend_from_slice(&self.signature);
        if let Some(participation) = &self.participation {
            out.extend_from_slice(participation);
        }
        out
    }

    /// Reads a wire entry; `None` unless it is 128 or 192 bytes.
    pub fn from_wire(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != 128 && bytes.len() != 192 {
            return None;
        }
        Some(MemberSignature {
            hash: ChangeHash(bytes[..32].try_into().ok()?),
            member: bytes[32..64].try_into().ok()?,
            signature: bytes[64..128].try_into().ok()?,
            participation: (bytes.len() == 192).then(|| bytes[128..192].try_into().expect("192 bytes")),
        })
    }

    /// The stored form: a flag byte, then the wire form padded to 192 bytes (fixed length, so a
    /// chunk is a run of entries).
    pub const STORED_LEN: usize = 193;

    pub fn to_stored(&self) -> [u8; Self::STORED_LEN] {
        let mut out = [0u8; Self::STORED_LEN];
        out[0] = u8::from(self.participation.is_some());
        let wire = self.to_wire();
        out[1..1 + wire.len()].copy_from_slice(&wire);
        out
    }

    pub fn from_stored(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != Self::STORED_LEN {
            return None;
        }
        match bytes[0] {
            0 => Self::from_wire(&bytes[1..129]),
            1 => Self::from_wire(&bytes[1..193]),
            _ => None,
        }
    }

    /// Whether the member's signature is valid for its change.
    pub fn is_valid(&self) -> bool {
        verify(&self.member, MEMBER_CONTEXT, self.hash, &self.signature)
    }

    /// Whether the change was made through a take-part link of the take-part key `public`.
    pub fn takes_part_under(&self, public: &[u8; 32]) -> bool {
        self.participation.is_some_and(|signature| verify(public, PARTICIPATE_CONTEXT, self.hash, &signature))
    }
}

fn signed(context: &[u8], hash: ChangeHash) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(context.len() + 32);
    bytes.extend_from_slice(context);
    bytes.extend_from_slice(&hash.0);
    bytes
}

fn verify(public: &[u8; 32], context: &[u8], hash: ChangeHash, signature: &[u8; 64]) -> bool {
    let Ok(key) = VerifyingKey::from_bytes(public) else { return false };
    key.verify(&signed(context, hash), &Signature::from_bytes(signature)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_signatures_verify_only_for_their_change_member_and_participate_key() {
        let member = MemberKey::from_seed([1; 32]);
        let take_part = SigningKey::from_bytes(&[2; 32]);
        let other = SigningKey::from_bytes(&[3; 32]);
        let signed = member.sign(ChangeHash([9; 32]), Some(&TakePartSigner(&take_part)));
        assert!(signed.is_valid());
        assert!(signed.takes_part_under(&take_part.verifying_key().to_bytes()));
        assert!(!signed.takes_part_under(&other.verifying_key().to_bytes()));
        let moved = MemberSignature { hash: ChangeHash([8; 32]), ..signed };
        assert!(!moved.is_valid() && !moved.takes_part_under(&take_part.verifying_key().to_bytes()));
        let borrowed = MemberSignature { member: MemberKey::from_seed([4; 32]).public(), ..signed };
        assert!(!borrowed.is_valid(), "a signature does not pass for another member");
        let plain = member.sign(ChangeHash([9; 32]), None);
        assert!(plain.is_valid() && !plain.takes_part_under(&take_part.verifying_key().to_bytes()));
        for signature in [signed, plain] {
            assert_eq!(MemberSignature::from_wire(&signature.to_wire()), Some(signature));
            assert_eq!(MemberSignature::from_stored(&signature.to_stored()), Some(signature));
        }
        assert_eq!(MemberSignature::from_wire(&[0; 100]), None);
    }

    #[test]
    fn an_actor_names_its_member_only_in_the_keyed_shape() {
        let member = MemberKey::from_seed([1; 32]);
        let mut actor = member.public().to_vec();
        actor.extend_from_slice(&[7; 8]);
        assert!(member.owns_actor(&actor));
        assert!(!member.owns_actor(&actor[..16]));
        assert_eq!(actor_member(&[0; 16]), None);
    }
}
