//! The space document as a whole: its layout, its schema version and how to read it.

use std::collections::BTreeMap;

use automerge::AutoCommit;
use autosurgeon::{Hydrate, Reconcile};

use crate::{Notice, SpaceError, Timestamp};

/// The schema version this Linli writes. Version 1 is the first; see ARCHITECTURE.md for the
/// migration rules.
pub const SCHEMA_VERSION: u64 = 1;

/// Everything in a space, read from its document. Screens render from this.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile)]
pub struct Space {
    pub schema: u64,
    pub name: String,
    #[autosurgeon(missing = "Default::default")]
    pub created_at: Timestamp,
    /// Notices by their [`crate::ItemId`].
    #[autosurgeon(missing = "Default::default")]
    pub notices: BTreeMap<String, Notice>,
}

impl Space {
    /// Reads a space from its document. A document from a newer schema is refused rather than
    /// misread; missing optional parts read as empty.
    pub fn hydrate(doc: &AutoCommit) -> Result<Space, SpaceError> {
        let schema: Option<u64> = autosurgeon::hydrate_prop(doc, automerge::ROOT, "schema")?;
        if let Some(found) = schema.filter(|found| *found > SCHEMA_VERSION) {
            return Err(SpaceError::NewerSchema { found, supported: SCHEMA_VERSION });
        }
        Ok(autosurgeon::hydrate(doc)?)
    }

    /// Notices that are not archived, newest first.
    pub fn current_notices(&self) -> Vec<(&str, &Notice)> {
        let mut notices: Vec<_> = self.notices.iter().filter(|(_, n)| !n.archived).map(|(id, n)| (id.as_str(), n)).collect();
        notices.sort_by(|a, b| b.1.created_at.cmp(&a.1.created_at).then_with(|| a.0.cmp(b.0)));
        notices
    }
}

/// A new, empty space document with its name.
pub fn new_space(name: &str, now: Timestamp) -> AutoCommit {
    let mut doc = AutoCommit::new();
    let space = Space { schema: SCHEMA_VERSION, name: name.trim().to_owned(), created_at: now, notices: BTreeMap::new() };
    autosurgeon::reconcile(&mut doc, &space).expect("reconciling into an empty document cannot fail");
    doc.commit();
    doc
}
