//! A change's operations as the rules see them: each with the path of the object it acts on
//! (`["pledges", "<id>", "signatures"]`), read from the document as it was at the change's
//! dependencies — what the change was built on — so that every peer, whatever else it holds,
//! reads the same and reaches the same verdict. Objects the change makes itself are placed from
//! its own operations. Reads go through [`AsOf`], which bounds what judging one change costs.
//!
//! A change writes each place once — one map key of an object (or removes it and writes it once,
//! as autosurgeon's reconcile does), one element of a list or text, one insertion point. Automerge keeps every operation ever made at a place and, for a change that
//! is not built on a peer's current heads, finds each new operation's spot among those already
//! there; a change writing one place thousands of times (a resident renaming themselves 11,990
//! times, typing backwards, bumping a counter) costs each peer the product of the two — 250 ms to
//! over a second on a 10,000-item space once the place holds one such change. No change Linli makes
//! writes a place twice, so such a change is refused before it is read or applied.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use automerge::legacy::{ElementId, Key, ObjectId, OpId, OpType};
use automerge::{AutoCommit, ExpandedChange, ObjId, ObjType, ROOT, ScalarValue};

use super::as_of::{AsOf, Found, TOO_COSTLY};

/// An object as automerge's change operations name it: (counter, actor bytes); the root is
/// `(0, [])`.
type ObjKey = (u64, Vec<u8>);

fn object_key(obj: &ObjectId) -> ObjKey {
    match obj {
        ObjectId::Id(id) => key_of(id),
        ObjectId::Root => (0, Vec::new()),
    }
}

fn key_of(id: &OpId) -> ObjKey {
    (id.counter(), id.actor().to_bytes().to_vec())
}

/// Where an object is.
#[derive(Debug, Clone)]
struct Place {
    /// Map keys from the root.
    path: Rc<[String]>,
    /// The object in the document, for one that was there when the change was made; `None` for
    /// one the change itself makes.
    existing: Option<ObjId>,
}

/// One operation, placed.
#[derive(Debug)]
pub(crate) struct PlacedOp<'a> {
    /// The path of the object it acts on.
    path: Rc<[String]>,
    /// The object it acts on, if it was there when the change was made.
    pub existing: Option<ObjId>,
    /// The object was made by this change.
    pub in_new_object: bool,
    /// The map key it writes, or `None` for an element of a list or text.
    pub key: Option<&'a str>,
    pub action: &'a OpType,
    /// Whether it inserts a new element (of a list or text) rather than writing over one.
    pub insert: bool,
    /// Whether an earlier operation of this change wrote the same map key of the same object
    /// (only a removal may come before a write: see [`place`]).
    pub repeats_key: bool,
    /// It replaces or removes a value that was there (its predecessors are not empty).
    pub overwrites: bool,
    /// A removal of a map key that leaves nothing there: it names every value that stood (or
    /// nothing stood). A removal naming no value, or only some of a conflict's, leaves the rest.
    pub empties: bool,
}

impl PlacedOp<'_> {
    /// The path of what the operation writes: the object's path and the map key, or the
    /// object's path and `#` for an element of a list or text.
    pub fn target(&self) -> Vec<&str> {
        let mut target: Vec<&str> = self.path.iter().map(String::as_str).collect();
        target.push(self.key.unwrap_or("#"));
        target
    }

    pub fn value(&self) -> Option<&ScalarValue> {
        match self.action {
            OpType::Put(value) => Some(value),
            _ => None,
        }
    }

    pub fn makes(&self, kind: ObjType) -> bool {
        matches!(self.action, OpType::Make(made) if *made == kind)
    }

    /// Whether it makes an object (of any kind).
    pub fn makes_object(&self) -> bool {
        matches!(self.action, OpType::Make(_))
    }
}

/// Why a change could not be placed.
pub(crate) const UNKNOWN_OBJECT: &str = "it refers to something that was not there when it was made";
pub(crate) const MISSING_DEPENDENCIES: &str = "it builds on changes this peer does not have";
pub(crate) const MALFORMED_OP: &str = "one of its operations is malformed (an insertion into a map, or a removal or increment marked as an insertion)";
pub(crate) const REPLACES_WHAT_WAS_NOT_THERE: &str = "it claims to replace values that did not stand where it writes";
pub(crate) const WRITES_PLACE_TWICE: &str = "it writes one place more than once (a change writes each key, element or insertion point once, or removes a key and writes it once)";

/// A change placed in the document as it was when the change was made.
pub(crate) struct Placed<'c> {
    pub ops: Vec<PlacedOp<'c>>,
    /// The document as of the change's dependencies.
    pub before: AsOf<'c>,
    /// Scalars the change writes, by full path (the last write wins).
    values: HashMap<Vec<String>, ScalarValue>,
}

