//! Signatures vouch for ancestors: a change's hash covers its dependencies' hashes, so a valid
//! signature over one change proves every change it descends from. Messages therefore carry
//! only the few signatures that cover what they send (their heads, as a rule), and a receiver
//! accepts each change that is, or is an ancestor of, a validly signed one (docs/capabilities.md).
//!
//! A write-key signature vouches for every ancestor. A **member** signature vouches only for the
//! member's own chain: the change it signs, and the changes with the same actor reached from it
//! through dependencies of that actor. A resident therefore cannot launder someone else's change
//! by building on it: that change needs a signature of its own.

use std::collections::{HashMap, HashSet};

use automerge::{AutoCommit, Change, ChangeHash};

use crate::capability::ChangeSignature;
use crate::home_relay::Receipt;
use crate::member_key::MemberSignature;
use crate::signature_book::SignatureBook;

/// The fewest signatures from `book` that cover every change in `sent`: walking from the
/// descendants down, a change not yet covered that has a signature is chosen, and it covers all
/// its ancestors among `sent`. A change no signature covers stays uncovered (its cover went
/// earlier, in another message).
pub(crate) fn covering_signatures(doc: &mut AutoCommit, sent: &HashSet<ChangeHash>, book: &SignatureBook) -> Vec<ChangeSignature> {
    covering(doc, sent, |hash| book.get(hash))
}

/// The same for the home relay's receipts, which also vouch for every ancestor (`home_relay`).
pub(crate) fn covering_receipts(doc: &mut AutoCommit, sent: &HashSet<ChangeHash>, book: &SignatureBook) -> Vec<Receipt> {
    covering(doc, sent, |hash| book.receipt(hash))
}

/// The fewest of the signatures `signature_of` finds that cover every change in `sent`, each
/// covering all its ancestors.
fn covering<S>(doc: &mut AutoCommit, sent: &HashSet<ChangeHash>, signature_of: impl Fn(&ChangeHash) -> Option<S>) -> Vec<S> {
    let deps: HashMap<ChangeHash, Vec<ChangeHash>> = sent
        .iter()
        .map(|hash| {
            let deps = doc.get_change_meta_by_hash(hash).map(|meta| meta.deps).unwrap_or_default();
            (*hash, deps.into_iter().filter(|d| sent.contains(d)).collect())
        })
        .collect();
    let mut children: HashMap<ChangeHash, usize> = sent.iter().map(|h| (*h, 0)).collect();
    for dep in deps.values().flatten() {
        *children.get_mut(dep).expect("deps are filtered to sent") += 1;
    }
    let mut ready: Vec<ChangeHash> = children.iter().filter(|(_, n)| **n == 0).map(|(h, _)| *h).collect();
    let mut covered = HashSet::new();
    let mut chosen = Vec::new();
    while let Some(hash) = ready.pop() {
        if !covered.contains(&hash)
            && let Some(signature) = signature_of(&hash)
        {
            chosen.push(signature);
            let mut stack = vec![hash];
            while let Some(next) = stack.pop() {
                if covered.insert(next) {
                    stack.extend(deps[&next].iter().copied());
                }
            }
        }
        for dep in &deps[&hash] {
            let n = children.get_mut(dep).expect("deps are filtered to sent");
            *n -= 1;
            if *n == 0 {
                ready.push(*dep);
            }
        }
    }
    chosen
}

/// The incoming changes vouched for: those in `signed` or `ahead` (vouched by a signature that
/// came earlier) and all their ancestors among `incoming`. Dependencies that are neither here
/// nor in `doc` are vouched for too, and added to `ahead` to be accepted when they arrive
/// (bounded: past `limit` entries nothing more is remembered).
pub(crate) fn vouched(doc: &mut AutoCommit, incoming: &[Change], signed: &HashSet<ChangeHash>, ahead: &mut HashSet<ChangeHash>, limit: usize) -> HashSet<ChangeHash> {
    let by_hash: HashMap<ChangeHash, &Change> = incoming.iter().map(|c| (c.hash(), c)).collect();
    let mut out = HashSet::new();
    let mut stack: Vec<ChangeHash> = by_hash.keys().copied().filter(|h| signed.contains(h) || ahead.contains(h)).collect();
    while let Some(hash) = stack.pop() {
        match by_hash.get(&hash) {
            Some(change) => {
                if out.insert(hash) {
                    ahead.remove(&hash);
                    stack.extend(change.deps().iter().copied());
                }
            }
            None => {
                if ahead.len() < limit && doc.get_change_meta_by_hash(&hash).is_none() {
                    ahead.insert(hash);
                }
            }
        }
    }
    out
}

