//! Time as the model sees it: milliseconds since the Unix epoch, always passed in by the caller.

use autosurgeon::{Hydrate, Reconcile};

/// Milliseconds since 1970-01-01T00:00:00Z (what JavaScript's `Date.now()` returns).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Hydrate, Reconcile)]
pub struct Timestamp(pub i64);
