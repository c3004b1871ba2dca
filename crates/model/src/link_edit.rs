//! A change to a link between two spaces, as data: what the engine hands to linli-core's
//! `LinkEditor::apply`, as it hands an [`crate::Edit`] to the space's editor. Which side of the
//! link may make each change is said here ([`LinkEdit::made_by`]) and enforced there.

use serde::{Deserialize, Serialize};

use crate::{Escalation, Shares};

/// One change to a link's document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LinkEdit {
    /// The lower space escalates its request `request` (a task ID) to a department above.
    Escalate {
        request: String,
        escalation: Escalation,
    },
    /// The upper space's department claims an escalation, reports on it (`line`: the report's
    /// ID), resolves it.
    Claim {
        escalation: String,
    },
    Progress {
        escalation: String,
        line: String,
        text: String,
    },
    Resolve {
        escalation: String,
    },
    /// The lower space changes what it shares.
    Shares(Shares),
    /// The upper space changes the time limit to claim escalations, in hours.
    ClaimWithin(u64),
    /// This side ends the link.
    End,
}

/// Which side of a link may make a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkSide {
    Upper,
    Lower,
    Either,
}

impl LinkEdit {
    /// Which side may make this change: the lower space escalates and chooses what it shares,
    /// the upper space's departments answer and it sets the time limit, either side ends.
    pub fn made_by(&self) -> LinkSide {
        match self {
            LinkEdit::Escalate { .. } | LinkEdit::Shares(_) => LinkSide::Lower,
            LinkEdit::Claim { .. } | LinkEdit::Progress { .. } | LinkEdit::Resolve { .. } | LinkEdit::ClaimWithin(_) => LinkSide::Upper,
            LinkEdit::End => LinkSide::Either,
        }
    }
}
