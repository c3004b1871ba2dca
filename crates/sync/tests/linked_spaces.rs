//! Linked spaces on the simulated network: a street invites a community, the community accepts
//! (taking a key of its own), publishes its digest and escalates a request (吹哨); the street's
//! department claims, reports and resolves it (报到), and every step reaches both sides through
//! two relays — the street's and the community's. What the link's rules forbid is refused by
//! every peer with the rule named: an escalation over a link never accepted, a "resolved" from
//! outside the department or from the community, an acceptance by a view-only peer.

mod support;

use std::collections::BTreeMap;

use linli_core::{
    Acceptance, Author, Department, Digest, Escalation, EscalationState, Invitation, LinkEditor, LinkState, MemberId, SharedRequest, Shares, Timestamp, new_link, read_link,
};
use linli_sync::automerge::sync::{Message as SyncMessage, MessageVersion};
use linli_sync::automerge::transaction::Transactable;
use linli_sync::automerge::{AutoCommit, Change, ObjType, ROOT, ReadDoc, ScalarValue};
use linli_sync::capability::protect;
use linli_sync::take_part_key::TAKE_PART_KEY_FIELD;
use linli_sync::{Access, DocumentId, MemberKey, MemberSignature, Message, RepoError, RepoEvent, TakePartKey, WriteKey, codec};
use support::sim::Network;

const LINK: DocumentId = DocumentId::from_bytes([61; 16]);
const HOUR: i64 = 3_600_000;

fn author(key: &MemberKey, session: u8, now: i64) -> Author {
    Author { member: MemberId::from_public_key(key.public()), session: [session; 8], now: Timestamp(now) }
}

fn member(key: &MemberKey) -> String {
    MemberId::from_public_key(key.public()).to_string()
}

struct Linked {
    net: Network,
    /// The street office's organiser, in the roads department.
    street: usize,
    street_link: u64,
    /// Another organiser of the street, in no department.
    street_clerk: usize,
    clerk_link: u64,
    street_relay: usize,
    community_relay: usize,
    /// The community's organiser.
    community: usize,
    community_link: u64,
    /// A resident's phone in the community: reads the link, holds no key to it.
    resident: usize,
    resident_link: u64,
    street_key: MemberKey,
    clerk_key: MemberKey,
    community_key: MemberKey,
    resident_key: MemberKey,
    invitation: TakePartKey,
    own: TakePartKey,
}

fn departments(roads_members: &[&MemberKey]) -> BTreeMap<String, Department> {
    let roads =
        Department { names: [("en".to_owned(), "Roads".to_owned())].into(), team: "Roads office".into(), members: roads_members.iter().map(|k| (member(k), true)).collect() };
    let open = Department { names: [("en".to_owned(), "Anything else".to_owned())].into(), team: "Front desk".into(), members: BTreeMap::new() };
    BTreeMap::from([("roads".to_owned(), roads), ("general".to_owned(), open)])
}

