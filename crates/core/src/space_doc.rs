//! A space and its Automerge document: reading the document into the `Space` the screens draw
//! from (`SpaceDocument`), and making a new space's document.
//!
//! Reading is forgiving where it can be and strict where it must be: a document without `schema`
//! is not a space, and one with a newer schema is refused; anything else that is missing reads as
//! its documented default, and an item that cannot be read (wrong types, from an odd or hostile
//! peer) is left out and listed in [`Space::unreadable`] — one bad notice never hides the others.
//! [`new_space`] creates every collection, so no two devices ever race to create one
//! (concurrently created maps would hide each other's items).

use std::collections::BTreeMap;

use automerge::{AutoCommit, ChangeHash, ObjType, ROOT, ReadDoc, Value};
use autosurgeon::{Hydrate, Reconcile};
use linli_model::space::all_languages;

use crate::tree::{self, FromTree};
use crate::{
    Author, Board, Body, Category, Consultation, Editor, KioskSettings, Meeting, Member, Moderation, Names, Notice, PaperCount, Pledge, Responsibility, SCHEMA_VERSION, Space,
    SpaceError, SpaceLink, Tally, Task, Timestamp, Unreadable, Vote,
};

/// Reading a space from its document.
pub trait SpaceDocument: Sized {
    /// Reads a space from its document. See the module docs for what is strict and what is not.
    /// The document is materialized once and converted (see `tree.rs`).
    fn hydrate(doc: &AutoCommit) -> Result<Self, SpaceError>;

    /// Brings this space up to date with `doc` after the changes described by `patches` (from
    /// `AutoCommit::diff` or `diff_incremental`), re-reading only the items they touched. A change
    /// to the document's top-level layout, to moderation or to links, falls back to reading everything.
    /// Says what it re-read.
    fn refresh(&mut self, doc: &AutoCommit, patches: &[automerge::Patch]) -> Result<Refreshed, SpaceError>;
}

