//! Who makes a change: a member on one device, written into every change as its Automerge actor.
//!
//! The actor ID is 16 bytes: the member's 8 bytes, then 8 random bytes of the device session.
//! Two tabs of one member therefore never share an actor (which Automerge forbids), and every
//! change names its member: [`member_of_actor`] reads it back.

use automerge::ActorId;

use crate::{MemberId, Timestamp};

/// The member and device session making changes, and the time they make them.
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
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(self.member.as_bytes());
        bytes[8..].copy_from_slice(&self.session);
        ActorId::from(&bytes[..])
    }
}

/// The member who wrote with `actor`, if the actor has Linli's shape (peers using other software
/// have other actors; their changes show no member).
pub fn member_of_actor(actor: &ActorId) -> Option<MemberId> {
    let bytes = actor.to_bytes();
    let head: [u8; 8] = bytes.get(..8)?.try_into().ok()?;
    (bytes.len() == 16).then(|| MemberId::from_random(head))
}
