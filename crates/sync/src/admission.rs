//! Which of a peer's incoming changes a document accepts: all of them for an open document; for a
//! protected one, only those signed with its write key (docs/capabilities.md).
//!
//! The write key in force is the document's own; for a document this peer does not have yet, the
//! one its first change (the change without dependencies) sets. A change that moves the key is
//! accepted only when signed by the key before it; changes signed by the new key then follow.
//! A signature vouches for the change it signs and all that change's ancestors (`vouching`), so a
//! message needs only the signatures of its heads. Everything else is refused: not applied, not
//! stored, so never forwarded.

use std::collections::{BTreeSet, HashMap, HashSet};

use automerge::sync::{self, ChunkList};
use automerge::{AutoCommit, Change, ChangeHash};

use crate::capability::{ChangeSignature, protection};
use crate::signature_book::SignatureBook;
use crate::vouching::vouched;

/// What became of an incoming sync message.
#[derive(Debug)]
pub(crate) enum Admission {
    /// The document is open: hand the message to Automerge unchanged.
    Open(sync::Message),
    /// The document is protected. The accepted changes are applied already and their signatures
    /// kept; `rest` carries no changes and, in place of refused heads, their nearest accepted
    /// ancestors, so that sync settles instead of asking for the refused changes again.
    Checked { rest: sync::Message, refused: usize },
}

/// What one document remembers between messages.
#[derive(Debug, Default)]
pub(crate) struct Remembered {
    /// Changes refused so far, by hash, with their dependencies: a peer that keeps a refused
    /// change names it among its heads in every message, and is heard as if it named the
    /// change's accepted ancestors (else both sides would answer each other for ever).
    refused: HashMap<ChangeHash, Vec<ChangeHash>>,
    /// Changes an accepted signature vouched for that have not arrived yet (sync may send a
    /// change after its descendants); they are accepted when they come.
    vouched_ahead: HashSet<ChangeHash>,
}

/// Past this many remembered refusals a document remembers no more (a flood costs bounded memory).
const MAX_REMEMBERED: usize = 10_000;

/// Decides on `message` and applies what it accepts to `doc`. Runs Automerge on untrusted bytes:
/// call it inside [`crate::contain`] and treat `doc` as poisoned after a panic.
pub(crate) fn admit(doc: &mut AutoCommit, message: sync::Message, offered: &[ChangeSignature], book: &mut SignatureBook, memory: &mut Remembered) -> Result<Admission, String> {
    if message.changes.is_empty() {
        if memory.refused.is_empty() {
            return Ok(Admission::Open(message));
        }
        let heads = settled_heads(doc, &message.heads, &memory.refused);
        return Ok(Admission::Checked { rest: sync::Message { heads, ..message }, refused: 0 });
    }
    let is_empty = doc.get_heads().is_empty();
    let mut key = protection(doc);
    if key.is_none() && !is_empty {
        return Ok(Admission::Open(message));
    }
    let (incoming, mut loaded) = changes_in(doc, &message.changes)?;
    if key.is_none() {
        key = genesis_key(&incoming)?;
        if key.is_none() {
            return Ok(Admission::Open(message));
        }
    }
    let offered: HashMap<ChangeHash, ChangeSignature> = offered.iter().map(|s| (s.hash, *s)).collect();
    let mut pending = incoming;
    let mut accepted_signatures: Vec<ChangeSignature> = Vec::new();
    while let Some(public) = key {
        let mut signed = HashSet::new();
        for change in &pending {
            let hash = change.hash();
            if let Some(signature) = offered.get(&hash).filter(|s| s.is_valid_under(&public)) {
                signed.insert(hash);
                accepted_signatures.push(*signature);
            } else if book.get(&hash).is_some_and(|s| s.is_valid_under(&public)) {
                signed.insert(hash);
            }
        }
        let vouched = vouched(doc, &pending, &signed, &mut memory.vouched_ahead, MAX_REMEMBERED);
        if vouched.is_empty() {
            break;
        }
        let (accepted, rest): (Vec<Change>, Vec<Change>) = pending.into_iter().partition(|change| vouched.contains(&change.hash()));
        pending = rest;
        match loaded.take() {
            // All of it accepted, and already loaded into a copy: take the copy.
            Some(copy) if pending.is_empty() => *doc = copy,
            _ => doc.apply_changes(accepted).map_err(|e| e.to_string())?,
        }
        let moved = protection(doc);
        if moved == key || pending.is_empty() {
            break;
        }
        key = moved;
    }
    for signature in accepted_signatures {
        book.insert(signature);
    }
    // Changes we had already (sent again) are not refusals.
    pending.retain(|change| doc.get_change_by_hash(&change.hash()).is_none());
    let refused = pending.len();
    for change in &pending {
        if memory.refused.len() < MAX_REMEMBERED {
            memory.refused.insert(change.hash(), change.deps().to_vec());
        }
    }
    let heads = settled_heads(doc, &message.heads, &memory.refused);
    let rest = sync::Message { heads, changes: ChunkList::empty(), ..message };
    Ok(Admission::Checked { rest, refused })
}

