//! A space's own record of its links to other spaces (`links/<link document ID>`): organisers
//! write it when they invite or accept, and when they end a link. The link's content lives in
//! the link document (`link_doc.rs`).

use crate::{Editor, SpaceError, SpaceLink};

impl Editor<'_> {
    /// Records a link this space made (inviting) or joined (accepting).
    pub fn record_link(&mut self, link: &str, record: &SpaceLink) -> Result<(), SpaceError> {
        if record.side != linli_model::space_link::UPPER && record.side != linli_model::space_link::LOWER {
            return Err(SpaceError::Invalid(crate::Invalid::LinkDirection));
        }
        let map = self.collection("links")?;
        let record = SpaceLink { created_at: self.author.now, ended_at: None, ..record.clone() };
        self.put_new_item(&map, "link", link, &record)?;
        self.commit("link.record");
        Ok(())
    }

    /// Records what the other space is called and where it syncs, once the link says.
    pub fn name_linked_space(&mut self, link: &str, other_space: &str, other_name: &str, other_relay: &str) -> Result<(), SpaceError> {
        let (map, mut record) = self.item::<SpaceLink>("links", "link", link)?;
        (record.other_space, record.other_name, record.other_relay) = (other_space.to_owned(), other_name.trim().to_owned(), other_relay.trim().to_owned());
        self.put_item(&map, link, &record)?;
        self.commit("link.name");
        Ok(())
    }

    /// Records that this space ended the link.
    pub fn end_link(&mut self, link: &str) -> Result<(), SpaceError> {
        let (map, mut record) = self.item::<SpaceLink>("links", "link", link)?;
        record.ended_at = Some(self.author.now);
        self.put_item(&map, link, &record)?;
        self.commit("link.end");
        Ok(())
    }
}
