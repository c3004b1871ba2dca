//! Moderation: an organiser hides a member's contributions (spam, abuse). Hiding is a recorded,
//! reversible edit-tier change under `moderation/<member id>`; the contributions stay in the
//! document and its history, and every screen and kiosk reads the space without them.

#[cfg(feature = "automerge")]
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::Timestamp;

/// An organiser's decision about one member, under `moderation/<member id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Moderation {
    /// Whether the member's signatures, comments and requests are hidden.
    pub hidden: bool,
    pub changed_at: Timestamp,
    /// The organiser who decided (hex member ID).
    pub changed_by: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub reason: String,
}
