//! Who makes a change: a member on one device, written into every change as its Automerge actor.
//!
//! The actor ID is the member's bytes (a 32-byte public key, or an older member's 8 bytes), then
//! 8 random bytes of the device session. Two tabs or two linked devices of one member therefore
//! never share an actor (which Automerge forbids), and every change names its member:
//! [`member_of_actor`] reads it back. For a keyed member, peers check that the change was signed
//! with the member's key (docs/capabilities.md), so the name cannot be borrowed.

use automerge::ActorId;
use sha2::{Digest, Sha256};

use crate::{ItemId, ItemMark, MemberId, Timestamp};

/// The member and device session making changes, and the time they make them.
///
/// ```
/// use linli_core::{Author, MemberId, Timestamp, member_of_actor};
///
/// let ann = Author { member: MemberId::from_public_key([1; 32]), session: [9; 8], now: Timestamp(1_700_000_000_000) };
///
/// // Every change Ann writes names her: the actor reads back as her member ID.
/// assert_eq!(member_of_actor(&ann.actor()), Some(ann.member));
/// // The items she makes carry her mark, so no one else can make an item under their IDs.
/// let notice = ann.new_item_id([4; 8]);
/// assert_eq!(notice.mark(), Some(ann.item_mark()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Author {
    pub member: MemberId,
    /// Random per device session (a browser tab, a process).
    pub session: [u8; 8],
    pub now: Timestamp,
}

impl Author {
    /// The Automerge actor this author writes with.
    pub fn actor(&self) -> ActorId {
        let mut bytes = self.member.as_bytes().to_vec();
        bytes.extend_from_slice(&self.session);
        ActorId::from(bytes)
    }

    /// The mark the IDs of items this author makes carry (see [`item_mark_of`]).
    pub fn item_mark(&self) -> ItemMark {
        item_mark_of(&self.actor())
    }

    /// A new item's ID, marked as this author's, from 8 random bytes.
    pub fn new_item_id(&self, random: [u8; 8]) -> ItemId {
        ItemId::marked(self.item_mark(), random)
    }
}

/// The mark of items made with `actor`: the first 8 bytes of SHA-256("linli-item-mark-v1" ‖
/// actor). Another actor with the same mark takes some 2^64 tries to find.
pub fn item_mark_of(actor: &ActorId) -> ItemMark {
    let hash = Sha256::new().chain_update(b"linli-item-mark-v1").chain_update(actor.to_bytes()).finalize();
    let mut mark = [0u8; 8];
    mark.copy_from_slice(&hash[..8]);
    ItemMark::from_bytes(mark)
}

/// The member who wrote with `actor`, if the actor has Linli's shape (peers using other software
/// have other actors; their changes show no member).
pub fn member_of_actor(actor: &ActorId) -> Option<MemberId> {
    let bytes = actor.to_bytes();
    match bytes.len() {
        40 => Some(MemberId::from_public_key(bytes[..32].try_into().ok()?)),
        16 => Some(MemberId::from_random(bytes[..8].try_into().ok()?)),
        _ => None,
    }
}
