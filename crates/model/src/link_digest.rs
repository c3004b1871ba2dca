//! What a lower space publishes into a link for the space above it: a digest of its own space,
//! made by one of its organisers' devices from the space as read, holding only what the lower
//! space chose to share ([`Shares`]) and no member's name unless it chose that too.

use std::collections::BTreeMap;

#[cfg(feature = "automerge")]
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::link_shares::Shares;
use crate::{Decision, Lang, Space, Timestamp, pick};

/// How long a closed consultation's result stays in the digest.
pub const RECENT_DECISIONS: i64 = 90 * 24 * 3_600_000;

/// The digest of a lower space.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Digest {
    /// Requests, by task ID: every open one, and those resolved in the last 90 days.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub requests: BTreeMap<String, SharedRequest>,
    /// Open pledges, by pledge ID.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub pledges: BTreeMap<String, SharedPledge>,
    /// Consultations closed in the last 90 days, by consultation ID.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub decisions: BTreeMap<String, SharedDecision>,
    /// Urgent notices shown now, by notice ID.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub urgent_notices: BTreeMap<String, SharedNotice>,
    /// When the lower space last published a digest that said something new.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct SharedRequest {
    pub title: String,
    /// The category's name in the lower space (in its first language).
    pub category: String,
    pub raised_at: Timestamp,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub claimed_at: Option<Timestamp>,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub resolved_at: Option<Timestamp>,
    /// Empty unless names are shared.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub raised_by_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct SharedPledge {
    pub title: String,
    pub signatures: u64,
    pub goal: u64,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub deadline: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct SharedDecision {
    pub question: String,
    pub closed_at: Timestamp,
    /// Everyone who voted, in the app and on paper.
    pub voters: u64,
    /// "adopted", "rejected", "no quorum", or the chosen options' labels.
    pub result: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct SharedNotice {
    pub title: String,
    pub since: Timestamp,
}

impl Digest {
    /// The digest of `space` at `now`, holding what `shares` allows.
    pub fn of(space: &Space, shares: &Shares, now: Timestamp) -> Digest {
        let mut digest = Digest::default();
        let lang = space.languages.first().and_then(|tag| Lang::from_tag(tag)).unwrap_or(Lang::ZhHans);
        let recent = Timestamp(now.0.saturating_sub(RECENT_DECISIONS));
        if shares.requests {
            for (id, task) in &space.tasks {
                let Some(request) = &task.request else { continue };
                if request.resolved_at.is_some_and(|at| at < recent) {
                    continue;
                }
                let category = space.categories.get(&request.category).and_then(|c| pick(&c.names, lang)).unwrap_or_default().to_owned();
                // A private request shares what every neighbour sees of it: not its words (the
                // document holds them sealed), nor who raised it.
                let private = task.sealed.is_some();
                let raised_by_name = if shares.names && !private { space.member_name(&request.raised_by).unwrap_or_default().to_owned() } else { String::new() };
                let shared = SharedRequest {
                    title: if private { String::new() } else { task.title.clone() },
                    category,
                    raised_at: request.raised_at,
                    claimed_at: request.claimed_at,
                    resolved_at: request.resolved_at,
                    raised_by_name,
                };
                digest.requests.insert(id.clone(), shared);
            }
        }
        if shares.pledges {
            for (id, pledge) in space.open_pledges(now) {
                let shared = SharedPledge { title: pledge.title.clone(), signatures: pledge.signature_count(), goal: pledge.goal, deadline: pledge.deadline };
                digest.pledges.insert(id.to_owned(), shared);
            }
        }
        if shares.decisions {
            for (id, consultation) in &space.consultations {
                let Some(closing) = consultation.closed.as_ref().filter(|c| c.at >= recent) else { continue };
                let Some(outcome) = space.outcome(id) else { continue };
                let result = match &outcome.decision {
                    Decision::NoQuorum => "no quorum".to_owned(),
                    Decision::Adopted => "adopted".to_owned(),
                    Decision::Rejected => "rejected".to_owned(),
                    Decision::Chosen(options) | Decision::Tie(options) => {
                        options.iter().filter_map(|o| consultation.options.get(o)).map(|o| o.label.as_str()).collect::<Vec<_>>().join(" · ")
                    }
                };
                let shared = SharedDecision { question: consultation.question.clone(), closed_at: closing.at, voters: outcome.voters(), result };
                digest.decisions.insert(id.clone(), shared);
            }
        }
        if shares.urgent_notices {
            for (id, notice) in space.active_notices(now).into_iter().filter(|(_, n)| n.urgent) {
                digest.urgent_notices.insert(id.to_owned(), SharedNotice { title: notice.title.clone(), since: notice.shown_since() });
            }
        }
        digest
    }

    /// Whether `other` says the same (the time it was made aside): no need to publish again.
    pub fn same_content(&self, other: &Digest) -> bool {
        self.requests == other.requests && self.pledges == other.pledges && self.decisions == other.decisions && self.urgent_notices == other.urgent_notices
    }
}
