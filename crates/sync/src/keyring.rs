//! The keys a repo holds, and what they let it do to each document: its member key (one per
//! device, or per set of linked devices), and per document a write key (edit link) and a
//! take-part key (take-part link). See docs/capabilities.md.

use std::collections::HashMap;

use automerge::{AutoCommit, Change};

use crate::DocumentId;
use crate::capability::{WriteKey, protection};
use crate::member_key::MemberKey;
use crate::rules::Tier;
use crate::signature_book::SignatureBook;
use crate::take_part_key::{TakePartKey, take_part_protection, unseal};

/// What this repo may do to a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The document is not protected: anyone may change it (a JavaScript peer's, or an older one).
    Open,
    /// This repo holds the write key: it may change anything (but members' own entries).
    Edit,
    /// This repo holds the take-part key and a member key: it may take part (sign, raise,
    /// comment, vote) as its member.
    TakePart,
    /// Neither: it reads.
    View,
}

impl Access {
    /// The tier local changes are made under, if any may be made.
    pub fn tier(self) -> Option<Tier> {
        match self {
            Access::Edit => Some(Tier::Edit),
            Access::TakePart => Some(Tier::TakePart),
            Access::Open | Access::View => None,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Keyring {
    write: HashMap<DocumentId, WriteKey>,
    take_part: HashMap<DocumentId, TakePartKey>,
    member: Option<MemberKey>,
}

impl Keyring {
    pub fn hold_write_key(&mut self, document_id: DocumentId, key: WriteKey) {
        self.write.insert(document_id, key);
    }

    pub fn hold_take_part_key(&mut self, document_id: DocumentId, key: TakePartKey) {
        self.take_part.insert(document_id, key);
    }

    pub fn hold_member_key(&mut self, key: MemberKey) {
        self.member = Some(key);
    }

    pub fn member(&self) -> Option<&MemberKey> {
        self.member.as_ref()
    }

    pub fn write_key(&self, document_id: &DocumentId) -> Option<&WriteKey> {
        self.write.get(document_id)
    }

    /// The write key, if it opens the document as it is now.
    fn opening_write_key(&self, document_id: &DocumentId, doc: &AutoCommit) -> Option<&WriteKey> {
        let public = protection(doc)?;
        self.write.get(document_id).filter(|key| key.opens(&public))
    }

    /// The take-part key that opens the document as it is now: one held (from a take-part
    /// link), or the one sealed in the document, opened with the write key.
    pub fn take_part_key(&self, document_id: &DocumentId, doc: &AutoCommit) -> Option<TakePartKey> {
        let public = take_part_protection(doc)?;
        if let Some(held) = self.take_part.get(document_id).filter(|key| key.public() == public) {
            return Some(held.clone());
        }
        unseal(doc, self.opening_write_key(document_id, doc)?)
    }

    pub fn access(&self, document_id: &DocumentId, doc: &AutoCommit) -> Access {
        if protection(doc).is_none() {
            return Access::Open;
        }
        if self.opening_write_key(document_id, doc).is_some() {
            return Access::Edit;
        }
        if self.member.is_some() && self.take_part_key(document_id, doc).is_some() {
            return Access::TakePart;
        }
        Access::View
    }

    /// Signs changes this repo just made under `access`: the write key's signature for an edit,
    /// and the member's signature (with `take_part`'s, for taking part: the key that opened the
    /// document *before* the changes, which is the one peers judge them under even when they move
    /// it) on every change whose actor is the member's. Returns the member, if it signed.
    pub fn sign(&self, document_id: &DocumentId, access: Access, take_part: Option<&TakePartKey>, changes: &[Change], book: &mut SignatureBook) -> Option<[u8; 32]> {
        if access == Access::Edit
            && let Some(key) = self.write.get(document_id)
        {
            for change in changes {
                book.insert(key.sign(change.hash()));
            }
        }
        let member = self.member.as_ref()?;
        let take_part = take_part.filter(|_| access == Access::TakePart);
        let mut signed = false;
        for change in changes.iter().filter(|c| member.owns_actor(c.actor_id().to_bytes())) {
            book.insert_member(member.sign(change.hash(), take_part.as_ref().map(|k| k.signer()).as_ref()));
            signed = true;
        }
        signed.then(|| member.public())
    }
}
