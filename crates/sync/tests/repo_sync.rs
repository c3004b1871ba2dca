//! The sans-IO repo on a simulated network: devices and relays converge, relays keep secrets,
//! storage survives restarts, and protocol violations close only the offending connection.

mod support;

use linli_sync::automerge::transaction::Transactable;
use linli_sync::automerge::{AutoCommit, ROOT, ReadDoc};
use linli_sync::{CloseReason, Direction, DocumentId, Message, PeerMetadata, RepoEvent, codec};
use support::sim::Network;

fn space_id(n: u8) -> DocumentId {
    DocumentId::from_bytes([n; 16])
}

fn doc_with(key: &str, value: &str) -> AutoCommit {
    let mut doc = AutoCommit::new();
    doc.put(ROOT, key, value).unwrap();
    doc.commit();
    doc
}

fn read(net: &Network, node: usize, id: DocumentId, key: &str) -> Option<String> {
    let doc = net.nodes[node].repo.document(&id)?;
    doc.get(ROOT, key).ok()??.0.into_string().ok()
}

#[test]
fn two_devices_converge_through_a_relay_both_ways() {
    let mut net = Network::new();
    let (phone, relay, kiosk) = (net.add_device("phone"), net.add_relay("relay"), net.add_device("kiosk"));
    let id = space_id(1);
    net.create(phone, id, doc_with("notice", "Water off on Tuesday"));
    net.connect(phone, relay);
    net.connect(kiosk, relay);
    net.find(kiosk, id);
    net.run_until_quiet();
    assert_eq!(read(&net, kiosk, id, "notice").as_deref(), Some("Water off on Tuesday"));
    assert!(net.nodes[kiosk].saw(|e| *e == RepoEvent::DocReady { document_id: id }));

    net.change(kiosk, id, |doc| {
        doc.put(ROOT, "notice", "Water off on Wednesday").unwrap();
    });
    net.run_until_quiet();
    assert_eq!(read(&net, phone, id, "notice").as_deref(), Some("Water off on Wednesday"));
    assert!(net.nodes[phone].saw(|e| *e == RepoEvent::DocChanged { document_id: id }));
}

#[test]
fn a_relay_never_offers_one_clients_documents_to_another() {
    let mut net = Network::new();
    let (phone, relay, stranger) = (net.add_device("phone"), net.add_relay("relay"), net.add_device("stranger"));
    let id = space_id(2);
    net.create(phone, id, doc_with("secret", "x"));
    net.connect(phone, relay);
    net.connect(stranger, relay);
    net.run_until_quiet();
    assert!(!net.nodes[relay].storage.is_empty(), "the relay stored the document");
    assert!(net.nodes[stranger].repo.document(&id).is_none(), "nobody told the stranger about it");
    assert!(!net.nodes[stranger].saw(|e| matches!(e, RepoEvent::DocReady { .. })));
}

#[test]
fn unknown_document_is_unavailable_until_someone_brings_it() {
    let mut net = Network::new();
    let (phone, relay, kiosk) = (net.add_device("phone"), net.add_relay("relay"), net.add_device("kiosk"));
    let id = space_id(3);
    net.connect(kiosk, relay);
    net.find(kiosk, id);
    net.run_until_quiet();
    assert!(net.nodes[kiosk].saw(|e| *e == RepoEvent::DocUnavailable { document_id: id }));

    net.create(phone, id, doc_with("notice", "late"));
    net.connect(phone, relay);
    net.run_until_quiet();
    assert_eq!(read(&net, kiosk, id, "notice").as_deref(), Some("late"), "the waiting kiosk got it when it appeared");
}

#[test]
fn a_relay_restarted_from_its_storage_still_serves_the_document() {
    let mut net = Network::new();
    let (phone, relay, kiosk) = (net.add_device("phone"), net.add_relay("relay"), net.add_device("kiosk"));
    let id = space_id(4);
    net.create(phone, id, doc_with("notice", "kept"));
    net.connect(phone, relay);
    net.run_until_quiet();
    net.restart(relay);
    net.connect(kiosk, relay);
    net.find(kiosk, id);
    net.run_until_quiet();
    assert_eq!(read(&net, kiosk, id, "notice").as_deref(), Some("kept"));
}

