//! The document as it was when a change was made (at the change's dependencies), read the way
//! the rules need it: each lookup made once per change and remembered, and counted.
//!
//! Reading a document "as of" heads that are not its current ones costs Automerge a walk of its
//! change graph on every call (it rebuilds a clock each time); a change built on an old copy could
//! otherwise make the rules read thousands of times (17.9 s for one crafted change on a
//! 10,000-change space). So every distinct lookup counts against [`MAX_LOOKUPS`], and a change
//! that needs more is refused: the count depends only on the change and on the document as of
//! its dependencies, so every peer reaches the same verdict. Honest changes need a handful.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use automerge::{AutoCommit, ChangeHash, Cursor, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};

/// An operation's ID as a change names it: (counter, actor bytes).
pub(crate) type OpKey = (u64, Vec<u8>);

fn op_key(id: &ObjId) -> Option<OpKey> {
    match id {
        ObjId::Id(counter, actor, _) => Some((*counter, actor.to_bytes().to_vec())),
        ObjId::Root => None,
    }
}

/// Most lookups the rules may make for one change. An honest change needs at most about twenty
/// (a vote: its consultation, whether it was closed, the option it chooses, its own slot).
pub(crate) const MAX_LOOKUPS: u32 = 64;

/// Why a change was refused for costing too much to judge.
pub(crate) const TOO_COSTLY: &str = "this change touches more of the space than one change may (it cannot be judged at a bounded cost)";

/// What stood at a place.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Found {
    Object(ObjType, ObjId),
    Scalar(ScalarValue),
}

/// The document at a change's dependencies.
pub(crate) struct AsOf<'d> {
    doc: &'d AutoCommit,
    deps: Vec<ChangeHash>,
    lookups: Cell<u32>,
    paths: RefCell<HashMap<Vec<String>, Option<Found>>>,
    standing: RefCell<HashMap<(ObjId, String), Option<Vec<OpKey>>>>,
    visible: RefCell<HashMap<ObjId, Option<Vec<String>>>>,
}

impl<'d> AsOf<'d> {
    pub fn new(doc: &'d AutoCommit, deps: Vec<ChangeHash>) -> Self {
        AsOf { doc, deps, lookups: Cell::new(0), paths: RefCell::default(), standing: RefCell::default(), visible: RefCell::default() }
    }

