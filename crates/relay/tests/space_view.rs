//! The real relay binary serves a read-only picture of a space it holds at `/view/<space id>`
//! (the page draws it while the engine downloads): the whole space, or the one item asked for;
//! compressed for browsers that accept it; a clear error for a bad ID, and no picture (204) of
//! an unknown space or of stored bytes that are no space — and the relay keeps serving.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;

use linli_core::{Author, Editor, ItemId, MemberId, NoticeDraft, PledgeDraft, Space, Timestamp, new_space};
use linli_relay::FolderStore;
use linli_sync::{ChunkKey, ChunkLedger, DocumentId, StorageOp};
use support::relay_process::RelayProcess;

/// One GET over plain HTTP/1.1: status, the Content-Encoding, and the body.
fn get(address: &str, path: &str, accept_encoding: Option<&str>) -> (u16, Option<String>, Vec<u8>) {
    let mut stream = TcpStream::connect(address).unwrap();
    let encoding = accept_encoding.map(|e| format!("Accept-Encoding: {e}\r\n")).unwrap_or_default();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n{encoding}\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a header block");
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap();
    let content_encoding = head.lines().find_map(|l| l.strip_prefix("content-encoding:")).map(|v| v.trim().to_owned());
    let mut body = raw[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = unchunk(&body);
    }
    (status, content_encoding, body)
}

/// The body of a chunked HTTP/1.1 answer.
fn unchunk(mut raw: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..line_end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&raw[line_end + 2..line_end + 2 + size]);
        raw = &raw[line_end + 4 + size..];
    }
}

/// Stores a document's chunks in the data folder as the relay would have.
fn store(data: &std::path::Path, id: DocumentId, doc: &mut linli_sync::automerge::AutoCommit) {
    let folder = FolderStore::open(data).unwrap();
    for op in ChunkLedger::default().save(id, doc) {
        if let StorageOp::Put { key, data } = op {
            folder.put(&key, &data).unwrap();
        }
    }
}

#[test]
fn a_space_is_pictured_whole_or_by_the_item_asked_for() {
    let data = tempfile::tempdir().unwrap();
    let author = Author { member: MemberId::from_random([1; 8]), session: [2; 8], now: Timestamp(1) };
    let mut doc = new_space("Sanfang Qixiang", &author);
    let (pledge, notice) = (ItemId::from_random([3; 8]), ItemId::from_random([4; 8]));
    let draft = PledgeDraft { title: "Quiet after ten".into(), text: "We keep the courtyard quiet.".into(), deadline: None, goal: 20, binding_at: None };
    Editor::new(&mut doc, &author).create_pledge(&pledge, draft).unwrap();
    Editor::new(&mut doc, &author).post_notice(&notice, NoticeDraft::new("Water off", "Tuesday")).unwrap();
    let id = DocumentId::new_random([5; 16]);
    store(data.path(), id, &mut doc);
    let relay = RelayProcess::start(data.path(), "127.0.0.1:0");

    let (status, encoding, body) = get(&relay.address, &format!("/view/{id}"), None);
    assert_eq!((status, encoding), (200, None));
    let whole: Space = linli_view::snapshot::decode(&body).expect("a picture of the space");
    assert_eq!(whole.name, "Sanfang Qixiang");
    assert_eq!(whole.pledges[pledge.as_str()].text.as_str(), "We keep the courtyard quiet.");
    assert_eq!(whole.notices[notice.as_str()].title, "Water off");

    let (status, _, body) = get(&relay.address, &format!("/view/{id}?only=pledges/{pledge}"), None);
    assert_eq!(status, 200);
    let focused: Space = linli_view::snapshot::decode(&body).unwrap();
    assert_eq!((focused.name.as_str(), focused.pledges.len(), focused.notices.len()), ("Sanfang Qixiang", 1, 0));
    assert!(body.len() < linli_view::snapshot::encode(&whole).len());

    let (status, encoding, _) = get(&relay.address, &format!("/view/{id}"), Some("gzip, br"));
    assert_eq!((status, encoding.as_deref()), (200, Some("br")), "compressed for a browser that accepts it");
}

#[test]
fn a_bad_id_an_unknown_space_and_bytes_that_are_no_space_get_clear_errors() {
    let data = tempfile::tempdir().unwrap();
    let crafted = DocumentId::new_random([6; 16]);
    FolderStore::open(data.path()).unwrap().put(&ChunkKey::incremental(crafted, b"junk"), b"\x85\x6f\x4a\x83 not automerge").unwrap();
    let relay = RelayProcess::start(data.path(), "127.0.0.1:0");
    assert_eq!(get(&relay.address, "/view/not-an-id", None).0, 400);
    let (status, _, body) = get(&relay.address, &format!("/view/{}", DocumentId::new_random([7; 16])), None);
    assert_eq!((status, body.len()), (204, 0), "no picture of a space it does not hold");
    let (status, _, body) = get(&relay.address, &format!("/view/{crafted}"), None);
    assert_eq!((status, body.len()), (204, 0), "no picture of bytes that are no space");
    assert_eq!(get(&relay.address, "/healthz", None).0, 200, "the relay still serves");
}
