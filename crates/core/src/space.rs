//! The space document as a whole: its layout, how to make one, and how to read it safely.
//!
//! Layout (root map): `schema`, `name`, `description`, `created_at`, `languages`, `categories`,
//! `kiosk`, `responsibilities`, `members`, `notices`, `pledges`, `boards`, `tasks`, `moderation`
//! (and, written by the sync layer, `write_key` and `participate_key`). Collections
//! are maps keyed by ID. [`new_space`] creates every collection, so no two devices ever race to
//! create one (concurrently created maps would hide each other's items).
//!
//! Reading is forgiving where it can be and strict where it must be: a document without `schema`
//! is not a space, and one with a newer schema is refused; anything else that is missing reads as
//! its documented default, and an item that cannot be read (wrong types, from an odd or hostile
//! peer) is left out and listed in [`Space::unreadable`] — one bad notice never hides the others.

use std::collections::BTreeMap;

use automerge::{AutoCommit, ObjType, ROOT, ReadDoc, Value};
use autosurgeon::{Hydrate, Reconcile};

use crate::board::{RequestStats, request_stats};
use crate::tree::{self, FromTree};
use crate::lang::Names;
use crate::moderation::Moderation;
use crate::{Author, Board, Editor, Member, Notice, Pledge, SpaceError, Task, Timestamp};

/// The schema version this Linli writes. See "Schema versions" in ARCHITECTURE.md for the rules.
pub const SCHEMA_VERSION: u64 = 1;

/// A category of the space (what a notice or request is about).
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Category {
    pub names: Names,
    pub position: String,
    #[autosurgeon(missing = "Default::default")]
    pub archived: bool,
}

/// How the space's kiosks behave; changed from any phone, obeyed by every kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct KioskSettings {
    /// Category IDs shown (empty: all).
    #[autosurgeon(missing = "Default::default")]
    pub categories: Vec<String>,
    /// Seconds each slide stays on screen.
    #[autosurgeon(missing = "default_rotation")]
    pub rotation_seconds: u64,
    /// Language tags the kiosk cycles through (empty: the space's languages).
    #[autosurgeon(missing = "Default::default")]
    pub languages: Vec<String>,
}

pub(crate) fn default_rotation() -> u64 {
    12
}

impl Default for KioskSettings {
    fn default() -> Self {
        KioskSettings { categories: Vec::new(), rotation_seconds: default_rotation(), languages: Vec::new() }
    }
}

/// Who answers requests in one category.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hydrate, Reconcile)]
pub struct Responsibility {
    /// The team's name, e.g. "Property management" or "Volunteer team 3".
    pub team: String,
    /// Members of the team (member ID → true).
    #[autosurgeon(missing = "Default::default")]
    pub members: BTreeMap<String, bool>,
}

/// Something in the document that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// Where it is, e.g. `notices/3f2a…` or `name`.
    pub path: String,
    pub reason: String,
}

/// Everything in a space, read from its document. Screens and kiosks render from this.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Space {
    pub schema: u64,
    /// Default: empty (shown as an unnamed space).
    pub name: String,
    pub description: String,
    pub created_at: Timestamp,
    /// Language tags offered; default: all three.
    pub languages: Vec<String>,
    pub categories: BTreeMap<String, Category>,
    pub kiosk: KioskSettings,
    /// By category ID.
    pub responsibilities: BTreeMap<String, Responsibility>,
    pub members: BTreeMap<String, Member>,
    pub notices: BTreeMap<String, Notice>,
    pub pledges: BTreeMap<String, Pledge>,
    pub boards: BTreeMap<String, Board>,
    pub tasks: BTreeMap<String, Task>,
    /// Organisers' moderation decisions, by member ID. Hidden members' contributions are left
    /// out of every collection above as read (see `moderation.rs`).
    pub moderation: BTreeMap<String, Moderation>,
    /// What could not be read (and was left out).
    pub unreadable: Vec<Unreadable>,
}

/// The three languages, as tags.
fn all_languages() -> Vec<String> {
    crate::Lang::ALL.iter().map(|l| l.tag().to_owned()).collect()
}

impl Space {
    /// Reads a space from its document. See the module docs for what is strict and what is not.
    /// The document is materialized once and converted (see `tree.rs`).
    pub fn hydrate(doc: &AutoCommit) -> Result<Space, SpaceError> {
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
        space.moderation = collection(root, "moderation", &mut unreadable);
        space.unreadable = unreadable;
        space.leave_out_hidden();
        Ok(space)
    }

