//! View and edit links on the simulated network: a protected document takes changes signed with
//! its write key and refuses the rest, at a relay and at a relay that relays (docs/capabilities.md).

mod support;

use linli_sync::automerge::sync::{Message as SyncMessage, MessageVersion};
use linli_sync::automerge::transaction::Transactable;
use linli_sync::automerge::{AutoCommit, Change, ROOT, ReadDoc};
use linli_sync::capability::protect;
use linli_sync::{ChangeSignature, DocumentId, Message, RepoError, RepoEvent, WriteKey, codec};
use support::sim::Network;

const SPACE: DocumentId = DocumentId::from_bytes([42; 16]);

fn protected_doc(key: &WriteKey) -> AutoCommit {
    let mut doc = AutoCommit::new();
    protect(&mut doc, key.public());
    doc.put(ROOT, "notice", "Water off on Tuesday").unwrap();
    doc.commit();
    doc.put(ROOT, "pledge", "Quiet after 22:00").unwrap();
    doc.commit();
    doc
}

fn read(net: &Network, node: usize, key: &str) -> Option<String> {
    let doc = net.nodes[node].repo.document(&SPACE)?;
    doc.get(ROOT, key).ok()??.0.into_string().ok()
}

/// A change a peer running other code could make on its copy, bypassing its repo's refusal.
fn forged_change(net: &Network, node: usize, key: &str, value: &str) -> Change {
    let mut doc = net.nodes[node].repo.document(&SPACE).expect("has the space").clone();
    doc.put(ROOT, key, value).unwrap();
    doc.commit();
    doc.get_last_local_change().expect("just made").clone()
}

/// The sync frame carrying `change`, with the given signatures, from `sender` to `target`.
fn frame(sender: &str, target: &str, change: &Change, signatures: Vec<ChangeSignature>) -> Vec<u8> {
    let message =
        SyncMessage { heads: vec![change.hash()], need: Vec::new(), have: Vec::new(), changes: vec![change.raw_bytes().to_vec()].into(), flags: None, version: MessageVersion::V1 };
    codec::encode(&Message::Sync {
        sender_id: sender.into(),
        target_id: target.into(),
        document_id: SPACE,
        data: message.encode(),
        signatures,
        member_signatures: Vec::new(),
        receipts: Vec::new(),
    })
}

/// phone (edit link) — relay1 — relay2 (dials relay1, as a federated relay does) — viewer.
fn village() -> (Network, [usize; 4], u64, WriteKey) {
    let mut net = Network::new();
    let key = WriteKey::from_seed([1; 32]);
    let (phone, relay1, relay2, viewer) = (net.add_device("phone"), net.add_relay("relay1"), net.add_relay("relay2"), net.add_device("viewer"));
    net.nodes[phone].repo.hold_write_key(SPACE, key.clone());
    net.create(phone, SPACE, protected_doc(&key));
    net.connect(phone, relay1);
    net.connect(relay2, relay1);
    let viewer_link = net.connect(viewer, relay2);
    net.find(viewer, SPACE);
    net.run_until_quiet();
    assert_eq!(read(&net, viewer, "notice").as_deref(), Some("Water off on Tuesday"), "a view link reads");
    (net, [phone, relay1, relay2, viewer], viewer_link, key)
}

#[test]
fn a_view_peer_cannot_write_and_its_forged_change_stops_at_the_first_relay() {
    let (mut net, [phone, relay1, relay2, viewer], viewer_link, _) = village();
    assert!(!net.nodes[viewer].repo.may_write(&SPACE));
    let refused = net.nodes[viewer].repo.change(SPACE, |doc| doc.put(ROOT, "notice", "vandalized").unwrap());
    assert!(matches!(refused, Err(RepoError::ViewOnly(_))), "the viewer's own repo refuses: {refused:?}");

    let forged = forged_change(&net, viewer, "notice", "vandalized");
    net.inject(viewer_link, true, frame("viewer", "relay2", &forged, Vec::new()));
    net.run_until_quiet();
    assert!(net.nodes[relay2].saw(|e| matches!(e, RepoEvent::ChangesRefused { count: 1, .. })));
    for node in [relay2, relay1, phone] {
        assert_eq!(read(&net, node, "notice").as_deref(), Some("Water off on Tuesday"), "node {node} kept the notice");
    }
    let relay2_doc = net.nodes[relay2].repo.document(&SPACE).unwrap().clone();
    assert!(relay2_doc.get_change_by_hash(&forged.hash()).is_none(), "not stored, so never forwarded");
    assert!(net.nodes[relay2].closed.is_empty(), "the viewer stays connected for reading");

    // Reading goes on: the phone's next change reaches the viewer through both relays.
    net.change(phone, SPACE, |doc| doc.put(ROOT, "notice", "Water back on").unwrap());
    net.run_until_quiet();
    assert_eq!(read(&net, viewer, "notice").as_deref(), Some("Water back on"));
}

