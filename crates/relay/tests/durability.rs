//! What the relay acknowledged survives a SIGKILL; and relays that federate keep each other's
//! documents in sync both ways.

mod support;

use std::time::Duration;

use linli_relay::RelayConfig;
use linli_sync::automerge::transaction::Transactable;
use linli_sync::automerge::{AutoCommit, ChangeHash, ROOT, ReadDoc};
use linli_sync::DocumentId;
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
