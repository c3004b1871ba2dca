//! A space's own record of a link to another space (`links/<link document ID>` in the space's
//! document): which side it is, who the other space is, and this side's key to the link
//! document, sealed so that only the space's organisers can open it.

#[cfg(feature = "automerge")]
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::Timestamp;

/// This space is the upper one (the other space is linked under it).
pub const UPPER: &str = "upper";
/// This space is the lower one (linked under the other).
pub const LOWER: &str = "lower";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct SpaceLink {
    /// [`UPPER`] or [`LOWER`]: which side of the link this space is.
    pub side: String,
    /// The other space's document ID (empty while an invitation waits).
    pub other_space: String,
    pub other_name: String,
    /// The relay the other space syncs through (empty: the same as this space's).
    pub other_relay: String,
    pub created_at: Timestamp,
    /// This side's key to the link document: its seed XOR a pad only the space's write key makes
    /// (64 hex digits; `linli_sync::link_seal`).
    pub key_sealed: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub ended_at: Option<Timestamp>,
}

impl SpaceLink {
    pub fn is_upper(&self) -> bool {
        self.side == UPPER
    }

    pub fn is_active(&self) -> bool {
        self.ended_at.is_none()
    }
}
