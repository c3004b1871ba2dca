//! What every change of a protected document must be, whatever it writes: it builds on the
//! changes it names, with operation counters above theirs (Lamport's rule, which Automerge's own
//! changes keep and Automerge does not check), and each actor's changes form one line — a
//! change builds on its actor's previous one. Automerge itself only refuses a repeated sequence
//! number, and panics on a gap.
//!
//! The line matters to the rules: an item made under an ID that carries its maker's mark can then
//! be made only once, since any later change of the same actor builds on it and finds the ID taken
//! (docs/capabilities.md, "New means new everywhere"). Without it, one actor could make the same
//! item twice from two old copies, and the second would compete with the first at its key.

use std::collections::{HashMap, HashSet};

use automerge::{AutoCommit, Change, ChangeHash};

/// Why a change breaks its lineage.
pub(crate) const NOT_IN_LINE: &str = "it does not build on its writer's previous change";
pub(crate) const COUNTERS: &str = "its operation counters do not follow the changes it builds on";
pub(crate) const FIRST_CHANGE: &str = "a document has one first change: this is not it";
pub(crate) const TOO_DEEP: &str = "it is too far from its writer's previous change to be checked";

/// Most changes walked to find a change's actor's previous one among its ancestors.
const MAX_WALK: usize = 50_000;

/// The latest change of each actor in a document: (seq, hash, max op).
#[derive(Debug, Default)]
pub(crate) struct Lines {
    latest: Option<HashMap<Vec<u8>, (u64, ChangeHash, u64)>>,
}

impl Lines {
    /// Forgets what it knew (the document was replaced or reloaded); rebuilt when next needed.
    pub fn forget(&mut self) {
        self.latest = None;
    }

    /// Learns the document's lines now, before changes are judged against a copy of it.
    pub fn prepare(&mut self, doc: &mut AutoCommit) {
        self.index(doc);
    }

    fn index(&mut self, doc: &mut AutoCommit) -> &mut HashMap<Vec<u8>, (u64, ChangeHash, u64)> {
        self.latest.get_or_insert_with(|| {
            let mut latest = HashMap::new();
            for meta in doc.get_changes_meta(&[]) {
                let actor = meta.actor.to_bytes().to_vec();
                let entry = latest.entry(actor).or_insert((0, meta.hash, 0));
                if meta.seq > entry.0 {
                    *entry = (meta.seq, meta.hash, meta.max_op);
                }
            }
            latest
        })
    }

    /// Notes changes now in the document (applied after [`Lines::check`], or made here).
    pub fn applied(&mut self, changes: &[Change]) {
        let Some(latest) = &mut self.latest else { return };
        for change in changes {
            let entry = latest.entry(change.actor_id().to_bytes().to_vec()).or_insert((0, change.hash(), 0));
            if change.seq() > entry.0 {
                *entry = (change.seq(), change.hash(), change.max_op());
            }
        }
    }

    /// Checks `change`, whose dependencies are all in `doc`: counters above its dependencies',
    /// and, after its actor's first change, its actor's previous change among its ancestors. A
    /// change without dependencies passes only as the first change of a document that had none
    /// (`first_allowed`).
    pub fn check(&mut self, doc: &mut AutoCommit, change: &Change, first_allowed: bool) -> Result<(), &'static str> {
        if change.deps().is_empty() {
            return if first_allowed { Ok(()) } else { Err(FIRST_CHANGE) };
        }
        let mut highest = 0;
        for dep in change.deps() {
            highest = highest.max(doc.get_change_meta_by_hash(dep).map_or(0, |meta| meta.max_op));
        }
        if change.start_op().get() <= highest {
            return Err(COUNTERS);
        }
        let actor = change.actor_id().to_bytes().to_vec();
        let previous = self.index(doc).get(&actor).copied();
        match (change.seq(), previous) {
            (1, None) => Ok(()),
            (seq, Some((latest, hash, max_op))) if seq == latest + 1 => {
                if change.start_op().get() <= max_op {
                    return Err(COUNTERS);
                }
                builds_on(doc, change.deps(), hash, max_op)
            }
            _ => Err(NOT_IN_LINE),
        }
    }
}

/// Whether `target` (whose last operation counter is `target_max`) is among the ancestors of
/// `heads`. A change that descends from it has higher counters, so the walk leaves out every
/// change whose counters end below the target's.
fn builds_on(doc: &mut AutoCommit, heads: &[ChangeHash], target: ChangeHash, target_max: u64) -> Result<(), &'static str> {
    let mut stack: Vec<ChangeHash> = heads.to_vec();
    let mut seen: HashSet<ChangeHash> = HashSet::new();
    while let Some(hash) = stack.pop() {
        if hash == target {
            return Ok(());
        }
        if !seen.insert(hash) {
            continue;
        }
        if seen.len() > MAX_WALK {
            return Err(TOO_DEEP);
        }
        let Some(meta) = doc.get_change_meta_by_hash(&hash) else { continue };
        if meta.max_op < target_max {
            continue;
        }
        stack.extend(meta.deps.iter().copied());
    }
    Err(NOT_IN_LINE)
}
