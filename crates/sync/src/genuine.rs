//! A stored document under a certified ID holds only what descends from the first change its ID
//! certifies. A relay that took in a planted copy before it knew better (an older version) sets
//! the planted changes aside when it loads the document, so it neither serves them nor argues
//! about them with the relays that hold the genuine one.

use std::collections::HashSet;

use automerge::{AutoCommit, ChangeHash};

use crate::DocumentId;
use crate::capability::protection;

/// For a certified `id`: `doc` without the changes that do not descend from the first change its
/// ID certifies (`None` if it holds none such; an empty document if no first change is genuine).
pub(crate) fn without_planted(doc: &mut AutoCommit, id: &DocumentId) -> Option<AutoCommit> {
    if !id.is_certified() || doc.get_heads().is_empty() {
        return None;
    }
    let roots: Vec<ChangeHash> = doc.get_changes_meta(&[]).into_iter().filter(|meta| meta.deps.is_empty()).map(|meta| meta.hash).collect();
    let certifies = |doc: &mut AutoCommit, root: &ChangeHash| {
        let Some(change) = doc.get_change_by_hash(root) else { return false };
        let mut trial = AutoCommit::new();
        trial.apply_changes(vec![change]).is_ok() && protection(&trial).is_some_and(|key| id.certifies(&key))
    };
    if let [root] = roots.as_slice()
        && certifies(doc, root)
    {
        return None;
    }
    let genuine = roots.iter().copied().find(|root| certifies(doc, root));
    let mut kept: HashSet<ChangeHash> = HashSet::new();
    let mut clean = AutoCommit::new();
    let Some(genuine) = genuine else { return Some(clean) };
    let mut changes = Vec::new();
    for change in doc.get_changes(&[]) {
        let descends = if change.deps().is_empty() { change.hash() == genuine } else { change.deps().iter().all(|d| kept.contains(d)) };
        if descends {
            kept.insert(change.hash());
            changes.push(change);
        }
    }
    clean.apply_changes(changes).ok()?;
    Some(clean)
}
