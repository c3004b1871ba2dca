//! Who may change what in a space: the rules every Linli peer applies to a change before it
//! stores or forwards it (docs/capabilities.md has the table and the threat model).
//!
//! A change comes under one of two tiers, proven by the sync layer from its signatures:
//! - **edit** (the write key: organisers) may change everything but what belongs to a member:
//!   another member's entry, signature or vote, an existing comment, who raised a request, a
//!   request's confirmation; and it may never remove or replace what holds those;
//! - **participate** (the take-part link: residents) may only join as itself, sign and withdraw
//!   its own signature, raise a request as itself, add details to and confirm its own request,
//!   add comments as itself, and cast its own vote.
//!
//! Spaces and links with a certified ID (all made since certified IDs) are judged by
//! `space_rules.rs` and `link_rules.rs`, which also check what every operation writes against the
//! document's shape (`schema.rs`); older ones by the rules they were made under (`legacy/`).
//!
//! Every operation of a change must pass, or the whole change is refused. The rules read the
//! document as it was at the change's dependencies (`as_of.rs`, at a bounded cost): a change is
//! judged against what it was built on, so every peer reaches the same verdict whatever else it
//! holds, and the same verdict whether it judges before applying the change (a peer's) or after
//! (one's own, just made).

mod as_of;
mod broken_rule;
mod legacy;
mod link_rules;
mod ops;
mod schema;
mod space_rules;
#[cfg(feature = "sync")]
mod sync_rules;

pub use broken_rule::broken_rule;
#[cfg(feature = "sync")]
pub use sync_rules::{SpaceRules, regime_of, review_for_sync};

use automerge::{AutoCommit, Change, ChangeHash, ScalarValue};

use crate::{MemberId, item_mark_of};

/// The capability a change was made under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// Signed with the space's write key (an organiser's edit link).
    Edit,
    /// Signed with a member key and the take-part key (a resident's take-part link).
    Participate,
}

/// Which rules a document follows: fixed by how its ID was made, so no change can move it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Regime {
    /// The document's ID certifies its write key (`DocumentId::certified`): every space and link
    /// made since. The rules judge what every change writes (`space_rules.rs`, `link_rules.rs`).
    Certified,
    /// A document made before: judged as it always was (`legacy/`).
    Legacy,
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

/// The operation that broke a rule.
#[derive(Debug)]
pub(crate) struct Broken {
    pub path: String,
    pub reason: &'static str,
}

/// Most operations one change may hold: a resident's (a request raised with a description of
/// 4,000 characters, the most its form takes, and its fields), an organiser's (a meeting's
/// minutes of 200,000).
const MAX_OPS_PARTICIPATE: usize = 5_000;
const MAX_OPS_EDIT: usize = 250_000;
/// Most operations a resident's change may make on what was there before it (the rest go into
/// objects it makes): details added to a request, 2,000 characters at most in its form. Automerge
/// applies an operation on an existing text or map several times slower than one in a new object
/// when the change is not built on a peer's current heads (a removal of a character one head
/// behind: about 8 µs on a 10,000-item space), so this is what bounds the costliest change a
/// take-part link may send.
const MAX_IN_PLACE_PARTICIPATE: usize = 2_500;
pub(crate) const TOO_LARGE: &str = "this change is larger than one change may be";

/// Reviews `candidates`, each against `doc` as it was at the change's dependencies (which must be
/// in `doc`; a change whose dependencies are not is refused). The verdicts come back in the same
/// order. A caller applying a run of changes reviews them in causal order, applying each admitted
/// one before reviewing the next; a change built on a refused one then finds a dependency
/// missing.
pub fn review(doc: &AutoCommit, regime: Regime, candidates: &[Candidate<'_>]) -> Vec<Result<Admitted, Refusal>> {
    candidates.iter().map(|candidate| review_one(doc, regime, candidate)).collect()
}

fn review_one(doc: &AutoCommit, regime: Regime, candidate: &Candidate<'_>) -> Result<Admitted, Refusal> {
    let hash = candidate.change.hash();
    let refuse = |path: String, reason: &'static str| Refusal { change: hash, path, reason };
    let most = match candidate.tier {
        Tier::Edit => MAX_OPS_EDIT,
        Tier::Participate => MAX_OPS_PARTICIPATE,
    };
    if candidate.change.len() > most {
        return Err(refuse(String::new(), TOO_LARGE));
    }
    let expanded = candidate.change.decode();
    let placed = ops::place(doc, &expanded).map_err(|(path, reason)| refuse(path, reason))?;
    if candidate.tier == Tier::Participate && placed.ops.iter().filter(|op| !op.in_new_object).count() > MAX_IN_PLACE_PARTICIPATE {
        return Err(refuse(String::new(), TOO_LARGE));
    }
    let member = candidate.member.filter(MemberId::is_keyed).map(|m| m.to_string());
    let verdict = match regime {
        Regime::Legacy => legacy::review(doc, &placed, candidate.tier, member.as_deref()),
        Regime::Certified => {
            let kind = if placed.is_first() { placed.scalar_at(doc, &["kind"]) } else { placed.scalar_before(doc, &["kind"]) };
            if matches!(kind, Some(ScalarValue::Str(kind)) if kind.as_str() == crate::LINK_KIND) {
                link_rules::review(&placed, candidate.tier, member.as_deref()).map(|()| Admitted::default())
            } else {
                let writer = space_rules::Writer {
                    tier: candidate.tier,
                    member: member.as_deref(),
                    mark: item_mark_of(candidate.change.actor_id()),
                    at: candidate.change.timestamp().saturating_mul(1000),
                };
                space_rules::review(&placed, &writer)
            }
        }
    };
    verdict.map_err(|broken| refuse(broken.path, broken.reason))
}

#[cfg(test)]
mod tests;