/// What [`SpaceDocument::refresh`] re-read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refreshed {
    /// The whole space.
    Everything,
    /// The root settings (if `settings`), and these items as `(collection, id)` (an item that is
    /// gone is gone from its collection).
    Parts { settings: bool, items: Vec<(&'static str, String)> },
}

impl SpaceDocument for Space {
    fn hydrate(doc: &AutoCommit) -> Result<Space, SpaceError> {
        let schema = match doc.get(ROOT, "schema")? {
            Some((Value::Scalar(s), _)) => s.as_u64().or_else(|| s.as_i64().and_then(|v| u64::try_from(v).ok())),
            _ => None,
        };
        let Some(schema) = schema else { return Err(SpaceError::NotASpace) };
        if schema > crate::SCHEMA_VERSION {
            return Err(SpaceError::NewerSchema { found: schema, supported: crate::SCHEMA_VERSION });
        }
        let tree = doc.hydrate(ROOT, None)?;
        let root = tree::as_map(&tree).map_err(|_| SpaceError::NotASpace)?;
        let mut unreadable = Vec::new();
        let mut space = Space {
            schema,
            name: field(root, "name", &mut unreadable).unwrap_or_default(),
            description: field(root, "description", &mut unreadable).unwrap_or_default(),
            created_at: field(root, "created_at", &mut unreadable).unwrap_or_default(),
            languages: field(root, "languages", &mut unreadable).unwrap_or_else(all_languages),
            kiosk: field(root, "kiosk", &mut unreadable).unwrap_or_default(),
            ..Space::default()
        };
        space.categories = collection(root, "categories", &mut unreadable);
        space.responsibilities = collection(root, "responsibilities", &mut unreadable);
        space.members = collection(root, "members", &mut unreadable);
        space.notices = collection(root, "notices", &mut unreadable);
        space.pledges = collection(root, "pledges", &mut unreadable);
        space.boards = collection(root, "boards", &mut unreadable);
        space.tasks = collection(root, "tasks", &mut unreadable);
        space.consultations = collection(root, "consultations", &mut unreadable);
        space.bodies = collection(root, "bodies", &mut unreadable);
        space.meetings = collection(root, "meetings", &mut unreadable);
        space.moderation = collection(root, "moderation", &mut unreadable);
        space.links = collection(root, "links", &mut unreadable);
        for (id, consultation) in &space.consultations {
            if let Some(tally) = tally_of(doc, id, consultation, &mut unreadable) {
                space.tallies.insert(id.clone(), tally);
            }
        }
        space.unreadable = unreadable;
        space.leave_out_hidden();
        Ok(space)
    }

    fn refresh(&mut self, doc: &AutoCommit, patches: &[automerge::Patch]) -> Result<Refreshed, SpaceError> {
        use automerge::{PatchAction, Prop};
        use std::collections::BTreeSet;
        const ITEMS: [&str; 10] = ["categories", "responsibilities", "members", "notices", "pledges", "boards", "tasks", "consultations", "bodies", "meetings"];
        let key_of = |action: &PatchAction| match action {
            PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => Some(key.clone()),
            _ => None,
        };
        let mut items: BTreeSet<(&'static str, String)> = BTreeSet::new();
        let mut root_fields: BTreeSet<String> = BTreeSet::new();
        for patch in patches {
            let top = match patch.path.first() {
                None => {
                    root_fields.extend(key_of(&patch.action));
                    continue;
                }
                Some((_, Prop::Map(top))) => top.as_str(),
                Some((_, Prop::Seq(_))) => continue,
            };
            if top == "moderation" || top == "links" {
                root_fields.insert(top.to_owned());
                continue;
            }
            match ITEMS.iter().find(|c| **c == top) {
                Some(collection) => match patch.path.get(1) {
                    Some((_, Prop::Map(id))) => {
                        items.insert((collection, id.clone()));
                    }
                    Some((_, Prop::Seq(_))) => {}
                    None => items.extend(key_of(&patch.action).map(|id| (*collection, id))),
                },
                None => {
                    root_fields.insert(top.to_owned());
                }
            }
        }
        if root_fields.iter().any(|f| f == "schema" || f == "moderation" || f == "links" || ITEMS.contains(&f.as_str())) {
            *self = Space::hydrate(doc)?;
            return Ok(Refreshed::Everything);
        }
        if !root_fields.is_empty() {
            // Root settings are small: read them all again.
            let fresh = hydrate_settings(doc)?;
            self.unreadable.retain(|u| u.path.contains('/'));
            self.unreadable.extend(fresh.unreadable);
            (self.name, self.description, self.created_at, self.languages, self.kiosk) = (fresh.name, fresh.description, fresh.created_at, fresh.languages, fresh.kiosk);
        }
        for (collection, id) in &items {
            let (collection, id) = (*collection, id.clone());
            let path = format!("{collection}/{id}");
            let under = format!("{path}/");
            self.unreadable.retain(|u| u.path != path && !u.path.starts_with(&under));
            let mut left_out = Vec::new();
            let outcome = match collection {
                "categories" => refresh_item(doc, collection, &id, &mut self.categories, &mut left_out),
                "responsibilities" => refresh_item(doc, collection, &id, &mut self.responsibilities, &mut left_out),
                "members" => refresh_item(doc, collection, &id, &mut self.members, &mut left_out),
                "notices" => refresh_item(doc, collection, &id, &mut self.notices, &mut left_out),
                "pledges" => refresh_item(doc, collection, &id, &mut self.pledges, &mut left_out),
                "boards" => refresh_item(doc, collection, &id, &mut self.boards, &mut left_out),
                "consultations" => refresh_item(doc, collection, &id, &mut self.consultations, &mut left_out).map(|()| {
                    self.tallies.remove(&id);
                    let mut unreadable = Vec::new();
                    if let Some(tally) = self.consultations.get(&id).and_then(|c| tally_of(doc, &id, c, &mut unreadable)) {
                        self.tallies.insert(id.clone(), tally);
                    }
                    self.unreadable.extend(unreadable);
                }),
                "bodies" => refresh_item(doc, collection, &id, &mut self.bodies, &mut left_out),
                "meetings" => refresh_item(doc, collection, &id, &mut self.meetings, &mut left_out),
                _ => refresh_item(doc, collection, &id, &mut self.tasks, &mut left_out),
            };
            self.unreadable.extend(left_out);
            if let Err(reason) = outcome {
                self.unreadable.push(Unreadable { path, reason });
            }
        }
        self.unreadable.sort_by(|a, b| a.path.cmp(&b.path));
        self.leave_out_hidden();
        Ok(Refreshed::Parts { settings: !root_fields.is_empty(), items: items.into_iter().collect() })
    }
}

/// Only the root settings (no collections).
fn hydrate_settings(doc: &AutoCommit) -> Result<Space, SpaceError> {
    let mut unreadable = Vec::new();
    let read = |key: &'static str| -> Option<(&'static str, automerge::hydrate::Value)> {
        match doc.get(ROOT, key) {
            Ok(Some((Value::Object(_), obj))) => doc.hydrate(&obj, None).ok().map(|v| (key, v)),
            Ok(Some((Value::Scalar(s), _))) => Some((key, automerge::hydrate::Value::Scalar(s.into_owned()))),
            _ => None,
        }
    };
    let settings = SettingsTree(["name", "description", "created_at", "languages", "kiosk"].into_iter().filter_map(read).collect());
    Ok(Space {
        name: settings.get("name", &mut unreadable).unwrap_or_default(),
        description: settings.get("description", &mut unreadable).unwrap_or_default(),
        created_at: settings.get("created_at", &mut unreadable).unwrap_or_default(),
        languages: settings.get("languages", &mut unreadable).unwrap_or_else(all_languages),
        kiosk: settings.get("kiosk", &mut unreadable).unwrap_or_default(),
        unreadable,
        ..Space::default()
    })
}

/// Root settings read one by one from the materialized tree.
struct SettingsTree(Vec<(&'static str, automerge::hydrate::Value)>);

impl SettingsTree {
    fn get<T: FromTree>(&self, key: &str, unreadable: &mut Vec<Unreadable>) -> Option<T> {
        let (_, value) = self.0.iter().find(|(k, _)| *k == key)?;
        let (result, left_out) = tree::read_at::<T>(key, value);
        unreadable.extend(left_out);
        result.map_err(|reason| unreadable.push(Unreadable { path: key.to_owned(), reason })).ok()
    }
}

/// What a closed consultation counts: its votes and paper counts as the document held them at
/// its closing's heads (`None` while it is open). Two organisers' devices may close it apart
/// (each from its own copy): Automerge then keeps both closings, and it counts what either saw —
/// the union of their heads — so a closing made from an older copy never takes away a vote
/// another closing counted (docs/capabilities.md). A closing naming changes this copy does not
/// hold (only a hostile organiser's could) counts nothing, and says so in `unreadable`.
fn tally_of(doc: &AutoCommit, id: &str, consultation: &Consultation, unreadable: &mut Vec<Unreadable>) -> Option<Tally> {
    consultation.closed.as_ref()?;
    let item = match doc.get(ROOT, "consultations") {
        Ok(Some((Value::Object(ObjType::Map), map))) => match doc.get(&map, id) {
            Ok(Some((Value::Object(ObjType::Map), item))) => item,
            _ => return Some(Tally::default()),
        },
        _ => return Some(Tally::default()),
    };
    let mut heads: Vec<ChangeHash> = Vec::new();
    for (value, closing) in doc.get_all(&item, "closed").unwrap_or_default() {
        if !matches!(value, Value::Object(ObjType::Map)) {
            continue;
        }
        let Ok(tree) = doc.hydrate(&closing, None) else { continue };
        let Ok(closing) = crate::Closing::from_tree(&tree) else { continue };
        let named: Option<Vec<ChangeHash>> = closing.heads.iter().map(|h| h.parse().ok()).collect();
        match named.filter(|named| named.iter().all(|h| doc.get_change_by_hash(h).is_some())) {
            Some(named) => {
                for head in named {
                    if !heads.contains(&head) {
                        heads.push(head);
                    }
                }
            }
            None => {
                unreadable.push(Unreadable { path: format!("consultations/{id}/closed"), reason: "its closing names changes this copy does not hold".into() });
                return Some(Tally::default());
            }
        }
    }
    if heads.is_empty() {
        return Some(Tally::default());
    }
    let at_close = |field: &str| match doc.get_at(&item, field, &heads) {
        Ok(Some((Value::Object(ObjType::Map), obj))) => doc.hydrate(&obj, Some(&heads)).ok(),
        _ => None,
    };
    let mut tally = Tally::default();
    if let Some(votes) = at_close("votes") {
        tally.votes = tree::as_map(&votes).map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), Vote::from_tree(&v.value).ok()?))).collect()).unwrap_or_default();
    }
    if let Some(paper) = at_close("paper") {
        tally.paper = tree::as_map(&paper).map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), PaperCount::from_tree(&v.value).ok()?))).collect()).unwrap_or_default();
    }
    Some(tally)
}

