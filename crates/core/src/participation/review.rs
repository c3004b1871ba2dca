//! Reviewing changes: each against the document as it was at its dependencies, by the rules its
//! document follows (`space_rules.rs`, `link_rules.rs`, or `legacy/`), after the bounds every
//! change must keep (how many operations, how many on what was there before).

use automerge::{AutoCommit, ScalarValue};

use super::review_terms::{Admitted, Candidate, Refusal, Regime, Tier};
use super::{legacy, link_rules, ops, space_rules};
use crate::{MemberId, item_mark_of};

/// Most operations one change may hold: a resident's (a request raised with a description of
/// 4,000 characters, the most its form takes, and its fields), an organiser's (a meeting's
/// minutes of 200,000).
const MAX_OPS_TAKE_PART: usize = 5_000;
const MAX_OPS_EDIT: usize = 250_000;
/// Most operations a resident's change may make on what was there before it (the rest go into
/// objects it makes): details added to a request, 2,000 characters at most in its form. Automerge
/// applies an operation on an existing text or map several times slower than one in a new object
/// when the change is not built on a peer's current heads (a removal of a character one head
/// behind: about 8 µs on a 10,000-item space), so this is what bounds the costliest change a
/// take-part link may send.
const MAX_IN_PLACE_TAKE_PART: usize = 2_500;
pub(crate) const TOO_LARGE: &str = "this change is larger than one change may be";

/// Reviews `candidates`, each against `doc` as it was at the change's dependencies (which must be
/// in `doc`; a change whose dependencies are not is refused). The verdicts come back in the same
/// order. A caller applying a run of changes reviews them in causal order, applying each admitted
/// one before reviewing the next; a change built on a refused one then finds a dependency
/// missing.
///
/// An organiser posts a notice; the change, proven to be signed with the write key (the sync
/// layer checks the signatures), is admitted:
///
/// ```
/// use linli_core::participation::{Candidate, Regime, Tier, review};
/// use linli_core::{Author, Editor, MemberId, NoticeDraft, Timestamp, new_space};
///
/// let organiser = Author { member: MemberId::from_public_key([1; 32]), session: [1; 8], now: Timestamp(1_000) };
/// let mut doc = new_space("Sanfang", &organiser);
/// let notice = organiser.new_item_id([1; 8]);
/// Editor::new(&mut doc, &organiser).post_notice(&notice, NoticeDraft::new("Lift repair", "Friday")).unwrap();
///
/// let change = doc.get_last_local_change().unwrap();
/// let candidate = Candidate { change: &change, tier: Tier::Edit, member: Some(organiser.member) };
/// let verdicts = review(&doc, Regime::Certified, &[candidate]);
/// assert_eq!(verdicts, vec![Ok(Default::default())]);
///
/// // The same change through a take-part link (a resident's) is refused: residents post no notices.
/// let as_resident = Candidate { tier: Tier::TakePart, ..candidate };
/// assert!(review(&doc, Regime::Certified, &[as_resident])[0].is_err());
/// ```
pub fn review(doc: &AutoCommit, regime: Regime, candidates: &[Candidate<'_>]) -> Vec<Result<Admitted, Refusal>> {
    candidates.iter().map(|candidate| review_one(doc, regime, candidate)).collect()
}

fn review_one(doc: &AutoCommit, regime: Regime, candidate: &Candidate<'_>) -> Result<Admitted, Refusal> {
    let hash = candidate.change.hash();
    let refuse = |path: String, reason: &'static str| Refusal { change: hash, path, reason };
    let most = match candidate.tier {
        Tier::Edit => MAX_OPS_EDIT,
        Tier::TakePart => MAX_OPS_TAKE_PART,
    };
    if candidate.change.len() > most {
        return Err(refuse(String::new(), TOO_LARGE));
    }
    let expanded = candidate.change.decode();
    let placed = ops::place(doc, &expanded).map_err(|(path, reason)| refuse(path, reason))?;
    if candidate.tier == Tier::TakePart && placed.ops.iter().filter(|op| !op.in_new_object).count() > MAX_IN_PLACE_TAKE_PART {
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