/// The fewest member signatures from `book` that cover every change in `sent` that has one:
/// walking from the descendants down, a change not yet covered that has a member signature is
/// chosen, and it covers the same actor's chain below it among `sent` (see the module docs).
pub(crate) fn covering_member_signatures(doc: &mut AutoCommit, sent: &HashSet<ChangeHash>, book: &SignatureBook) -> Vec<MemberSignature> {
    let meta: HashMap<ChangeHash, (Vec<u8>, Vec<ChangeHash>)> =
        sent.iter().filter_map(|hash| doc.get_change_meta_by_hash(hash).map(|meta| (*hash, (meta.actor.to_bytes().to_vec(), meta.deps)))).collect();
    let mut order: Vec<ChangeHash> = descendants_first(&meta);
    let mut covered = HashSet::new();
    let mut chosen = Vec::new();
    for hash in order.drain(..) {
        if covered.contains(&hash) {
            continue;
        }
        let Some(signature) = book.member(&hash) else { continue };
        chosen.push(signature);
        let actor = &meta[&hash].0;
        let mut stack = vec![hash];
        while let Some(next) = stack.pop() {
            if covered.insert(next) {
                stack.extend(meta[&next].1.iter().filter(|d| meta.get(*d).is_some_and(|(a, _)| a == actor)).copied());
            }
        }
    }
    chosen
}

/// `changes` ordered so that every change comes before its dependencies.
fn descendants_first(meta: &HashMap<ChangeHash, (Vec<u8>, Vec<ChangeHash>)>) -> Vec<ChangeHash> {
    let mut children: HashMap<ChangeHash, usize> = meta.keys().map(|h| (*h, 0)).collect();
    for (_, deps) in meta.values() {
        for dep in deps.iter().filter(|d| meta.contains_key(*d)) {
            *children.get_mut(dep).expect("filtered to known") += 1;
        }
    }
    let mut ready: Vec<ChangeHash> = children.iter().filter(|(_, n)| **n == 0).map(|(h, _)| *h).collect();
    ready.sort();
    let mut order = Vec::with_capacity(meta.len());
    while let Some(hash) = ready.pop() {
        order.push(hash);
        for dep in meta[&hash].1.iter().filter(|d| meta.contains_key(*d)) {
            let n = children.get_mut(dep).expect("filtered to known");
            *n -= 1;
            if *n == 0 {
                ready.push(*dep);
            }
        }
    }
    order
}

/// A member signature that vouches for a change, found by [`member_vouched`].
pub(crate) type MemberCover = HashMap<ChangeHash, MemberSignature>;

/// Which incoming changes a member signature vouches for, and by which: each change whose own
/// valid signature is offered or stored, and the same actor's chain below it among `incoming`.
/// A signature only counts for a change whose actor names the signing member. Dependencies of
/// that chain that are neither here nor in `doc` are remembered in `ahead` (with the actor they
/// must have), to be vouched for when they arrive; bounded by `limit`.
pub(crate) fn member_vouched(
    doc: &mut AutoCommit,
    incoming: &[Change],
    offered: &HashMap<ChangeHash, MemberSignature>,
    book: &SignatureBook,
    ahead: &mut HashMap<ChangeHash, (Vec<u8>, MemberSignature)>,
    limit: usize,
) -> MemberCover {
    let by_hash: HashMap<ChangeHash, &Change> = incoming.iter().map(|c| (c.hash(), c)).collect();
    let mut cover = MemberCover::new();
    let mut seeds: Vec<(ChangeHash, MemberSignature)> = Vec::new();
    for change in incoming {
        let hash = change.hash();
        let actor = change.actor_id().to_bytes();
        let own = offered.get(&hash).copied().or_else(|| book.member(&hash));
        if let Some(signature) = own.filter(|s| crate::member_key::actor_member(actor) == Some(s.member) && s.is_valid()) {
            seeds.push((hash, signature));
        } else if let Some((expected, signature)) = ahead.get(&hash)
            && expected.as_slice() == actor
        {
            seeds.push((hash, *signature));
        }
    }
    // A change's own signature covers it first: the later signature of the same member covers
    // only what has none of its own (in a link document the lower space moves its key in the
    // change that accepts, so its earlier changes are under the key before).
    for (seed, signature) in &seeds {
        cover.insert(*seed, *signature);
        ahead.remove(seed);
    }
    for (seed, signature) in seeds {
        let actor = by_hash[&seed].actor_id().to_bytes().to_vec();
        let mut stack: Vec<ChangeHash> = by_hash[&seed].deps().to_vec();
        while let Some(hash) = stack.pop() {
            match by_hash.get(&hash) {
                Some(change) if change.actor_id().to_bytes() == actor.as_slice() => {
                    // Already covered (by its own signature, or walked from another): its chain
                    // below is walked from there.
                    if let std::collections::hash_map::Entry::Vacant(entry) = cover.entry(hash) {
                        entry.insert(signature);
                        ahead.remove(&hash);
                        stack.extend(change.deps().iter().copied());
                    }
                }
                Some(_) => {}
                None => {
                    if ahead.len() < limit && doc.get_change_meta_by_hash(&hash).is_none() {
                        ahead.insert(hash, (actor.clone(), signature));
                    }
                }
            }
        }
    }
    cover
}