/// The changes carried by a sync message that `doc` does not have: change chunks, or a document
/// chunk (automerge sends a whole or partial saved document when there are many changes; a
/// partial one only loads on top of what the receiver has, so it is loaded into a copy of `doc`).
/// When the message held only document chunks, that copy comes back too: `doc` with every
/// incoming change applied, to take as it is if all of them are accepted.
fn changes_in(doc: &mut AutoCommit, chunks: &ChunkList) -> Result<(Vec<Change>, Option<AutoCommit>), String> {
    let mut changes = Vec::new();
    let mut documents = Vec::new();
    for chunk in chunks.iter() {
        match Change::from_bytes(chunk.to_vec()) {
            Ok(change) => changes.push(change),
            Err(_) => documents.push(chunk),
        }
    }
    if documents.is_empty() {
        return Ok((changes, None));
    }
    let only_documents = changes.is_empty();
    let mut copy = doc.clone();
    let before = copy.get_heads();
    for chunk in documents {
        copy.load_incremental(chunk).map_err(|e| format!("neither a change nor a document: {e}"))?;
    }
    changes.extend(copy.get_changes(&before));
    Ok((changes, only_documents.then_some(copy)))
}

/// The write key set by the document's first change (the one without dependencies), if the
/// message carries it. A Linli space is protected from its first change on.
fn genesis_key(incoming: &[Change]) -> Result<Option<[u8; 32]>, String> {
    let genesis: Vec<Change> = incoming.iter().filter(|c| c.deps().is_empty()).cloned().collect();
    let mut trial = AutoCommit::new();
    trial.apply_changes(genesis).map_err(|e| e.to_string())?;
    Ok(protection(&trial))
}

/// The peer's heads as this peer will remember them: each refused head replaced by its nearest
/// ancestors that were not refused, leaving out any of those that another head descends from
/// (so that a peer level with us, but for its refused changes, is heard as level with us).
fn settled_heads(doc: &mut AutoCommit, heads: &[ChangeHash], refused: &HashMap<ChangeHash, Vec<ChangeHash>>) -> Vec<ChangeHash> {
    let mut out = BTreeSet::new();
    let mut substituted = BTreeSet::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<(ChangeHash, bool)> = heads.iter().map(|h| (*h, false)).collect();
    while let Some((hash, is_substitute)) = stack.pop() {
        if !seen.insert(hash) {
            continue;
        }
        match refused.get(&hash) {
            Some(deps) => stack.extend(deps.iter().map(|d| (*d, true))),
            None => {
                out.insert(hash);
                if is_substitute {
                    substituted.insert(hash);
                }
            }
        }
    }
    for hash in substituted {
        let known: Vec<ChangeHash> = out.iter().copied().filter(|h| *h != hash && doc.get_change_by_hash(h).is_some()).collect();
        let is_ancestor = |doc: &mut AutoCommit, other: ChangeHash| !doc.get_changes(&[other]).iter().any(|c| c.hash() == hash);
        if known.into_iter().any(|other| is_ancestor(doc, other)) {
            out.remove(&hash);
        }
    }
    out.into_iter().collect()
}
