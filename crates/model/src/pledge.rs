//! Pledges: neighbourhood conventions and initiatives (鄰里公約, 倡議書) that residents sign.
//! Status and progress are derived from the signatures, never stored.

use std::collections::BTreeMap;

#[cfg(feature = "automerge")]
#[cfg(feature = "automerge")]
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::Timestamp;

/// One member's signature, under `pledges/<id>/signatures/<member id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Signature {
    /// The name signed with (kept even if the member renames later).
    pub name: String,
    pub signed_at: Timestamp,
    /// Set when the member withdraws; signing again clears it.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub withdrawn_at: Option<Timestamp>,
}

/// Signatures collected on paper and entered by a coordinator, under `paper/<entry id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct PaperSignatures {
    pub count: u64,
    /// The member who entered them.
    pub recorded_by: String,
    pub recorded_at: Timestamp,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub note: String,
}

/// A pledge as stored under `pledges/<id>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Pledge {
    pub title: String,
    #[cfg_attr(feature = "automerge", autosurgeon(with = "crate::text_field"))]
    pub text: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub author: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub created_at: Timestamp,
    /// Signing closes at this time (absent: open until archived).
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub deadline: Option<Timestamp>,
    /// Signatures wanted; 0 means no goal.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub goal: u64,
    /// "Binding only once this many have signed" (absent: no condition).
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub binding_at: Option<u64>,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub signatures: BTreeMap<String, Signature>,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub paper: BTreeMap<String, PaperSignatures>,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub archived: bool,
}

/// Where a pledge stands, derived from its signatures and the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PledgeStatus {
    /// Open for signing.
    Open,
    /// Its condition ("binding once N have signed") is met; still open for signing.
    ConditionMet,
    /// The goal is reached.
    Reached,
    /// The deadline passed before the goal was reached.
    Expired,
}

impl Pledge {
    /// Signatures that count: members who signed and did not withdraw, plus paper signatures.
    pub fn signature_count(&self) -> u64 {
        let online = self.signatures.values().filter(|s| s.withdrawn_at.is_none()).count() as u64;
        online + self.paper.values().map(|p| p.count).sum::<u64>()
    }

    /// Progress toward the goal, from 0.0 to 1.0 (1.0 when there is no goal).
    pub fn progress(&self) -> f64 {
        if self.goal == 0 {
            return 1.0;
        }
        (self.signature_count() as f64 / self.goal as f64).min(1.0)
    }

    pub fn status(&self, now: Timestamp) -> PledgeStatus {
        let count = self.signature_count();
        if self.goal > 0 && count >= self.goal {
            PledgeStatus::Reached
        } else if self.deadline.is_some_and(|d| d <= now) {
            PledgeStatus::Expired
        } else if self.binding_at.is_some_and(|n| count >= n) {
            PledgeStatus::ConditionMet
        } else {
            PledgeStatus::Open
        }
    }

    /// Whether a member may sign now.
    pub fn is_open_for_signing(&self, now: Timestamp) -> bool {
        !self.archived && self.deadline.is_none_or(|d| now < d)
    }
}

/// What a person fills in to start or edit a pledge.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PledgeDraft {
    pub title: String,
    pub text: String,
    pub deadline: Option<Timestamp>,
    pub goal: u64,
    pub binding_at: Option<u64>,
}
