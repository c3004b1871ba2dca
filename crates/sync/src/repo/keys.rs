//! The keys a repo holds (write, take-part, member), what access they give it to a document,
//! and moving a document to a new write or take-part key.

use super::{Repo, RepoError};
use crate::DocumentId;
use crate::capability::{WriteKey, move_key, protection};
use crate::effects::Effects;
use crate::keyring::Access;
use crate::member_key::MemberKey;
use crate::take_part_key::{TakePartKey, set_take_part_key, unseal};

impl Repo {
    /// Keeps the write key of a document (from an edit link, or made with a new space): from now
    /// on this repo signs its changes to that document. Give it before [`Repo::create`].
    pub fn hold_write_key(&mut self, document_id: DocumentId, key: WriteKey) {
        self.keys.hold_write_key(document_id, key);
    }

    /// Keeps the take-part key of a document (from a take-part link): with a member key, this
    /// repo may then take part in the document as its member.
    pub fn hold_take_part_key(&mut self, document_id: DocumentId, key: TakePartKey) {
        self.keys.hold_take_part_key(document_id, key);
    }

    /// Keeps this device's member key: every change this repo makes with an actor of the
    /// member's is signed with it. Give it before making changes.
    pub fn hold_member_key(&mut self, key: MemberKey) {
        self.keys.hold_member_key(key);
    }

    /// The member key this repo signs with, if it holds one.
    pub fn member_key(&self) -> Option<&MemberKey> {
        self.keys.member()
    }

    /// What this repo may do to the document (`Open` for one it does not have yet).
    pub fn access(&self, document_id: &DocumentId) -> Access {
        match self.docs.get(document_id) {
            Some(entry) if entry.out.is_some() => Access::View,
            Some(entry) => self.keys.access(document_id, &entry.doc),
            None => Access::Open,
        }
    }

    /// Whether this repo may edit the document: it is open (not protected), or this repo holds
    /// the key that protects it. `false` for a view or take-part link's holder.
    pub fn may_write(&self, document_id: &DocumentId) -> bool {
        matches!(self.access(document_id), Access::Open | Access::Edit)
    }

    /// The take-part key to put in take-part links: held, or opened with the write key.
    pub fn take_part_key(&self, document_id: &DocumentId) -> Option<TakePartKey> {
        self.keys.take_part_key(document_id, &self.held(document_id)?.doc)
    }

    /// Gives the document a new take-part key (an edit): the first one of a space made before
    /// take-part links, or a new one that stops every take-part link given out before.
    pub fn set_take_part_key(&mut self, document_id: DocumentId, new: TakePartKey) -> Result<Effects, RepoError> {
        let write = self.keys.write_key(&document_id).cloned().ok_or(RepoError::ViewOnly(document_id))?;
        let ((), fx) = self.change(document_id, |doc| set_take_part_key(doc, &new, &write))?;
        self.keys.hold_take_part_key(document_id, new);
        Ok(fx)
    }

    /// Moves the document to a new write key (Settings → "Stop old edit links"): a change signed
    /// with the current key writes the new public key (and seals the take-part key under the
    /// new one); from then on this repo signs with `new`, and changes signed with the old key
    /// only are refused everywhere.
    pub fn rotate_write_key(&mut self, document_id: DocumentId, new: WriteKey) -> Result<Effects, RepoError> {
        let public = new.public();
        let old = self.keys.write_key(&document_id).cloned();
        let ((), fx) = self.change(document_id, |doc| {
            let take_part = old.as_ref().and_then(|old| unseal(doc, old));
            // Earlier write seeds go along, sealed under the new key: organisers holding only the
            // new link still read what was sealed to the organisers before.
            let mut past = old.as_ref().map(|old| crate::past_write_keys::past_write_seeds(doc, old)).unwrap_or_default();
            past.extend(old.as_ref().map(WriteKey::seed));
            move_key(doc, public);
            if let Some(take_part) = take_part {
                set_take_part_key(doc, &take_part, &new);
            }
            if !past.is_empty() {
                crate::past_write_keys::seal_past_write_seeds(doc, &new, &past);
            }
        })?;
        self.keys.hold_write_key(document_id, new);
        Ok(fx)
    }

    /// The write key to put in edit links: the one this repo holds, if it opens the document's
    /// current protection.
    pub fn write_key_opening(&self, document_id: &DocumentId) -> Option<WriteKey> {
        let public = self.protection(document_id)?;
        self.keys.write_key(document_id).filter(|key| key.opens(&public)).cloned()
    }

    /// The public key protecting the document, if it is protected.
    pub fn protection(&self, document_id: &DocumentId) -> Option<[u8; 32]> {
        self.held(document_id).and_then(|entry| protection(&entry.doc))
    }
}
