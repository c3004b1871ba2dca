//! Sync messages carrying crafted changes: whatever a peer sends, the repo answers with a clean
//! refusal. A change that makes Automerge panic is contained: nothing of it is stored or
//! forwarded, the sender is disconnected, and the document is reloaded from storage.
//! Crashers found are kept in `tests/crashers/` and replayed in every run.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use linli_sync::automerge::sync::{Message as SyncMessage, MessageVersion};
use linli_sync::automerge::transaction::CommitOptions;
use linli_sync::automerge::transaction::Transactable;
use linli_sync::automerge::{ActorId, AutoCommit, ChangeHash, ROOT};
use linli_sync::{ChunkKey, CloseReason, Direction, DocumentId, Effects, Message, PeerMetadata, Repo, RepoConfig, StorageOp, codec};
use proptest::prelude::*;

const DOC: DocumentId = DocumentId::from_bytes([7; 16]);

/// A document with a few changes, saved in storage, and its changes as raw chunks.
fn sample() -> &'static (Vec<u8>, Vec<Vec<u8>>, Vec<ChangeHash>) {
    static SAMPLE: OnceLock<(Vec<u8>, Vec<Vec<u8>>, Vec<ChangeHash>)> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        // A fixed actor and fixed times: the same bytes in every run, so kept crashers replay.
        let mut doc = AutoCommit::new().with_actor(ActorId::from([1u8; 16].as_slice()));
        let commit = |doc: &mut AutoCommit| doc.commit_with(CommitOptions::default().with_time(0));
        doc.put(ROOT, "title", "Water off").unwrap();
        commit(&mut doc);
        let saved = doc.save();
        let base = doc.get_heads();
        let list = doc.put_object(ROOT, "items", linli_sync::automerge::ObjType::List).unwrap();
        for i in 0..5 {
            doc.insert(&list, i, format!("item {i}")).unwrap();
            commit(&mut doc);
        }
        let text = doc.put_object(ROOT, "body", linli_sync::automerge::ObjType::Text).unwrap();
        doc.splice_text(&text, 0, 0, "Tuesday 9–12").unwrap();
        commit(&mut doc);
        let changes = doc.get_changes(&base).into_iter().map(|c| c.raw_bytes().to_vec()).collect();
        (saved, changes, doc.get_heads())
    })
}

/// A relay repo holding the sample document, with a joined peer on connection 1.
fn relay_with_peer() -> (Repo, BTreeMap<ChunkKey, Vec<u8>>) {
    let mut repo = Repo::new(RepoConfig {
        peer_id: "relay".into(),
        metadata: PeerMetadata::default(),
        announce_to_incoming: false,
        announce_to_outgoing: true,
        session_id: "s".into(),
        persist: true,
        rules: Some(linli_core::participation::SpaceRules::shared()),
    });
    let mut storage = BTreeMap::new();
    let mut doc = linli_sync::automerge::AutoCommit::load(&sample().0).unwrap();
    storage.insert(ChunkKey::snapshot(DOC, &doc.get_heads()), sample().0.clone());
    repo.connected(1, Direction::Incoming);
    let join = Message::Join { sender_id: "peer".into(), peer_metadata: PeerMetadata::default(), supported_protocol_versions: None };
    repo.received(1, &codec::encode(&join));
    (repo, storage)
}

/// Runs storage effects against `storage` (loads feed back), returning every effect seen.
fn drive(repo: &mut Repo, storage: &mut BTreeMap<ChunkKey, Vec<u8>>, fx: Effects) -> Effects {
    let mut all = Effects::default();
    let mut queue = vec![fx];
    while let Some(fx) = queue.pop() {
        for op in &fx.storage {
            match op {
                StorageOp::Put { key, data } => {
                    storage.insert(key.clone(), data.clone());
                }
                StorageOp::Delete { key } => {
                    storage.remove(key);
                }
                StorageOp::Load { document_id } => {
                    let chunks = storage.iter().filter(|(k, _)| k.document_id == *document_id).map(|(k, v)| (k.clone(), v.clone())).collect();
                    queue.push(repo.loaded(*document_id, chunks));
                }
            }
        }
        all.extend(fx);
    }
    all
}

