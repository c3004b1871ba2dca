//! The rules of spaces and links made before certified IDs, kept as they were so that such
//! documents judge their history as they always did (docs/capabilities.md says what they do not
//! stop). Only the cost of judging is bounded for them too (`as_of.rs`).

mod link_rules;
mod reading;
pub(crate) mod rules;

use automerge::AutoCommit;

use super::ops::Placed;
use super::{Admitted, Broken, Tier};

/// Reviews a change to a document made before certified IDs.
pub(crate) fn review(doc: &AutoCommit, placed: &Placed<'_>, tier: Tier, member: Option<&str>) -> Result<Admitted, Broken> {
    let read = reading::Reading { doc, placed };
    let verdict = if link_rules::is_link_document(&read, doc) {
        match (tier, member) {
            (Tier::Edit, _) => link_rules::upper(&read, &placed.ops, member).map(|()| Admitted::default()),
            (Tier::TakePart, Some(me)) => link_rules::lower(&read, &placed.ops, me).map(|()| Admitted::default()),
            (Tier::TakePart, None) => Err(Broken { path: String::new(), reason: "a lower space's change must be signed with its organiser's member key" }),
        }
    } else {
        match (tier, member) {
            (Tier::Edit, _) => rules::edit(&read, &placed.ops, member).map(|()| Admitted::default()),
            (Tier::TakePart, Some(me)) => rules::take_part(&read, &placed.ops, me),
            (Tier::TakePart, None) => Err(Broken { path: String::new(), reason: "a resident's change must be signed with their member key" }),
        }
    };
    if !placed.before.within_budget() {
        return Err(Broken { path: String::new(), reason: super::as_of::TOO_COSTLY });
    }
    verdict
}

#[cfg(test)]
mod tests;
