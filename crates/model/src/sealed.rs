//! A private value as a space's document keeps it: ciphertext, and the key that opens it sealed to
//! each of its readers (linli-seal makes and opens these; docs/capabilities.md, "Private
//! requests").

use std::collections::BTreeMap;

#[cfg(feature = "automerge")]
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

/// A sealed value, e.g. a private request's title and details under `tasks/<id>/sealed`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Sealed {
    /// Base64: the sealer's one-time public key, the nonce and the ciphertext.
    pub body: String,
    /// Reader (an X25519 public key, 64 hex digits) → the content key sealed to it (base64).
    pub keys: BTreeMap<String, String>,
}

/// Whether a private part of a space could be read on this device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Privacy {
    /// Read here: its text is in place.
    Open,
    /// Not for this device (or damaged): its text is empty.
    Closed,
}

/// An optional sealed value (`#[autosurgeon(with = "crate::sealed::optional")]`): absent or null
/// reads as `None`, and `None` writes nothing, so an organiser's edit of an older item does not
/// add an empty place the rules would refuse to fill later.
#[cfg(feature = "automerge")]
pub mod optional {
    use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconcile, Reconciler};

    use super::Sealed;

    pub fn hydrate<D: ReadDoc>(doc: &D, obj: &automerge::ObjId, prop: Prop<'_>) -> Result<Option<Sealed>, HydrateError> {
        Option::<Sealed>::hydrate(doc, obj, prop)
    }

    pub fn reconcile<R: Reconciler>(value: &Option<Sealed>, reconciler: R) -> Result<(), R::Error> {
        match value {
            Some(sealed) => sealed.reconcile(reconciler),
            None => Ok(()),
        }
    }
}

/// A value this device works out and shows, never written to the document or read from it
/// (`#[autosurgeon(with = "crate::sealed::never_stored")]`): e.g. what it opened of a sealed one.
#[cfg(feature = "automerge")]
pub mod never_stored {
    use autosurgeon::{HydrateError, Prop, ReadDoc, Reconciler};

    pub fn hydrate<D: ReadDoc, T>(_doc: &D, _obj: &automerge::ObjId, _prop: Prop<'_>) -> Result<Option<T>, HydrateError> {
        Ok(None)
    }

    pub fn reconcile<R: Reconciler, T>(_value: &Option<T>, _reconciler: R) -> Result<(), R::Error> {
        Ok(())
    }
}