#[test]
fn offline_edits_on_both_sides_merge_when_they_meet() {
    let mut net = Network::new();
    let (a, relay, b) = (net.add_device("a"), net.add_relay("relay"), net.add_device("b"));
    let id = space_id(5);
    net.create(a, id, doc_with("title", "start"));
    let la = net.connect(a, relay);
    let lb = net.connect(b, relay);
    net.find(b, id);
    net.run_until_quiet();
    net.disconnect(la);
    net.disconnect(lb);
    net.change(a, id, |doc| {
        doc.put(ROOT, "from_a", "1").unwrap();
    });
    net.change(b, id, |doc| {
        doc.put(ROOT, "from_b", "2").unwrap();
    });
    net.connect(a, relay);
    net.connect(b, relay);
    net.run_until_quiet();
    for node in [a, b] {
        assert_eq!(read(&net, node, id, "from_a").as_deref(), Some("1"));
        assert_eq!(read(&net, node, id, "from_b").as_deref(), Some("2"));
    }
}

#[test]
fn shuffled_delivery_still_converges() {
    for seed in 1..40 {
        let mut net = Network::shuffled(seed);
        let relay = net.add_relay("relay");
        let devices: Vec<usize> = (0..3).map(|i| net.add_device(&format!("d{i}"))).collect();
        let id = space_id(6);
        net.create(devices[0], id, doc_with("k", "v"));
        for &d in &devices {
            net.connect(d, relay);
        }
        for &d in &devices[1..] {
            net.find(d, id);
        }
        net.run_until_quiet();
        for (i, &d) in devices.iter().enumerate() {
            net.change(d, id, |doc| {
                doc.put(ROOT, format!("edit{i}"), "x").unwrap();
            });
        }
        net.run_until_quiet();
        let heads: Vec<_> = devices.iter().map(|&d| net.nodes[d].repo.document(&id).unwrap().clone().get_heads()).collect();
        assert!(heads.windows(2).all(|w| w[0] == w[1]), "seed {seed}: devices diverged");
    }
}

#[test]
fn ephemeral_messages_are_forwarded_once() {
    let mut net = Network::new();
    let (a, relay, b) = (net.add_device("a"), net.add_relay("relay"), net.add_device("b"));
    let id = space_id(7);
    net.create(a, id, doc_with("k", "v"));
    net.connect(a, relay);
    net.connect(b, relay);
    net.find(b, id);
    net.run_until_quiet();
    let fx = net.nodes[a].repo.broadcast_ephemeral(id, vec![0xa0]);
    let frame = fx.sends[0].1.clone();
    // The same frame reaches the relay twice (connection 2 is the relay's side of a's link):
    // it is forwarded to b once, and the duplicate is dropped by the (sender, session, count) rule.
    let first = net.nodes[relay].repo.received(2, &frame);
    let second = net.nodes[relay].repo.received(2, &frame);
    assert_eq!(first.sends.len(), 1, "forwarded to b");
    assert!(second.sends.is_empty() && second.events.is_empty(), "duplicate dropped");
    assert!(matches!(&first.events[..], [RepoEvent::Ephemeral { data, .. }] if data == &vec![0xa0]));
    // b hears it under a's name, though it came over b's link to the relay.
    let (_, forwarded) = first.sends[0].clone();
    let b_conn = to_b_conn(&net, b);
    let a_id = net.nodes[a].repo.peer_id().to_owned();
    let heard = net.nodes[b].repo.received(b_conn, &forwarded);
    assert!(matches!(&heard.events[..], [RepoEvent::Ephemeral { sender_id, data, .. }] if data == &vec![0xa0] && *sender_id == a_id));
}

/// The connection on device `node` of its only link (to the relay).
fn to_b_conn(net: &Network, node: usize) -> u64 {
    net.nodes[node].repo.peers()[0].0
}

