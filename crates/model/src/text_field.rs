//! Collaborative text fields (a notice's body, a pledge's text, a task's description) as plain
//! `String`s in the model, kept as Automerge text in the document: read whole, and written by the
//! smallest splice against what the document holds (Automerge's `update_text`), so two people
//! editing one text at once both keep their edits. Used through `#[autosurgeon(with = …)]`.

use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconciler};

/// Reads a text (or a plain string, as a JavaScript peer may write it); absent reads as empty.
pub fn hydrate<D: ReadDoc>(doc: &D, obj: &automerge::ObjId, prop: Prop<'_>) -> Result<String, HydrateError> {
    match doc.get(obj, &prop)? {
        None => Ok(String::new()),
        Some((automerge::Value::Object(automerge::ObjType::Text), text)) => Ok(doc.text(&text)?),
        Some(_) => String::hydrate(doc, obj, prop),
    }
}

/// Writes a text by splicing only what differs from the document's.
pub fn reconcile<R: Reconciler>(value: &str, mut reconciler: R) -> Result<(), R::Error> {
    use autosurgeon::reconcile::TextReconciler;
    reconciler.text()?.update(value)
}
