//! The take-part tier on the simulated network: residents with a take-part link sign, raise and
//! comment through relays; what a resident may not do is refused by every peer, and the device
//! that sent it hears why (docs/capabilities.md).

mod support;

use linli_core::{Author, Editor, ItemId, MemberId, NoticeDraft, Place, PledgeDraft, Space, SpaceDocument, TaskDraft, Timestamp, new_space_with};
use linli_sync::automerge::sync::{Message as SyncMessage, MessageVersion};
use linli_sync::automerge::{AutoCommit, Change};
use linli_sync::capability::protect;
use linli_sync::home_relay::{RelayKey, home};
use linli_sync::take_part_key::set_take_part_key;
use linli_sync::{Access, DocumentId, MemberKey, MemberSignature, Message, RepoError, RepoEvent, TakePartKey, WriteKey, codec};
use support::sim::Network;

/// The space: its ID certifies its write key.
static SPACE: std::sync::LazyLock<DocumentId> = std::sync::LazyLock::new(|| DocumentId::certified(&WriteKey::from_seed([1; 32]).public()));

/// The organiser as the Editor writes (items they make carry their mark).
fn lin() -> Author {
    author(&MemberKey::from_seed([10; 32]), 1)
}
fn pledge() -> ItemId {
    lin().new_item_id([1; 8])
}
fn notice() -> ItemId {
    lin().new_item_id([2; 8])
}
fn board() -> ItemId {
    lin().new_item_id([3; 8])
}
fn column() -> ItemId {
    lin().new_item_id([4; 8])
}

fn author(key: &MemberKey, session: u8) -> Author {
    Author { member: MemberId::from_public_key(key.public()), session: [session; 8], now: Timestamp(1_000_000) }
}

struct Village {
    net: Network,
    organiser: usize,
    relay1: usize,
    relay2: usize,
    resident: usize,
    resident_link: u64,
    resident_key: MemberKey,
    take_part: TakePartKey,
    write: WriteKey,
}

/// organiser (edit link) — relay1 — relay2 (federated) — resident (take-part link).
fn village() -> Village {
    village_with(None)
}

/// The same, relay 1 giving receipts as `relay_key` (as the relay binary does).
fn village_with(relay_key: Option<RelayKey>) -> Village {
    let mut net = Network::new();
    let write = WriteKey::from_seed([1; 32]);
    let take_part = TakePartKey::from_seed([2; 32]);
    let organiser_key = MemberKey::from_seed([10; 32]);
    let resident_key = MemberKey::from_seed([11; 32]);
    let (organiser, relay1, relay2, resident) = (net.add_device("organiser"), net.add_relay("relay1"), net.add_relay("relay2"), net.add_device("resident"));
    net.nodes[organiser].repo.hold_write_key(*SPACE, write.clone());
    net.nodes[organiser].repo.hold_member_key(organiser_key.clone());
    let lin = author(&organiser_key, 1);
    let mut doc = new_space_with("Sanfang", &lin, |doc| {
        protect(doc, write.public());
        set_take_part_key(doc, &take_part, &write);
    });
    let mut editor = Editor::new(&mut doc, &lin);
    editor.create_pledge(&pledge(), PledgeDraft { title: "Quiet after 22:00".into(), goal: 10, ..Default::default() }).unwrap();
    editor.post_notice(&notice(), NoticeDraft::new("Lift repair", "Friday")).unwrap();
    editor.create_board(&board(), "Requests", &[(column(), [("en".to_owned(), "New".to_owned())].into())]).unwrap();
    net.create(organiser, *SPACE, doc);
    if let Some(key) = relay_key {
        net.nodes[relay1].repo.give_receipts_as(key);
    }
    net.connect(organiser, relay1);
    net.connect(relay2, relay1);
    net.nodes[resident].repo.hold_member_key(resident_key.clone());
    net.nodes[resident].repo.hold_take_part_key(*SPACE, take_part.clone());
    let resident_link = net.connect(resident, relay2);
    net.find(resident, *SPACE);
    net.run_until_quiet();
    assert_eq!(net.nodes[resident].repo.access(&SPACE), Access::TakePart);
    assert_eq!(net.nodes[organiser].repo.access(&SPACE), Access::Edit);
    Village { net, organiser, relay1, relay2, resident, resident_link, resident_key, take_part, write }
}

/// A device with no key that took the space from `relay`, then went offline.
fn offline_viewer(net: &mut Network, relay: usize) -> usize {
    let viewer = net.add_device("viewer");
    let link = net.connect(viewer, relay);
    net.find(viewer, *SPACE);
    net.run_until_quiet();
    net.disconnect(link);
    viewer
}

fn space(net: &Network, node: usize) -> Space {
    Space::hydrate(net.nodes[node].repo.document(&SPACE).expect("has the space")).expect("a space")
}

