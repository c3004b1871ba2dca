//! What the relay acknowledged survives a SIGKILL, during sync and in the middle of a compaction;
//! and relays that federate keep each other's documents in sync both ways.

mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use linli_relay::RelayConfig;
use linli_sync::DocumentId;
use linli_sync::automerge::transaction::Transactable;
use linli_sync::automerge::{AutoCommit, ChangeHash, ROOT, ReadDoc};
use support::client::{Client, State};
use support::relay::TestRelay;
use support::relay_process::RelayProcess;

fn counter(state: &State, id: DocumentId) -> Option<i64> {
    state.repo.document(&id)?.get(ROOT, "count").ok()??.0.as_i64()
}

#[tokio::test(flavor = "multi_thread")]
async fn what_was_acknowledged_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let id = DocumentId::from_bytes([21; 16]);
    for round in 0..3u64 {
        let relay = RelayProcess::start(dir.path(), "127.0.0.1:0");
        let writer = Client::connect(&relay.ws_url(), &format!("writer-{round}")).await;
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "count", 0_i64).unwrap();
        doc.commit();
        if round == 0 {
            writer.create(id, doc);
        } else {
            writer.find(id);
            writer.until(|s| counter(s, id).is_some()).await;
        }
        // Count up quickly, one change each; remember the hash of every change made.
        let mut made: Vec<(i64, ChangeHash)> = Vec::new();
        let start = writer.with(|s| counter(s, id)).unwrap();
        for n in 1..=300 {
            let value = start + n;
            writer.change(id, |doc| {
                doc.put(ROOT, "count", value).unwrap();
            });
            made.push((value, writer.with(|s| s.repo.document(&id).unwrap().clone().get_heads()[0])));
            if n % 50 == 0 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
        // Kill the relay while changes are still flowing in, without warning.
        tokio::time::sleep(Duration::from_millis(20 * (round + 1))).await;
        let acknowledged_heads = writer.with(|s| s.relay_heads.get(&id).cloned().unwrap_or_default());
        relay.kill();
        let acknowledged = made.iter().filter(|(_, hash)| acknowledged_heads.contains(hash)).map(|(v, _)| *v).max();

        let relay = RelayProcess::start(dir.path(), "127.0.0.1:0");
        let reader = Client::connect(&relay.ws_url(), &format!("reader-{round}")).await;
        reader.find(id);
        reader.until(|s| counter(s, id).is_some()).await;
        let survived = reader.with(|s| counter(s, id)).unwrap();
        if let Some(acknowledged) = acknowledged {
            assert!(survived >= acknowledged, "round {round}: the relay acknowledged {acknowledged} but kept only {survived}");
        }
        // The writer comes back and the rest reconverges.
        let back = Client::connect(&relay.ws_url(), &format!("writer-back-{round}")).await;
        let doc = writer.with(|s| s.repo.document(&id).unwrap().clone());
        let last = start + 300;
        back.create(id, doc);
        reader.until(|s| counter(s, id) == Some(last)).await;
    }
}

/// Where in a compaction (write the new snapshot, then delete the chunks it replaces) a round
/// kills the relay.
#[derive(Debug, Clone, Copy)]
enum KillPoint {
    /// While the new snapshot is being written (its temporary file is there).
    WritingSnapshot,
    /// Once the new snapshot is in place, before the snapshot it replaces is deleted.
    DeletingSnapshot,
    /// Once the snapshot it replaces is deleted, before the incremental chunks are.
    DeletingIncrementals,
}

/// The rounds: where in a compaction the relay is killed, in the first compaction after how many
/// changes, and how many changes the writer keeps unacknowledged. Below 1 KiB of snapshot every
/// store is a compaction; above, incremental chunks pile up until they outweigh the snapshot, and
/// a compaction then deletes all of them, 6 to 15 here (`chunk_ledger.rs`).
const ROUNDS: [(KillPoint, usize, usize); 8] = [
    (KillPoint::WritingSnapshot, 1, 1),
    (KillPoint::DeletingSnapshot, 2, 2),
    (KillPoint::WritingSnapshot, 12, 3),
    (KillPoint::DeletingSnapshot, 20, 1),
    (KillPoint::WritingSnapshot, 45, 2),
    (KillPoint::DeletingSnapshot, 60, 1),
    (KillPoint::DeletingIncrementals, 40, 1),
    (KillPoint::DeletingIncrementals, 80, 1),
];

