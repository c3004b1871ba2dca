//! What one document has in storage, and which writes keep storage up to date with it.
//!
//! Loading reads every snapshot and incremental chunk; saving appends an incremental chunk of the
//! changes since the last save, or compacts: writes one snapshot, then deletes only the chunks this
//! ledger loaded or wrote (another writer's new chunks survive). This is automerge-repo's scheme.

use automerge::{AutoCommit, AutomergeError, ChangeHash, LoadOptions, OnPartialLoad};

use crate::contain::contain;
use crate::storage_key::{ChunkKey, ChunkKind};
use crate::{DocumentId, StorageOp};

/// A chunk this ledger knows to be in storage.
#[derive(Debug, Clone)]
struct KnownChunk {
    key: ChunkKey,
    size: usize,
}

/// The storage bookkeeping of one document.
#[derive(Debug, Default)]
pub struct ChunkLedger {
    chunks: Vec<KnownChunk>,
    saved_heads: Vec<ChangeHash>,
    /// Set when some stored chunk was unreadable: compaction then deletes nothing.
    keep_everything: bool,
}

/// A chunk that could not be loaded; it stays in storage untouched.
#[derive(Debug, Clone, PartialEq)]
pub struct UnreadableChunk {
    pub key: ChunkKey,
    pub reason: String,
}

/// Below this snapshot size a save always compacts (as automerge-repo does).
const SMALL_SNAPSHOT: usize = 1024;

impl ChunkLedger {
    /// Builds a document from stored chunks (snapshots first, then incrementals, all at once as
    /// automerge-repo does), strictly: a chunk that does not parse whole is not silently cut short.
    /// If anything is unreadable, each chunk is checked on its own; the unreadable ones are
    /// reported and left in storage, the rest are loaded, and the ledger stops deleting chunks so
    /// that nothing is lost while someone looks at the damage.
    pub fn load(mut chunks: Vec<(ChunkKey, Vec<u8>)>) -> (AutoCommit, ChunkLedger, Vec<UnreadableChunk>) {
        chunks.sort_by(|a, b| a.0.kind.cmp(&b.0.kind).then_with(|| a.0.hash.cmp(&b.0.hash)));
        let joined: Vec<u8> = chunks.iter().flat_map(|(_, bytes)| bytes.iter().copied()).collect();
        let strict = || LoadOptions::new().on_partial_load(OnPartialLoad::Error);
        if let Ok(Ok(doc)) = contain(|| AutoCommit::load_with_options(&joined, strict())) {
            let mut ledger = ChunkLedger { chunks: chunks.into_iter().map(|(key, bytes)| KnownChunk { key, size: bytes.len() }).collect(), ..Default::default() };
            let mut doc = doc;
            ledger.saved_heads = doc.get_heads();
            return (doc, ledger, Vec::new());
        }
        let mut readable = Vec::new();
        let mut unreadable = Vec::new();
        for (key, bytes) in chunks {
            match contain(|| AutoCommit::load_with_options(&bytes, strict())) {
                Ok(Ok(_)) | Ok(Err(AutomergeError::MissingDeps)) => readable.push((key, bytes)),
                Ok(Err(error)) => unreadable.push(UnreadableChunk { key, reason: error.to_string() }),
                Err(panic) => unreadable.push(UnreadableChunk { key, reason: panic.to_string() }),
            }
        }
        let joined: Vec<u8> = readable.iter().flat_map(|(_, bytes)| bytes.iter().copied()).collect();
        let lenient = LoadOptions::new().on_partial_load(OnPartialLoad::Ignore);
        let mut doc = match contain(|| AutoCommit::load_with_options(&joined, lenient)) {
            Ok(Ok(doc)) => doc,
            Ok(Err(error)) => {
                let reason = format!("the readable chunks do not load together: {error}");
                unreadable.extend(readable.drain(..).map(|(key, _)| UnreadableChunk { key, reason: reason.clone() }));
                AutoCommit::new()
            }
            Err(panic) => {
                let reason = format!("the readable chunks do not load together: {panic}");
                unreadable.extend(readable.drain(..).map(|(key, _)| UnreadableChunk { key, reason: reason.clone() }));
                AutoCommit::new()
            }
        };
        let ledger =
            ChunkLedger { chunks: readable.into_iter().map(|(key, bytes)| KnownChunk { key, size: bytes.len() }).collect(), saved_heads: doc.get_heads(), keep_everything: true };
        (doc, ledger, unreadable)
    }

    /// The storage writes that bring storage up to `doc`; empty when nothing changed since the last
    /// save. Writes come before deletes, and the caller must run them in order.
    pub fn save(&mut self, document_id: DocumentId, doc: &mut AutoCommit) -> Vec<StorageOp> {
        let heads = doc.get_heads();
        if heads == self.saved_heads {
            return Vec::new();
        }
        let ops = if self.should_compact() { self.compact(document_id, doc, &heads) } else { self.append(document_id, doc) };
        self.saved_heads = heads;
        ops
    }

    /// Forgets what was saved, so the next save writes the whole document as one snapshot (after
    /// the driver failed a write, storage may lack any chunk written since the load).
    pub fn unsave_all(&mut self) {
        self.saved_heads.clear();
    }

    fn should_compact(&self) -> bool {
        let size_of = |kind| self.chunks.iter().filter(|c| c.key.kind == kind).map(|c| c.size).sum::<usize>();
        let snapshots = size_of(ChunkKind::Snapshot);
        self.saved_heads.is_empty() || snapshots < SMALL_SNAPSHOT || size_of(ChunkKind::Incremental) >= snapshots
    }

