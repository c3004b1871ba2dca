//! Who may change what in a space: the rules every Linli peer applies to a change before it
//! stores or forwards it (docs/capabilities.md has the table and the threat model).
//!
//! A change comes under one of two tiers, proven by the sync layer from its signatures:
//! - **edit** (the write key: organisers) may change everything but what belongs to a member:
//!   another member's entry, signature or vote, an existing comment, who raised a request, a
//!   request's confirmation; and it may never remove or replace what holds those;
//! - **take part** (the take-part link: residents) may only join as itself, sign and withdraw
//!   its own signature, raise a request as itself, add details to and confirm its own request,
//!   add comments as itself, and cast its own vote.
//!
//! Spaces and links with a certified ID (all made since certified IDs) are judged by
//! `space_rules.rs` and `link_rules.rs`, which also check what every operation writes against the
//! document's shape (`schema.rs`); older ones by the rules they were made under (`legacy/`).
//!
//! Every operation of a change must pass, or the whole change is refused. The rules read the
//! document as it was at the change's dependencies (`as_of.rs`, at a bounded cost): a change is
//! judged against what it was built on, so every peer reaches the same verdict whatever else it
//! holds, and the same verdict whether it judges before applying the change (a peer's) or after
//! (one's own, just made).

mod as_of;
mod broken_rule;
mod legacy;
mod link_rules;
mod ops;
mod review;
mod review_terms;
mod schema;
mod space_rules;
#[cfg(feature = "sync")]
mod sync_rules;

pub use broken_rule::broken_rule;
pub(crate) use review::TOO_LARGE;
pub use review::review;
pub(crate) use review_terms::Broken;
pub use review_terms::{Admitted, Candidate, Refusal, Regime, Tier};
#[cfg(feature = "sync")]
pub use sync_rules::{SpaceRules, regime_of, review_for_sync};

#[cfg(test)]
mod tests;