/// Most changes a round makes (it normally ends much sooner, when the relay is killed).
const MOST_CHANGES: usize = 400;

/// A document's folder in the relay's data folder (NodeFS layout, see `folder_store.rs`).
fn document_folder(data: &Path, id: DocumentId) -> PathBuf {
    let id = id.to_string();
    data.join(&id[..2]).join(&id[2..])
}

fn file_names(folder: &Path) -> Vec<String> {
    match std::fs::read_dir(folder) {
        Ok(entries) => entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect(),
        Err(_) => Vec::new(),
    }
}

/// What the writer tells the thread that kills the relay.
#[derive(Default)]
struct Progress {
    changes: AtomicUsize,
    done: AtomicBool,
}

/// Watches a document's folder from outside the relay and SIGKILLs the relay at `point` of the
/// first compaction after the writer's `after`th change (or once the writer is done, or after
/// 5 s, if it never sees one). A snapshot is written as `.<name>.tmp`, renamed to `<name>`, then
/// the chunks it replaces are deleted.
fn kill_during_compaction(relay: RelayProcess, folder: &Path, point: KillPoint, after: usize, writer: &Progress) {
    // tokio's clock, which works outside a runtime too (std's is not allowed in this workspace).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let (snapshots, incrementals) = (folder.join("snapshot"), folder.join("incremental"));
    // The snapshot while no compaction runs: one snapshot alone, or with the chunks stored since.
    let mut settled: Option<String> = None;
    while !writer.done.load(Ordering::Relaxed) && tokio::time::Instant::now() < deadline {
        let names = file_names(&snapshots);
        let writing = names.iter().any(|n| n.ends_with(".tmp"));
        let in_place: Vec<&String> = names.iter().filter(|n| !n.ends_with(".tmp")).collect();
        let at_point = match point {
            KillPoint::WritingSnapshot => writing,
            KillPoint::DeletingSnapshot => in_place.len() >= 2,
            KillPoint::DeletingIncrementals => {
                let alone = !writing && in_place.len() == 1;
                let replaced = alone && settled.as_ref().is_some_and(|s| s != in_place[0]);
                let at_point = replaced && !file_names(&incrementals).is_empty();
                if alone && !at_point {
                    settled = Some(in_place[0].clone());
                }
                at_point
            }
        };
        if at_point && writer.changes.load(Ordering::Relaxed) >= after {
            break;
        }
        std::thread::yield_now();
    }
    relay.kill();
}

/// What a compaction cut short leaves in a document's folder, if it does: a snapshot half written,
/// two snapshots, or incremental chunks whose changes the one snapshot already holds. A finished
/// compaction leaves one snapshot and nothing else; between compactions the incremental chunks
/// hold changes the snapshot does not.
fn interrupted_compaction(folder: &Path) -> Option<&'static str> {
    let snapshots = file_names(&folder.join("snapshot"));
    if snapshots.iter().any(|n| n.ends_with(".tmp")) {
        return Some("while writing the snapshot");
    }
    if snapshots.len() >= 2 {
        return Some("before deleting the snapshot it replaced");
    }
    let incrementals: Vec<String> = file_names(&folder.join("incremental")).into_iter().filter(|n| !n.ends_with(".tmp")).collect();
    if snapshots.len() == 1 && !incrementals.is_empty() {
        let mut doc = AutoCommit::load(&std::fs::read(folder.join("snapshot").join(&snapshots[0])).unwrap()).unwrap();
        let before = doc.get_changes(&[]).len();
        for name in &incrementals {
            doc.load_incremental(&std::fs::read(folder.join("incremental").join(name)).unwrap()).unwrap();
        }
        if doc.get_changes(&[]).len() == before {
            return Some("while deleting the incremental chunks it replaced");
        }
    }
    None
}