    fn append(&mut self, document_id: DocumentId, doc: &mut AutoCommit) -> Vec<StorageOp> {
        let bytes = doc.save_after(&self.saved_heads);
        let key = ChunkKey::incremental(document_id, &bytes);
        self.chunks.push(KnownChunk { key: key.clone(), size: bytes.len() });
        vec![StorageOp::Put { key, data: bytes }]
    }

    fn compact(&mut self, document_id: DocumentId, doc: &mut AutoCommit, heads: &[ChangeHash]) -> Vec<StorageOp> {
        let bytes = doc.save();
        let key = ChunkKey::snapshot(document_id, heads);
        let old = std::mem::replace(&mut self.chunks, vec![KnownChunk { key: key.clone(), size: bytes.len() }]);
        let mut ops = vec![StorageOp::Put { key: key.clone(), data: bytes }];
        if !self.keep_everything {
            ops.extend(old.into_iter().filter(|c| c.key != key).map(|c| StorageOp::Delete { key: c.key }));
        }
        ops
    }

    /// How many chunks this ledger knows in storage.
    pub fn chunk_count(&self) -> usize {
        self.chunks.len()
    }

    /// The bytes of the chunks this ledger knows in storage.
    pub fn stored_bytes(&self) -> usize {
        self.chunks.iter().map(|chunk| chunk.size).sum()
    }
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ROOT, ReadDoc};

    use super::*;

    /// Applies storage ops to an in-memory map, as a storage driver would.
    fn apply(store: &mut std::collections::BTreeMap<ChunkKey, Vec<u8>>, ops: Vec<StorageOp>) {
        for op in ops {
            match op {
                StorageOp::Put { key, data } => {
                    store.insert(key, data);
                }
                StorageOp::Delete { key } => {
                    store.remove(&key);
                }
                StorageOp::Load { .. } => unreachable!("a save never loads"),
            }
        }
    }

    #[test]
    fn saves_compacts_and_loads_back() {
        let id = DocumentId::from_bytes([9; 16]);
        let mut store = std::collections::BTreeMap::new();
        let mut doc = AutoCommit::new();
        let mut ledger = ChunkLedger::default();
        for i in 0..50 {
            doc.put(ROOT, format!("k{i}"), "x".repeat(100)).unwrap();
            doc.commit();
            apply(&mut store, ledger.save(id, &mut doc));
        }
        assert!(ledger.save(id, &mut doc).is_empty(), "nothing changed, nothing written");
        assert!(store.len() < 50, "compaction kept the chunk count down: {}", store.len());
        let (loaded, loaded_ledger, unreadable) = ChunkLedger::load(store.clone().into_iter().collect());
        assert!(unreadable.is_empty());
        assert_eq!(loaded_ledger.chunk_count(), store.len());
        assert_eq!(loaded.get(ROOT, "k49").unwrap().unwrap().0.as_str(), Some("x".repeat(100).as_str()));
    }

    /// A crash at any point of a compaction (after any number of its writes and deletes, which
    /// the drivers run as: every write, then the deletes) loses nothing that was stored before it,
    /// and once the snapshot is written, nothing at all.
    #[test]
    fn a_crash_at_any_step_of_a_compaction_loses_nothing_stored() {
        let id = DocumentId::from_bytes([9; 16]);
        let mut store = std::collections::BTreeMap::new();
        let mut doc = AutoCommit::new();
        let mut ledger = ChunkLedger::default();
        let mut compactions = 0;
        for i in 0..60 {
            let stored_heads = doc.get_heads();
            doc.put(ROOT, format!("k{i}"), "x".repeat(100)).unwrap();
            doc.commit();
            let ops = ledger.save(id, &mut doc);
            if ops.iter().any(|op| matches!(op, StorageOp::Delete { .. })) {
                compactions += 1;
                assert!(matches!(ops[0], StorageOp::Put { .. }), "the snapshot is written first");
                for crash_after in 0..=ops.len() {
                    let mut on_disk = store.clone();
                    apply(&mut on_disk, ops[..crash_after].to_vec());
                    let (mut loaded, _, unreadable) = ChunkLedger::load(on_disk.into_iter().collect());
                    assert!(unreadable.is_empty());
                    let have = |doc: &mut AutoCommit, heads: &[ChangeHash]| heads.iter().all(|h| doc.get_change_by_hash(h).is_some());
                    assert!(have(&mut loaded, &stored_heads), "crash after {crash_after} of {} ops lost stored changes", ops.len());
                    if crash_after >= 1 {
                        let new_heads = doc.get_heads();
                        assert!(have(&mut loaded, &new_heads), "the written snapshot holds the new change");
                    }
                }
            }
            apply(&mut store, ops);
        }
        assert!(compactions >= 2, "the loop compacted ({compactions} times)");
    }

    #[test]
    fn an_unreadable_chunk_is_reported_and_kept() {
        let id = DocumentId::from_bytes([9; 16]);
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "a", 1).unwrap();
        let good = doc.save();
        let junk = vec![0x85, 0x6f, 0x4a, 0x83, 1, 2, 3];
        let chunks = vec![(ChunkKey::snapshot(id, &doc.get_heads()), good), (ChunkKey::incremental(id, &junk), junk.clone())];
        let (loaded, mut ledger, unreadable) = ChunkLedger::load(chunks);
        assert_eq!(unreadable.len(), 1);
        assert_eq!(unreadable[0].key, ChunkKey::incremental(id, &junk));
        assert!(loaded.get(ROOT, "a").unwrap().is_some());
        let mut loaded = loaded;
        loaded.put(ROOT, "b", 2).unwrap();
        let deletes: Vec<_> = ledger.save(id, &mut loaded).into_iter().filter_map(|op| if let StorageOp::Delete { key } = op { Some(key) } else { None }).collect();
        assert!(!deletes.contains(&ChunkKey::incremental(id, &junk)), "compaction must not delete what it could not read");
    }
}
