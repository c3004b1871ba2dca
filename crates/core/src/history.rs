//! The history of one item (a notice, pledge, task or board): which changes touched it, when,
//! by which member and which fields; and restoring an item to an earlier version as a new change
//! (nothing is rewritten, so a restore can itself be undone).

use std::collections::HashMap;

use automerge::legacy::{Key, ObjectId, OpType};
use automerge::{AutoCommit, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, Value};

use crate::{Board, Consultation, Editor, ItemKind, Meeting, MemberId, Notice, Pledge, SpaceError, Task, Timestamp, member_of_actor};

/// One change that touched an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The change; pass it to [`Editor::restore`] to bring back the item as it was after it.
    pub change: ChangeHash,
    /// When it was made (the author's clock, to the second).
    pub at: Timestamp,
    /// Who made it, if a Linli member did.
    pub member: Option<MemberId>,
    /// The top-level fields of the item it changed (`title`, `body`, `signatures`, …); `created`
    /// when the change made the item.
    pub fields: Vec<String>,
    /// The operation's name, e.g. `notice.edit`.
    pub message: Option<String>,
}

/// `(counter, actor bytes)`: how both automerge's object IDs and its change operations name an
/// object.
type ObjKey = (u64, Vec<u8>);

fn key_of(id: &ObjId) -> Option<ObjKey> {
    match id {
        ObjId::Root => None,
        ObjId::Id(counter, actor, _) => Some((*counter, actor.to_bytes().to_vec())),
    }
}

