//! Every limit of the relay, each shown by a test: the offending connection gets the right
//! refusal, and an honest client syncing at the same time is unaffected.

mod support;

use std::time::Duration;

use futures_util::SinkExt;
use linli_relay::{Limits, RelayConfig};
use linli_sync::automerge::transaction::{CommitOptions, Transactable};
use linli_sync::automerge::{ActorId, AutoCommit, ROOT};
use linli_sync::{DocumentId, Message, codec};
use support::client::Client;
use support::docs::{doc_with, read};
use support::raw;
use support::relay::TestRelay;
use tokio_tungstenite::tungstenite::Message as Frame;

async fn relay_with(limits: Limits) -> (TestRelay, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = RelayConfig::new(dir.path());
    config.limits = limits;
    (TestRelay::start_with(config).await, dir)
}

/// An honest pair of clients syncs a change through the relay: the check that a refusal
/// elsewhere hurt nobody else.
async fn honest_pair_still_syncs(relay: &TestRelay, n: u8) {
    let id = DocumentId::from_bytes([n; 16]);
    let writer = Client::connect(&relay.ws_url(), &format!("writer-{n}")).await;
    writer.create(id, doc_with("note", "hello"));
    let reader = Client::connect(&relay.ws_url(), &format!("reader-{n}")).await;
    reader.find(id);
    reader.until(|s| read(s, id, "note").as_deref() == Some("hello")).await;
    writer.change(id, |doc| {
        doc.put(ROOT, "note", "still fine").unwrap();
    });
    reader.until(|s| read(s, id, "note").as_deref() == Some("still fine")).await;
}

#[tokio::test]
async fn an_oversized_message_closes_with_1009() {
    let (relay, _dir) = relay_with(Limits { max_message_bytes: 64 * 1024, ..Limits::default() }).await;
    let mut big = raw::joined(&relay.ws_url(), "big").await;
    big.send(Frame::Binary(vec![0xa0; 100 * 1024].into())).await.unwrap();
    assert_eq!(raw::close_code(&mut big).await, Some(1009));
    honest_pair_still_syncs(&relay, 1).await;
    relay.stop().await;
}

#[tokio::test]
async fn a_flood_is_cut_off_with_1008() {
    let (relay, _dir) = relay_with(Limits { messages_per_second: 10.0, message_burst: 20.0, ..Limits::default() }).await;
    let mut flood = raw::joined(&relay.ws_url(), "flood").await;
    let leave = codec::encode(&Message::Leave { sender_id: "flood".into() });
    for _ in 0..200 {
        if flood.send(Frame::Binary(leave.clone().into())).await.is_err() {
            break;
        }
    }
    assert_eq!(raw::close_code(&mut flood).await, Some(1008));
    honest_pair_still_syncs(&relay, 2).await;
    relay.stop().await;
}

