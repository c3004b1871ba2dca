//! Who may change what in a space: the rules every Linli peer applies to a change before it
//! stores or forwards it (docs/capabilities.md has the table and the threat model).
//!
//! A change comes under one of two tiers, proven by the sync layer from its signatures:
//! - **edit** (the write key: organisers) may change everything but what belongs to a member:
//!   another keyed member's entry, signature or vote, an existing comment, who raised a request,
//!   a request's confirmation; and it may not delete or replace what holds those;
//! - **participate** (the take-part link: residents) may only join as itself, sign and withdraw
//!   its own signature, raise a request as itself, add details to and confirm its own request,
//!   add comments as itself, and cast its own vote.
//!
//! A link between two spaces is a document of its own with its own rules (`link_rules.rs`): the
//! edit tier is the upper space, the participate tier the lower one, each writing its own half.
//!
//! Every operation of a change must pass, or the whole change is refused. The rules read the
//! document as it was at the change's dependencies: a change is judged against what it was built
//! on, so every peer reaches the same verdict whatever else it holds, and the same verdict whether
//! it judges before applying the change (a peer's) or after (one's own, just made).

mod link_rules;
mod ops;
mod rules;
#[cfg(feature = "sync")]
mod sync_rules;

#[cfg(feature = "sync")]
pub use sync_rules::{SpaceRules, review_for_sync};

use automerge::{AutoCommit, Change, ChangeHash};

use crate::MemberId;

/// The capability a change was made under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// Signed with the space's write key (an organiser's edit link).
    Edit,
    /// Signed with a member key and the take-part key (a resident's take-part link).
    Participate,
}

/// One change to review, with what its signatures proved.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub change: &'a Change,
    pub tier: Tier,
    /// The keyed member whose signature covers the change (and whose key its actor names), if any.
    pub member: Option<MemberId>,
}

/// What an admitted change did that a peer may want to limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Admitted {
    /// It made a new member entry (a resident joining).
    pub joins: bool,
}

/// Why a change was refused: the first operation that broke a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub change: ChangeHash,
    /// Where the operation wrote, e.g. `notices/3f2a…/title`.
    pub path: String,
    pub reason: &'static str,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

/// Reviews `candidates`, each against `doc` as it was at the change's dependencies (which must be
/// in `doc`; a change whose dependencies are not is refused). The verdicts come back in the same
/// order. A caller applying a run of changes reviews them in causal order, applying each admitted
/// one before reviewing the next; a change built on a refused one then finds a dependency
/// missing.
pub fn review(doc: &AutoCommit, candidates: &[Candidate<'_>]) -> Vec<Result<Admitted, Refusal>> {
    candidates.iter().map(|candidate| review_one(doc, candidate)).collect()
}

fn review_one(doc: &AutoCommit, candidate: &Candidate<'_>) -> Result<Admitted, Refusal> {
    let hash = candidate.change.hash();
    let expanded = candidate.change.decode();
    let refuse = |path: String, reason: &'static str| Refusal { change: hash, path, reason };
    let placed = ops::place(doc, &expanded).map_err(|(path, reason)| refuse(path, reason))?;
    let member = candidate.member.filter(MemberId::is_keyed).map(|m| m.to_string());
    let read = rules::Reading { doc, placed: &placed };
    if link_rules::is_link_document(&read, doc) {
        let verdict = match (candidate.tier, &member) {
            (Tier::Edit, _) => link_rules::upper(&read, &placed.ops, member.as_deref()),
            (Tier::Participate, Some(me)) => link_rules::lower(&read, &placed.ops, me),
            (Tier::Participate, None) => Err(rules::Broken { path: String::new(), reason: "a lower space's change must be signed with its organiser's member key" }),
        };
        return verdict.map(|()| Admitted::default()).map_err(|broken| refuse(broken.path, broken.reason));
    }
    let verdict = match (candidate.tier, &member) {
        (Tier::Edit, _) => rules::edit(&read, &placed.ops, member.as_deref()).map(|()| Admitted::default()),
        (Tier::Participate, Some(me)) => rules::participate(&read, &placed.ops, me),
        (Tier::Participate, None) => Err(rules::Broken { path: String::new(), reason: "a resident's change must be signed with their member key" }),
    };
    verdict.map_err(|broken| refuse(broken.path, broken.reason))
}

#[cfg(test)]
mod tests;