#[test]
fn a_signature_under_another_key_or_for_another_change_does_not_pass() {
    let (mut net, [_, _, relay2, viewer], viewer_link, key) = village();
    let forged = forged_change(&net, viewer, "notice", "vandalized");
    let stranger = WriteKey::from_seed([66; 32]);
    net.inject(viewer_link, true, frame("viewer", "relay2", &forged, vec![stranger.sign(forged.hash())]));
    let other = forged_change(&net, viewer, "pledge", "nothing");
    let borrowed = ChangeSignature { hash: forged.hash(), ..key.sign(other.hash()) };
    net.inject(viewer_link, true, frame("viewer", "relay2", &forged, vec![borrowed]));
    net.run_until_quiet();
    assert_eq!(net.nodes[relay2].events.iter().filter(|e| matches!(e, RepoEvent::ChangesRefused { .. })).count(), 2);
    assert_eq!(read(&net, relay2, "notice").as_deref(), Some("Water off on Tuesday"));
}

#[test]
fn a_second_edit_link_holder_writes_through_both_relays_and_signatures_survive_a_relay_restart() {
    let (mut net, [phone, relay1, relay2, viewer], _, key) = village();
    let tablet = net.add_device("tablet");
    net.nodes[tablet].repo.hold_write_key(SPACE, key);
    // A link's ID is the client side's connection number.
    let tablet_link = net.connect(tablet, relay2);
    net.find(tablet, SPACE);
    net.run_until_quiet();
    assert!(net.nodes[tablet].repo.may_write(&SPACE));
    net.change(tablet, SPACE, |doc| doc.put(ROOT, "task", "Fix the gate").unwrap());
    net.run_until_quiet();
    assert_eq!(net.nodes[tablet].repo.peer_up_to_date(&SPACE, tablet_link), Some(true), "the relay acknowledged the signed change");
    for node in [relay2, relay1, phone, viewer] {
        assert_eq!(read(&net, node, "task").as_deref(), Some("Fix the gate"), "node {node}");
    }
    assert!(!net.nodes.iter().any(|n| n.saw(|e| matches!(e, RepoEvent::ChangesRefused { .. }))));

    // relay1 restarts from its folder; a newcomer gets every change from it, signatures included.
    net.restart(relay1);
    let newcomer = net.add_device("newcomer");
    net.connect(newcomer, relay1);
    net.find(newcomer, SPACE);
    net.run_until_quiet();
    assert_eq!(read(&net, newcomer, "task").as_deref(), Some("Fix the gate"));
    assert!(!net.nodes[newcomer].saw(|e| matches!(e, RepoEvent::ChangesRefused { .. })));
}

#[test]
fn rotating_the_key_stops_the_old_edit_link_and_keeps_its_earlier_changes() {
    let (mut net, [phone, _, relay2, viewer], _, old) = village();
    let tablet = net.add_device("tablet");
    net.nodes[tablet].repo.hold_write_key(SPACE, old.clone());
    let tablet_link = net.connect(tablet, relay2);
    net.find(tablet, SPACE);
    net.run_until_quiet();
    net.change(tablet, SPACE, |doc| doc.put(ROOT, "before", "made with the old link").unwrap());
    net.run_until_quiet();

    let new = WriteKey::from_seed([2; 32]);
    let fx = net.nodes[phone].repo.rotate_write_key(SPACE, new).expect("the phone holds the current key");
    net.apply(phone, fx);
    net.change(phone, SPACE, |doc| doc.put(ROOT, "after", "made with the new link").unwrap());
    net.run_until_quiet();
    assert_eq!(read(&net, viewer, "after").as_deref(), Some("made with the new link"), "the new key's changes pass");
    assert_eq!(read(&net, viewer, "before").as_deref(), Some("made with the old link"), "earlier changes stay");

    assert!(!net.nodes[tablet].repo.may_write(&SPACE), "the old link is now a view link");
    let late = forged_change(&net, tablet, "before", "changed after the rotation");
    net.inject(tablet_link, true, frame("tablet", "relay2", &late, vec![old.sign(late.hash())]));
    net.run_until_quiet();
    assert!(net.nodes[relay2].saw(|e| matches!(e, RepoEvent::ChangesRefused { .. })));
    assert_eq!(read(&net, relay2, "before").as_deref(), Some("made with the old link"));
}

#[test]
fn a_peer_that_keeps_its_refused_change_does_not_make_sync_run_forever() {
    let (mut net, [phone, _, relay2, viewer], _, _) = village();
    // A peer running other code: it holds the space with a change of its own, unsigned.
    let mut copy = net.nodes[viewer].repo.document(&SPACE).unwrap().clone();
    copy.put(ROOT, "notice", "vandalized").unwrap();
    copy.commit();
    let hostile = net.add_device("hostile");
    net.create(hostile, SPACE, copy);
    net.connect(hostile, relay2);
    net.run_until_quiet();
    assert!(net.nodes[relay2].saw(|e| matches!(e, RepoEvent::ChangesRefused { .. })));
    // And later changes still flow to it, then everything goes quiet again.
    net.change(phone, SPACE, |doc| doc.put(ROOT, "pledge", "Quiet after 21:00").unwrap());
    net.run_until_quiet();
    assert_eq!(read(&net, hostile, "pledge").as_deref(), Some("Quiet after 21:00"));
    assert_eq!(read(&net, relay2, "notice").as_deref(), Some("Water off on Tuesday"));
}

