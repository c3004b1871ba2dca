//! What a lower space lets the upper space it is linked under see: chosen by the lower space,
//! shown on both sides, and what its digest (`link_digest.rs`) is made of.

#[cfg(feature = "automerge")]
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

/// What the lower space lets the upper one see. Chosen by the lower space, shown on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Shares {
    /// Open requests (title, category, when raised, claimed, resolved) and response times.
    pub requests: bool,
    /// Pledges with their progress.
    pub pledges: bool,
    /// Results of consultations.
    pub decisions: bool,
    /// Urgent notices.
    pub urgent_notices: bool,
    /// Members' names (who raised a request, who escalated it). Off unless chosen.
    pub names: bool,
}

impl Default for Shares {
    fn default() -> Self {
        Shares { requests: true, pledges: true, decisions: true, urgent_notices: true, names: false }
    }
}