#[tokio::test]
async fn connections_over_the_limit_are_refused_with_503() {
    let (relay, _dir) = relay_with(Limits { max_connections: 2, ..Limits::default() }).await;
    let first = raw::joined(&relay.ws_url(), "one").await;
    let _second = raw::joined(&relay.ws_url(), "two").await;
    assert_eq!(raw::open(&relay.ws_url(), None).await.err(), Some(503));
    drop(first);
    // Once a connection has gone, a new one is admitted.
    let mut admitted = false;
    for _ in 0..50 {
        if raw::open(&relay.ws_url(), None).await.is_ok() {
            admitted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(admitted, "a place freed by a closed connection is given to the next one");
    relay.stop().await;
}

#[tokio::test]
async fn a_wrong_origin_is_refused_with_403() {
    let (relay, _dir) = relay_with(Limits { allowed_origins: vec!["https://linli.example.org".into()], ..Limits::default() }).await;
    assert_eq!(raw::open(&relay.ws_url(), Some("https://evil.example")).await.err(), Some(403));
    assert!(raw::open(&relay.ws_url(), Some("https://linli.example.org")).await.is_ok());
    assert!(raw::open(&relay.ws_url(), None).await.is_ok(), "non-browser clients send no Origin");
    honest_pair_still_syncs(&relay, 3).await;
    relay.stop().await;
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_idle_timeout() {
    let limits = Limits { ping_interval: Duration::from_millis(100), idle_timeout: Duration::from_millis(300), ..Limits::default() };
    let (relay, _dir) = relay_with(limits).await;
    let mut silent = raw::joined(&relay.ws_url(), "silent").await;
    // Not reading means not answering pings.
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert_eq!(raw::close_code(&mut silent).await, Some(1001));
    relay.stop().await;
}

#[tokio::test]
async fn a_slow_reader_is_dropped_not_buffered() {
    let limits = Limits { outbox_frames: 4, messages_per_second: 10_000.0, message_burst: 10_000.0, write_timeout: Duration::from_millis(500), ..Limits::default() };
    let (relay, _dir) = relay_with(limits).await;
    let id = DocumentId::from_bytes([4; 16]);
    let talker = Client::connect(&relay.ws_url(), "talker").await;
    talker.create(id, doc_with("k", "v"));
    // The slow reader asks for the document, then never reads again.
    let mut slow = raw::joined(&relay.ws_url(), "slow").await;
    let request = linli_sync::automerge::sync::Message {
        heads: Vec::new(),
        need: Vec::new(),
        have: Vec::new(),
        changes: Vec::<Vec<u8>>::new().into(),
        flags: None,
        version: linli_sync::automerge::sync::MessageVersion::V1,
    };
    let ask = Message::Request { sender_id: "slow".into(), target_id: "relay".into(), document_id: id, data: request.encode() };
    slow.send(Frame::Binary(codec::encode(&ask).into())).await.unwrap();
    // Presence-like messages about the document, fast and large, go to everyone engaged in it.
    for _ in 0..400 {
        talker.ephemeral(id, vec![0xa0; 32 * 1024]);
        tokio::time::sleep(Duration::from_millis(2)).await;
        if relay_metric(&relay, "linli_slow_consumers_dropped_total").await > 0 {
            break;
        }
    }
    assert_eq!(relay_metric(&relay, "linli_slow_consumers_dropped_total").await, 1);
    assert!(relay_metric(&relay, "linli_connections_open").await >= 1);
    honest_pair_still_syncs(&relay, 5).await;
    relay.stop().await;
}

#[tokio::test]
async fn crafted_document_ids_never_touch_the_file_system() {
    let (relay, dir) = relay_with(Limits::default()).await;
    let mut sneaky = raw::joined(&relay.ws_url(), "sneaky").await;
    // A sync message by hand, with a path for a document ID.
    let mut e = minicbor::Encoder::new(Vec::new());
    e.map(5).unwrap();
    e.str("type").unwrap().str("sync").unwrap();
    e.str("senderId").unwrap().str("sneaky").unwrap();
    e.str("targetId").unwrap().str("relay").unwrap();
    e.str("documentId").unwrap().str("../../../../tmp/linli-escape").unwrap();
    e.str("data").unwrap().bytes(&[0x42, 0, 0, 0, 0]).unwrap();
    sneaky.send(Frame::Binary(e.into_writer().into())).await.unwrap();
    assert_eq!(raw::close_code(&mut sneaky).await, Some(1002));
    let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(entries, ["st"], "nothing but the storage ID was written");
    honest_pair_still_syncs(&relay, 6).await;
    relay.stop().await;
}

#[tokio::test]
async fn a_change_that_crashes_automerge_is_contained() {
    let (relay, dir) = relay_with(Limits::default()).await;
    // The document the kept crashers were made against (see linli-sync's untrusted_sync.rs).
    let id = DocumentId::from_bytes([7; 16]);
    let mut base = AutoCommit::new().with_actor(ActorId::from([1u8; 16].as_slice()));
    base.put(ROOT, "title", "Water off").unwrap();
    base.commit_with(CommitOptions::default().with_time(0));
    let owner = Client::connect(&relay.ws_url(), "owner").await;
    owner.create(id, base);
    let watcher = Client::connect(&relay.ws_url(), "watcher").await;
    watcher.find(id);
    watcher.until(|s| read(s, id, "title").is_some()).await;
    let before = stored_files(dir.path());

    let crashers = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sync/tests/crashers");
    let mut tried = 0;
    for entry in std::fs::read_dir(crashers).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "bin") {
            continue;
        }
        let mut attacker = raw::joined(&relay.ws_url(), "peer").await;
        attacker.send(Frame::Binary(std::fs::read(&path).unwrap().into())).await.unwrap();
        assert_eq!(raw::close_code(&mut attacker).await, Some(1007), "{}: the sender is dropped for bad data", path.display());
        tried += 1;
    }
    assert!(tried > 0);
    assert_eq!(stored_files(dir.path()), before, "nothing of the crafted changes was stored");
    // The relay is still up and the document is still served and synced.
    owner.change(id, |doc| {
        doc.put(ROOT, "title", "Water back on").unwrap();
    });
    watcher.until(|s| read(s, id, "title").as_deref() == Some("Water back on")).await;
    let late = Client::connect(&relay.ws_url(), "late").await;
    late.find(id);
    late.until(|s| read(s, id, "title").as_deref() == Some("Water back on")).await;
    relay.stop().await;
}

fn stored_files(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

async fn relay_metric(relay: &TestRelay, name: &str) -> u64 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(relay.addr).await.unwrap();
    stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response.lines().find_map(|line| line.strip_prefix(name).and_then(|rest| rest.trim().parse().ok())).unwrap_or_else(|| panic!("no metric {name} in {response}"))
}