fn resident_does(v: &mut Village, act: impl FnOnce(&mut Editor<'_>)) {
    let me = author(&v.resident_key, 2);
    v.net.change(v.resident, *SPACE, |doc| act(&mut Editor::new(doc, &me)));
}

/// A change a device running other code makes on its copy of the space, as `who`, bypassing its
/// own repo's checks.
fn made_apart(net: &Network, node: usize, who: &Author, act: impl FnOnce(&mut Editor<'_>)) -> Change {
    let mut doc: AutoCommit = net.nodes[node].repo.document(&SPACE).expect("has the space").clone();
    act(&mut Editor::new(&mut doc, who));
    doc.get_last_local_change().expect("just made").clone()
}

/// The sync frame carrying `changes`, with member signatures, from `sender` to `target`.
fn frame(sender: &str, target: &str, changes: &[&Change], member_signatures: Vec<MemberSignature>) -> Vec<u8> {
    let mut heads: Vec<_> = changes.iter().map(|c| c.hash()).collect();
    heads.sort();
    let message = SyncMessage {
        heads,
        need: Vec::new(),
        have: Vec::new(),
        changes: changes.iter().map(|c| c.raw_bytes().to_vec()).collect::<Vec<_>>().into(),
        flags: None,
        version: MessageVersion::V1,
    };
    codec::encode(&Message::Sync {
        sender_id: sender.into(),
        target_id: target.into(),
        document_id: *SPACE,
        data: message.encode(),
        signatures: Vec::new(),
        member_signatures,
        receipts: Vec::new(),
    })
}

fn refused_at(net: &Network, node: usize) -> usize {
    net.nodes[node].events.iter().filter_map(|e| if let RepoEvent::ChangesRefused { count, .. } = e { Some(*count) } else { None }).sum()
}

/// A relay announces its key in the handshake; the organiser's device, which holds the write
/// key, names the relay it brought the space to its home relay, once, and every replica reads
/// it. Relay 2 (federated, giving no receipts) and the resident (no write key) name nothing, and
/// the resident's changes go on with relay 1's receipts.
#[test]
fn an_organisers_device_names_the_relay_it_brings_a_space_to_its_home() {
    let key = RelayKey::from_seed([30; 32]);
    let mut v = village_with(Some(key.clone()));
    for node in [v.organiser, v.relay1, v.relay2, v.resident] {
        assert_eq!(home(v.net.nodes[node].repo.document(&SPACE).expect("has the space")), Some(key.public()), "node {node}");
    }
    let organiser = v.organiser;
    let named = |net: &Network| net.nodes[organiser].repo.document(&SPACE).unwrap().clone().get_changes(&[]).len();
    let before = named(&v.net);
    resident_does(&mut v, |e| e.join("Ann", "").unwrap());
    resident_does(&mut v, |e| e.sign_pledge(&pledge(), "Ann").unwrap());
    v.net.run_until_quiet();
    assert_eq!(space(&v.net, v.organiser).pledges[pledge().as_str()].signatures.len(), 1, "the resident's signature arrived, receipted");
    assert_eq!(named(&v.net), before + 2, "the home was named once");
    // Without a relay that gives receipts, no home.
    let v = village();
    assert_eq!(home(v.net.nodes[v.organiser].repo.document(&SPACE).unwrap()), None);
}

#[test]
fn a_resident_joins_signs_raises_and_comments_and_everyone_has_it() {
    let mut v = village();
    let me = MemberId::from_public_key(v.resident_key.public()).to_string();
    resident_does(&mut v, |e| e.join("Ann", "").unwrap());
    resident_does(&mut v, |e| e.sign_pledge(&pledge(), "Ann").unwrap());
    let ann = author(&v.resident_key, 2);
    resident_does(&mut v, |e| {
        e.raise_request(&ann.new_item_id([5; 8]), &board(), &column(), "", TaskDraft { title: "Broken lamp".into(), ..Default::default() }, Place::End).unwrap()
    });
    resident_does(&mut v, |e| e.comment_on_notice(&notice(), &ann.new_item_id([6; 8]), "Thank you").unwrap());
    v.net.run_until_quiet();
    for node in [v.relay2, v.relay1, v.organiser] {
        let s = space(&v.net, node);
        assert_eq!(s.member_name(&me), Some("Ann"), "node {node}");
        assert!(s.pledges[pledge().as_str()].signatures.contains_key(&me), "node {node}");
        assert_eq!(s.open_requests().len(), 1, "node {node}");
        assert_eq!(s.notices[notice().as_str()].comments.len(), 1, "node {node}");
    }
    assert_eq!(refused_at(&v.net, v.relay2) + refused_at(&v.net, v.relay1) + refused_at(&v.net, v.organiser), 0);
}

#[test]
fn a_resident_repo_refuses_its_own_forbidden_change_and_keeps_the_space_as_it_was() {
    let mut v = village();
    let me = author(&v.resident_key, 2);
    let heads_before = v.net.nodes[v.resident].repo.read_mut(&SPACE, |doc| doc.get_heads()).unwrap();
    let refused = v.net.nodes[v.resident].repo.change(*SPACE, |doc| Editor::new(doc, &me).edit_notice(&notice(), NoticeDraft::new("Lift repair cancelled", "")).unwrap());
    match refused {
        Err(RepoError::Refused(reason)) => assert!(reason.contains("changed by organisers"), "{reason}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let heads_after = v.net.nodes[v.resident].repo.read_mut(&SPACE, |doc| doc.get_heads()).unwrap();
    assert_eq!(heads_before, heads_after, "the refused change was taken back out");
    assert_eq!(space(&v.net, v.resident).notices[notice().as_str()].title, "Lift repair");
    // The resident can go on taking part.
    resident_does(&mut v, |e| e.join("Ann", "").unwrap());
    resident_does(&mut v, |e| e.sign_pledge(&pledge(), "Ann").unwrap());
    v.net.run_until_quiet();
    assert_eq!(space(&v.net, v.organiser).pledges[pledge().as_str()].signature_count(), 1);
}

#[test]
fn a_residents_crafted_change_to_a_notice_stops_at_the_first_relay_and_the_resident_hears_why() {
    let mut v = village();
    let me = author(&v.resident_key, 2);
    let crafted = made_apart(&v.net, v.resident, &me, |e| e.edit_notice(&notice(), NoticeDraft::new("Lift repair cancelled", "")).unwrap());
    let signed = v.resident_key.sign(crafted.hash(), Some(&v.take_part.signer()));
    v.net.inject(v.resident_link, true, frame("resident", "relay2", &[&crafted], vec![signed]));
    v.net.run_until_quiet();
    assert_eq!(refused_at(&v.net, v.relay2), 1);
    for node in [v.relay2, v.relay1, v.organiser] {
        assert_eq!(space(&v.net, node).notices[notice().as_str()].title, "Lift repair", "node {node}");
    }
    assert!(
        v.net.nodes[v.resident].saw(|e| matches!(e, RepoEvent::RefusedByPeer { reason, .. } if reason.contains("changed by organisers"))),
        "the relay told the resident's device why"
    );
}

#[test]
fn no_one_signs_in_a_residents_name_not_even_an_organiser() {
    let mut v = village();
    let ann = author(&v.resident_key, 2);
    // A change with Ann's actor, signed by another member (the organiser's device) and the
    // write key: the write key does not make it Ann's.
    let forged = made_apart(&v.net, v.organiser, &ann, |e| e.sign_pledge(&pledge(), "Ann").unwrap());
    let organiser_key = MemberKey::from_seed([10; 32]);
    let organiser_link = 1;
    let message =
        SyncMessage { heads: vec![forged.hash()], need: Vec::new(), have: Vec::new(), changes: vec![forged.raw_bytes().to_vec()].into(), flags: None, version: MessageVersion::V1 };
    let bytes = codec::encode(&Message::Sync {
        sender_id: "organiser".into(),
        target_id: "relay1".into(),
        document_id: *SPACE,
        data: message.encode(),
        signatures: vec![v.write.sign(forged.hash())],
        member_signatures: vec![organiser_key.sign(forged.hash(), None)],
        receipts: Vec::new(),
    });
    v.net.inject(organiser_link, true, bytes);
    v.net.run_until_quiet();
    assert_eq!(refused_at(&v.net, v.relay1), 1);
    assert_eq!(space(&v.net, v.relay2).pledges[pledge().as_str()].signature_count(), 0);
    // And an organiser's own repo will not sign for a resident either.
    let refused = v.net.nodes[v.organiser].repo.change(*SPACE, |doc| Editor::new(doc, &ann).sign_pledge(&pledge(), "Ann").unwrap());
    assert!(matches!(&refused, Err(RepoError::Refused(reason)) if reason.contains("own signature")), "{refused:?}");
}

#[test]
fn a_resident_cannot_launder_a_forged_change_by_building_on_it() {
    let mut v = village();
    let me = author(&v.resident_key, 2);
    // A forged change by someone else (no signature of its own), then the resident's honest
    // signature built on top of it, signed by the resident with the take-part link.
    let stranger = author(&MemberKey::from_seed([66; 32]), 9);
    let mut doc: AutoCommit = v.net.nodes[v.resident].repo.document(&SPACE).unwrap().clone();
    Editor::new(&mut doc, &stranger).edit_notice(&notice(), NoticeDraft::new("Lift repair cancelled", "")).unwrap();
    let forged = doc.get_last_local_change().unwrap().clone();
    Editor::new(&mut doc, &me).sign_pledge(&pledge(), "Ann").unwrap();
    let honest = doc.get_last_local_change().unwrap().clone();
    assert!(honest.deps().contains(&forged.hash()));
    let signed = v.resident_key.sign(honest.hash(), Some(&v.take_part.signer()));
    v.net.inject(v.resident_link, true, frame("resident", "relay2", &[&forged, &honest], vec![signed]));
    v.net.run_until_quiet();
    assert_eq!(refused_at(&v.net, v.relay2), 2, "both: the forged one, and the one built on it");
    let s = space(&v.net, v.relay2);
    assert_eq!(s.notices[notice().as_str()].title, "Lift repair");
    assert_eq!(s.pledges[pledge().as_str()].signature_count(), 0);
}

#[test]
fn a_view_link_cannot_take_part() {
    let mut v = village();
    let viewer = v.net.add_device("viewer");
    v.net.nodes[viewer].repo.hold_member_key(MemberKey::from_seed([12; 32]));
    v.net.connect(viewer, v.relay2);
    v.net.find(viewer, *SPACE);
    v.net.run_until_quiet();
    assert_eq!(v.net.nodes[viewer].repo.access(&SPACE), Access::View);
    let me = author(&MemberKey::from_seed([12; 32]), 3);
    let refused = v.net.nodes[viewer].repo.change(*SPACE, |doc| Editor::new(doc, &me).sign_pledge(&pledge(), "Bo").unwrap());
    assert!(matches!(refused, Err(RepoError::ViewOnly(_))), "{refused:?}");
}

#[test]
fn stopping_old_take_part_links_stops_them_and_a_new_link_works() {
    let mut v = village();
    resident_does(&mut v, |e| e.join("Ann", "").unwrap());
    v.net.run_until_quiet();
    let new = TakePartKey::from_seed([3; 32]);
    let fx = v.net.nodes[v.organiser].repo.set_take_part_key(*SPACE, new.clone()).expect("the organiser holds the write key");
    v.net.apply(v.organiser, fx);
    v.net.run_until_quiet();
    assert_eq!(v.net.nodes[v.resident].repo.access(&SPACE), Access::View, "the old take-part link now only reads");
    // A change signed with the old link is refused everywhere.
    let me = author(&v.resident_key, 2);
    let late = made_apart(&v.net, v.resident, &me, |e| e.sign_pledge(&pledge(), "Ann").unwrap());
    let signed = v.resident_key.sign(late.hash(), Some(&v.take_part.signer()));
    v.net.inject(v.resident_link, true, frame("resident", "relay2", &[&late], vec![signed]));
    v.net.run_until_quiet();
    assert_eq!(refused_at(&v.net, v.relay2), 1);
    // With the new link (say from the new poster), the same resident takes part again.
    v.net.nodes[v.resident].repo.hold_take_part_key(*SPACE, new);
    resident_does(&mut v, |e| e.sign_pledge(&pledge(), "Ann").unwrap());
    v.net.run_until_quiet();
    assert_eq!(space(&v.net, v.organiser).pledges[pledge().as_str()].signature_count(), 1);
    // Organisers open the new link from the space (it is sealed under the write key).
    assert_eq!(v.net.nodes[v.organiser].repo.take_part_key(&SPACE).map(|k| k.public()), Some(TakePartKey::from_seed([3; 32]).public()));
}

#[test]
fn moving_the_write_key_keeps_the_take_part_link_working() {
    let mut v = village();
    let fx = v.net.nodes[v.organiser].repo.rotate_write_key(*SPACE, WriteKey::from_seed([4; 32])).expect("holds the key");
    v.net.apply(v.organiser, fx);
    v.net.run_until_quiet();
    assert_eq!(v.net.nodes[v.organiser].repo.take_part_key(&SPACE).map(|k| k.public()), Some(v.take_part.public()), "resealed under the new key");
    resident_does(&mut v, |e| e.join("Ann", "").unwrap());
    resident_does(&mut v, |e| e.sign_pledge(&pledge(), "Ann").unwrap());
    v.net.run_until_quiet();
    assert_eq!(space(&v.net, v.organiser).pledges[pledge().as_str()].signature_count(), 1);
}

#[test]
fn moving_the_write_key_twice_keeps_every_earlier_seed_for_the_newest_key_and_no_other() {
    let mut v = village();
    let first = v.net.nodes[v.organiser].repo.write_key_opening(&SPACE).expect("holds the key").seed();
    for seed in [[4; 32], [5; 32]] {
        let fx = v.net.nodes[v.organiser].repo.rotate_write_key(*SPACE, WriteKey::from_seed(seed)).expect("holds the key");
        v.net.apply(v.organiser, fx);
        v.net.run_until_quiet();
    }
    // Every peer took both moves (the sealed earlier keys fit the space's rules).
    let heads = v.net.nodes[v.organiser].repo.read_mut(&SPACE, |doc| doc.get_heads()).unwrap();
    assert_eq!(v.net.nodes[v.relay2].repo.read_mut(&SPACE, |doc| doc.get_heads()).unwrap(), heads);
    let at_relay = v.net.nodes[v.relay2].repo.document(&SPACE).unwrap().clone();
    let past = |seed: [u8; 32]| linli_sync::past_write_keys::past_write_seeds(&at_relay, &WriteKey::from_seed(seed));
    assert_eq!(past([5; 32]), vec![first, [4; 32]], "the newest key opens every earlier seed, oldest first");
    assert!(past([4; 32]).is_empty() && past(first).is_empty(), "an older key opens none");
}

#[test]
fn member_signatures_cover_each_members_chain_with_about_one_per_head() {
    let mut v = village();
    // Offline, the resident makes 40 changes; back online they travel with one member signature.
    v.net.disconnect(v.resident_link);
    resident_does(&mut v, |e| e.join("Ann", "").unwrap());
    for n in 0..40u8 {
        let id = author(&v.resident_key, 2).new_item_id([100 + n; 8]);
        resident_does(&mut v, |e| e.comment_on_notice(&notice(), &id, "me too").unwrap());
    }
    v.net.connect(v.resident, v.relay2);
    let mut member_signatures_sent = 0;
    let mut changes_sent = 0;
    loop {
        // (Relays admit changes out of their repo, as a step of their own: finish those first.)
        v.net.finish_jobs();
        let Some(frame) = v.net.peek_first() else { break };
        if let Ok(Message::Sync { member_signatures, data, sender_id, .. }) = codec::decode(&frame)
            && sender_id == "resident"
        {
            // (A message may carry the whole space, with the organiser's chain and signature too.)
            member_signatures_sent += member_signatures.iter().filter(|s| s.member == v.resident_key.public()).count();
            changes_sent += linli_sync::automerge::sync::Message::decode(&data).map(|m| m.changes.len()).unwrap_or(0);
        }
        v.net.deliver_one();
    }
    assert!(changes_sent >= 1, "the offline changes went out");
    assert_eq!(member_signatures_sent, 1, "one signature of the resident's for their whole chain of 41 changes");
    assert_eq!(space(&v.net, v.organiser).notices[notice().as_str()].comments.len(), 40);
    assert_eq!(refused_at(&v.net, v.relay2) + refused_at(&v.net, v.relay1) + refused_at(&v.net, v.organiser), 0);
}

#[test]
fn a_restarted_relay_serves_residents_changes_with_their_signatures() {
    let mut v = village();
    resident_does(&mut v, |e| e.join("Ann", "").unwrap());
    resident_does(&mut v, |e| e.sign_pledge(&pledge(), "Ann").unwrap());
    v.net.run_until_quiet();
    v.net.restart(v.relay1);
    let newcomer = v.net.add_device("newcomer");
    v.net.connect(newcomer, v.relay1);
    v.net.find(newcomer, *SPACE);
    v.net.run_until_quiet();
    assert_eq!(space(&v.net, newcomer).pledges[pledge().as_str()].signature_count(), 1);
    assert_eq!(refused_at(&v.net, newcomer), 0);
}

#[test]
fn a_space_file_carries_residents_changes_with_their_signatures_to_any_device() {
    let mut v = village();
    // The resident signs with no network, and hands the space over on a USB stick.
    v.net.disconnect(v.resident_link);
    resident_does(&mut v, |e| e.join("Ann", "").unwrap());
    resident_does(&mut v, |e| e.sign_pledge(&pledge(), "Ann").unwrap());
    let file = v.net.nodes[v.resident].repo.export_file(&SPACE).expect("the resident has the space");
    // A neighbour with only a view link, offline too, imports it: the changes are admitted on
    // the signatures the file carries, and travel on from there.
    let viewer = offline_viewer(&mut v.net, v.relay2);
    let (imported, fx) = v.net.nodes[viewer].repo.import_file(*SPACE, &file);
    v.net.apply(viewer, fx);
    let imported = imported.expect("the file is this space");
    assert_eq!((imported.new_changes, imported.refused), (2, 0));
    v.net.connect(viewer, v.relay2);
    v.net.run_until_quiet();
    assert_eq!(space(&v.net, v.organiser).pledges[pledge().as_str()].signature_count(), 1);
    assert_eq!(refused_at(&v.net, v.relay2) + refused_at(&v.net, v.relay1) + refused_at(&v.net, v.organiser), 0);
}

/// A device that opens a homed space for the first time takes all of it from the home: residents'
/// changes with the home's receipts, organisers' changes on the signatures that cover them.
#[test]
fn a_newcomer_takes_a_homed_space_whole() {
    let key = RelayKey::from_seed([30; 32]);
    let mut v = village_with(Some(key));
    resident_does(&mut v, |e| e.join("Ann", "").unwrap());
    resident_does(&mut v, |e| e.sign_pledge(&pledge(), "Ann").unwrap());
    v.net.run_until_quiet();
    let lin = Author { member: MemberId::from_public_key(MemberKey::from_seed([10; 32]).public()), session: [1; 8], now: Timestamp(1_000_000) };
    for body in ["Friday", "Saturday", "Sunday"] {
        v.net.change(v.organiser, *SPACE, |doc| Editor::new(doc, &lin).edit_notice(&notice(), NoticeDraft::new("Lift repair", body)).unwrap());
    }
    v.net.run_until_quiet();
    for relay in [v.relay1, v.relay2] {
        let newcomer = v.net.add_device("newcomer");
        v.net.connect(newcomer, relay);
        v.net.find(newcomer, *SPACE);
        v.net.run_until_quiet();
        let heads = |node: usize| v.net.nodes[node].repo.document(&SPACE).expect("has the space").clone().get_heads();
        assert_eq!(heads(newcomer), heads(v.organiser), "a newcomer at node {relay} has the whole space");
        assert_eq!(refused_at(&v.net, newcomer), 0);
    }
}

/// An organiser's device that restarted away from the home holds no receipts (they are kept in
/// memory): what it passes to another device on a direct link, built on a resident's change,
/// waits there for the home, the organiser's changes covered by one signature included (they are
/// not refused for their voucher being held back), and all of it is taken once that device
/// reaches a relay.
#[test]
fn changes_vouched_by_an_edit_that_waits_for_the_home_wait_with_it() {
    let key = RelayKey::from_seed([30; 32]);
    let mut v = village_with(Some(key));
    let viewer = offline_viewer(&mut v.net, v.relay2);
    // The organiser edits the notice, a resident joins, the organiser edits it again (on top of
    // the join): the second edit's signature covers the first.
    let organiser_key = MemberKey::from_seed([10; 32]);
    let lin = Author { member: MemberId::from_public_key(organiser_key.public()), session: [1; 8], now: Timestamp(1_000_000) };
    let edit = |v: &mut Village, body: &str| v.net.change(v.organiser, *SPACE, |doc| Editor::new(doc, &lin).edit_notice(&notice(), NoticeDraft::new("Lift repair", body)).unwrap());
    edit(&mut v, "Saturday");
    v.net.run_until_quiet();
    resident_does(&mut v, |e| e.join("Ann", "").unwrap());
    v.net.run_until_quiet();
    edit(&mut v, "Sunday");
    v.net.run_until_quiet();
    v.net.restart(v.organiser);
    v.net.nodes[v.organiser].repo.hold_write_key(*SPACE, v.write.clone());
    v.net.nodes[v.organiser].repo.hold_member_key(organiser_key);
    v.net.find(v.organiser, *SPACE);
    v.net.run_until_quiet();
    v.net.connect(viewer, v.organiser);
    v.net.run_until_quiet();
    let body = |net: &Network, node: usize| space(net, node).notices[notice().as_str()].body.clone();
    // The first edit is vouched for only by the second's signature, and the second is built on
    // the resident's change, which waits for the home: both wait with it.
    assert_eq!(body(&v.net, viewer), "Friday");
    let reasons: Vec<String> =
        v.net.nodes[viewer].events.iter().filter_map(|e| if let RepoEvent::ChangesRefused { reason, .. } = e { Some(reason.clone()) } else { None }).collect();
    assert_eq!(refused_at(&v.net, viewer), 0, "nothing is refused for waiting: {reasons:?}");
    v.net.connect(viewer, v.relay2);
    v.net.run_until_quiet();
    assert_eq!(body(&v.net, viewer), "Sunday");
    let heads = |node: usize| v.net.nodes[node].repo.document(&SPACE).expect("has the space").clone().get_heads();
    assert_eq!(heads(viewer), heads(v.relay1));
}

/// In a space with a home relay, a file carries the home's receipts: a resident's changes that
/// reached the home go by USB stick to a device that is offline and are taken at once; the
/// resident's own changes made offline (no receipt yet) wait beside the document, are counted as
/// waiting, and go in once the device reaches the home.
#[test]
fn a_space_file_carries_the_home_relays_receipts() {
    let key = RelayKey::from_seed([30; 32]);
    let mut v = village_with(Some(key));
    let viewer = offline_viewer(&mut v.net, v.relay2);
    resident_does(&mut v, |e| e.join("Ann", "").unwrap());
    v.net.run_until_quiet();
    v.net.disconnect(v.resident_link);
    resident_does(&mut v, |e| e.sign_pledge(&pledge(), "Ann").unwrap());
    let file = v.net.nodes[v.resident].repo.export_file(&SPACE).expect("the resident has the space");
    let (imported, fx) = v.net.nodes[viewer].repo.import_file(*SPACE, &file);
    v.net.apply(viewer, fx);
    let imported = imported.expect("the file is this space");
    assert_eq!((imported.new_changes, imported.refused, imported.waiting), (1, 0, 1), "the join receipted, the signature not yet");
    assert!(space(&v.net, viewer).members.contains_key(&MemberId::from_public_key(v.resident_key.public()).to_string()));
    assert_eq!(space(&v.net, viewer).pledges[pledge().as_str()].signature_count(), 0);
    v.net.connect(viewer, v.relay2);
    v.net.run_until_quiet();
    assert_eq!(space(&v.net, viewer).pledges[pledge().as_str()].signature_count(), 1, "receipted once it reached the home");
    assert_eq!(space(&v.net, v.organiser).pledges[pledge().as_str()].signature_count(), 1);
}

#[test]
fn a_space_file_cannot_smuggle_a_forged_change_nor_another_space_in() {
    let mut v = village();
    let me = author(&v.resident_key, 2);
    let mut doc: AutoCommit = v.net.nodes[v.resident].repo.document(&SPACE).unwrap().clone();
    Editor::new(&mut doc, &me).edit_notice(&notice(), NoticeDraft::new("Lift repair cancelled", "")).unwrap();
    let forged = doc.get_last_local_change().unwrap();
    let file = linli_sync::space_file::SpaceFile {
        document: doc.save(),
        signatures: Vec::new(),
        member_signatures: vec![v.resident_key.sign(forged.hash(), Some(&v.take_part.signer()))],
        receipts: Vec::new(),
    };
    let (imported, fx) = v.net.nodes[v.organiser].repo.import_file(*SPACE, &file.encode());
    v.net.apply(v.organiser, fx);
    let imported = imported.expect("the file is this space");
    assert_eq!((imported.new_changes, imported.refused), (0, 1));
    assert!(imported.reason.is_some_and(|r| r.contains("changed by organisers")));
    assert_eq!(space(&v.net, v.organiser).notices[notice().as_str()].title, "Lift repair");

    let other = new_space_with("Elsewhere", &me, |_| {});
    let (imported, _) = v.net.nodes[v.organiser].repo.import_file(*SPACE, &other.clone().save());
    assert!(matches!(imported, Err(RepoError::DifferentDocument)), "{imported:?}");
    let (imported, _) = v.net.nodes[v.organiser].repo.import_file(*SPACE, b"not a file");
    assert!(matches!(imported, Err(RepoError::BadFile(_))), "{imported:?}");
}

/// Runs the network, answering every cut asked of `relay` with its copy's heads now.
fn answer_cuts_with_heads(net: &mut Network, relay: usize) {
    loop {
        net.run_until_quiet();
        let asked: Vec<_> = std::mem::take(&mut net.nodes[relay].events)
            .into_iter()
            .filter_map(|e| match e {
                RepoEvent::CutAsked { conn, document_id, at } => Some((conn, document_id, at)),
                _ => None,
            })
            .collect();
        if asked.is_empty() {
            return;
        }
        for (conn, document_id, at) in asked {
            let heads = net.nodes[relay].repo.document(&document_id).map(|d| d.clone().get_heads());
            let fx = net.nodes[relay].repo.answer_cut(conn, document_id, at.unwrap_or(77), heads);
            net.apply(relay, fx);
        }
    }
}

#[test]
fn a_cut_asked_offline_goes_to_the_home_relay_once_online_and_only_its_signed_answer_counts() {
    let key = RelayKey::from_seed([30; 32]);
    let mut v = village_with(Some(key.clone()));
    // The organiser's device is offline; the resident signs meanwhile.
    let organiser_link = v.net.links().into_iter().find(|l| v.net.client_conn(*l).is_some() && *l != v.resident_link).expect("the organiser's link");
    v.net.disconnect(organiser_link);
    resident_does(&mut v, |e| e.join("Ann", "").unwrap());
    v.net.run_until_quiet();
    let fx = v.net.nodes[v.organiser].repo.ask_cut(*SPACE, Some(5_000));
    assert!(fx.sends.is_empty(), "no home relay to ask offline");
    v.net.apply(v.organiser, fx);
    assert!(v.net.nodes[v.organiser].repo.asking_cut(&SPACE));
    // Back online: the ask goes to relay1, the home. An answer signed with another key (here
    // slipped in on the home's own connection) is not taken.
    let link = v.net.connect(v.organiser, v.relay1);
    v.net.run_until_quiet();
    let forged = RelayKey::from_seed([31; 32]).cut(&SPACE, 5_000, Vec::new());
    let organiser_id = v.net.nodes[v.organiser].repo.peer_id().to_owned();
    let relay_id = v.net.nodes[v.relay1].repo.peer_id().to_owned();
    let forged = Message::CutAnswer { sender_id: relay_id, target_id: organiser_id, document_id: *SPACE, at: 5_000, cut: Some(forged) };
    v.net.inject(link, false, codec::encode(&forged));
    v.net.run_until_quiet();
    assert!(!v.net.nodes[v.organiser].events.iter().any(|e| matches!(e, RepoEvent::CutGiven { .. })), "a forged cut is not taken");
    assert!(v.net.nodes[v.organiser].repo.asking_cut(&SPACE));
    answer_cuts_with_heads(&mut v.net, v.relay1);
    let home_heads = v.net.nodes[v.relay1].repo.document(&SPACE).unwrap().clone().get_heads();
    let given: Vec<_> = v.net.nodes[v.organiser]
        .events
        .iter()
        .filter_map(|e| match e {
            RepoEvent::CutGiven { document_id, asked, at, cut } => Some((*document_id, *asked, *at, cut.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(given.len(), 1, "answered once: {given:?}");
    let (document_id, asked, at, cut) = given[0].clone();
    assert_eq!((document_id, asked, at), (*SPACE, Some(5_000), 5_000));
    let cut = cut.expect("a statement");
    assert!(cut.is_valid_under(&key.public(), &SPACE));
    let mut expected = home_heads.clone();
    expected.sort();
    assert_eq!(cut.heads, expected, "the home's heads, with the resident's join in them");
    assert!(!v.net.nodes[v.organiser].repo.asking_cut(&SPACE));
    // Asked for now (an organiser closing early): the home answers with its moment.
    let fx = v.net.nodes[v.organiser].repo.ask_cut(*SPACE, None);
    v.net.apply(v.organiser, fx);
    answer_cuts_with_heads(&mut v.net, v.relay1);
    assert!(v.net.nodes[v.organiser].events.iter().any(|e| matches!(e, RepoEvent::CutGiven { asked: None, at: 77, cut: Some(_), .. })), "answered for now");
    // Asked of a repo that is no relay, nothing is reported.
    let fx = v.net.nodes[v.resident].repo.ask_cut(*SPACE, None);
    v.net.apply(v.resident, fx);
    v.net.run_until_quiet();
    assert!(!v.net.nodes[v.relay2].events.iter().any(|e| matches!(e, RepoEvent::CutAsked { .. })), "relay2 is not the home: never asked");
    assert!(v.net.nodes[v.resident].repo.asking_cut(&SPACE), "still waiting for the home");
}

#[test]
fn the_resident_a_task_is_given_to_moves_it_through_every_peer_and_no_longer_once_taken_off_it() {
    let mut v = village();
    resident_does(&mut v, |e| e.join("Ann", "").unwrap());
    v.net.run_until_quiet();
    let ann = MemberId::from_public_key(v.resident_key.public()).to_string();
    let (task, done) = (lin().new_item_id([7; 8]), lin().new_item_id([8; 8]));
    v.net.change(v.organiser, *SPACE, |doc| {
        let mut e = Editor::new(doc, &lin());
        e.add_column(&board(), &done, [("en".to_owned(), "Done".to_owned())].into()).unwrap();
        e.add_task(&task, &board(), &column(), TaskDraft { title: "Repaint the bench".into(), ..Default::default() }, Place::End).unwrap();
        e.assign_task(&task, &ann, true).unwrap();
    });
    v.net.run_until_quiet();
    resident_does(&mut v, |e| {
        e.claim_task(&task).unwrap();
        e.move_task(&task, &done, Place::End).unwrap();
    });
    v.net.run_until_quiet();
    for node in [v.relay2, v.relay1, v.organiser] {
        let s = space(&v.net, node);
        assert_eq!((s.tasks[task.as_str()].column.as_str(), s.tasks[task.as_str()].claimed_by.as_str()), (done.as_str(), ann.as_str()), "node {node}");
    }
    assert_eq!(refused_at(&v.net, v.relay2) + refused_at(&v.net, v.relay1) + refused_at(&v.net, v.organiser), 0);
    // Taken off the task, the resident's own repo refuses to move it (as every peer would).
    v.net.change(v.organiser, *SPACE, |doc| Editor::new(doc, &lin()).assign_task(&task, &ann, false).unwrap());
    v.net.run_until_quiet();
    let me = author(&v.resident_key, 2);
    let moved = v.net.nodes[v.resident].repo.change(*SPACE, |doc| Editor::new(doc, &me).move_task(&task, &column(), Place::End).unwrap());
    assert!(matches!(moved, Err(RepoError::Refused(_))), "{moved:?}");
    assert_eq!(space(&v.net, v.resident).tasks[task.as_str()].column, done.to_string());
}
