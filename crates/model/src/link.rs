//! A link between two spaces (a community under its street, a village under its town), as read
//! from the link's own document: one Automerge document per link, with one half each side writes
//! under its own key (ARCHITECTURE.md, "Linked spaces"; docs/capabilities.md has the rules).
//!
//! Layout of a link document (root map): `kind` = [`LINK_KIND`], `schema`, the sync layer's
//! `write_key` (the upper space's) and `participate_key` (the lower space's), `upper` (the space
//! that invited: its name, relay, time limit, departments, and its answers to escalations) and
//! `lower` (the space that accepted: its name, relay, what it shares, the digest of its space it
//! publishes, and the requests it escalated).

use std::collections::BTreeMap;

#[cfg(feature = "automerge")]
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::lang::Names;
use crate::link_digest::Digest;
pub use crate::link_shares::Shares;
use crate::{Timestamp, percentile};

/// The root `kind` of a link document (a space's document has none).
pub const LINK_KIND: &str = "linli-link";

/// The link document's schema version.
pub const LINK_SCHEMA: u64 = 1;

/// One hour, in milliseconds.
pub const HOUR: i64 = 3_600_000;

/// A link as read.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Link {
    pub upper: UpperSide,
    pub lower: LowerSide,
}

/// The upper space's half: written only under the upper space's key.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct UpperSide {
    /// The upper space's document ID.
    pub space: String,
    pub name: String,
    /// The relay the upper space syncs through (`ws(s)://…`), or empty for the page's own.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub relay: String,
    pub invited_at: Timestamp,
    /// An escalation not claimed this many hours after it was made is overdue.
    pub claim_within_hours: u64,
    /// The upper space's departments, by its category ID: who answers escalations about what.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub departments: BTreeMap<String, Department>,
    /// Claims of escalations, by escalation ID. (Answers are kept in flat maps made with the
    /// link, so two devices answering one escalation at once never race to make its map.)
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub claims: BTreeMap<String, Step>,
    /// Progress reported, by `<escalation ID>/<line ID>`.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub progress: BTreeMap<String, Progress>,
    /// Resolutions of escalations, by escalation ID.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub resolutions: BTreeMap<String, Step>,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub ended_at: Option<Timestamp>,
}

/// A department of the upper space: the category's names and its responsible team.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Department {
    pub names: Names,
    pub team: String,
    /// Members of the team (member ID → true). Only they answer its escalations; with none
    /// listed, any organiser of the upper space does.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub members: BTreeMap<String, bool>,
}

/// A step a department took on an escalation: when, and which member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Step {
    pub at: Timestamp,
    pub by: String,
}

/// The upper space's answer to one escalation, gathered from its claims, progress and
/// resolutions.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Answer {
    pub claimed: Option<Step>,
    /// Oldest first.
    pub progress: Vec<Progress>,
    pub resolved: Option<Step>,
}

/// A line of progress a department reports on an escalation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Progress {
    pub at: Timestamp,
    pub by: String,
    pub text: String,
}

/// The lower space's half: written only under the lower space's key.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct LowerSide {
    /// The lower space's document ID (empty until it accepts).
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub space: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub name: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub relay: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub accepted_at: Option<Timestamp>,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub shares: Shares,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub digest: Digest,
    /// Requests escalated to the upper space, by escalation ID (the request's task ID).
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub escalations: BTreeMap<String, Escalation>,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub ended_at: Option<Timestamp>,
}

/// A request the lower space escalated (吹哨): what the upper space needs to act on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Escalation {
    pub title: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub details: String,
    /// The upper space's department (its category ID) asked to answer.
    pub department: String,
    /// When the resident raised the request in the lower space.
    pub raised_at: Timestamp,
    pub escalated_at: Timestamp,
    /// Who raised it, only when the lower space shares names (else empty).
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub raised_by_name: String,
    /// A private request's title and details, when its organiser chose to send them: sealed to
    /// the department's members and the upper space's organisers (`title` is then empty).
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default", with = "crate::sealed::optional"))]
    #[serde(default)]
    pub sealed: Option<crate::Sealed>,
}