/// The number of the latest change the relay has acknowledged (reported in its heads).
fn acknowledged(state: &State, id: DocumentId, made: &HashMap<ChangeHash, usize>) -> Option<usize> {
    state.relay_heads.get(&id)?.iter().filter_map(|h| made.get(h).copied()).max()
}

/// How many files of each kind a document's folder holds, and their sizes.
fn describe(folder: &Path) -> String {
    let sizes = |kind: &str| -> Vec<u64> {
        let dir = folder.join(kind);
        file_names(&dir).iter().filter_map(|n| Some(std::fs::metadata(dir.join(n)).ok()?.len())).collect()
    };
    let incrementals = sizes("incremental");
    format!("snapshot files {:?} B, {} incremental chunks ({} B)", sizes("snapshot"), incrementals.len(), incrementals.iter().sum::<u64>())
}

/// A writer makes many small changes, keeping only a few unacknowledged, so the relay stores the
/// document over and over. A thread watching the document's folder SIGKILLs the relay in the
/// middle of a compaction: while it writes the new snapshot, after that and before it deletes the
/// snapshot it replaced, or before it deletes the incremental chunks it replaced; each round at a
/// later change, so at several sizes of document and numbers of chunks. The relay is restarted on
/// the folder: a fresh client gets every change the relay had acknowledged, and once the writer is
/// back, everyone reconverges. The folder left by each kill shows whether it cut a compaction
/// short; at least one must have. In practice all do: the watcher kills within microseconds of
/// seeing the step begin, and writes (fsynced) and runs of deletes take longer than that.
#[tokio::test(flavor = "multi_thread")]
async fn what_was_acknowledged_survives_sigkill_during_compaction() {
    // On disk rather than a tmpfs /tmp: each write is fsynced, which makes the steps of a
    // compaction last long enough to be seen from outside the relay.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let mut interrupted = Vec::new();
    let mut finished = Vec::new();
    for (round, (point, after, window)) in ROUNDS.into_iter().enumerate() {
        let id = DocumentId::from_bytes([40 + round as u8; 16]);
        let folder = document_folder(dir.path(), id);
        let relay = RelayProcess::start(dir.path(), "127.0.0.1:0");
        let writer = Client::connect(&relay.ws_url(), &format!("writer-{round}")).await;
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "count", 0_i64).unwrap();
        doc.commit();
        let mut made = HashMap::from([(doc.get_heads()[0], 0)]);
        writer.create(id, doc);
        writer.until(|s| acknowledged(s, id, &made).is_some()).await;

        let progress = Arc::new(Progress::default());
        let killer = {
            let (folder, progress) = (folder.clone(), progress.clone());
            std::thread::spawn(move || kill_during_compaction(relay, &folder, point, after, &progress))
        };
        // Each change: the count, and a note that does not compress, so the document outgrows
        // 1 KiB of snapshot within a few dozen changes.
        let mut last = 0;
        for n in 1..=MOST_CHANGES {
            writer.change(id, |doc| {
                doc.put(ROOT, "count", n as i64).unwrap();
                doc.put(ROOT, "note", linli_sync::sha256_hex(format!("{round}/{n}").as_bytes())).unwrap();
            });
            made.insert(writer.with(|s| s.repo.document(&id).unwrap().clone().get_heads()[0]), n);
            progress.changes.store(n, Ordering::Relaxed);
            last = n;
            let caught_up = |s: &State| s.closed || acknowledged(s, id, &made).is_some_and(|a| a + window >= n);
            assert!(writer.until_within(Duration::from_secs(10), caught_up).await, "round {round}: the relay acknowledges change {n}");
            if writer.with(|s| s.closed) {
                break;
            }
        }
        progress.done.store(true, Ordering::Relaxed);
        writer.until(|s| s.closed).await;
        tokio::task::spawn_blocking(move || killer.join().unwrap()).await.unwrap();
        // The writer has read everything the relay sent before it died.
        let acknowledged_heads = writer.with(|s| s.relay_heads.get(&id).cloned().unwrap_or_default());
        let acknowledged_n = writer.with(|s| acknowledged(s, id, &made)).unwrap();
        let cut_short = interrupted_compaction(&folder);
        eprintln!(
            "round {round}: killed at {point:?} after {last} changes ({acknowledged_n} acknowledged): compaction cut short: {}; {}",
            cut_short.unwrap_or("no"),
            describe(&folder)
        );
        if let Some(how) = cut_short {
            interrupted.push((round, how));
        }

        let relay = RelayProcess::start(dir.path(), "127.0.0.1:0");
        let reader = Client::connect(&relay.ws_url(), &format!("reader-{round}")).await;
        reader.find(id);
        let has_acknowledged = |s: &State| {
            s.repo.document(&id).is_some_and(|doc| {
                let doc = doc.clone();
                acknowledged_heads.iter().all(|h| doc.get_change_by_hash(h).is_some())
            })
        };
        assert!(
            reader.until_within(Duration::from_secs(10), has_acknowledged).await,
            "round {round}: the relay acknowledged change {acknowledged_n} but a fresh client gets only up to {:?}",
            reader.with(|s| counter(s, id))
        );
        // The writer comes back with everything it made; reader, writer and relay reconverge.
        let back = Client::connect(&relay.ws_url(), &format!("writer-back-{round}")).await;
        back.create(id, writer.with(|s| s.repo.document(&id).unwrap().clone()));
        reader.until(|s| counter(s, id) == Some(last as i64)).await;
        back.until(|s| acknowledged(s, id, &made) == Some(last)).await;
        finished.push((id, last));
        relay.kill();
    }

    // Every round's document, stored again on top of what its cut-short compaction left, is whole.
    let relay = RelayProcess::start(dir.path(), "127.0.0.1:0");
    let reader = Client::connect(&relay.ws_url(), "reader-last").await;
    for (id, last) in &finished {
        reader.find(*id);
        reader.until(|s| counter(s, *id) == Some(*last as i64)).await;
    }
    eprintln!("{} of {} kills cut a compaction short: {interrupted:?}", interrupted.len(), ROUNDS.len());
    assert!(!interrupted.is_empty(), "no kill landed inside a compaction");
}