/// The frame a peer would send: a sync message with these change chunks.
fn sync_frame(changes: Vec<Vec<u8>>) -> Vec<u8> {
    let message = SyncMessage { heads: sample().2.clone(), need: Vec::new(), have: Vec::new(), changes: changes.into(), flags: None, version: MessageVersion::V1 };
    codec::encode(&Message::Sync {
        sender_id: "peer".into(),
        target_id: "relay".into(),
        document_id: DOC,
        data: message.encode(),
        signatures: Vec::new(),
        member_signatures: Vec::new(),
        receipts: Vec::new(),
    })
}

/// Recomputes the checksum of an Automerge chunk (magic, checksum, type, LEB128 length, data).
fn fix_checksum(mut bytes: Vec<u8>) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    if bytes.len() < 9 {
        return bytes;
    }
    let digest = Sha256::digest(&bytes[8..]);
    bytes[4..8].copy_from_slice(&digest[..4]);
    bytes
}

/// What happened when the relay received `frame`: was the sender closed, and did Automerge panic.
fn outcome(frame: &[u8]) -> (Option<CloseReason>, Vec<StorageOp>, Effects, BTreeMap<ChunkKey, Vec<u8>>) {
    let (mut repo, mut storage) = relay_with_peer();
    let fx = repo.received(1, frame);
    let fx = drive(&mut repo, &mut storage, fx);
    let close = fx.closes.iter().find(|(c, _)| *c == 1).map(|(_, r)| r.clone());
    let writes = fx.storage.iter().filter(|op| matches!(op, StorageOp::Put { .. })).cloned().collect();
    (close, writes, fx, storage)
}

fn panicked(close: &Option<CloseReason>) -> bool {
    matches!(close, Some(CloseReason::BadData(reason)) if reason.contains("panicked"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("LINLI_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256), ..ProptestConfig::default() })]

    #[test]
    fn crafted_changes_are_refused_or_applied_never_crash(
        which in 0usize..7,
        flips in prop::collection::vec((any::<usize>(), any::<u8>()), 1..4),
    ) {
        let changes = &sample().1;
        let mut crafted = changes[which % changes.len()].clone();
        for (at, value) in flips {
            let n = crafted.len();
            if n > 12 {
                crafted[12 + at % (n - 12)] = value;
            }
        }
        let frame = sync_frame(vec![fix_checksum(crafted)]);
        let (close, writes, _, _) = outcome(&frame);
        if panicked(&close) {
            prop_assert!(writes.is_empty(), "nothing of a change that made Automerge panic is stored");
            if std::env::var_os("LINLI_FUZZ_SAVE").is_some() {
                let hash = frame.iter().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100000001b3));
                let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/crashers");
                std::fs::write(dir.join(format!("{hash:016x}.bin")), &frame).unwrap();
            }
        }
    }
}

#[test]
fn honest_changes_are_applied_and_stored() {
    let (close, writes, _, _) = outcome(&sync_frame(sample().1.clone()));
    assert_eq!(close, None);
    assert!(!writes.is_empty(), "the new changes are written before anything is sent");
}

#[test]
fn every_kept_sync_crasher_is_contained() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/crashers");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/crashers exists") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "bin") {
            continue;
        }
        seen += 1;
        let (close, writes, fx, storage) = outcome(&std::fs::read(&path).unwrap());
        assert!(panicked(&close), "{}: the sender is disconnected for bad data, got {close:?}", path.display());
        assert!(writes.is_empty(), "{}: nothing of it is stored", path.display());
        assert!(fx.sends.iter().all(|(conn, _)| *conn == 1), "{}: nothing is forwarded", path.display());
        assert!(fx.storage.iter().any(|op| matches!(op, StorageOp::Load { .. })), "{}: the document is reloaded", path.display());
        let stored: Vec<_> = storage.keys().collect();
        assert_eq!(stored.len(), 1, "{}: storage holds only what it held before", path.display());
    }
    assert!(seen > 0, "the sync crasher corpus in {} is empty", dir.display());
}