/// Where a link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    /// The upper space invited; the lower has not accepted.
    Invited,
    Active,
    /// One side ended it.
    Ended,
}

/// Where an escalation stands at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EscalationState {
    /// Not claimed yet; `overdue` once the upper space's time limit has passed.
    Waiting {
        overdue: bool,
    },
    /// Claimed by the department; `late` if that was after the time limit.
    Claimed {
        late: bool,
    },
    Resolved {
        late: bool,
    },
}

impl Link {
    pub fn state(&self) -> LinkState {
        if self.upper.ended_at.is_some() || self.lower.ended_at.is_some() {
            LinkState::Ended
        } else if self.lower.accepted_at.is_some() {
            LinkState::Active
        } else {
            LinkState::Invited
        }
    }

    /// When an escalation made at `escalated_at` must be claimed by.
    pub fn claim_deadline(&self, escalated_at: Timestamp) -> Timestamp {
        let hours = i64::try_from(self.upper.claim_within_hours).unwrap_or(i64::MAX / HOUR).min(i64::MAX / HOUR);
        Timestamp(escalated_at.0.saturating_add(hours * HOUR))
    }

    /// The upper space's answer to escalation `id` so far.
    pub fn answer(&self, id: &str) -> Answer {
        let prefix = format!("{id}/");
        let mut progress: Vec<Progress> = self.upper.progress.iter().filter(|(key, _)| key.starts_with(&prefix)).map(|(_, p)| p.clone()).collect();
        progress.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.text.cmp(&b.text)));
        Answer { claimed: self.upper.claims.get(id).cloned(), progress, resolved: self.upper.resolutions.get(id).cloned() }
    }

    /// Where escalation `id` stands at `now`, if there is one.
    pub fn escalation_state(&self, id: &str, now: Timestamp) -> Option<EscalationState> {
        let escalation = self.lower.escalations.get(id)?;
        let deadline = self.claim_deadline(escalation.escalated_at);
        let resolved = self.upper.resolutions.get(id).map(|s| s.at);
        let claimed = self.upper.claims.get(id).map(|s| s.at).or(resolved);
        let late = claimed.is_some_and(|at| at > deadline);
        Some(match (resolved, claimed) {
            (Some(_), _) => EscalationState::Resolved { late },
            (None, Some(_)) => EscalationState::Claimed { late },
            (None, None) => EscalationState::Waiting { overdue: now > deadline },
        })
    }

    /// Escalations in the order a department works them: overdue first, then waiting (oldest
    /// first), then claimed, then resolved (newest first).
    pub fn escalations_in_order(&self, now: Timestamp) -> Vec<(&str, &Escalation, EscalationState)> {
        let mut all: Vec<_> = self.lower.escalations.iter().filter_map(|(id, e)| Some((id.as_str(), e, self.escalation_state(id, now)?))).collect();
        let rank = |state: &EscalationState| match state {
            EscalationState::Waiting { overdue: true } => 0,
            EscalationState::Waiting { overdue: false } => 1,
            EscalationState::Claimed { .. } => 2,
            EscalationState::Resolved { .. } => 3,
        };
        all.sort_by(|a, b| {
            rank(&a.2).cmp(&rank(&b.2)).then_with(|| match a.2 {
                EscalationState::Resolved { .. } => b.1.escalated_at.cmp(&a.1.escalated_at),
                _ => a.1.escalated_at.cmp(&b.1.escalated_at),
            })
        });
        all
    }

    /// The line of the upper space's overview for this linked space at `now`; `month_start`
    /// bounds "this month".
    pub fn summary(&self, now: Timestamp, month_start: Timestamp) -> LinkSummary {
        let digest = &self.lower.digest;
        let mut response: Vec<i64> = Vec::new();
        let mut resolution: Vec<i64> = Vec::new();
        for request in digest.requests.values().filter(|r| r.raised_at >= month_start) {
            response.extend(request.claimed_at.map(|c| c.0 - request.raised_at.0));
            resolution.extend(request.resolved_at.map(|r| r.0 - request.raised_at.0));
        }
        response.sort_unstable();
        resolution.sort_unstable();
        let escalations: Vec<EscalationState> = self.lower.escalations.keys().filter_map(|id| self.escalation_state(id, now)).collect();
        LinkSummary {
            name: self.lower.name.clone(),
            state: self.state(),
            open_requests: digest.requests.values().filter(|r| r.resolved_at.is_none()).count(),
            open_escalations: escalations.iter().filter(|s| !matches!(s, EscalationState::Resolved { .. })).count(),
            overdue_escalations: escalations.iter().filter(|s| matches!(s, EscalationState::Waiting { overdue: true })).count(),
            median_response: percentile(&response, 50),
            median_resolution: percentile(&resolution, 50),
            pledges: digest.pledges.len(),
            decisions: digest.decisions.len(),
            urgent_notices: digest.urgent_notices.len(),
            updated_at: digest.updated_at,
        }
    }
}

