//! What the engine core remembers between inputs besides the repo and the page's spaces: the
//! links it follows, consultations waiting for a cut, views waiting to be kept, and work left for
//! the end of an input. Plain data; the files named on each act on it.

use std::collections::{HashMap, HashSet};

use linli_core::{ItemId, Link, Shares};
use linli_sync::{Cut, DocumentId};

/// Which space a link belongs to here.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Home {
    pub space: DocumentId,
}

/// An acceptance waiting for its link's document to arrive.
#[derive(Debug)]
pub(crate) struct Waiting {
    pub request: u64,
    pub space: DocumentId,
    pub shares: Shares,
    pub relay: String,
}

/// What the engine knows of links.
#[derive(Debug, Default)]
pub(crate) struct Linked {
    pub homes: HashMap<DocumentId, Home>,
    /// Each link as the page was last told it.
    pub told: HashMap<DocumentId, Link>,
    pub waiting: HashMap<DocumentId, Waiting>,
    /// Relays dialled only for links, with the links' documents each may carry.
    pub relays: HashMap<String, HashSet<DocumentId>>,
}

/// Closings waiting for a cut, and cuts waiting for their changes.
#[derive(Debug, Default)]
pub(crate) struct CutClosings {
    /// Consultations to close with the home's cut at a moment (`None`: now, to close early).
    pub asked: Vec<(DocumentId, Option<u64>, ItemId)>,
    /// Cuts given whose changes this copy does not hold yet.
    pub given: Vec<(DocumentId, ItemId, Cut)>,
}

/// The spaces whose view waits to be kept (`kept_views.rs`).
pub(crate) type KeptPending = HashSet<DocumentId>;

/// Work left for the end of the current input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Deferred {
    CloseFromThisCopy(DocumentId, ItemId),
    CloseAtGivenCuts(DocumentId),
}
