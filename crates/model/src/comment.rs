//! Comments on notices, tasks and requests: each under its own ID in the item's `comments` map,
//! written by one member and never changed or removed afterwards (every Linli peer refuses a
//! change that alters one: docs/capabilities.md).

use std::collections::BTreeMap;

#[cfg(feature = "automerge")]
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::{Sealed, Timestamp};

/// A comment, under `<item>/comments/<comment id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Comment {
    /// The member who wrote it (hex member ID).
    pub author: String,
    pub at: Timestamp,
    pub text: String,
    /// On a private request: the text, sealed to the request's readers (`text` is then empty).
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default", with = "crate::sealed::optional"))]
    #[serde(default)]
    pub sealed: Option<Sealed>,
}

/// Comments oldest first.
pub fn comments_in_order(comments: &BTreeMap<String, Comment>) -> Vec<(&str, &Comment)> {
    let mut in_order: Vec<_> = comments.iter().map(|(id, c)| (id.as_str(), c)).collect();
    in_order.sort_by(|a, b| a.1.at.cmp(&b.1.at).then_with(|| a.0.cmp(b.0)));
    in_order
}
