//! What a review of a change takes and gives: the tier it was made under, the rules its document
//! follows, the change with what its signatures proved, and the verdict.

use automerge::{Change, ChangeHash};

use crate::MemberId;

/// The capability a change was made under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// Signed with the space's write key (an organiser's edit link).
    Edit,
    /// Signed with a member key and the take-part key (a resident's take-part link).
    TakePart,
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