#[test]
fn protocol_violations_close_only_that_connection() {
    let mut net = Network::new();
    let relay = net.add_relay("relay");
    let repo = &mut net.nodes[relay].repo;

    repo.connected(10, Direction::Incoming);
    let fx = repo.received(10, b"\xff\x00 not cbor");
    assert!(matches!(fx.closes.as_slice(), [(10, CloseReason::Protocol(_))]));

    repo.connected(11, Direction::Incoming);
    let sync = Message::DocUnavailable { sender_id: "x".into(), target_id: "relay".into(), document_id: space_id(1) };
    let fx = repo.received(11, &codec::encode(&sync));
    assert!(matches!(fx.closes.as_slice(), [(11, CloseReason::Protocol(_))]), "a document message before join");

    repo.connected(12, Direction::Incoming);
    let join = Message::Join { sender_id: "y".into(), peer_metadata: PeerMetadata::default(), supported_protocol_versions: Some(vec!["2".into()]) };
    let fx = repo.received(12, &codec::encode(&join));
    assert!(matches!(fx.closes.as_slice(), [(12, CloseReason::UnsupportedVersion)]));
    assert!(matches!(codec::decode(&fx.sends[0].1), Ok(Message::Error { .. })));

    repo.connected(13, Direction::Incoming);
    let join = Message::Join { sender_id: "z".into(), peer_metadata: PeerMetadata::default(), supported_protocol_versions: None };
    let fx = repo.received(13, &codec::encode(&join));
    assert!(fx.closes.is_empty(), "a join without versions means version 1");
    assert!(matches!(codec::decode(&fx.sends[0].1), Ok(Message::Peer { .. })));

    let sync = Message::Sync {
        sender_id: "z".into(),
        target_id: "relay".into(),
        document_id: space_id(1),
        data: vec![0x42, 1, 2, 3],
        signatures: Vec::new(),
        member_signatures: Vec::new(),
        receipts: Vec::new(),
    };
    let fx = repo.received(13, &codec::encode(&sync));
    assert!(fx.closes.is_empty(), "the document loads first; the sync message waits for it");
    let fx = repo.loaded(space_id(1), Vec::new());
    assert!(matches!(fx.closes.as_slice(), [(13, CloseReason::BadData(_))]), "{fx:?}");
}

#[test]
fn patches_since_last_look_cover_local_and_remote_changes() {
    let mut net = Network::new();
    let (a, relay, b) = (net.add_device("a"), net.add_relay("relay"), net.add_device("b"));
    let id = space_id(8);
    net.create(a, id, doc_with("k", "v"));
    net.connect(a, relay);
    net.connect(b, relay);
    net.find(b, id);
    net.run_until_quiet();
    assert!(net.nodes[b].repo.patches_since_last_look(&id).is_none(), "the first look reads everything");
    assert_eq!(net.nodes[b].repo.patches_since_last_look(&id).map(|p| p.len()), Some(0));
    net.change(a, id, |doc| {
        doc.put(ROOT, "k", "remote").unwrap();
    });
    net.run_until_quiet();
    let remote = net.nodes[b].repo.patches_since_last_look(&id).unwrap();
    assert!(!remote.is_empty(), "a peer's change shows up as patches");
    net.change(b, id, |doc| {
        doc.put(ROOT, "local", "x").unwrap();
    });
    let local = net.nodes[b].repo.patches_since_last_look(&id).unwrap();
    assert!(!local.is_empty(), "so does a local change");
}

#[test]
fn a_peer_is_up_to_date_only_once_it_confirmed_every_change() {
    let mut net = Network::new();
    let (phone, relay) = (net.add_device("phone"), net.add_relay("relay"));
    let id = space_id(9);
    net.create(phone, id, doc_with("notice", "first"));
    net.connect(phone, relay);
    net.run_until_quiet();
    let (conn, _) = net.nodes[phone].repo.peers()[0].clone();
    assert_eq!(net.nodes[phone].repo.peer_up_to_date(&id, conn), Some(true));
    assert_eq!(net.nodes[phone].repo.peer_up_to_date(&space_id(8), conn), None, "not engaged in that document");

    net.change(phone, id, |doc| {
        doc.put(ROOT, "notice", "second").unwrap();
    });
    assert_eq!(net.nodes[phone].repo.peer_up_to_date(&id, conn), Some(false), "sent, not yet confirmed");
    net.run_until_quiet();
    assert_eq!(net.nodes[phone].repo.peer_up_to_date(&id, conn), Some(true));
}

#[test]
fn a_relay_that_takes_a_change_and_a_heads_only_message_in_one_batch_still_confirms_the_change() {
    // The phone sends a change, hears the relay's answer to an earlier one, and says so with a
    // message of heads only; a busy relay takes both in one batch. Its answer must still reach
    // the phone, or the sync panel shows "changes waiting" for ever.
    let mut net = Network::new();
    let (phone, relay) = (net.add_device("phone"), net.add_relay("relay"));
    let id = space_id(10);
    net.create(phone, id, doc_with("notice", "first"));
    net.connect(phone, relay);
    net.run_until_quiet();
    let (conn, _) = net.nodes[phone].repo.peers()[0].clone();
    net.change(phone, id, |doc| doc.put(ROOT, "notice", "second").unwrap());
    assert!(net.deliver_one(), "the second change reaches the relay, whose answer is in flight");
    net.change(phone, id, |doc| doc.put(ROOT, "notice", "third").unwrap());
    assert!(net.deliver_one(), "the answer about the second change reaches the phone");
    assert!(net.deliver_batch(8), "the third change and the phone's heads reach the relay together");
    net.run_until_quiet();
    assert_eq!(read(&net, relay, id, "notice").as_deref(), Some("third"));
    assert_eq!(net.nodes[phone].repo.peer_up_to_date(&id, conn), Some(true), "the phone knows the relay holds every change");
}