/// Re-reads one item into its collection (removing it if it is gone), noting the parts of it
/// left out in `unreadable`.
fn refresh_item<T: FromTree>(doc: &AutoCommit, collection: &str, id: &str, items: &mut BTreeMap<String, T>, unreadable: &mut Vec<Unreadable>) -> Result<(), String> {
    items.remove(id);
    let map = match doc.get(ROOT, collection) {
        Ok(Some((Value::Object(ObjType::Map), map))) => map,
        _ => return Ok(()),
    };
    let value = match doc.get(&map, id) {
        Ok(Some((Value::Object(_), obj))) => doc.hydrate(&obj, None).map_err(|e| e.to_string())?,
        Ok(Some((Value::Scalar(s), _))) => automerge::hydrate::Value::Scalar(s.into_owned()),
        Ok(None) => return Ok(()),
        Err(error) => return Err(error.to_string()),
    };
    let (result, left_out) = tree::read_at::<T>(&format!("{collection}/{id}"), &value);
    unreadable.extend(left_out);
    items.insert(id.to_owned(), result?);
    Ok(())
}

/// Reads one item of a collection (e.g. `read_item::<Notice>(doc, "notices", id)`) without
/// reading the rest of the space: what a screen needs after a change to that item alone.
pub fn read_item<T: Hydrate>(doc: &AutoCommit, collection: &str, id: &str) -> Result<Option<T>, SpaceError> {
    let map = match doc.get(ROOT, collection)? {
        Some((Value::Object(ObjType::Map), map)) => map,
        _ => return Ok(None),
    };
    if doc.get(&map, id)?.is_none() {
        return Ok(None);
    }
    Ok(Some(autosurgeon::hydrate_prop(doc, &map, id)?))
}

