//! The relay in-process on 127.0.0.1 with native protocol clients: it serves documents by ID,
//! keeps them across restarts, says when it has nothing, and answers health and metrics.

mod support;

use linli_sync::automerge::ROOT;
use linli_sync::automerge::transaction::Transactable;
use linli_sync::{DocumentId, RepoEvent};
use support::client::Client;
use support::docs::{doc_with, read};
use support::relay::TestRelay;

#[tokio::test]
async fn serves_a_document_by_id_and_keeps_it_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let relay = TestRelay::start(dir.path().to_path_buf()).await;
    let id = DocumentId::from_bytes([11; 16]);

    let phone = Client::connect(&relay.ws_url(), "phone").await;
    phone.create(id, doc_with("notice", "Lift repair Friday"));
    let kiosk = Client::connect(&relay.ws_url(), "kiosk").await;
    kiosk.find(id);
    kiosk.until(|s| read(s, id, "notice").is_some()).await;
    assert_eq!(kiosk.with(|s| read(s, id, "notice")).as_deref(), Some("Lift repair Friday"));

    kiosk.change(id, |doc| {
        doc.put(ROOT, "notice", "Lift repair Saturday").unwrap();
    });
    phone.until(|s| read(s, id, "notice").as_deref() == Some("Lift repair Saturday")).await;

    relay.stop().await;
    let relay = TestRelay::start(dir.path().to_path_buf()).await;
    let visitor = Client::connect(&relay.ws_url(), "visitor").await;
    visitor.find(id);
    visitor.until(|s| read(s, id, "notice").is_some()).await;
    assert_eq!(visitor.with(|s| read(s, id, "notice")).as_deref(), Some("Lift repair Saturday"));
    relay.stop().await;
}

#[tokio::test]
async fn an_unknown_document_is_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let relay = TestRelay::start(dir.path().to_path_buf()).await;
    let id = DocumentId::from_bytes([12; 16]);
    let client = Client::connect(&relay.ws_url(), "curious").await;
    client.find(id);
    client.until(|s| s.saw(|e| *e == RepoEvent::DocUnavailable { document_id: id })).await;
    relay.stop().await;
}

#[tokio::test]
async fn garbage_closes_only_the_sender() {
    let dir = tempfile::tempdir().unwrap();
    let relay = TestRelay::start(dir.path().to_path_buf()).await;
    let id = DocumentId::from_bytes([13; 16]);
    let good = Client::connect(&relay.ws_url(), "good").await;
    good.create(id, doc_with("k", "v"));
    let bad = Client::connect(&relay.ws_url(), "bad").await;
    bad.send_raw(b"\xff\xfe not cbor".to_vec());
    bad.until(|s| s.closed).await;

    let other = Client::connect(&relay.ws_url(), "other").await;
    other.find(id);
    other.until(|s| read(s, id, "k").is_some()).await;
    good.change(id, |doc| {
        doc.put(ROOT, "k", "still served").unwrap();
    });
    other.until(|s| read(s, id, "k").as_deref() == Some("still served")).await;
    relay.stop().await;
}

#[tokio::test]
async fn health_and_metrics_answer() {
    let dir = tempfile::tempdir().unwrap();
    let relay = TestRelay::start(dir.path().to_path_buf()).await;
    let _client = Client::connect(&relay.ws_url(), "counted").await;
    let health = http_get(relay.addr, "/healthz").await;
    assert!(health.starts_with("HTTP/1.1 200") && health.ends_with("ok\n"), "{health}");
    let metrics = http_get(relay.addr, "/metrics").await;
    assert!(metrics.contains("\nlinli_connections_open 1\n"), "{metrics}");
    assert!(metrics.contains("# TYPE linli_messages_received_total counter"));
    relay.stop().await;
}

/// A minimal HTTP/1.1 GET, so the test needs no HTTP client crate.
async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
}

#[allow(clippy::disallowed_methods, reason = "the relay runs natively, where SystemTime::now works")]
fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64
}

/// The cut the client was given for `at`, once it comes.
async fn cut_given(client: &Client, at: u64) -> Option<linli_sync::Cut> {
    let given = |s: &support::client::State| {
        s.events.iter().rev().find_map(|e| match e {
            RepoEvent::CutGiven { asked: Some(asked), cut, .. } if *asked == at => Some(cut.clone()),
            _ => None,
        })
    };
    client.until(|s| given(s).is_some()).await;
    client.with(given).flatten()
}

#[tokio::test]
async fn the_home_relay_says_what_it_held_at_a_moment_even_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let relay = TestRelay::start(dir.path().to_path_buf()).await;
    let write = linli_sync::WriteKey::from_seed([21; 32]);
    let id = DocumentId::certified(&write.public());
    let organiser = Client::connect(&relay.ws_url(), "organiser").await;
    organiser.hold_write_key(id, write.clone());
    let member = linli_sync::MemberKey::from_seed([22; 32]);
    organiser.hold_member_key(member.clone());
    let me = linli_core::Author { member: linli_core::MemberId::from_public_key(member.public()), session: [1; 8], now: linli_core::Timestamp(1_000) };
    let doc = linli_core::new_space_with("Sanfang", &me, |doc| linli_sync::capability::protect(doc, write.public()));
    organiser.create(id, doc);
    // The organiser's device names the relay the space's home; the relay acknowledges it all.
    organiser.until(|s| s.repo.document(&id).is_some_and(|d| linli_sync::home_relay::home(d).is_some())).await;
    let heads = |s: &support::client::State| s.repo.document(&id).map(|d| d.clone().get_heads()).unwrap_or_default();
    organiser.until(|s| s.relay_heads.get(&id) == Some(&heads(s))).await;
    let in_time = organiser.with(heads);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let deadline = now_ms();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    organiser.change(id, |doc| {
        linli_core::Editor::new(doc, &me).post_notice(&me.new_item_id([1; 8]), linli_core::NoticeDraft::new("Late", "after the deadline")).unwrap();
    });
    organiser.until(|s| s.relay_heads.get(&id) == Some(&heads(s))).await;
    assert_ne!(organiser.with(heads), in_time);

    organiser.ask_cut(id, Some(deadline));
    let cut = cut_given(&organiser, deadline).await.expect("the relay held the space at the deadline");
    let mut expected = in_time.clone();
    expected.sort();
    assert_eq!(cut.heads, expected, "what it held at the deadline, not the late change");
    organiser.ask_cut(id, Some(1_000));
    assert_eq!(cut_given(&organiser, 1_000).await, None, "before it held the space it cannot say");

    relay.stop().await;
    let relay = TestRelay::start(dir.path().to_path_buf()).await;
    let later = Client::connect(&relay.ws_url(), "organiser-again").await;
    later.hold_write_key(id, write);
    later.hold_member_key(member);
    later.find(id);
    later.until(|s| s.repo.document(&id).is_some_and(|d| linli_sync::home_relay::home(d).is_some())).await;
    later.ask_cut(id, Some(deadline));
    assert_eq!(cut_given(&later, deadline).await.map(|c| c.heads), Some(expected), "the log outlives a restart");
    relay.stop().await;
}
