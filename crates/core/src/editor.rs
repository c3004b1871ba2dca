//! Changes to a space: each operation edits only the part of the document it is about, so
//! concurrent edits by neighbours merge instead of overwriting each other.

use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};
use automerge::transaction::Transactable;
use autosurgeon::{Text, hydrate_prop, reconcile_prop};

use crate::{ItemId, Notice, NoticeDraft, SpaceError, Timestamp};

/// Writes to one space document.
pub struct Editor<'a> {
    doc: &'a mut AutoCommit,
}

impl<'a> Editor<'a> {
    pub fn new(doc: &'a mut AutoCommit) -> Self {
        Editor { doc }
    }

    /// Posts a new notice.
    pub fn post_notice(&mut self, id: ItemId, draft: NoticeDraft, now: Timestamp) -> Result<(), SpaceError> {
        let title = draft.title.trim();
        if title.is_empty() {
            return Err(SpaceError::EmptyTitle);
        }
        let notice =
            Notice { title: title.to_owned(), body: Text::with_value(&draft.body), created_at: now, updated_at: now, archived: false };
        let notices = self.map("notices")?;
        reconcile_prop(self.doc, &notices, id.as_str(), &notice)?;
        Ok(())
    }

    /// Edits a notice's title and body. The body changes by the smallest splice, so a neighbour's
    /// concurrent edit elsewhere in the text survives.
    pub fn edit_notice(&mut self, id: &ItemId, draft: NoticeDraft, now: Timestamp) -> Result<(), SpaceError> {
        let title = draft.title.trim();
        if title.is_empty() {
            return Err(SpaceError::EmptyTitle);
        }
        let notices = self.map("notices")?;
        if self.doc.get(&notices, id.as_str())?.is_none() {
            return Err(SpaceError::NoSuchNotice(id.clone()));
        }
        let mut notice: Notice = hydrate_prop(&*self.doc, &notices, id.as_str())?;
        if notice.title != title {
            notice.title = title.to_owned();
        }
        notice.body.update(&draft.body);
        notice.updated_at = now;
        reconcile_prop(self.doc, &notices, id.as_str(), &notice)?;
        Ok(())
    }

    /// The map at `key` under the root, made if missing (an older document may lack it).
    fn map(&mut self, key: &str) -> Result<automerge::ObjId, SpaceError> {
        match self.doc.get(ROOT, key)? {
            Some((automerge::Value::Object(ObjType::Map), id)) => Ok(id),
            _ => Ok(self.doc.put_object(ROOT, key, ObjType::Map)?),
        }
    }
}