#[test]
fn a_relay_releases_a_document_nobody_uses_and_serves_every_change_from_storage_when_asked_again() {
    let mut net = Network::new();
    let (phone, relay, kiosk) = (net.add_device("phone"), net.add_relay("relay"), net.add_device("kiosk"));
    let id = space_id(9);
    net.create(phone, id, doc_with("notice", "first"));
    let link = net.connect(phone, relay);
    net.run_until_quiet();
    net.change(phone, id, |doc| {
        doc.put(ROOT, "notice", "second").unwrap();
    });
    net.run_until_quiet();
    assert!(net.nodes[relay].repo.idle_documents().is_empty(), "a document a connection is engaged in is not idle");
    assert!(!net.nodes[relay].repo.release(id), "and is not released");

    net.disconnect(link);
    net.run_until_quiet();
    let idle = net.nodes[relay].repo.idle_documents();
    assert_eq!(idle.len(), 1);
    assert_eq!(idle[0].0, id);
    assert!(idle[0].1 > 0, "its stored size is known");
    assert!(net.nodes[relay].repo.release(id));
    assert_eq!(net.nodes[relay].repo.document_count(), 0, "the relay holds no document in memory");

    net.connect(kiosk, relay);
    net.find(kiosk, id);
    net.run_until_quiet();
    assert_eq!(read(&net, kiosk, id, "notice").as_deref(), Some("second"), "loaded again from storage, with the last change");
}

#[test]
fn a_document_released_on_a_device_is_found_again_in_its_storage() {
    let mut net = Network::new();
    let phone = net.add_device("phone");
    let id = space_id(10);
    net.create(phone, id, doc_with("notice", "only here"));
    net.run_until_quiet();
    // A device's repo persists too, so it may release a document no connection is engaged in.
    assert!(net.nodes[phone].repo.release(id));
    net.find(phone, id);
    net.run_until_quiet();
    assert_eq!(read(&net, phone, id, "notice").as_deref(), Some("only here"));
}

#[test]
fn a_document_out_for_admission_is_not_read_and_its_messages_wait_in_order_until_it_is_back() {
    let mut net = Network::new();
    let (phone, relay, kiosk) = (net.add_device("phone"), net.add_relay("relay"), net.add_device("kiosk"));
    let id = space_id(12);
    net.create(phone, id, doc_with("notice", "Water off on Monday"));
    net.connect(phone, relay);
    net.connect(kiosk, relay);
    net.find(kiosk, id);
    net.run_until_quiet();
    assert_eq!(read(&net, kiosk, id, "notice").as_deref(), Some("Water off on Monday"));

    // The relay hands the document out to admit the phone's change and keeps it out.
    net.hold_jobs = true;
    net.change(phone, id, |doc| {
        doc.put(ROOT, "notice", "Water off on Tuesday").unwrap();
    });
    net.run_until_quiet();
    assert_eq!(net.jobs_out(), 1, "one admission out");
    assert!(net.nodes[relay].repo.document(&id).is_none(), "nothing reads a document that is out");
    // A second change while the first is being admitted: it waits, and nothing reaches the kiosk.
    net.change(phone, id, |doc| {
        doc.put(ROOT, "notice", "Water off on Wednesday").unwrap();
    });
    net.run_until_quiet();
    assert_eq!(net.jobs_out(), 1, "the second change waits for the document");
    assert_eq!(read(&net, kiosk, id, "notice").as_deref(), Some("Water off on Monday"));

    // Back: both changes are taken, in order, stored and passed on.
    net.hold_jobs = false;
    net.finish_jobs_of(relay);
    net.run_until_quiet();
    assert_eq!(net.jobs_out(), 0);
    assert_eq!(read(&net, relay, id, "notice").as_deref(), Some("Water off on Wednesday"));
    assert_eq!(read(&net, kiosk, id, "notice").as_deref(), Some("Water off on Wednesday"));
    // Stored: a newcomer gets both from the relay started again from its storage alone.
    net.restart(relay);
    let newcomer = net.add_device("newcomer");
    net.connect(newcomer, relay);
    net.find(newcomer, id);
    net.run_until_quiet();
    assert_eq!(read(&net, newcomer, id, "notice").as_deref(), Some("Water off on Wednesday"));
}