/// Reads one root field; a wrong type is noted in `unreadable` and reads as absent.
fn field<T: FromTree>(root: &automerge::hydrate::Map, key: &str, unreadable: &mut Vec<Unreadable>) -> Option<T> {
    let value = root.get(key)?;
    let (result, left_out) = tree::read_at::<T>(key, value);
    unreadable.extend(left_out);
    match result {
        Ok(value) => Some(value),
        Err(reason) => {
            unreadable.push(Unreadable { path: key.to_owned(), reason });
            None
        }
    }
}

/// Reads a collection item by item, leaving out (and noting) the items that cannot be read.
fn collection<T: FromTree>(root: &automerge::hydrate::Map, key: &str, unreadable: &mut Vec<Unreadable>) -> BTreeMap<String, T> {
    let mut items = BTreeMap::new();
    let Some(value) = root.get(key) else { return items };
    let Ok(map) = tree::as_map(value) else {
        unreadable.push(Unreadable { path: key.to_owned(), reason: "not a map".into() });
        return items;
    };
    for (id, item) in map.iter() {
        let (result, left_out) = tree::read_at::<T>(&format!("{key}/{id}"), &item.value);
        unreadable.extend(left_out);
        match result {
            Ok(item) => {
                items.insert(id.clone(), item);
            }
            Err(reason) => unreadable.push(Unreadable { path: format!("{key}/{id}"), reason }),
        }
    }
    unreadable.sort_by(|a, b| a.path.cmp(&b.path));
    items
}

/// Bodies every new space starts with (the ones that sit at a joint meeting), by fixed ID.
const STARTER_BODIES: [(&str, &str, &str, &str); 4] = [
    ("b000000000000001", "居民委员会", "居民委員會", "Residents' committee"),
    ("b000000000000002", "业主委员会", "業主委員會", "Owners' committee"),
    ("b000000000000003", "物业公司", "物業公司", "Property company"),
    ("b000000000000004", "志愿者", "志願者", "Volunteers"),
];

/// Categories every new space starts with, by fixed ID, in three languages.
const STARTER_CATEGORIES: [(&str, &str, &str, &str); 5] = [
    ("c000000000000001", "综合", "綜合", "General"),
    ("c000000000000002", "维修", "維修", "Repairs"),
    ("c000000000000003", "安全", "安全", "Safety"),
    ("c000000000000004", "环境卫生", "環境衛生", "Environment"),
    ("c000000000000005", "活动", "活動", "Events"),
];

