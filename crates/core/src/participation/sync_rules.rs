//! The space's rules as a sync repo applies them (`linli_sync::ChangeRules`), for every Linli
//! peer: relay, browser, tools. Behind the `sync` feature, so that linli-core alone stays free of
//! the sync layer.

use std::sync::Arc;

use automerge::AutoCommit;
use linli_sync::{ChangeRules, DocumentId, Reviewed, Rules};

use super::{Admitted, Candidate, Regime, Tier, review};
use crate::MemberId;

/// Linli's rules for spaces.
#[derive(Debug, Clone, Copy, Default)]
pub struct SpaceRules;

impl SpaceRules {
    /// The rules, ready for `RepoConfig::rules`.
    pub fn shared() -> Rules {
        Rules(Arc::new(SpaceRules))
    }
}

impl ChangeRules for SpaceRules {
    fn review(&self, document: &DocumentId, doc: &AutoCommit, changes: &[Reviewed<'_>]) -> Vec<Result<(), String>> {
        review_for_sync(document, doc, changes).into_iter().map(|verdict| verdict.map(|_| ())).collect()
    }
}

/// The rules a document follows, by how its ID was made.
pub fn regime_of(document: &DocumentId) -> Regime {
    if document.is_certified() { Regime::Certified } else { Regime::Legacy }
}

/// The rules' verdicts on changes as a sync repo presents them, with what each admitted change
/// did (for a peer that limits how fast residents join, as the relay does).
pub fn review_for_sync(document: &DocumentId, doc: &AutoCommit, changes: &[Reviewed<'_>]) -> Vec<Result<Admitted, String>> {
    let candidates: Vec<Candidate<'_>> = changes
        .iter()
        .map(|c| Candidate {
            change: c.change,
            tier: match c.tier {
                linli_sync::Tier::Edit => Tier::Edit,
                linli_sync::Tier::TakePart => Tier::TakePart,
            },
            member: c.member.map(MemberId::from_public_key),
        })
        .collect();
    review(doc, regime_of(document), &candidates).into_iter().map(|verdict| verdict.map_err(|refusal| refusal.to_string())).collect()
}