#[tokio::test]
async fn federated_relays_sync_both_ways() {
    let upstream_dir = tempfile::tempdir().unwrap();
    let upstream = TestRelay::start(upstream_dir.path().to_path_buf()).await;
    let downstream_dir = tempfile::tempdir().unwrap();
    let mut config = RelayConfig::new(downstream_dir.path());
    config.peers = vec![upstream.ws_url()];
    let downstream = TestRelay::start_with(config).await;

    // A document made on the upstream side reaches a client of the downstream relay, which asks
    // its upstream for what it does not have.
    let id = DocumentId::from_bytes([22; 16]);
    let up_client = Client::connect(&upstream.ws_url(), "up").await;
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "count", 1_i64).unwrap();
    doc.commit();
    up_client.create(id, doc);
    let down_client = Client::connect(&downstream.ws_url(), "down").await;
    down_client.find(id);
    down_client.until(|s| counter(s, id) == Some(1)).await;

    // And back: an edit downstream reaches the upstream client.
    down_client.change(id, |doc| {
        doc.put(ROOT, "count", 2_i64).unwrap();
    });
    up_client.until(|s| counter(s, id) == Some(2)).await;

    // A document made downstream is offered upstream: a new upstream client can ask for it.
    let other = DocumentId::from_bytes([23; 16]);
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "count", 7_i64).unwrap();
    doc.commit();
    down_client.create(other, doc);
    let late = Client::connect(&upstream.ws_url(), "late").await;
    late.find(other);
    late.until(|s| counter(s, other) == Some(7)).await;
    downstream.stop().await;
    upstream.stop().await;
}
