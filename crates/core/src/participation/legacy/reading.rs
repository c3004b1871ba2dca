//! What the legacy rules read: the document as it was when the change was made, and the change.

use automerge::{AutoCommit, ScalarValue};

use crate::participation::ops::Placed;

/// What the rules read: the document as it was when the change was made, and the change.
pub(crate) struct Reading<'a> {
    pub doc: &'a AutoCommit,
    pub placed: &'a Placed<'a>,
}

impl Reading<'_> {
    /// Whether consultation `id` was closed when the change was made.
    pub fn was_closed(&self, id: &str) -> bool {
        self.placed.scalar_before(self.doc, &["consultations", id, "closed", "by"]).is_some()
    }

    /// Whether `option` is an option of consultation `id`.
    pub fn is_option(&self, id: &str, option: &str) -> bool {
        self.placed.scalar_at(self.doc, &["consultations", id, "options", option, "position"]).is_some()
    }

    /// Who raised the request that task `task` is, if it is one.
    pub fn raised_by(&self, task: &str) -> Option<String> {
        match self.placed.scalar_at(self.doc, &["tasks", task, "request", "raised_by"])? {
            ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        }
    }
}
