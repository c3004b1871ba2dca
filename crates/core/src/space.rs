//! The space document as a whole: its layout, how to make one, and how to read it safely.
//!
//! Layout (root map): `schema`, `name`, `description`, `created_at`, `languages`, `categories`,
//! `kiosk`, `responsibilities`, `members`, `notices`, `pledges`, `boards`, `tasks`. Collections
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
use crate::lang::Names;
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

fn default_rotation() -> u64 {
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
    /// What could not be read (and was left out).
    pub unreadable: Vec<Unreadable>,
}

/// The three languages, as tags.
fn all_languages() -> Vec<String> {
    crate::Lang::ALL.iter().map(|l| l.tag().to_owned()).collect()
}

impl Space {
    /// Reads a space from its document. See the module docs for what is strict and what is not.
    pub fn hydrate(doc: &AutoCommit) -> Result<Space, SpaceError> {
        let schema = match doc.get(ROOT, "schema")? {
            Some((Value::Scalar(s), _)) => s.as_u64().or_else(|| s.as_i64().and_then(|v| u64::try_from(v).ok())),
            _ => None,
        };
        let Some(schema) = schema else { return Err(SpaceError::NotASpace) };
        if schema > crate::SCHEMA_VERSION {
            return Err(SpaceError::NewerSchema { found: schema, supported: crate::SCHEMA_VERSION });
        }
        let mut unreadable = Vec::new();
        let mut space = Space {
            schema,
            name: field(doc, "name", &mut unreadable).unwrap_or_default(),
            description: field(doc, "description", &mut unreadable).unwrap_or_default(),
            created_at: field(doc, "created_at", &mut unreadable).unwrap_or_default(),
            languages: field(doc, "languages", &mut unreadable).unwrap_or_else(all_languages),
            kiosk: field(doc, "kiosk", &mut unreadable).unwrap_or_default(),
            ..Space::default()
        };
        space.categories = collection(doc, "categories", &mut unreadable);
        space.responsibilities = collection(doc, "responsibilities", &mut unreadable);
        space.members = collection(doc, "members", &mut unreadable);
        space.notices = collection(doc, "notices", &mut unreadable);
        space.pledges = collection(doc, "pledges", &mut unreadable);
        space.boards = collection(doc, "boards", &mut unreadable);
        space.tasks = collection(doc, "tasks", &mut unreadable);
        space.unreadable = unreadable;
        Ok(space)
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

/// Reads one root field; a wrong type is noted in `unreadable` and reads as absent.
fn field<T: Hydrate>(doc: &AutoCommit, key: &str, unreadable: &mut Vec<Unreadable>) -> Option<T> {
    match doc.get(ROOT, key) {
        Ok(None) => None,
        Ok(Some(_)) => match autosurgeon::hydrate_prop(doc, ROOT, key) {
            Ok(value) => Some(value),
            Err(error) => {
                unreadable.push(Unreadable { path: key.to_owned(), reason: error.to_string() });
                None
            }
        },
        Err(error) => {
            unreadable.push(Unreadable { path: key.to_owned(), reason: error.to_string() });
            None
        }
    }
}

/// Reads a collection item by item, leaving out (and noting) the items that cannot be read.
fn collection<T: Hydrate>(doc: &AutoCommit, key: &str, unreadable: &mut Vec<Unreadable>) -> BTreeMap<String, T> {
    let mut items = BTreeMap::new();
    let map = match doc.get(ROOT, key) {
        Ok(Some((Value::Object(ObjType::Map), map))) => map,
        Ok(None) => return items,
        Ok(Some(_)) | Err(_) => {
            unreadable.push(Unreadable { path: key.to_owned(), reason: "not a map".into() });
            return items;
        }
    };
    for id in doc.keys(&map) {
        match autosurgeon::hydrate_prop::<_, T, _, _>(doc, &map, id.as_str()) {
            Ok(item) => {
                items.insert(id, item);
            }
            Err(error) => unreadable.push(Unreadable { path: format!("{key}/{id}"), reason: error.to_string() }),
        }
    }
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

/// A new space document: its name, every collection, the starter categories and a first task
/// board. The author writes the first change.
pub fn new_space(name: &str, author: &Author) -> AutoCommit {
    let mut doc = AutoCommit::new().with_actor(author.actor());
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
}