/// A new space document: its name, every collection and the starter categories (boards are made
/// by people, or by the app for the first resident request). The author writes the first change.
///
/// ```
/// use linli_core::{Author, MemberId, Space, SpaceDocument, Timestamp, new_space};
///
/// let ann = Author { member: MemberId::from_random([1; 8]), session: [1; 8], now: Timestamp(1_700_000_000_000) };
/// let doc = new_space("  Sanfang Qixiang ", &ann);
///
/// let space = Space::hydrate(&doc).unwrap();
/// assert_eq!(space.name, "Sanfang Qixiang");
/// assert_eq!(space.created_at, ann.now);
/// assert_eq!(space.categories_in_order().len(), 5);
/// assert!(space.notices.is_empty());
/// ```
pub fn new_space(name: &str, author: &Author) -> AutoCommit {
    new_space_with(name, author, |_| {})
}

/// [`new_space`], with `first` adding to the first change (the sync layer's write key, which
/// protects a space from its first change on).
///
/// ```
/// use automerge::transaction::Transactable;
/// use automerge::{ROOT, ReadDoc, ScalarValue};
/// use linli_core::{Author, MemberId, Timestamp, new_space_with};
///
/// let ann = Author { member: MemberId::from_random([1; 8]), session: [1; 8], now: Timestamp(1_000) };
/// let mut doc = new_space_with("Gulou", &ann, |doc| {
///     doc.put(ROOT, "write_key", ScalarValue::Bytes(vec![7; 32])).unwrap();
/// });
///
/// // The field is there, written in the same single change as the rest of the space.
/// assert!(doc.get(ROOT, "write_key").unwrap().is_some());
/// assert_eq!(doc.get_changes(&[]).len(), 1);
/// ```
pub fn new_space_with(name: &str, author: &Author, first: impl FnOnce(&mut AutoCommit)) -> AutoCommit {
    let mut doc = AutoCommit::new().with_actor(author.actor());
    first(&mut doc);
    let mut categories = BTreeMap::new();
    let mut position: Option<String> = None;
    for (id, hans, hant, en) in STARTER_CATEGORIES {
        let next = crate::position::between(position.as_deref(), None, 0);
        let names = Names::from([("zh-Hans".into(), hans.into()), ("zh-Hant".into(), hant.into()), ("en".into(), en.into())]);
        categories.insert(id.to_owned(), Category { names, position: next.clone(), archived: false });
        position = Some(next);
    }
    let mut bodies = BTreeMap::new();
    let mut position: Option<String> = None;
    for (id, hans, hant, en) in STARTER_BODIES {
        let next = crate::position::between(position.as_deref(), None, 0);
        let names = Names::from([("zh-Hans".into(), hans.into()), ("zh-Hant".into(), hant.into()), ("en".into(), en.into())]);
        bodies.insert(id.to_owned(), Body { names, position: next.clone(), archived: false });
        position = Some(next);
    }
    let root = NewRoot {
        schema: SCHEMA_VERSION,
        name: name.trim().to_owned(),
        description: String::new(),
        created_at: author.now,
        languages: all_languages(),
        categories,
        kiosk: KioskSettings::default(),
        responsibilities: BTreeMap::new(),
        members: BTreeMap::new(),
        notices: BTreeMap::new(),
        pledges: BTreeMap::new(),
        boards: BTreeMap::new(),
        tasks: BTreeMap::new(),
        consultations: BTreeMap::new(),
        bodies,
        meetings: BTreeMap::new(),
        moderation: BTreeMap::new(),
        links: BTreeMap::new(),
    };
    autosurgeon::reconcile(&mut doc, &root).expect("reconciling into an empty document cannot fail");
    let mut editor = Editor::new(&mut doc, author);
    editor.commit("space.create");
    doc
}

/// The root as [`new_space`] writes it.
#[derive(Reconcile)]
struct NewRoot {
    schema: u64,
    name: String,
    description: String,
    created_at: Timestamp,
    languages: Vec<String>,
    categories: BTreeMap<String, Category>,
    kiosk: KioskSettings,
    responsibilities: BTreeMap<String, Responsibility>,
    members: BTreeMap<String, Member>,
    notices: BTreeMap<String, Notice>,
    pledges: BTreeMap<String, Pledge>,
    boards: BTreeMap<String, Board>,
    tasks: BTreeMap<String, Task>,
    consultations: BTreeMap<String, Consultation>,
    bodies: BTreeMap<String, Body>,
    meetings: BTreeMap<String, Meeting>,
    moderation: BTreeMap<String, Moderation>,
    links: BTreeMap<String, SpaceLink>,
}