/// street ─ street relay ─ community relay ─ community; the community and the resident dial
/// both relays (the link's two sides name them), the street dials its own.
fn invited() -> Linked {
    let mut net = Network::new();
    let (street, street_clerk, street_relay, community_relay, community, resident) = (
        net.add_device("street"),
        net.add_device("clerk"),
        net.add_relay("street-relay"),
        net.add_relay("community-relay"),
        net.add_device("community"),
        net.add_device("resident"),
    );
    let upper = WriteKey::from_seed([1; 32]);
    let invitation = TakePartKey::from_seed([2; 32]);
    let own = TakePartKey::from_seed([3; 32]);
    let (street_key, clerk_key, community_key, resident_key) =
        (MemberKey::from_seed([10; 32]), MemberKey::from_seed([11; 32]), MemberKey::from_seed([12; 32]), MemberKey::from_seed([13; 32]));
    for (node, key) in [(street, &street_key), (street_clerk, &clerk_key), (community, &community_key), (resident, &resident_key)] {
        net.nodes[node].repo.hold_member_key(key.clone());
    }
    net.nodes[street].repo.hold_write_key(LINK, upper.clone());
    net.nodes[street_clerk].repo.hold_write_key(LINK, upper.clone());
    net.nodes[community].repo.hold_take_part_key(LINK, invitation.clone());
    let invite = Invitation {
        upper_space: "street-space".into(),
        upper_name: "Gulou Street".into(),
        upper_relay: "wss://street.example".into(),
        claim_within_hours: 24,
        departments: departments(&[&street_key]),
    };
    let doc = new_link(&invite, &author(&street_key, 1, 0), |doc| {
        protect(doc, upper.public());
        doc.put(ROOT, TAKE_PART_KEY_FIELD, ScalarValue::Bytes(invitation.public().to_vec())).unwrap();
    });
    net.create(street, LINK, doc);
    let street_link = net.connect(street, street_relay);
    let clerk_link = net.connect(street_clerk, street_relay);
    net.connect(street_relay, community_relay);
    let community_link = net.connect(community, community_relay);
    net.connect(community, street_relay);
    let resident_link = net.connect(resident, community_relay);
    net.find(community, LINK);
    net.find(resident, LINK);
    net.find(street_clerk, LINK);
    net.run_until_quiet();
    Linked {
        net,
        street,
        street_link,
        street_clerk,
        clerk_link,
        street_relay,
        community_relay,
        community,
        community_link,
        resident,
        resident_link,
        street_key,
        clerk_key,
        community_key,
        resident_key,
        invitation,
        own,
    }
}

fn acceptance() -> Acceptance {
    Acceptance { lower_space: "community-space".into(), lower_name: "Sanfang Community".into(), lower_relay: "wss://community.example".into(), shares: Shares::default() }
}

/// The community accepts, moving the link's take-part key to one only it holds.
fn accept(l: &mut Linked) {
    let me = author(&l.community_key, 2, HOUR);
    let own = l.own.public();
    l.net.change(l.community, LINK, |doc| {
        LinkEditor::new(doc, &me)
            .accept(&acceptance(), |doc| {
                linli_sync::take_part_key::move_take_part_key(doc, own);
            })
            .unwrap()
    });
    l.net.nodes[l.community].repo.hold_take_part_key(LINK, l.own.clone());
    l.net.run_until_quiet();
}

fn escalation(department: &str) -> Escalation {
    Escalation {
        title: "Subsidence on Nanhou Street".into(),
        details: "The pavement sank by the school gate.".into(),
        department: department.into(),
        raised_at: Timestamp(0),
        escalated_at: Timestamp(0),
        raised_by_name: String::new(),
        sealed: None,
    }
}

fn link_at(net: &Network, node: usize) -> linli_core::Link {
    read_link(net.nodes[node].repo.document(&LINK).expect("has the link")).expect("a link")
}

fn refusals(net: &Network, node: usize) -> Vec<String> {
    net.nodes[node].events.iter().filter_map(|e| if let RepoEvent::ChangesRefused { reason, .. } = e { Some(reason.clone()) } else { None }).collect()
}

