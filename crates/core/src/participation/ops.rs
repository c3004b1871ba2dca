//! A change's operations as the rules see them: each with the path of the object it acts on
//! (`["pledges", "<id>", "signatures"]`), read from the document as it was at the change's
//! dependencies — what the change was built on — so that every peer, whatever else it holds,
//! reads the same and reaches the same verdict. Objects the change makes itself are placed from
//! its own operations.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use automerge::legacy::{Key, ObjectId, OpId, OpType};
use automerge::{AutoCommit, ChangeHash, ExpandedChange, ObjId, ObjType, Prop, ROOT, ReadDoc, ScalarValue, Value};

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
    /// Map keys from the root; list and text elements are `#`.
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
    /// The object was made by this change.
    pub in_new_object: bool,
    /// The map key it writes, or `None` for an element of a list or text.
    pub key: Option<&'a str>,
    pub action: &'a OpType,
    /// It replaces or removes a value that was there (its predecessors are not empty).
    pub overwrites: bool,
    /// Nothing was at this map key when the change was made, nor earlier in the change.
    pub fresh_key: bool,
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
}

/// Why a change could not be placed.
pub(crate) const UNKNOWN_OBJECT: &str = "it refers to something that was not there when it was made";
pub(crate) const MISSING_DEPENDENCIES: &str = "it builds on changes this peer does not have";

/// A change placed in the document as it was when the change was made.
pub(crate) struct Placed<'c> {
    pub ops: Vec<PlacedOp<'c>>,
    /// The change's dependencies: reads of the document are made as of them.
    deps: Vec<ChangeHash>,
    /// Scalars the change writes, by full path (the last write wins).
    values: HashMap<Vec<String>, ScalarValue>,
}

/// Places the operations of `change`, whose dependencies must all be in `doc`. `Err` says why
/// it cannot be placed.
pub(crate) fn place<'c>(doc: &AutoCommit, change: &'c ExpandedChange) -> Result<Placed<'c>, (String, &'static str)> {
    let deps = change.deps.clone();
    if !doc.get_missing_deps(&deps).is_empty() {
        return Err((String::new(), MISSING_DEPENDENCIES));
    }
    let mut made: HashMap<ObjKey, Place> = HashMap::new();
    let mut found: HashMap<ObjKey, Place> = HashMap::new();
    let mut keys: HashSet<(ObjKey, String)> = HashSet::new();
    let mut values = HashMap::new();
    let mut ops = Vec::with_capacity(change.operations.len());
    let actor = change.actor_id.to_bytes().to_vec();
    let start = change.start_op.get();
    for (n, op) in change.operations.iter().enumerate() {
        let obj = object_key(&op.obj);
        let (place, in_new_object) = match made.get(&obj) {
            Some(place) => (place.clone(), true),
            None => match found.get(&obj) {
                Some(place) => (place.clone(), false),
                None => {
                    let place = locate(doc, &op.obj, &deps).ok_or_else(|| (format!("{:?}", op.obj), UNKNOWN_OBJECT))?;
                    found.insert(obj.clone(), place.clone());
                    (place, false)
                }
            },
        };
        let key = match &op.key {
            Key::Map(key) => Some(key.as_str()),
            Key::Seq(_) => None,
        };
        let fresh_key = match (key, &place.existing) {
            (Some(key), Some(existing)) => {
                let there = doc.get_all_at(existing, key, &deps).map(|values| !values.is_empty()).unwrap_or(true);
                !there && !keys.contains(&(obj.clone(), key.to_owned()))
            }
            (Some(key), None) => !keys.contains(&(obj.clone(), key.to_owned())),
            (None, _) => false,
        };
        let mut written: Vec<String> = place.path.to_vec();
        written.push(key.unwrap_or("#").to_owned());
        match &op.action {
            OpType::Make(_) => {
                made.insert((start + n as u64, actor.clone()), Place { path: written.into(), existing: None });
            }
            OpType::Put(value) if key.is_some() => {
                values.insert(written, value.clone());
            }
            _ => {}
        }
        if let Some(key) = key {
            keys.insert((obj, key.to_owned()));
        }
        ops.push(PlacedOp { path: place.path.clone(), in_new_object, key, action: &op.action, overwrites: !op.pred.is_empty(), fresh_key });
    }
    Ok(Placed { ops, deps, values })
}

/// Where an object the change acts on is, if it was in the document when the change was made:
/// its path (which never changes), once it is seen in its parent as of the change's dependencies.
fn locate(doc: &AutoCommit, obj: &ObjectId, deps: &[ChangeHash]) -> Option<Place> {
    let ObjectId::Id(id) = obj else {
        return Some(Place { path: Rc::from(Vec::new()), existing: Some(ROOT) });
    };
    let exid = doc.import_obj(&format!("{}@{}", id.counter(), id.actor())).ok()?;
    doc.object_type(&exid).ok()?;
    let parents: Vec<(ObjId, Prop)> = doc.parents(&exid).ok()?.map(|parent| (parent.obj, parent.prop)).collect();
    // Made before the change was? Then its parent held it, as of the change's dependencies.
    if let Some((parent, Prop::Map(key))) = parents.first() {
        let held = doc.get_all_at(parent, key.as_str(), deps).ok()?;
        if !held.iter().any(|(_, id)| *id == exid) {
            return None;
        }
    }
    let mut path: Vec<String> = parents
        .into_iter()
        .map(|(_, prop)| match prop {
            Prop::Map(key) => key,
            Prop::Seq(_) => "#".to_owned(),
        })
        .collect();
    path.reverse();
    Some(Place { path: path.into(), existing: Some(exid) })
}

impl Placed<'_> {
    /// A scalar at `path`: as the change writes it, else as the document had it when the change
    /// was made.
    pub fn scalar_at(&self, doc: &AutoCommit, path: &[&str]) -> Option<ScalarValue> {
        let owned: Vec<String> = path.iter().map(|s| (*s).to_owned()).collect();
        if let Some(value) = self.values.get(&owned) {
            return Some(value.clone());
        }
        self.scalar_before(doc, path)
    }

    /// A scalar at `path` as the document had it when the change was made (what the change
    /// itself writes left out).
    pub fn scalar_before(&self, doc: &AutoCommit, path: &[&str]) -> Option<ScalarValue> {
        match self.value_before(doc, path)? {
            (Value::Scalar(value), _) => Some(value.into_owned()),
            _ => None,
        }
    }

    /// The keys of the map at `path` as the document had it when the change was made (empty if
    /// there was no map there).
    pub fn keys_before(&self, doc: &AutoCommit, path: &[&str]) -> Vec<String> {
        match self.value_before(doc, path) {
            Some((Value::Object(ObjType::Map), map)) => doc.keys_at(&map, &self.deps).collect(),
            _ => Vec::new(),
        }
    }

    /// What was at `path` when the change was made.
    fn value_before<'d>(&self, doc: &'d AutoCommit, path: &[&str]) -> Option<(Value<'d>, ObjId)> {
        let (last, parents) = path.split_last()?;
        let mut obj = ROOT;
        for segment in parents {
            match doc.get_at(&obj, *segment, &self.deps).ok()?? {
                (Value::Object(_), child) => obj = child,
                _ => return None,
            }
        }
        doc.get_at(&obj, *last, &self.deps).ok()?
    }

    /// Whether the change has no dependencies (it is the document's first).
    pub fn is_first(&self) -> bool {
        self.deps.is_empty()
    }
}
