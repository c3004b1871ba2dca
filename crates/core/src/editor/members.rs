//! Joining a space and changing one's own name or role.

use crate::{Editor, Member, SpaceError};

impl Editor<'_> {
    /// Records the author as a member with this display name and role label (or updates them).
    pub fn join(&mut self, name: &str, role: &str) -> Result<(), SpaceError> {
        let name = super::required(name, "a member needs a name")?;
        let map = self.collection("members")?;
        let me = self.me();
        let joined_at = match self.item::<Member>("members", "member", &me) {
            Ok((_, existing)) => existing.joined_at,
            Err(SpaceError::NotFound { .. }) => self.author.now,
            Err(other) => return Err(other),
        };
        self.put_item(&map, &me, &Member { name, role: role.trim().to_owned(), joined_at })?;
        self.commit("member.join");
        Ok(())
    }
}
