//! One link of this space, as the linked-spaces screen draws it.

use linli_model::Link;

/// One link of this space, as the screen draws it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LinkRow {
    pub(super) id: String,
    pub(super) link: Link,
    /// What this space's record calls the other side (for an invitation not yet accepted: the
    /// label its organiser gave it).
    pub(super) label: String,
    /// This space is the upper one.
    pub(super) upper: bool,
}