#[test]
fn many_changes_at_once_sent_as_a_document_chunk_are_checked_and_pass() {
    let mut net = Network::new();
    let key = WriteKey::from_seed([1; 32]);
    let (phone, relay, tablet) = (net.add_device("phone"), net.add_relay("relay"), net.add_device("tablet"));
    net.nodes[phone].repo.hold_write_key(SPACE, key.clone());
    net.create(phone, SPACE, protected_doc(&key));
    net.connect(phone, relay);
    let tablet_link = net.connect(tablet, relay);
    net.nodes[tablet].repo.hold_write_key(SPACE, key);
    net.find(tablet, SPACE);
    while net.deliver_batch(16) {}
    // Offline, the tablet makes far more changes than the space had: automerge then sends them
    // as one document chunk, which only loads on top of what the relay has.
    net.disconnect(tablet_link);
    for n in 0..30 {
        net.change(tablet, SPACE, |doc| doc.put(ROOT, "request", format!("Stairwell {n}")).unwrap());
    }
    net.connect(tablet, relay);
    while net.deliver_batch(16) {}
    assert_eq!(read(&net, phone, "request").as_deref(), Some("Stairwell 29"));
    assert!(net.nodes[relay].closed.is_empty(), "no connection was closed");
}

/// Automerge's sync leaves out a change the sender believes we have (its Bloom filter of our
/// changes can say so falsely), expecting us to ask for it. A protected document holds back a
/// change whose dependency is missing, so it must ask for that dependency itself: asking again
/// for the held change (what Automerge alone would do) gets nothing, since it was sent already,
/// and the two sides would talk for ever. The changes come in one entry of concatenated chunks,
/// as Automerge's second message format sends them.
#[test]
fn a_protected_document_asks_for_the_dependency_a_held_back_change_is_missing() {
    let mut net = Network::new();
    let key = WriteKey::from_seed([1; 32]);
    let (phone, relay) = (net.add_device("phone"), net.add_relay("relay"));
    net.nodes[phone].repo.hold_write_key(SPACE, key.clone());
    net.create(phone, SPACE, protected_doc(&key));
    let link = net.connect(phone, relay);
    net.run_until_quiet();

    // Three edits made on a copy of the phone's document, one on the other.
    let mut copy = net.nodes[phone].repo.document(&SPACE).expect("has the space").clone();
    let mut edits = Vec::new();
    for day in ["Friday", "Saturday", "Sunday"] {
        copy.put(ROOT, "notice", format!("Water off on {day}")).unwrap();
        copy.commit();
        edits.push(copy.get_last_local_change().expect("just made").clone());
    }
    let later = &edits[1..];
    let message = SyncMessage {
        heads: vec![edits[2].hash()],
        need: Vec::new(),
        have: Vec::new(),
        changes: vec![later.iter().flat_map(|c| c.raw_bytes().to_vec()).collect::<Vec<u8>>()].into(),
        flags: None,
        version: MessageVersion::V2,
    };
    let signatures = vec![key.sign(edits[2].hash())];
    let sent = Message::Sync {
        sender_id: "phone".into(),
        target_id: "relay".into(),
        document_id: SPACE,
        data: message.encode(),
        signatures,
        member_signatures: Vec::new(),
        receipts: Vec::new(),
    };
    net.inject(link, true, codec::encode(&sent));
    assert!(net.deliver_one());
    net.finish_jobs_of(relay);

    let answer = codec::decode(&net.peek_first().expect("the relay answers")).expect("a frame");
    let Message::Sync { data, .. } = answer else { panic!("a sync answer, not {answer:?}") };
    let answer = SyncMessage::decode(&data).expect("a sync message");
    assert_eq!(answer.need, vec![edits[0].hash()], "the relay asks for the missing edit, not for the ones it holds");
    assert_eq!(read(&net, relay, "notice").as_deref(), Some("Water off on Tuesday"), "nothing applied out of order");

    net.inject(link, true, frame("phone", "relay", &edits[0], Vec::new()));
    net.run_until_quiet();
    assert!(!net.nodes[relay].saw(|e| matches!(e, RepoEvent::ChangesRefused { .. })), "nothing refused");
    assert_eq!(read(&net, relay, "notice").as_deref(), Some("Water off on Sunday"), "the held edits follow their dependency");
    assert_eq!(read(&net, phone, "notice").as_deref(), Some("Water off on Sunday"), "and reach the phone");
}
