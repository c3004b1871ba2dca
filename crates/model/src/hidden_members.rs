//! A space read without its hidden members' contributions (moderation, `moderation.rs`): the
//! contributions stay in the document and its history; every screen and kiosk reads without them.

use crate::Space;

impl Space {
    /// Whether a member's contributions are hidden.
    pub fn is_hidden(&self, member: &str) -> bool {
        self.moderation.get(member).is_some_and(|m| m.hidden)
    }

    /// Takes hidden members' signatures, votes, comments and requests out of the space as read (they
    /// stay in the document). Cheap when nobody is hidden.
    pub fn leave_out_hidden(&mut self) {
        if !self.moderation.values().any(|m| m.hidden) {
            return;
        }
        let hidden: std::collections::BTreeSet<String> = self.moderation.iter().filter(|(_, m)| m.hidden).map(|(id, _)| id.clone()).collect();
        for pledge in self.pledges.values_mut() {
            pledge.signatures.retain(|member, _| !hidden.contains(member));
        }
        for notice in self.notices.values_mut() {
            notice.comments.retain(|_, c| !hidden.contains(&c.author));
        }
        for task in self.tasks.values_mut() {
            task.comments.retain(|_, c| !hidden.contains(&c.author));
        }
        for consultation in self.consultations.values_mut() {
            consultation.comments.retain(|_, c| !hidden.contains(&c.author));
            consultation.votes.retain(|member, _| !hidden.contains(member));
        }
        for tally in self.tallies.values_mut() {
            tally.votes.retain(|member, _| !hidden.contains(member));
        }
        self.tasks.retain(|_, t| t.request.as_ref().is_none_or(|r| !hidden.contains(&r.raised_by)));
    }
}