    /// Brings this space up to date with `doc` after the changes described by `patches` (from
    /// `AutoCommit::diff` or `diff_incremental`), re-reading only the items they touched. A change
    /// to the document's top-level layout, or to moderation, falls back to reading everything.
    pub fn refresh(&mut self, doc: &AutoCommit, patches: &[automerge::Patch]) -> Result<(), SpaceError> {
        use automerge::{PatchAction, Prop};
        use std::collections::BTreeSet;
        const ITEMS: [&str; 7] = ["categories", "responsibilities", "members", "notices", "pledges", "boards", "tasks"];
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
            if top == "moderation" {
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
        if root_fields.iter().any(|f| f == "schema" || f == "moderation" || ITEMS.contains(&f.as_str())) {
            *self = Space::hydrate(doc)?;
            return Ok(());
        }
        if !root_fields.is_empty() {
            // Root settings are small: read them all again.
            let fresh = Space::hydrate_settings(doc)?;
            self.unreadable.retain(|u| u.path.contains('/'));
            self.unreadable.extend(fresh.unreadable);
            (self.name, self.description, self.created_at, self.languages, self.kiosk) =
                (fresh.name, fresh.description, fresh.created_at, fresh.languages, fresh.kiosk);
        }
        for (collection, id) in items {
            let path = format!("{collection}/{id}");
            self.unreadable.retain(|u| u.path != path);
            let outcome = match collection {
                "categories" => refresh_item(doc, collection, &id, &mut self.categories),
                "responsibilities" => refresh_item(doc, collection, &id, &mut self.responsibilities),
                "members" => refresh_item(doc, collection, &id, &mut self.members),
                "notices" => refresh_item(doc, collection, &id, &mut self.notices),
                "pledges" => refresh_item(doc, collection, &id, &mut self.pledges),
                "boards" => refresh_item(doc, collection, &id, &mut self.boards),
                _ => refresh_item(doc, collection, &id, &mut self.tasks),
            };
            if let Err(reason) = outcome {
                self.unreadable.push(Unreadable { path, reason });
            }
        }
        self.unreadable.sort_by(|a, b| a.path.cmp(&b.path));
        self.leave_out_hidden();
        Ok(())
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

    /// Notices to show at `now`: inside their window and not expired; urgent first, then pinned,
    /// then the most recently shown.
    pub fn active_notices(&self, now: Timestamp) -> Vec<(&str, &Notice)> {
        let mut notices: Vec<_> = self.notices.iter().filter(|(_, n)| n.is_active(now)).map(|(id, n)| (id.as_str(), n)).collect();
        notices.sort_by(|a, b| {
            (b.1.urgent, b.1.pinned, b.1.shown_since()).cmp(&(a.1.urgent, a.1.pinned, a.1.shown_since())).then_with(|| a.0.cmp(b.0))
        });
        notices
    }

    /// Notices that are not archived (whatever their window), newest first.
    pub fn current_notices(&self) -> Vec<(&str, &Notice)> {
        let mut notices: Vec<_> = self.notices.iter().filter(|(_, n)| !n.archived).map(|(id, n)| (id.as_str(), n)).collect();
        notices.sort_by(|a, b| b.1.created_at.cmp(&a.1.created_at).then_with(|| a.0.cmp(b.0)));
        notices
    }

    /// Categories that are not archived, in order.
    pub fn categories_in_order(&self) -> Vec<(&str, &Category)> {
        let mut categories: Vec<_> = self.categories.iter().filter(|(_, c)| !c.archived).map(|(id, c)| (id.as_str(), c)).collect();
        categories.sort_by(|a, b| a.1.position.cmp(&b.1.position).then_with(|| a.0.cmp(b.0)));
        categories
    }

    /// Boards that are not archived, in order.
    pub fn boards_in_order(&self) -> Vec<(&str, &Board)> {
        let mut boards: Vec<_> = self.boards.iter().filter(|(_, b)| !b.archived).map(|(id, b)| (id.as_str(), b)).collect();
        boards.sort_by(|a, b| a.1.position.cmp(&b.1.position).then_with(|| a.0.cmp(b.0)));
        boards
    }

    /// The tasks of one column of a board that are not archived, in order.
    pub fn column_tasks(&self, board: &str, column: &str) -> Vec<(&str, &Task)> {
        let mut tasks: Vec<_> = self
            .tasks
            .iter()
            .filter(|(_, t)| !t.archived && t.board == board && t.column == column)
            .map(|(id, t)| (id.as_str(), t))
            .collect();
        tasks.sort_by(|a, b| a.1.position.cmp(&b.1.position).then_with(|| a.0.cmp(b.0)));
        tasks
    }

    /// Tasks whose column is not a column of their board any more (e.g. removed while a neighbour
    /// moved a card into it). Screens show them in the board's first column so none is lost.
    pub fn orphan_tasks(&self, board: &str) -> Vec<(&str, &Task)> {
        let Some(b) = self.boards.get(board) else { return Vec::new() };
        self.tasks
            .iter()
            .filter(|(_, t)| !t.archived && t.board == board && b.columns.get(&t.column).is_none_or(|c| c.archived))
            .map(|(id, t)| (id.as_str(), t))
            .collect()
    }

    /// Pledges open for signing at `now`, newest first.
    pub fn open_pledges(&self, now: Timestamp) -> Vec<(&str, &Pledge)> {
        let mut pledges: Vec<_> =
            self.pledges.iter().filter(|(_, p)| p.is_open_for_signing(now)).map(|(id, p)| (id.as_str(), p)).collect();
        pledges.sort_by(|a, b| b.1.created_at.cmp(&a.1.created_at).then_with(|| a.0.cmp(b.0)));
        pledges
    }

    /// Response-time statistics over every resident request in the space.
    pub fn request_stats(&self) -> RequestStats {
        request_stats(self.tasks.values())
    }

    /// Requests not yet resolved, oldest first.
    pub fn open_requests(&self) -> Vec<(&str, &Task)> {
        let mut open: Vec<_> = self
            .tasks
            .iter()
            .filter(|(_, t)| !t.archived && t.request.as_ref().is_some_and(|r| r.resolved_at.is_none()))
            .map(|(id, t)| (id.as_str(), t))
            .collect();
        open.sort_by_key(|(id, t)| (t.request.as_ref().map(|r| r.raised_at), *id));
        open
    }

    /// The display name of a member, if known.
    pub fn member_name(&self, member: &str) -> Option<&str> {
        self.members.get(member).map(|m| m.name.as_str())
    }
}

/// Root settings read one by one from the materialized tree.
struct SettingsTree(Vec<(&'static str, automerge::hydrate::Value)>);

impl SettingsTree {
    fn get<T: FromTree>(&self, key: &str, unreadable: &mut Vec<Unreadable>) -> Option<T> {
        let (_, value) = self.0.iter().find(|(k, _)| *k == key)?;
        T::from_tree(value).map_err(|reason| unreadable.push(Unreadable { path: key.to_owned(), reason })).ok()
    }
}

/// Re-reads one item into its collection (removing it if it is gone).
fn refresh_item<T: FromTree>(doc: &AutoCommit, collection: &str, id: &str, items: &mut BTreeMap<String, T>) -> Result<(), String> {
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
    items.insert(id.to_owned(), T::from_tree(&value)?);
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
    match T::from_tree(value) {
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
        match T::from_tree(&item.value) {
            Ok(item) => {
                items.insert(id.clone(), item);
            }
            Err(reason) => unreadable.push(Unreadable { path: format!("{key}/{id}"), reason }),
        }
    }
    unreadable.sort_by(|a, b| a.path.cmp(&b.path));
    items
}

/// Categories every new space starts with, by fixed ID, in three languages.
const STARTER_CATEGORIES: [(&str, &str, &str, &str); 5] = [
    ("c000000000000001", "通知", "通知", "General"),
    ("c000000000000002", "维修", "維修", "Repairs"),
    ("c000000000000003", "安全", "安全", "Safety"),
    ("c000000000000004", "环境卫生", "環境衛生", "Environment"),
    ("c000000000000005", "活动", "活動", "Events"),
];

/// A new space document: its name, every collection and the starter categories (boards are made
/// by people, or by the app for the first resident request). The author writes the first change.
pub fn new_space(name: &str, author: &Author) -> AutoCommit {
    new_space_with(name, author, |_| {})
}

/// [`new_space`], with `first` adding to the first change (the sync layer's write key, which
/// protects a space from its first change on).
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
        moderation: BTreeMap::new(),
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
    moderation: BTreeMap<String, Moderation>,
}