/// Places the operations of `change`, whose dependencies must all be in `doc`. `Err` says why
/// it cannot be placed (and where).
pub(crate) fn place<'c>(doc: &'c AutoCommit, change: &'c ExpandedChange) -> Result<Placed<'c>, (String, &'static str)> {
    let deps = change.deps.clone();
    if !automerge::ReadDoc::get_missing_deps(doc, &deps).is_empty() {
        return Err((String::new(), MISSING_DEPENDENCIES));
    }
    let before = AsOf::new(doc, deps);
    let mut made: HashMap<ObjKey, Rc<[String]>> = HashMap::new();
    let mut found: HashMap<ObjKey, Place> = HashMap::new();
    // Per map key: whether the change's writes there so far allow one more (only a removal does).
    let mut keys: HashMap<(ObjKey, &'c str), bool> = HashMap::new();
    let mut elements: HashSet<(ObjKey, &'c ElementId, bool)> = HashSet::new();
    let mut values = HashMap::new();
    let mut ops = Vec::with_capacity(change.operations.len());
    let actor = change.actor_id.to_bytes().to_vec();
    let start = change.start_op.get();
    // This change's own operations, by the place they write (object, then key or element).
    let mut own: HashMap<(ObjKey, Spot<'c>), Vec<ObjKey>> = HashMap::new();
    for (n, op) in change.operations.iter().enumerate() {
        let obj = object_key(&op.obj);
        let (place, in_new_object) = match made.get(&obj) {
            Some(path) => (Place { path: path.clone(), existing: None }, true),
            None => match found.get(&obj) {
                Some(place) => (place.clone(), false),
                None => {
                    let place = locate(&before, &op.obj).ok_or_else(|| (format!("{:?}", op.obj), UNKNOWN_OBJECT))?;
                    if !before.within_budget() {
                        return Err((place.path.join("/"), TOO_COSTLY));
                    }
                    found.insert(obj.clone(), place.clone());
                    (place, false)
                }
            },
        };
        let key = match &op.key {
            Key::Map(key) => Some(key.as_str()),
            Key::Seq(_) => None,
        };
        // Automerge takes some of these in on one peer and panics on them on another (by what
        // each already holds): refused everywhere, before anything is applied.
        if op.insert && (key.is_some() || matches!(op.action, OpType::Delete | OpType::Increment(_))) {
            return Err((place.path.join("/"), MALFORMED_OP));
        }
        let removes = matches!(op.action, OpType::Delete);
        let (allowed, repeats_key) = match &op.key {
            Key::Map(key) => match keys.insert((obj.clone(), key.as_str()), removes) {
                None => (true, false),
                Some(after_removal) => (after_removal && !removes, true),
            },
            Key::Seq(element) => (elements.insert((obj.clone(), element, op.insert)), false),
        };
        if !allowed {
            return Err((format!("{}/{}", place.path.join("/"), key.unwrap_or("#")), WRITES_PLACE_TWICE));
        }
        let spot = match &op.key {
            Key::Map(key) => Spot::Key(key.as_str()),
            Key::Seq(ElementId::Id(element)) if !op.insert => Spot::Element(key_of(element)),
            Key::Seq(_) => Spot::Insertion,
        };
        if !op.pred.is_empty() && !replaces_what_stood(&before, &place, &spot, op.pred.iter(), own.get(&(obj.clone(), spot.clone()))) {
            return Err((format!("{}/{}", place.path.join("/"), key.unwrap_or("#")), REPLACES_WHAT_WAS_NOT_THERE));
        }
        let empties = removes
            && match (&place.existing, key) {
                (Some(obj), Some(key)) => {
                    let named: Vec<ObjKey> = op.pred.iter().map(key_of).collect();
                    before.standing(obj, key).is_some_and(|standing| standing.iter().all(|id| named.contains(id)))
                }
                _ => true,
            };
        own.entry((obj.clone(), spot)).or_default().push((start + n as u64, actor.clone()));
        let mut written: Vec<String> = place.path.to_vec();
        written.push(key.unwrap_or("#").to_owned());
        match &op.action {
            OpType::Make(_) => {
                made.insert((start + n as u64, actor.clone()), written.into());
            }
            OpType::Put(value) if key.is_some() => {
                values.insert(written, value.clone());
            }
            _ => {}
        }
        ops.push(PlacedOp {
            path: place.path.clone(),
            existing: place.existing.clone(),
            in_new_object,
            key,
            action: &op.action,
            insert: op.insert,
            overwrites: !op.pred.is_empty(),
            empties,
            repeats_key,
        });
    }
    Ok(Placed { ops, before, values })
}

/// The place within an object that an operation writes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Spot<'c> {
    Key(&'c str),
    /// An element of a list or text, by the ID of the operation that inserted it.
    Element(ObjKey),
    /// A new element (an insertion replaces nothing).
    Insertion,
}

/// Whether every predecessor an operation names stood at the place it writes when the change was
/// made, or was written there earlier by the same change. Automerge does not check this: it
/// applies an operation naming a predecessor elsewhere (hiding that other value for some peers and
/// not others, by what each holds) and then fails to save the document. Honest operations name
/// exactly what they replace: the values at a map key (the winner and any conflicting ones); for
/// an element of a text, the character itself (text is only ever inserted and deleted); for an
/// element of a list, the values at that element.
fn replaces_what_stood<'p>(before: &AsOf<'_>, place: &Place, spot: &Spot<'_>, pred: impl IntoIterator<Item = &'p OpId>, own: Option<&Vec<ObjKey>>) -> bool {
    let mut named: Vec<ObjKey> = pred.into_iter().map(key_of).collect();
    named.retain(|id| !own.is_some_and(|own| own.contains(id)));
    if named.is_empty() {
        return true;
    }
    let Some(obj) = &place.existing else { return matches!(spot, Spot::Element(element) if named == [element.clone()]) };
    let standing = match spot {
        Spot::Key(key) => before.standing(obj, key),
        Spot::Element(element) if named == [element.clone()] => return true,
        Spot::Element(element) if automerge::ReadDoc::object_type(before.doc(), obj) == Ok(ObjType::List) => before.standing_at_element(obj, element),
        Spot::Element(_) | Spot::Insertion => None,
    };
    standing.is_some_and(|standing| named.iter().all(|id| standing.contains(id)))
}

/// Where an object the change acts on is, if it was in the document when the change was made.
fn locate(before: &AsOf<'_>, obj: &ObjectId) -> Option<Place> {
    let ObjectId::Id(id) = obj else {
        return Some(Place { path: Rc::from(Vec::new()), existing: Some(ROOT) });
    };
    let exid = before.doc().import_obj(&format!("{}@{}", id.counter(), id.actor())).ok()?;
    let path = before.path_of(&exid)?;
    Some(Place { path: path.into(), existing: Some(exid) })
}

impl Placed<'_> {
    /// A scalar at `path`: as the change writes it, else as the document had it when the change
    /// was made.
    pub fn scalar_at(&self, _doc: &AutoCommit, path: &[&str]) -> Option<ScalarValue> {
        let owned: Vec<String> = path.iter().map(|s| (*s).to_owned()).collect();
        if let Some(value) = self.values.get(&owned) {
            return Some(value.clone());
        }
        self.before.scalar(path)
    }

    /// A scalar at `path` as the document had it when the change was made (what the change
    /// itself writes left out).
    pub fn scalar_before(&self, _doc: &AutoCommit, path: &[&str]) -> Option<ScalarValue> {
        self.before.scalar(path)
    }

    /// The keys of the map at `path` as the document had it when the change was made (empty if
    /// there was no map there).
    pub fn keys_before(&self, _doc: &AutoCommit, path: &[&str]) -> Vec<String> {
        self.before.keys(path)
    }

    /// Whether an object of kind `kind` stood at `path` when the change was made.
    pub fn object_before(&self, path: &[&str], kind: ObjType) -> bool {
        matches!(self.before.at(path), Some(Found::Object(found, _)) if found == kind)
    }

    /// How many characters (or elements) the text (or list) at `path` held when the change was
    /// made.
    pub fn length_before(&self, path: &[&str]) -> usize {
        self.before.length(path)
    }

    /// The keys of the map of few entries `obj` when the change was made.
    pub fn keys_of(&self, obj: &ObjId) -> Vec<String> {
        self.before.keys_of(obj)
    }

    /// Whether anything stood at the map key `op` writes (in the object it writes to) when the
    /// change was made. Always false for an object the change makes.
    pub fn held_before(&self, op: &PlacedOp<'_>) -> bool {
        match (&op.existing, op.key) {
            (Some(obj), Some(key)) => self.before.held(obj, key),
            _ => false,
        }
    }

    /// Whether the operation writes a key that held nothing when the change was made, and that
    /// no earlier operation of the change wrote.
    pub fn fresh_key(&self, op: &PlacedOp<'_>) -> bool {
        op.key.is_some() && !op.repeats_key && !self.held_before(op)
    }

    /// Whether the change has no dependencies (it is the document's first).
    pub fn is_first(&self) -> bool {
        self.before.deps().is_empty()
    }
}
