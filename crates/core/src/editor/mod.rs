//! Changes to a space. Each operation edits only the part of the document it is about (one
//! field, one map entry), so concurrent edits by neighbours merge instead of overwriting each
//! other, and each operation is one Automerge change stamped with its author and time.

mod apply;
mod boards;
mod consultations;
mod links;
mod meetings;
mod members;
mod moderation;
mod notices;
mod pledges;
mod settings;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, Value};
use autosurgeon::{Hydrate, Reconcile, hydrate_prop, reconcile_prop};

use crate::{Author, SpaceError};

/// Writes to one space document as one author.
///
/// Each call is one change of the document. Call the method of an operation directly, or
/// [`Editor::apply`] an [`Edit`](crate::Edit) a screen sent as data:
///
/// ```
/// use linli_core::{Author, Edit, Editor, MemberId, NoticeDraft, Space, SpaceDocument, Timestamp, new_space};
///
/// let ann = Author { member: MemberId::from_random([1; 8]), session: [1; 8], now: Timestamp(1_700_000_000_000) };
/// let mut doc = new_space("Gulou", &ann);
///
/// let lift = ann.new_item_id([1; 8]);
/// Editor::new(&mut doc, &ann).post_notice(&lift, NoticeDraft::new("Lift repair", "Friday 9:00")).unwrap();
/// let swap = ann.new_item_id([2; 8]);
/// Editor::new(&mut doc, &ann).apply(Edit::PostNotice { id: swap.clone(), draft: NoticeDraft::new("Book swap", "Sunday") }).unwrap();
///
/// let space = Space::hydrate(&doc).unwrap();
/// assert_eq!(space.notices[lift.as_str()].title, "Lift repair");
/// assert_eq!(space.notices[swap.as_str()].author, ann.member.to_string());
/// assert_eq!(space.current_notices().len(), 2);
/// ```
pub struct Editor<'a> {
    pub(crate) doc: &'a mut AutoCommit,
    author: Author,
    /// The reading keys this device holds (see `private/`): what lets an organiser share a team's
    /// key with a member who joins it.
    reading: Vec<linli_seal::ReadingKey>,
    /// The member's own reading key, which what this editor seals is sealed with (else a
    /// one-time key).
    sealer: Option<linli_seal::ReadingKey>,
}

impl<'a> Editor<'a> {
    /// An editor that writes as `author` (its Automerge actor and its clock).
    pub fn new(doc: &'a mut AutoCommit, author: &Author) -> Self {
        let actor = author.actor();
        if doc.get_actor() != &actor {
            doc.set_actor(actor);
        }
        Editor { doc, author: *author, reading: Vec::new(), sealer: None }
    }

    /// The same editor, holding `keys` to open what was sealed to this device.
    pub fn with_reading_keys(mut self, keys: &[linli_seal::ReadingKey]) -> Self {
        self.reading = keys.to_vec();
        self
    }

    /// The same editor, holding this device's keys for the space (`private::Keyring`): it seals
    /// with the member's own key and opens with all of them.
    pub fn with_keyring(mut self, keyring: &crate::private::Keyring) -> Self {
        self.reading = keyring.keys().to_vec();
        self.sealer = keyring.member().cloned();
        self
    }

    /// Ends the operation as one change, stamped with the author's time (in seconds, as
    /// automerge-js does) and a message naming the operation.
    pub(crate) fn commit(&mut self, message: &str) {
        let options = CommitOptions::default().with_message(message.to_owned()).with_time(self.author.now.0.div_euclid(1000));
        self.doc.commit_with(options);
    }

    /// The member ID of the author, as stored in items.
    fn me(&self) -> String {
        self.author.member.to_string()
    }

    /// The map at `key` under the root, made if missing (a document of an older Linli may lack it).
    pub(crate) fn collection(&mut self, key: &str) -> Result<ObjId, SpaceError> {
        match self.doc.get(ROOT, key)? {
            Some((Value::Object(ObjType::Map), id)) => Ok(id),
            _ => Ok(self.doc.put_object(ROOT, key, ObjType::Map)?),
        }
    }

    /// Reads the item `id` of a collection, or says it is not there.
    fn item<T: Hydrate>(&mut self, collection: &'static str, kind: &'static str, id: &str) -> Result<(ObjId, T), SpaceError> {
        let map = self.collection(collection)?;
        if self.doc.get(&map, id)?.is_none() {
            return Err(SpaceError::NotFound { kind, id: id.to_owned() });
        }
        let item = hydrate_prop(&*self.doc, &map, id)?;
        Ok((map, item))
    }

    /// Writes the item `id` of a collection (only what differs from the document is written).
    pub(crate) fn put_item<T: Reconcile>(&mut self, map: &ObjId, id: &str, item: &T) -> Result<(), SpaceError> {
        reconcile_prop(self.doc, map, id, item)?;
        Ok(())
    }

    /// Writes a new item, refusing an ID already in use: creating twice (a replayed form, a
    /// colliding ID) must never overwrite what others added to the first one.
    pub(crate) fn put_new_item<T: Reconcile>(&mut self, map: &ObjId, kind: &'static str, id: &str, item: &T) -> Result<(), SpaceError> {
        if self.doc.get(map, id)?.is_some() {
            return Err(SpaceError::AlreadyExists { kind, id: id.to_owned() });
        }
        self.put_item(map, id, item)
    }

    /// The map `field` inside item `id` of `collection` (e.g. a pledge's signatures), made if an
    /// older document lacks it.
    fn nested_map(&mut self, collection: &ObjId, id: &str, field: &str) -> Result<ObjId, SpaceError> {
        let item = match self.doc.get(collection, id)? {
            Some((Value::Object(ObjType::Map), item)) => item,
            _ => return Err(SpaceError::NotFound { kind: "item", id: id.to_owned() }),
        };
        match self.doc.get(&item, field)? {
            Some((Value::Object(ObjType::Map), map)) => Ok(map),
            _ => Ok(self.doc.put_object(&item, field, ObjType::Map)?),
        }
    }

    /// Entropy for fractional positions: differs between authors and over time.
    fn entropy(&self) -> u64 {
        let session = u64::from_le_bytes(self.author.session);
        session ^ (self.author.now.0 as u64).rotate_left(17)
    }
}

/// Trims a title or name and refuses an empty one.
fn required(text: &str, what: crate::Invalid) -> Result<String, SpaceError> {
    let trimmed = text.trim();
    if trimmed.is_empty() { Err(SpaceError::Invalid(what)) } else { Ok(trimmed.to_owned()) }
}
