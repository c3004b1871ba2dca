//! Joining a space, changing one's own name or role, and giving call-back details.

use automerge::transaction::Transactable;
use autosurgeon::reconcile_prop;

use crate::{CallBack, Editor, Member, SpaceError};

impl Editor<'_> {
    /// Records the author as a member with this display name and role label (or updates them).
    pub fn join(&mut self, name: &str, role: &str) -> Result<(), SpaceError> {
        let name = super::required(name, crate::Invalid::MemberNeedsName)?;
        let map = self.collection("members")?;
        let me = self.me();
        let joined_at = match self.item::<Member>("members", "member", &me) {
            Ok((_, existing)) => existing.joined_at,
            Err(SpaceError::NotFound { .. }) => self.author.now,
            Err(other) => return Err(other),
        };
        // `contact: None` writes nothing: call-back details already given stay.
        self.put_item(&map, &me, &Member { name, role: role.trim().to_owned(), joined_at, contact: None, call_back: None })?;
        self.commit("member.join");
        Ok(())
    }

    /// Gives (or, when both are empty, takes back) where to visit and whom to call back, sealed to
    /// the member and the organisers (`members/<me>/contact`). A private request the member
    /// raises carries them to its team too, in its own sealed details.
    pub fn set_call_back(&mut self, call_back: &CallBack) -> Result<(), SpaceError> {
        let me = self.me();
        let (members, member) = self.item::<Member>("members", "member", &me)?;
        let Some((automerge::Value::Object(automerge::ObjType::Map), entry)) = automerge::ReadDoc::get(self.doc, &members, &me)? else {
            return Err(SpaceError::NotFound { kind: "member", id: me });
        };
        if call_back.flat.chars().count() > 40 || call_back.phone.chars().count() > 30 {
            return Err(SpaceError::Invalid(crate::Invalid::CallBackTooLong));
        }
        let trimmed = CallBack { flat: call_back.flat.trim().to_owned(), phone: call_back.phone.trim().to_owned() };
        if trimmed.is_empty() {
            if member.contact.is_none() {
                return Ok(());
            }
            self.doc.delete(&entry, "contact")?;
            self.commit("member.call-back-removed");
            return Ok(());
        }
        let mut readers: Vec<linli_seal::Reader> = [linli_seal::Reader::of_member(&me), crate::private::organisers_reader(self.doc)].into_iter().flatten().collect();
        readers.sort();
        readers.dedup();
        let sealed = linli_seal::seal(&trimmed.payload(), &format!("members/{me}/contact"), self.sealer.as_ref(), &readers);
        reconcile_prop(self.doc, &entry, "contact", &sealed)?;
        self.commit("member.call-back");
        Ok(())
    }
}