    pub fn doc(&self) -> &'d AutoCommit {
        self.doc
    }

    pub fn deps(&self) -> &[ChangeHash] {
        &self.deps
    }

    /// Whether the lookups made so far stay within [`MAX_LOOKUPS`].
    pub fn within_budget(&self) -> bool {
        self.lookups.get() <= MAX_LOOKUPS
    }

    fn count(&self) {
        self.lookups.set(self.lookups.get().saturating_add(1));
    }

    /// What stood at `path` (map keys from the root).
    pub fn at(&self, path: &[&str]) -> Option<Found> {
        let owned: Vec<String> = path.iter().map(|s| (*s).to_owned()).collect();
        if let Some(found) = self.paths.borrow().get(&owned) {
            return found.clone();
        }
        let found = match path.split_last() {
            None => Some(Found::Object(ObjType::Map, ROOT)),
            Some((last, parent)) => match self.at(parent) {
                Some(Found::Object(ObjType::Map, obj)) => self.get(&obj, last),
                _ => None,
            },
        };
        self.paths.borrow_mut().insert(owned, found.clone());
        found
    }

    /// The scalar at `path`, if a scalar stood there.
    pub fn scalar(&self, path: &[&str]) -> Option<ScalarValue> {
        match self.at(path)? {
            Found::Scalar(value) => Some(value),
            Found::Object(..) => None,
        }
    }

    /// The keys of the map at `path` (none if no map stood there).
    pub fn keys(&self, path: &[&str]) -> Vec<String> {
        match self.at(path) {
            Some(Found::Object(ObjType::Map, obj)) => {
                self.count();
                self.doc.keys_at(&obj, &self.deps).collect()
            }
            _ => Vec::new(),
        }
    }

    /// The keys of the map of few entries `obj`. Not counted against [`MAX_LOOKUPS`]: the rules
    /// keep such a map small (`schema::Shape::FewEntries`), so reading it whole costs little, and
    /// handing a private request with its comments to another team reads one per comment.
    pub fn keys_of(&self, obj: &ObjId) -> Vec<String> {
        self.doc.keys_at(obj, &self.deps).collect()
    }

    /// How many characters (or elements) the text (or list) at `path` held.
    pub fn length(&self, path: &[&str]) -> usize {
        match self.at(path) {
            Some(Found::Object(ObjType::Text | ObjType::List, obj)) => {
                self.count();
                self.doc.length_at(&obj, &self.deps)
            }
            _ => 0,
        }
    }

    /// The value Automerge shows at `key` of `obj`.
    fn get(&self, obj: &ObjId, key: &str) -> Option<Found> {
        self.count();
        match self.doc.get_at(obj, key, &self.deps).ok()?? {
            (Value::Object(kind), id) => Some(Found::Object(kind, id)),
            (Value::Scalar(value), _) => Some(Found::Scalar(value.into_owned())),
        }
    }

    /// Whether any value (a winner or a conflicting one) stood at `key` of `obj` (yes, should
    /// Automerge fail to say).
    pub fn held(&self, obj: &ObjId, key: &str) -> bool {
        self.standing(obj, key).is_none_or(|ops| !ops.is_empty())
    }

    /// The operations whose values stood at `key` of `obj` (the winner and any conflicting
    /// ones): what a change writing there names as its predecessors. `None` if Automerge cannot
    /// say.
    pub fn standing(&self, obj: &ObjId, key: &str) -> Option<Vec<OpKey>> {
        let entry = (obj.clone(), key.to_owned());
        if let Some(standing) = self.standing.borrow().get(&entry) {
            return standing.clone();
        }
        self.count();
        let standing = self.doc.get_all_at(obj, key, &self.deps).ok().map(|values| values.iter().filter_map(|(_, id)| op_key(id)).collect());
        self.standing.borrow_mut().insert(entry, standing.clone());
        standing
    }

    /// The operations whose values stood at the element `element` (the ID of the operation that
    /// inserted it) of the list `obj`; `None` if the element was not there (or deleted). A deleted
    /// element's position is that of the next element seen from after it and of the previous one
    /// seen from before it: the two agree only for an element that stands (or for a deleted
    /// first element, where both say 0: there the values of the element that follows are taken,
    /// a leftover that only an edit link's holder can reach, lists being organisers' alone).
    pub fn standing_at_element(&self, obj: &ObjId, element: &OpKey) -> Option<Vec<OpKey>> {
        let actor = automerge::ActorId::from(element.1.as_slice());
        let position = |prefix: &str| -> Option<usize> {
            let cursor = Cursor::try_from(format!("{prefix}{}@{}", element.0, actor)).ok()?;
            self.count();
            self.doc.get_cursor_position(obj, &cursor, Some(&self.deps)).ok()
        };
        let index = position("")?;
        if position("-")? != index {
            return None;
        }
        self.count();
        let values = self.doc.get_all_at(obj, index, &self.deps).ok()?;
        Some(values.iter().filter_map(|(_, id)| op_key(id)).collect())
    }

    /// The path (map keys from the root) of the map or text `obj`, if its parent held it when the
    /// change was made. Objects in a space live only in maps; one inside a list has no path here.
    /// (A path never changes: an object stays at the key it was made at.)
    pub fn path_of(&self, obj: &ObjId) -> Option<Vec<String>> {
        if let Some(path) = self.visible.borrow().get(obj) {
            return path.clone();
        }
        let path = self.reach(obj);
        self.visible.borrow_mut().insert(obj.clone(), path.clone());
        path
    }

    fn reach(&self, obj: &ObjId) -> Option<Vec<String>> {
        self.doc.object_type(obj).ok()?;
        let mut steps: Vec<(ObjId, String)> = Vec::new();
        for parent in self.doc.parents(obj).ok()? {
            match parent.prop {
                automerge::Prop::Map(key) => steps.push((parent.obj, key)),
                automerge::Prop::Seq(_) => return None,
            }
        }
        if let Some((parent, key)) = steps.first() {
            self.count();
            let held = self.doc.get_all_at(parent, key.as_str(), &self.deps).ok()?;
            if !held.iter().any(|(_, id)| id == obj) {
                return None;
            }
        }
        Some(steps.into_iter().rev().map(|(_, key)| key).collect())
    }
}
