//! Members: a person on a device who writes to a space, with a name and an optional role label.

#[cfg(feature = "automerge")]
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::Timestamp;

/// Role labels Linli knows and shows in three languages. Any other label is shown as typed.
pub const KNOWN_ROLES: [&str; 5] = ["residents-committee", "owners-committee", "property-management", "volunteer", "resident"];

/// A member as stored under `members/<member id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Member {
    pub name: String,
    /// One of [`KNOWN_ROLES`] or a free label; empty when none.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub role: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub joined_at: Timestamp,
}
