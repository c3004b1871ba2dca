//! A change's operations as the rules see them: each with the path of the object it acts on
//! (`["pledges", "<id>", "signatures"]`), read from the document for objects that exist and from
//! the batch for objects that earlier operations made. A batch is the run of changes reviewed
//! together, in causal order, before any of them is applied.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use automerge::legacy::{Key, ObjectId, OpId, OpType};
use automerge::{AutoCommit, ExpandedChange, ObjType, Prop, ROOT, ReadDoc, ScalarValue, Value};

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
    /// The change of the batch that made it, if one did (else it was in the document).
    made_by: Option<usize>,
    /// The object in the document, for one that was there before the batch.
    existing: Option<automerge::ObjId>,
}

/// One operation, placed.
#[derive(Debug)]
pub(crate) struct PlacedOp<'a> {
    /// The path of the object it acts on.
    path: Rc<[String]>,
    /// The object was made by the change this operation belongs to.
    pub in_new_object: bool,
    /// The map key it writes, or `None` for an element of a list or text.
    pub key: Option<&'a str>,
    pub action: &'a OpType,
    /// It replaces or removes a value that was there (its predecessors are not empty).
    pub overwrites: bool,
    /// Nothing was at this map key, in the document or earlier in the batch.
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

/// What a batch has made so far: objects, keys and values, so that a later change of the batch
/// can be reviewed as if the earlier ones were applied. Each change is placed into a layer of
/// its own, which joins the batch only if the change is admitted: a refused change leaves no
/// trace that a later one could lean on.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    places: HashMap<ObjKey, Place>,
    /// Map keys written by the batch: (object, key).
    keys: HashSet<(ObjKey, String)>,
    /// Scalars written by the batch, by full path (the last write wins).
    values: HashMap<Vec<String>, ScalarValue>,
}

/// Why an operation could not be placed.
pub(crate) const UNKNOWN_OBJECT: &str = "it refers to something this peer does not have";

impl Batch {
    /// Places the operations of `change` (the `index`-th of the batch). What they make, write and
    /// put goes into the returned layer (see [`Batch::absorb`]). `Err` names an object that could
    /// not be found.
    pub fn place<'c>(&self, doc: &AutoCommit, index: usize, change: &'c ExpandedChange) -> Result<(Vec<PlacedOp<'c>>, Batch), String> {
        let mut layer = Batch::default();
        let mut placed = Vec::with_capacity(change.operations.len());
        let actor = change.actor_id.to_bytes().to_vec();
        let start = change.start_op.get();
        for (n, op) in change.operations.iter().enumerate() {
            let place = self.locate(&mut layer, doc, &op.obj).ok_or_else(|| format!("{:?}", op.obj))?;
            let key = match &op.key {
                Key::Map(key) => Some(key.as_str()),
                Key::Seq(_) => None,
            };
            let obj = object_key(&op.obj);
            let fresh_key = match key {
                Some(key) => {
                    // Values this change wrote itself do not count: the document may be the one
                    // before the change (a peer's) or after it (one's own, reviewed once made).
                    let own = |id: &automerge::ObjId| match id {
                        automerge::ObjId::Id(counter, by, _) => by == &change.actor_id && (start..start + change.operations.len() as u64).contains(counter),
                        automerge::ObjId::Root => false,
                    };
                    let in_document = match &place.existing {
                        Some(existing) => doc.get_all(existing, key).map(|values| values.iter().any(|(_, id)| !own(id))).unwrap_or(true),
                        None => false,
                    };
                    let slot = (obj.clone(), key.to_owned());
                    !in_document && !self.keys.contains(&slot) && !layer.keys.contains(&slot)
                }
                None => false,
            };
            let mut written: Vec<String> = place.path.to_vec();
            written.push(key.unwrap_or("#").to_owned());
            match &op.action {
                OpType::Make(_) => {
                    layer.places.insert((start + n as u64, actor.clone()), Place { path: written.into(), made_by: Some(index), existing: None });
                }
                OpType::Put(value) if key.is_some() => {
                    layer.values.insert(written, value.clone());
                }
                _ => {}
            }
            if let Some(key) = key {
                layer.keys.insert((obj, key.to_owned()));
            }
            placed.push(PlacedOp {
                path: place.path.clone(),
                in_new_object: place.made_by == Some(index),
                key,
                action: &op.action,
                overwrites: !op.pred.is_empty(),
                fresh_key,
            });
        }
        Ok((placed, layer))
    }

    /// Adds an admitted change's layer to the batch.
    pub fn absorb(&mut self, layer: Batch) {
        self.places.extend(layer.places);
        self.keys.extend(layer.keys);
        self.values.extend(layer.values);
    }

    /// Where the object an operation acts on is: the root, one the batch (or this change) made,
    /// or one in the document (looked up once, then kept in the layer).
    fn locate(&self, layer: &mut Batch, doc: &AutoCommit, obj: &ObjectId) -> Option<Place> {
        let ObjectId::Id(id) = obj else {
            return Some(Place { path: Rc::from(Vec::new()), made_by: None, existing: Some(ROOT) });
        };
        let key = key_of(id);
        if let Some(place) = layer.places.get(&key).or_else(|| self.places.get(&key)) {
            return Some(place.clone());
        }
        let exid = doc.import_obj(&format!("{}@{}", id.counter(), id.actor())).ok()?;
        doc.object_type(&exid).ok()?;
        let mut path: Vec<String> = doc
            .parents(&exid)
            .ok()?
            .map(|parent| match parent.prop {
                Prop::Map(key) => key,
                Prop::Seq(_) => "#".to_owned(),
            })
            .collect();
        path.reverse();
        let place = Place { path: path.into(), made_by: None, existing: Some(exid) };
        layer.places.insert(key, place.clone());
        Some(place)
    }

    /// A scalar at `path`: as this change (`layer`) or the batch last wrote it, else as the
    /// document has it.
    pub fn scalar_at(&self, layer: &Batch, doc: &AutoCommit, path: &[&str]) -> Option<ScalarValue> {
        let owned: Vec<String> = path.iter().map(|s| (*s).to_owned()).collect();
        if let Some(value) = layer.values.get(&owned).or_else(|| self.values.get(&owned)) {
            return Some(value.clone());
        }
        let (last, parents) = path.split_last()?;
        let mut obj = ROOT;
        for segment in parents {
            match doc.get(&obj, *segment).ok()?? {
                (Value::Object(_), child) => obj = child,
                _ => return None,
            }
        }
        match doc.get(&obj, *last).ok()?? {
            (Value::Scalar(value), _) => Some(value.into_owned()),
            _ => None,
        }
    }
}
