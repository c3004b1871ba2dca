//! Hiding and showing again a member's contributions (an organiser's moderation).

use crate::Moderation;
use crate::{Editor, MemberId, SpaceError};

impl Editor<'_> {
    /// Hides (or shows again) everything `member` signed, raised or commented. Recorded with who
    /// decided, when and why; nothing is deleted.
    pub fn set_member_hidden(&mut self, member: &str, hidden: bool, reason: &str) -> Result<(), SpaceError> {
        if MemberId::parse(member).is_none() {
            return Err(SpaceError::Invalid(crate::Invalid::NotAMemberId));
        }
        let map = self.collection("moderation")?;
        let record = Moderation { hidden, changed_at: self.author.now, changed_by: self.me(), reason: reason.trim().to_owned() };
        self.put_item(&map, member, &record)?;
        self.commit(if hidden { "member.hide" } else { "member.show" });
        Ok(())
    }
}
