//! The relay in-process on 127.0.0.1 with native protocol clients: it serves documents by ID,
//! keeps them across restarts, says when it has nothing, and answers health and metrics.

mod support;

use linli_sync::automerge::transaction::Transactable;
use linli_sync::automerge::ROOT;
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