#[cfg(test)]
mod tests {
    use automerge::ROOT;
    use automerge::transaction::Transactable;

    use super::*;
    use crate::capability::WriteKey;

    /// A document with `n` changes in a row, each signed into the book.
    fn chain(n: usize, key: &WriteKey) -> (AutoCommit, SignatureBook, Vec<Change>) {
        let mut doc = AutoCommit::new();
        let mut book = SignatureBook::default();
        for i in 0..n {
            doc.put(ROOT, "n", i as i64).unwrap();
            doc.commit();
            book.insert(key.sign(doc.get_last_local_change().unwrap().hash()));
        }
        let changes = doc.get_changes(&[]);
        (doc, book, changes)
    }

    #[test]
    fn one_signature_covers_a_run_of_changes_and_each_branch_gets_its_own() {
        let key = WriteKey::from_seed([1; 32]);
        let (mut doc, mut book, changes) = chain(50, &key);
        let sent: HashSet<ChangeHash> = changes.iter().map(Change::hash).collect();
        let cover = covering_signatures(&mut doc, &sent, &book);
        assert_eq!(cover.iter().map(|s| s.hash).collect::<Vec<_>>(), doc.get_heads());

        let mut branch = doc.fork();
        branch.put(ROOT, "branch", true).unwrap();
        branch.commit();
        book.insert(key.sign(branch.get_last_local_change().unwrap().hash()));
        doc.put(ROOT, "main", true).unwrap();
        doc.commit();
        book.insert(key.sign(doc.get_last_local_change().unwrap().hash()));
        doc.merge(&mut branch).unwrap();
        let sent: HashSet<ChangeHash> = doc.get_changes(&[]).iter().map(Change::hash).collect();
        let mut covered: Vec<ChangeHash> = covering_signatures(&mut doc, &sent, &book).iter().map(|s| s.hash).collect();
        let mut heads = doc.get_heads();
        covered.sort();
        heads.sort();
        assert_eq!(covered, heads, "two heads, two signatures");
    }

    #[test]
    fn a_change_without_a_signature_that_covers_it_is_left_uncovered() {
        let key = WriteKey::from_seed([1; 32]);
        let (mut doc, _, changes) = chain(3, &key);
        let mut book = SignatureBook::default();
        book.insert(key.sign(changes[0].hash()));
        let sent: HashSet<ChangeHash> = changes.iter().map(Change::hash).collect();
        let cover = covering_signatures(&mut doc, &sent, &book);
        assert_eq!(cover.iter().map(|s| s.hash).collect::<Vec<_>>(), vec![changes[0].hash()]);
    }

    #[test]
    fn a_signature_vouches_for_ancestors_only_and_for_those_still_to_come() {
        let key = WriteKey::from_seed([1; 32]);
        let (_, _, changes) = chain(4, &key);
        let hashes: Vec<ChangeHash> = changes.iter().map(Change::hash).collect();
        let mut receiver = AutoCommit::new();
        receiver.apply_changes(vec![changes[0].clone()]).unwrap();
        let mut ahead = HashSet::new();
        // Changes 3 and 4 arrive (change 2 went missing), the head signed: 3 and 4 are vouched
        // for, and 2 is remembered as vouched for ahead.
        let got = vouched(&mut receiver, &changes[2..], &HashSet::from([hashes[3]]), &mut ahead, 10);
        assert_eq!(got, HashSet::from([hashes[2], hashes[3]]));
        assert_eq!(ahead, HashSet::from([hashes[1]]));
        // Change 2 arrives alone, unsigned: vouched for by the signature that came before.
        let got = vouched(&mut receiver, &changes[1..2], &HashSet::new(), &mut ahead, 10);
        assert_eq!(got, HashSet::from([hashes[1]]));
        assert!(ahead.is_empty());
        // A signature over change 3 vouches for nothing after it.
        let got = vouched(&mut receiver, &changes[1..], &HashSet::from([hashes[2]]), &mut HashSet::new(), 10);
        assert!(!got.contains(&hashes[3]));
    }
}