/// One line of the upper space's overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkSummary {
    pub name: String,
    pub state: LinkState,
    pub open_requests: usize,
    pub open_escalations: usize,
    pub overdue_escalations: usize,
    /// Medians over requests raised this month, in milliseconds.
    pub median_response: Option<i64>,
    pub median_resolution: Option<i64>,
    pub pledges: usize,
    pub decisions: usize,
    pub urgent_notices: usize,
    /// When the lower space last published its digest.
    pub updated_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(at: i64) -> Step {
        Step { at: Timestamp(at), by: "m".into() }
    }

    fn link_with(escalated_at: i64, claimed: Option<i64>, resolved: Option<i64>) -> Link {
        let mut link = Link::default();
        link.upper.claim_within_hours = 24;
        link.lower.accepted_at = Some(Timestamp(1));
        let escalation = Escalation {
            title: "Broken street light".into(),
            details: String::new(),
            department: "safety".into(),
            raised_at: Timestamp(0),
            escalated_at: Timestamp(escalated_at),
            raised_by_name: String::new(),
            sealed: None,
        };
        link.lower.escalations.insert("e".into(), escalation);
        link.upper.claims.extend(claimed.map(|at| ("e".to_owned(), step(at))));
        link.upper.resolutions.extend(resolved.map(|at| ("e".to_owned(), step(at))));
        link
    }

    #[test]
    fn an_escalation_is_overdue_only_once_its_time_limit_has_passed_unclaimed() {
        let link = link_with(0, None, None);
        assert_eq!(link.escalation_state("e", Timestamp(24 * HOUR)), Some(EscalationState::Waiting { overdue: false }));
        assert_eq!(link.escalation_state("e", Timestamp(24 * HOUR + 1)), Some(EscalationState::Waiting { overdue: true }));
        let claimed_late = link_with(0, Some(25 * HOUR), None);
        assert_eq!(claimed_late.escalation_state("e", Timestamp(30 * HOUR)), Some(EscalationState::Claimed { late: true }));
        let resolved = link_with(0, Some(HOUR), Some(2 * HOUR));
        assert_eq!(resolved.escalation_state("e", Timestamp(99 * HOUR)), Some(EscalationState::Resolved { late: false }));
        assert_eq!(link.escalation_state("other", Timestamp(0)), None);
    }

    #[test]
    fn a_link_is_active_between_acceptance_and_its_end() {
        let mut link = Link::default();
        assert_eq!(link.state(), LinkState::Invited);
        link.lower.accepted_at = Some(Timestamp(1));
        assert_eq!(link.state(), LinkState::Active);
        link.upper.ended_at = Some(Timestamp(2));
        assert_eq!(link.state(), LinkState::Ended);
    }

    #[test]
    fn overdue_escalations_lead_the_order() {
        let mut link = link_with(10 * HOUR, None, None);
        let old = Escalation { escalated_at: Timestamp(0), ..link.lower.escalations["e"].clone() };
        link.lower.escalations.insert("old".into(), old.clone());
        link.lower.escalations.insert("done".into(), old);
        link.upper.resolutions.insert("done".into(), step(HOUR));
        let order: Vec<&str> = link.escalations_in_order(Timestamp(30 * HOUR)).into_iter().map(|(id, _, _)| id).collect();
        assert_eq!(order, ["old", "e", "done"]);
        let summary = link.summary(Timestamp(30 * HOUR), Timestamp(0));
        assert_eq!((summary.open_escalations, summary.overdue_escalations), (2, 1));
    }
}
