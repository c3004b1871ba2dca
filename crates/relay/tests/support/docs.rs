//! Small documents and reads the tests share.

use linli_sync::DocumentId;
use linli_sync::automerge::transaction::Transactable;
use linli_sync::automerge::{AutoCommit, ROOT, ReadDoc};

use super::client::State;

/// A document with one string under `key`.
pub fn doc_with(key: &str, value: &str) -> AutoCommit {
    let mut doc = AutoCommit::new();
    doc.put(ROOT, key, value).unwrap();
    doc.commit();
    doc
}

/// The string under `key` in a client's copy of a document.
pub fn read(state: &State, id: DocumentId, key: &str) -> Option<String> {
    state.repo.document(&id)?.get(ROOT, key).ok()??.0.into_string().ok()
}