fn refused_locally(result: Result<((), linli_sync::Effects), RepoError>) -> String {
    match result {
        Err(RepoError::Refused(reason)) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A change made apart from any repo (a peer running other code), on `node`'s copy.
fn made_apart(net: &Network, node: usize, who: &Author, act: impl FnOnce(&mut LinkEditor<'_>)) -> Change {
    let mut doc: AutoCommit = net.nodes[node].repo.document(&LINK).expect("has the link").clone();
    act(&mut LinkEditor::new(&mut doc, who));
    doc.get_last_local_change().expect("just made").clone()
}

fn frame(sender: &str, target: &str, change: &Change, member_signatures: Vec<MemberSignature>) -> Vec<u8> {
    let message =
        SyncMessage { heads: vec![change.hash()], need: Vec::new(), have: Vec::new(), changes: vec![change.raw_bytes().to_vec()].into(), flags: None, version: MessageVersion::V1 };
    codec::encode(&Message::Sync {
        sender_id: sender.into(),
        target_id: target.into(),
        document_id: LINK,
        data: message.encode(),
        signatures: Vec::new(),
        member_signatures,
        receipts: Vec::new(),
    })
}

#[test]
fn a_request_escalated_by_a_community_is_claimed_answered_and_resolved_by_the_street_and_both_sides_see_each_step() {
    let mut l = invited();
    assert_eq!(link_at(&l.net, l.community).state(), LinkState::Invited);
    accept(&mut l);
    for node in [l.street, l.street_clerk, l.street_relay, l.community_relay, l.resident] {
        let link = link_at(&l.net, node);
        assert_eq!(link.state(), LinkState::Active, "node {node}");
        assert_eq!(link.lower.name, "Sanfang Community");
    }
    assert_eq!(l.net.nodes[l.community].repo.access(&LINK), Access::TakePart);
    assert_eq!(l.net.nodes[l.resident].repo.access(&LINK), Access::View);

    // The community publishes its digest and escalates a request to the roads department.
    let me = author(&l.community_key, 2, 2 * HOUR);
    let request =
        SharedRequest { title: "Subsidence".into(), category: "Roads".into(), raised_at: Timestamp(0), claimed_at: None, resolved_at: None, raised_by_name: String::new() };
    let digest = Digest { requests: BTreeMap::from([("task-1".to_owned(), request)]), ..Digest::default() };
    l.net.change(l.community, LINK, |doc| assert!(LinkEditor::new(doc, &me).publish(&digest).unwrap()));
    l.net.change(l.community, LINK, |doc| LinkEditor::new(doc, &me).escalate("task-1", &escalation("roads")).unwrap());
    l.net.run_until_quiet();
    let seen = link_at(&l.net, l.street);
    assert_eq!(seen.lower.digest.requests.len(), 1);
    assert_eq!(seen.escalation_state("task-1", Timestamp(3 * HOUR)), Some(EscalationState::Waiting { overdue: false }));
    assert_eq!(seen.summary(Timestamp(3 * HOUR), Timestamp(0)).open_escalations, 1);

    // Unclaimed past the street's 24 hours, it is overdue on both sides.
    for node in [l.street, l.resident] {
        assert_eq!(link_at(&l.net, node).escalation_state("task-1", Timestamp(27 * HOUR)), Some(EscalationState::Waiting { overdue: true }), "node {node}");
    }

    // The roads department claims, reports, resolves; the resident's phone sees every step.
    let roads = author(&l.street_key, 1, 28 * HOUR);
    l.net.change(l.street, LINK, |doc| LinkEditor::new(doc, &roads).claim("task-1").unwrap());
    l.net.run_until_quiet();
    assert_eq!(link_at(&l.net, l.resident).escalation_state("task-1", Timestamp(29 * HOUR)), Some(EscalationState::Claimed { late: true }));
    l.net.change(l.street, LINK, |doc| LinkEditor::new(doc, &roads).report_progress("task-1", "p1", "Survey team on site Tuesday").unwrap());
    l.net.run_until_quiet();
    assert_eq!(link_at(&l.net, l.resident).answer("task-1").progress[0].text, "Survey team on site Tuesday");
    let later = author(&l.street_key, 1, 50 * HOUR);
    l.net.change(l.street, LINK, |doc| LinkEditor::new(doc, &later).resolve("task-1").unwrap());
    l.net.run_until_quiet();
    let at_resident = link_at(&l.net, l.resident);
    assert_eq!(at_resident.escalation_state("task-1", Timestamp(60 * HOUR)), Some(EscalationState::Resolved { late: true }));
    assert_eq!(at_resident.answer("task-1").resolved.map(|s| s.by), Some(member(&l.street_key)));
    for node in [l.street, l.street_clerk, l.street_relay, l.community_relay, l.community] {
        assert_eq!(link_at(&l.net, node), at_resident, "node {node} holds the same link");
        assert!(refusals(&l.net, node).is_empty(), "node {node} refused {:?}", refusals(&l.net, node));
    }
}

#[test]
fn after_accepting_the_invitation_key_no_longer_writes_the_communitys_half() {
    let mut l = invited();
    accept(&mut l);
    // The street saw the invitation key; a change under it now is refused everywhere.
    let impostor = author(&l.street_key, 9, 3 * HOUR);
    let forged = made_apart(&l.net, l.community, &impostor, |e| e.set_shares(Shares { names: true, ..Shares::default() }).unwrap());
    let signed = l.street_key.sign(forged.hash(), Some(&l.invitation.signer()));
    l.net.inject(l.community_link, true, frame("community", "community-relay", &forged, vec![signed]));
    l.net.run_until_quiet();
    assert!(refusals(&l.net, l.community_relay).iter().any(|r| r.contains("not signed with a key of this space")), "{:?}", refusals(&l.net, l.community_relay));
    assert!(!link_at(&l.net, l.street).lower.shares.names);
}

/// Writes an escalation into the lower half directly (the editor would refuse: the link is not
/// accepted).
fn write_escalation(doc: &mut AutoCommit) {
    let lower = doc.get(ROOT, "lower").unwrap().unwrap().1;
    let escalations = doc.get(&lower, "escalations").unwrap().unwrap().1;
    let entry = doc.put_object(&escalations, "task-1", ObjType::Map).unwrap();
    for (field, value) in [("title", "Subsidence"), ("details", ""), ("department", "roads"), ("raised_by_name", "")] {
        doc.put(&entry, field, value).unwrap();
    }
    doc.put(&entry, "raised_at", 0_i64).unwrap();
    doc.put(&entry, "escalated_at", HOUR).unwrap();
}

#[test]
fn an_escalation_over_a_link_never_accepted_is_refused_with_its_rule() {
    let mut l = invited();
    // The community holds the invitation key but escalates without accepting.
    let me = author(&l.community_key, 2, HOUR);
    let local = refused_locally(l.net.nodes[l.community].repo.change(LINK, |doc| {
        doc.set_actor(me.actor());
        write_escalation(doc);
    }));
    assert!(local.contains("only over a link both spaces accepted"), "{local}");
    // The same change from a peer running other code stops at the relay, with the rule named.
    let crafted = {
        let mut doc: AutoCommit = l.net.nodes[l.community].repo.document(&LINK).unwrap().clone();
        doc.set_actor(me.actor());
        write_escalation(&mut doc);
        doc.commit();
        doc.get_last_local_change().unwrap().clone()
    };
    let signed = l.community_key.sign(crafted.hash(), Some(&l.invitation.signer()));
    l.net.inject(l.community_link, true, frame("community", "community-relay", &crafted, vec![signed]));
    l.net.run_until_quiet();
    assert!(refusals(&l.net, l.community_relay).iter().any(|r| r.contains("only over a link both spaces accepted")), "{:?}", refusals(&l.net, l.community_relay));
    assert!(link_at(&l.net, l.street).lower.escalations.is_empty());
}

#[test]
fn a_resolved_from_outside_the_department_or_from_the_community_is_refused_with_its_rule() {
    let mut l = invited();
    accept(&mut l);
    let me = author(&l.community_key, 2, 2 * HOUR);
    l.net.change(l.community, LINK, |doc| LinkEditor::new(doc, &me).escalate("task-1", &escalation("roads")).unwrap());
    l.net.run_until_quiet();

    // A street organiser outside the roads department.
    let clerk = author(&l.clerk_key, 3, 3 * HOUR);
    let reason = refused_locally(l.net.nodes[l.street_clerk].repo.change(LINK, |doc| LinkEditor::new(doc, &clerk).resolve("task-1").unwrap()));
    assert!(reason.contains("only a member of the department"), "{reason}");

    // The community marking its own escalation resolved (to look good upstream).
    let forged = made_apart(&l.net, l.community, &me, |e| e.resolve("task-1").unwrap());
    let signed = l.community_key.sign(forged.hash(), Some(&l.own.signer()));
    l.net.inject(l.community_link, true, frame("community", "community-relay", &forged, vec![signed]));
    l.net.run_until_quiet();
    assert!(refusals(&l.net, l.community_relay).iter().any(|r| r.contains("only the upper space writes its half")), "{:?}", refusals(&l.net, l.community_relay));
    for node in [l.street, l.resident, l.street_relay] {
        assert_eq!(link_at(&l.net, node).escalation_state("task-1", Timestamp(4 * HOUR)), Some(EscalationState::Waiting { overdue: false }), "node {node}");
    }
    // A department with nobody listed is answered by any organiser of the street.
    l.net.change(l.community, LINK, |doc| LinkEditor::new(doc, &me).escalate("task-2", &escalation("general")).unwrap());
    l.net.run_until_quiet();
    l.net.change(l.street_clerk, LINK, |doc| LinkEditor::new(doc, &clerk).resolve("task-2").unwrap());
    l.net.run_until_quiet();
    assert!(matches!(link_at(&l.net, l.community).escalation_state("task-2", Timestamp(4 * HOUR)), Some(EscalationState::Resolved { .. })));
}

#[test]
fn a_view_only_peer_cannot_accept_a_link() {
    let mut l = invited();
    let reader = author(&l.resident_key, 4, HOUR);
    // Its own repo will not change a document it holds no key for.
    match l.net.nodes[l.resident].repo.change(LINK, |doc| LinkEditor::new(doc, &reader).accept(&acceptance(), |_| {}).unwrap()) {
        Err(RepoError::ViewOnly(id)) => assert_eq!(id, LINK),
        other => panic!("expected view-only, got {other:?}"),
    }
    // Made apart and signed with its member key alone, the acceptance is refused by the relay.
    let crafted = made_apart(&l.net, l.resident, &reader, |e| e.accept(&acceptance(), |_| {}).unwrap());
    let signed = l.resident_key.sign(crafted.hash(), None);
    l.net.inject(l.resident_link, true, frame("resident", "community-relay", &crafted, vec![signed]));
    l.net.run_until_quiet();
    assert!(refusals(&l.net, l.community_relay).iter().any(|r| r.contains("not signed with a key of this space")), "{:?}", refusals(&l.net, l.community_relay));
    assert_eq!(link_at(&l.net, l.street).state(), LinkState::Invited);
}

#[test]
fn either_side_ends_the_link_and_no_escalation_follows() {
    let mut l = invited();
    accept(&mut l);
    let street = author(&l.street_key, 1, 2 * HOUR);
    l.net.change(l.street, LINK, |doc| LinkEditor::new(doc, &street).end(true).unwrap());
    l.net.run_until_quiet();
    assert_eq!(link_at(&l.net, l.community).state(), LinkState::Ended);
    let me = author(&l.community_key, 2, 3 * HOUR);
    let refused = l.net.nodes[l.community].repo.change(LINK, |doc| LinkEditor::new(doc, &me).escalate("task-1", &escalation("roads")).map_err(|e| e.to_string()));
    match refused {
        Ok((Err(reason), _)) => assert!(reason.contains("only over a link both spaces accepted"), "{reason}"),
        other => panic!("expected the editor to refuse, got {other:?}"),
    }
}

#[test]
fn a_device_dials_the_other_sides_relay_for_the_link_alone_and_that_relay_never_learns_of_its_space() {
    let mut l = invited();
    accept(&mut l);
    // The community's organiser also holds its own space, which lives on the community's relay.
    const COMMUNITY_SPACE: DocumentId = DocumentId::from_bytes([63; 16]);
    let phone = l.net.add_device("community-phone");
    l.net.nodes[phone].repo.hold_member_key(l.community_key.clone());
    let mut space = AutoCommit::new();
    space.put(ROOT, "name", "Sanfang Community").unwrap();
    l.net.create(phone, COMMUNITY_SPACE, space);
    l.net.nodes[phone].repo.hold_take_part_key(LINK, l.own.clone());
    l.net.connect(phone, l.community_relay);
    l.net.find(phone, LINK);
    // The street's relay is dialled for the link alone.
    let to_street = l.net.connect_for(phone, l.street_relay, Some([LINK].into()));
    l.net.run_until_quiet();
    assert!(l.net.nodes[l.community_relay].repo.document(&COMMUNITY_SPACE).is_some(), "its own relay has the space");
    assert!(l.net.nodes[l.street_relay].repo.document(&COMMUNITY_SPACE).is_none(), "the street's relay never heard of it");
    assert!(!l.net.nodes[l.street_relay].storage.keys().any(|k| k.document_id == COMMUNITY_SPACE));
    // Asked for it by ID over that connection, the phone does not answer.
    l.net.inject(
        to_street,
        false,
        codec::encode(&Message::Request {
            sender_id: "street-relay".into(),
            target_id: "community-phone".into(),
            document_id: COMMUNITY_SPACE,
            data: {
                use linli_sync::automerge::sync::SyncDoc;
                AutoCommit::new().sync().generate_sync_message(&mut linli_sync::automerge::sync::State::new()).expect("a first message").encode()
            },
        }),
    );
    l.net.run_until_quiet();
    assert!(l.net.nodes[l.street_relay].repo.document(&COMMUNITY_SPACE).is_none());
    // The link itself still flows both ways over it.
    let me = author(&l.community_key, 7, 2 * HOUR);
    l.net.change(phone, LINK, |doc| LinkEditor::new(doc, &me).escalate("task-9", &escalation("general")).unwrap());
    l.net.run_until_quiet();
    assert!(link_at(&l.net, l.street).lower.escalations.contains_key("task-9"));
}

#[test]
fn a_street_device_offline_while_the_community_accepted_and_escalated_takes_it_all_in_one_message() {
    let mut l = invited();
    l.net.disconnect(l.street_link);
    accept(&mut l);
    let me = author(&l.community_key, 2, 2 * HOUR);
    l.net.change(l.community, LINK, |doc| LinkEditor::new(doc, &me).escalate("task-1", &escalation("roads")).unwrap());
    l.net.run_until_quiet();
    // Back online, the street's device gets the acceptance (under the invitation key) and the
    // escalation (under the community's own key) together; each is judged under its own key.
    l.street_link = l.net.connect(l.street, l.street_relay);
    l.net.run_until_quiet();
    let link = link_at(&l.net, l.street);
    assert_eq!(link.state(), LinkState::Active);
    assert!(link.lower.escalations.contains_key("task-1"));
    assert!(refusals(&l.net, l.street).is_empty(), "{:?}", refusals(&l.net, l.street));
}

#[test]
fn a_street_edit_on_top_of_the_acceptance_and_the_communitys_first_digest_reaches_a_device_that_missed_all_three() {
    let mut l = invited();
    l.net.disconnect(l.clerk_link);
    accept(&mut l);
    let me = author(&l.community_key, 2, 2 * HOUR);
    let request =
        SharedRequest { title: "Subsidence".into(), category: "Roads".into(), raised_at: Timestamp(0), claimed_at: None, resolved_at: None, raised_by_name: String::new() };
    let digest = Digest { requests: BTreeMap::from([("task-1".to_owned(), request)]), ..Digest::default() };
    l.net.change(l.community, LINK, |doc| assert!(LinkEditor::new(doc, &me).publish(&digest).unwrap()));
    l.net.run_until_quiet();
    let street = author(&l.street_key, 1, 3 * HOUR);
    l.net.change(l.street, LINK, |doc| LinkEditor::new(doc, &street).set_claim_limit(12).unwrap());
    l.net.run_until_quiet();
    // The clerk's device gets, at once, the acceptance (under the invitation key), the digest
    // (under the community's own key, which the acceptance brought in) and the street's edit built
    // on both (whose write-key signature must not make the community's digest an edit).
    l.clerk_link = l.net.connect(l.street_clerk, l.street_relay);
    l.net.run_until_quiet();
    assert!(refusals(&l.net, l.street_clerk).is_empty(), "{:?}", refusals(&l.net, l.street_clerk));
    assert_eq!(link_at(&l.net, l.street_clerk), link_at(&l.net, l.street));
    assert_eq!(link_at(&l.net, l.street_clerk).upper.claim_within_hours, 12);
}