/// Every object inside the item, mapped to the item's top-level field that holds it.
fn objects_of_item(doc: &AutoCommit, item: &ObjId) -> HashMap<ObjKey, String> {
    let mut objects = HashMap::new();
    let mut stack: Vec<(ObjId, String)> = Vec::new();
    for field in doc.keys(item) {
        if let Ok(Some((Value::Object(_), child))) = doc.get(item, field.as_str()) {
            stack.push((child, field));
        }
    }
    while let Some((obj, field)) = stack.pop() {
        if let Some(key) = key_of(&obj) {
            objects.insert(key, field.clone());
        }
        match doc.object_type(&obj) {
            Ok(ObjType::Map) | Ok(ObjType::Table) => {
                for key in doc.keys(&obj) {
                    if let Ok(Some((Value::Object(_), child))) = doc.get(&obj, key.as_str()) {
                        stack.push((child, field.clone()));
                    }
                }
            }
            Ok(ObjType::List) => {
                for index in 0..doc.length(&obj) {
                    if let Ok(Some((Value::Object(_), child))) = doc.get(&obj, index) {
                        stack.push((child, field.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    objects
}

/// The changes that touched an item, oldest first.
pub fn item_history(doc: &mut AutoCommit, kind: ItemKind, id: &str) -> Result<Vec<HistoryEntry>, SpaceError> {
    let not_found = || SpaceError::NotFound { kind: kind.name(), id: id.to_owned() };
    let collection = match doc.get(ROOT, kind.collection().name())? {
        Some((Value::Object(ObjType::Map), map)) => map,
        _ => return Err(not_found()),
    };
    let item = match doc.get(&collection, id)? {
        Some((Value::Object(ObjType::Map), item)) => item,
        _ => return Err(not_found()),
    };
    let collection_key = key_of(&collection);
    let item_key = key_of(&item);
    let inside = objects_of_item(doc, &item);
    let mut entries = Vec::new();
    for change in doc.get_changes(&[]) {
        let expanded = change.decode();
        let mut fields: Vec<String> = Vec::new();
        for op in &expanded.operations {
            let ObjectId::Id(op_id) = &op.obj else { continue };
            let obj: ObjKey = (op_id.counter(), op_id.actor().to_bytes().to_vec());
            let field = if Some(&obj) == collection_key.as_ref() {
                match (&op.key, &op.action) {
                    (Key::Map(key), OpType::Make(_)) if key.as_str() == id => Some("created".to_owned()),
                    _ => None,
                }
            } else if Some(&obj) == item_key.as_ref() {
                match &op.key {
                    Key::Map(key) => Some(key.to_string()),
                    Key::Seq(_) => None,
                }
            } else {
                inside.get(&obj).cloned()
            };
            if let Some(field) = field
                && !fields.contains(&field)
            {
                fields.push(field);
            }
        }
        if !fields.is_empty() {
            fields.sort();
            entries.push(HistoryEntry {
                change: change.hash(),
                at: Timestamp(expanded.time.saturating_mul(1000)),
                member: member_of_actor(&expanded.actor_id),
                fields,
                message: expanded.message.clone(),
            });
        }
    }
    Ok(entries)
}

impl Editor<'_> {
    /// Brings an item back to how it was right after `change` (as its author saw it), as a new
    /// change: the history keeps both versions.
    pub fn restore(&mut self, kind: ItemKind, id: &str, change: ChangeHash) -> Result<(), SpaceError> {
        let mut then = self.doc.fork_at(&[change])?;
        let collection = kind.collection().name();
        let not_then = || SpaceError::NotFound { kind: kind.name(), id: format!("{id} at that version") };
        let then_map = match then.get(ROOT, collection)? {
            Some((Value::Object(ObjType::Map), map)) => map,
            _ => return Err(not_then()),
        };
        if then.get(&then_map, id)?.is_none() {
            return Err(not_then());
        }
        let map = self.collection(collection)?;
        match kind {
            ItemKind::Notice => self.restore_as::<Notice>(&mut then, &then_map, &map, id)?,
            ItemKind::Pledge => self.restore_as::<Pledge>(&mut then, &then_map, &map, id)?,
            ItemKind::Task => self.restore_as::<Task>(&mut then, &then_map, &map, id)?,
            ItemKind::Board => self.restore_as::<Board>(&mut then, &then_map, &map, id)?,
            ItemKind::Consultation => self.restore_as::<Consultation>(&mut then, &then_map, &map, id)?,
            ItemKind::Meeting => self.restore_as::<Meeting>(&mut then, &then_map, &map, id)?,
        }
        self.commit(&format!("{}.restore", kind.name()));
        Ok(())
    }

    fn restore_as<T: Restore>(&mut self, then: &mut AutoCommit, then_map: &ObjId, map: &ObjId, id: &str) -> Result<(), SpaceError> {
        let old: T = autosurgeon::hydrate_prop(&*then, then_map, id)?;
        let current: Option<T> = autosurgeon::hydrate_prop(&*self.doc, map, id).ok();
        let restored = old.onto(current);
        self.put_item(map, id, &restored)
    }
}

/// An item that can be put back as it was. Collaborative texts are written back by the smallest
/// splice onto their current content (the model's `text_field` mapping does that on reconcile).
/// What residents wrote into the item since (signatures, comments, who raised a request and
/// their confirmation) is theirs and stays as it is now: an organiser's restore never removes it.
trait Restore: autosurgeon::Hydrate + autosurgeon::Reconcile + Sized {
    fn onto(self, current: Option<Self>) -> Self;
}

impl Restore for Notice {
    fn onto(mut self, current: Option<Self>) -> Self {
        if let Some(current) = current {
            self.comments = current.comments;
        }
        self
    }
}

impl Restore for Pledge {
    fn onto(mut self, current: Option<Self>) -> Self {
        if let Some(current) = current {
            (self.signatures, self.paper) = (current.signatures, current.paper);
        }
        self
    }
}

impl Restore for Task {
    fn onto(mut self, current: Option<Self>) -> Self {
        let Some(current) = current else { return self };
        self.comments = current.comments;
        if let (Some(old), Some(now)) = (&mut self.request, current.request) {
            old.raised_by = now.raised_by;
            old.raised_at = now.raised_at;
            old.confirmation = now.confirmation;
        }
        self
    }
}

impl Restore for Consultation {
    /// Votes, comments, paper counts, the closing and follow-ups stay as they are now: a restore
    /// brings back wording and settings, never re-opens or changes a count.
    fn onto(mut self, current: Option<Self>) -> Self {
        if let Some(current) = current {
            (self.votes, self.comments, self.paper, self.closed, self.follow_ups) = (current.votes, current.comments, current.paper, current.closed, current.follow_ups);
            // What a vote may choose is fixed when a consultation opens, and an option once
            // offered stays (archived if taken away): the options stay as they are now.
            (self.options, self.yes_no, self.max_choices) = (current.options, current.yes_no, current.max_choices);
        }
        self
    }
}

impl Restore for Meeting {
    /// Action items stay (their tasks exist), and so do agenda items added since (items are
    /// never removed): a restore brings back the wording, agenda and minutes.
    fn onto(mut self, current: Option<Self>) -> Self {
        if let Some(current) = current {
            self.actions = current.actions;
            for (id, item) in current.agenda {
                self.agenda.entry(id).or_insert(item);
            }
        }
        self
    }
}

impl Restore for Board {
    /// Columns added since stay (requests may sit in them; items are never removed).
    fn onto(mut self, current: Option<Self>) -> Self {
        if let Some(current) = current {
            for (id, column) in current.columns {
                self.columns.entry(id).or_insert(column);
            }
        }
        self
    }
}
