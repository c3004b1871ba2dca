//! Notices: what a community posts on its board.

use autosurgeon::{Hydrate, Reconcile, Text};

use crate::Timestamp;

/// A notice as stored in the space document (under `notices/<id>`).
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile)]
pub struct Notice {
    pub title: String,
    /// Markdown, kept as collaborative text: two people editing at once both keep their edits.
    pub body: Text,
    #[autosurgeon(missing = "Default::default")]
    pub created_at: Timestamp,
    #[autosurgeon(missing = "Default::default")]
    pub updated_at: Timestamp,
    /// Archived notices are hidden, never deleted.
    #[autosurgeon(missing = "Default::default")]
    pub archived: bool,
}

/// What a person types to post or edit a notice.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoticeDraft {
    pub title: String,
    pub body: String,
}

impl NoticeDraft {
    pub fn new(title: impl Into<String>, body: impl Into<String>) -> Self {
        NoticeDraft { title: title.into(), body: body.into() }
    }
}
