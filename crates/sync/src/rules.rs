//! The hook through which an application's rules judge a protected document's changes.
//!
//! linli-sync proves who made a change and under which capability (its signatures); what that
//! capability allows is the application's to say. For Linli spaces, linli-core's `participation`
//! module says it, and every Linli peer (relay, browser, tools) gives the same rules to its repo.

use std::sync::Arc;

use automerge::{AutoCommit, Change};

use crate::DocumentId;

/// The capability a change's signatures proved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// Signed with the document's write key.
    Edit,
    /// Signed by a member together with the document's take-part key.
    TakePart,
}

/// One change to judge.
#[derive(Debug, Clone, Copy)]
pub struct Reviewed<'a> {
    pub change: &'a Change,
    pub tier: Tier,
    /// The member whose key signed the change and whose ID its actor carries, if any.
    pub member: Option<[u8; 32]>,
}

/// An application's rules for protected documents.
pub trait ChangeRules: Send + Sync {
    /// Judges `changes` (in causal order; each one's dependencies are in `doc`, which may hold
    /// the changes themselves and more): one verdict each, in order (`Err` says why, in words a
    /// person can read). Rules must read the document as of each change's dependencies, so that
    /// every peer reaches the same verdict. A change refused here is not applied, stored or
    /// forwarded, and neither is anything built on it.
    fn review(&self, document: &DocumentId, doc: &AutoCommit, changes: &[Reviewed<'_>]) -> Vec<Result<(), String>>;
}

/// The rules a repo applies, shared (a relay's hub and a test's peers hold the same).
#[derive(Clone)]
pub struct Rules(pub Arc<dyn ChangeRules>);

impl std::fmt::Debug for Rules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Rules")
    }
}

/// Without rules a repo admits the edit tier as it always did and refuses residents' changes,
/// which it cannot judge.
pub(crate) fn without_rules(changes: &[Reviewed<'_>]) -> Vec<Result<(), String>> {
    changes
        .iter()
        .map(|c| match c.tier {
            Tier::Edit => Ok(()),
            Tier::TakePart => Err("this peer has no rules to judge residents' changes by".to_owned()),
        })
        .collect()
}
