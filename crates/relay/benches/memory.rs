//! The relay's memory as a village box sees it, measured on the real binary (`cargo bench -p
//! linli-relay --bench memory`; `cargo xtask bench` runs it into BENCHMARKS.md): resident memory
//! with 1,000 stored spaces and no clients; with a wave of 300 clients on 100 documents, and once
//! they have left and their documents are released; and the time the relay takes to answer a
//! request for a released space of 10,000 items (and a client to have it loaded). Prints a Markdown table and a `numbers` line.

#[path = "../tests/support/mod.rs"]
mod support;

#[path = "../../core/benches/support/mod.rs"]
mod sample;

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use linli_relay::FolderStore;
use linli_sync::automerge::AutoCommit;
use linli_sync::automerge::sync::{self, SyncDoc};
use linli_sync::{ChunkKey, DocumentId, Message, PeerMetadata, RepoEvent, codec};
use support::client::Client;
use support::relay_process::{RelayProcess, Resident};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message as Frame;

const STORED_SPACES: u16 = 1_000;
const WAVE_DOCUMENTS: u8 = 100;
const CLIENTS_PER_DOCUMENT: usize = 3;

fn stored_space(n: u16) -> DocumentId {
    let [a, b] = n.to_be_bytes();
    DocumentId::from_bytes([7, a, b, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7])
}

fn wave_document(n: u8) -> DocumentId {
    DocumentId::from_bytes([9, n, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9])
}

const LARGE_SPACE: DocumentId = DocumentId::from_bytes([11; 16]);

fn mb(kib: u64) -> String {
    format!("{:.1} MB", kib as f64 * 1024.0 / 1e6)
}

async fn until_metric(relay: &RelayProcess, name: &str, wanted: impl Fn(u64) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !wanted(relay.metric(name).await) {
        assert!(Instant::now() < deadline, "{name} not as wanted within 60 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the relay holds no document in memory, then lets it settle.
async fn all_released(relay: &RelayProcess) -> Resident {
    until_metric(relay, "linli_connections_open", |open| open == 0).await;
    until_metric(relay, "linli_documents_open", |held| held == 0).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    relay.resident()
}

/// A peer asks the relay for the large space (released, so on disk only); milliseconds until the
/// relay's answer carrying the space arrives: the relay's own part of reopening it.
async fn relay_reopens(relay: &RelayProcess) -> f64 {
    let mut socket = support::raw::open(&relay.ws_url(), None).await.expect("the relay accepts");
    let join = Message::Join { sender_id: "reader".into(), peer_metadata: PeerMetadata::default(), supported_protocol_versions: None };
    socket.send(Frame::Binary(codec::encode(&join).into())).await.unwrap();
    let relay_id = loop {
        if let Some(Ok(Frame::Binary(bytes))) = socket.next().await
            && let Ok(Message::Peer { sender_id, .. }) = codec::decode(&bytes)
        {
            break sender_id;
        }
    };
    let mut nothing = AutoCommit::new();
    let data = nothing.sync().generate_sync_message(&mut sync::State::new()).expect("a first message").encode();
    let started = Instant::now();
    let request = Message::Request { sender_id: "reader".into(), target_id: relay_id, document_id: LARGE_SPACE, data };
    socket.send(Frame::Binary(codec::encode(&request).into())).await.unwrap();
    loop {
        let Some(Ok(Frame::Binary(bytes))) = socket.next().await else { panic!("the relay answers") };
        if let Ok(Message::Sync { document_id, data, .. }) = codec::decode(&bytes)
            && document_id == LARGE_SPACE
            && sync::Message::decode(&data).is_ok_and(|m| m.changes.iter().next().is_some())
        {
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            let _ = socket.close(None).await;
            return elapsed;
        }
    }
}

/// A client asks for the large space; milliseconds until it has loaded the whole space.
async fn client_opens(relay: &RelayProcess) -> f64 {
    let client = Client::connect(&relay.ws_url(), "reader").await;
    let started = Instant::now();
    client.find(LARGE_SPACE);
    let ready = client.until_within(Duration::from_secs(60), |s| s.saw(|e| *e == RepoEvent::DocReady { document_id: LARGE_SPACE })).await;
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    assert!(ready, "the large space arrives");
    client.close();
    elapsed
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = FolderStore::open(dir.path()).unwrap();
    let small = sample::sample_space(50).save();
    for n in 0..STORED_SPACES {
        store.put(&ChunkKey::incremental(stored_space(n), &small), &small).unwrap();
    }
    let large = sample::sample_space(10_000).save();
    store.put(&ChunkKey::incremental(LARGE_SPACE, &large), &large).unwrap();

    let relay = RelayProcess::start_with(dir.path(), "127.0.0.1:0", &["--release-idle-after".as_ref(), "1".as_ref()]);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = relay.resident();

    // A wave on a runtime of its own: shutting it down closes every client's socket at once.
    let clients_runtime = tokio::runtime::Runtime::new().unwrap();
    let url = relay.ws_url();
    let documents: Vec<DocumentId> = (0..WAVE_DOCUMENTS).map(wave_document).collect();
    let clients = clients_runtime.spawn(async move { support::wave::wave(&url, &documents, CLIENTS_PER_DOCUMENT, 0).await }).await.unwrap();
    let connected = relay.resident();
    drop(clients);
    clients_runtime.shutdown_background();
    let after_wave = all_released(&relay).await;

    let (mut reopens, mut opens) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        reopens.push(relay_reopens(&relay).await);
        all_released(&relay).await;
        opens.push(client_opens(&relay).await);
        all_released(&relay).await;
    }
    reopens.sort_by(f64::total_cmp);
    opens.sort_by(f64::total_cmp);
    let reopen_ms = reopens[1];
    let after_all = relay.resident();

    let clients = usize::from(WAVE_DOCUMENTS) * CLIENTS_PER_DOCUMENT;
    println!("| moment | resident memory | its own (heap, stacks) | goal |");
    println!("|---|---:|---:|---|");
    println!("| started on {STORED_SPACES} stored spaces, no clients | {} | {} | ≤ 40 MB |", mb(idle.now_kib), mb(idle.anon_kib));
    println!("| {clients} clients on {WAVE_DOCUMENTS} documents, each wrote once | {} | {} | |", mb(connected.now_kib), mb(connected.anon_kib));
    println!(
        "| they left, their documents released | {} | {} | within 20 MB of the start: {:+.1} MB |",
        mb(after_wave.now_kib),
        mb(after_wave.anon_kib),
        (after_wave.now_kib as f64 - idle.now_kib as f64) * 1024.0 / 1e6
    );
    println!("| a 10,000-item space loaded, sent and released 6 times | {} | {} | |", mb(after_all.now_kib), mb(after_all.anon_kib));
    println!();
    let listed = |times: &[f64]| times.iter().map(|ms| format!("{ms:.0} ms")).collect::<Vec<_>>().join(", ");
    println!(
        "Reopening a released space of 10,000 items ({} KB stored): the relay answers a request for it with the whole space in {reopen_ms:.0} ms (median of 3: {}); a native client that asks for it has it loaded after {:.0} ms (median of 3: {}).",
        large.len() / 1000,
        listed(&reopens),
        opens[1],
        listed(&opens)
    );
    println!("numbers idle_kib={} wave_gone_kib={} reopen_ms={reopen_ms:.0}", idle.now_kib, after_wave.now_kib);
}
