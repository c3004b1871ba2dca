//! What the holder of each kind of link can do to a certified space with changes built by hand on
//! Automerge and this crate's API, against honest relays (one federated to the other) and devices
//! running today's rules. Each test is named for the rule it checks; each was an attack that every
//! honest peer accepted before the rule (docs/capabilities.md, "What a change may write").

mod support;

use linli_core::{Author, Editor, ItemId, MemberId, NoticeDraft, Place, PledgeDraft, Space, SpaceDocument, TaskDraft, Timestamp, new_link, new_space_with};
use linli_sync::automerge::legacy::{Key, ObjectId, Op, OpType};
use linli_sync::automerge::sync::{Message as SyncMessage, MessageVersion};
use linli_sync::automerge::transaction::Transactable;
use linli_sync::automerge::{ActorId, AutoCommit, Change, ChangeHash, ExpandedChange, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use linli_sync::capability::protect;
use linli_sync::take_part_key::set_take_part_key;
use linli_sync::{ChangeSignature, DocumentId, MemberKey, MemberSignature, Message, RepoEvent, TakePartKey, WriteKey, codec};
use support::sim::Network;

const NOW: i64 = 1_700_000_000_000;

fn write_key() -> WriteKey {
    WriteKey::from_seed([1; 32])
}
fn take_part() -> TakePartKey {
    TakePartKey::from_seed([2; 32])
}
fn space_id() -> DocumentId {
    DocumentId::certified(&write_key().public())
}
fn organiser_key() -> MemberKey {
    MemberKey::from_seed([10; 32])
}
fn ann_key() -> MemberKey {
    MemberKey::from_seed([11; 32])
}
fn attacker_key() -> MemberKey {
    MemberKey::from_seed([12; 32])
}

fn author(key: &MemberKey, session: u8, at: i64) -> Author {
    Author { member: MemberId::from_public_key(key.public()), session: [session; 8], now: Timestamp(at) }
}
fn lin() -> Author {
    author(&organiser_key(), 1, NOW)
}
fn ann() -> Author {
    author(&ann_key(), 2, NOW + 1_000)
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
fn task() -> ItemId {
    lin().new_item_id([5; 8])
}
fn consultation() -> ItemId {
    lin().new_item_id([6; 8])
}
fn request() -> ItemId {
    ann().new_item_id([7; 8])
}
fn comment() -> ItemId {
    ann().new_item_id([8; 8])
}
fn me(key: &MemberKey) -> String {
    MemberId::from_public_key(key.public()).to_string()
}

/// organiser — relay1 — relay2 (federated: it dials relay1) — Ann (take-part link) and an
/// attacker's device (whatever link each test gives it). Ann joined, signed the pledge, raised a
/// request, commented on the task and voted.
struct Village {
    net: Network,
    organiser: usize,
    relay1: usize,
    relay2: usize,
    ann: usize,
    attacker: usize,
    /// The attacker's link to relay2.
    attacker_link: u64,
}

fn village() -> Village {
    let mut net = Network::new();
    let (organiser, relay1, relay2, ann_device, attacker) =
        (net.add_device("organiser"), net.add_relay("relay1"), net.add_relay("relay2"), net.add_device("ann"), net.add_device("attacker"));
    net.nodes[organiser].repo.hold_write_key(space_id(), write_key());
    net.nodes[organiser].repo.hold_member_key(organiser_key());
    let mut doc = new_space_with("Sanfang", &lin(), |doc| {
        protect(doc, write_key().public());
        set_take_part_key(doc, &take_part(), &write_key());
    });
    let mut editor = Editor::new(&mut doc, &lin());
    editor.join("Lin", "residents-committee").unwrap();
    editor.create_pledge(&pledge(), PledgeDraft { title: "Quiet after 22:00".into(), ..Default::default() }).unwrap();
    editor.post_notice(&notice(), NoticeDraft::new("Lift repair", "Friday")).unwrap();
    editor.create_board(&board(), "Requests", &[(column(), [("en".to_owned(), "New".to_owned())].into())]).unwrap();
    editor.add_task(&task(), &board(), &column(), TaskDraft { title: "Paint the gate".into(), ..Default::default() }, Place::End).unwrap();
    let draft = linli_core::ConsultationDraft { question: "Paint the gate green?".into(), yes_no: true, closes_at: Timestamp(NOW + 86_400_000), ..Default::default() };
    editor.create_consultation(&consultation(), draft).unwrap();
    net.create(organiser, space_id(), doc);
    net.connect(organiser, relay1);
    net.connect(relay2, relay1);
    net.nodes[ann_device].repo.hold_member_key(ann_key());
    net.nodes[ann_device].repo.hold_take_part_key(space_id(), take_part());
    net.connect(ann_device, relay2);
    net.find(ann_device, space_id());
    net.nodes[attacker].repo.hold_member_key(attacker_key());
    let attacker_link = net.connect(attacker, relay2);
    net.find(attacker, space_id());
    net.run_until_quiet();
    let mut v = Village { net, organiser, relay1, relay2, ann: ann_device, attacker, attacker_link };
    ann_does(&mut v, |e| {
        e.join("Ann", "").unwrap();
        e.sign_pledge(&pledge(), "Ann").unwrap();
        e.raise_request(&request(), &board(), &column(), "c000000000000002", TaskDraft { title: "Broken lamp".into(), ..Default::default() }, Place::End).unwrap();
        e.comment_on_task(&task(), &comment(), "I can help").unwrap();
        e.vote(&consultation(), &["yes".to_owned()]).unwrap();
    });
    v.net.run_until_quiet();
    assert_eq!(refused_anywhere(&v), 0, "the honest village is refused nothing");
    v
}

fn ann_does(v: &mut Village, act: impl FnOnce(&mut Editor<'_>)) {
    v.net.change(v.ann, space_id(), |doc| act(&mut Editor::new(doc, &ann())));
}

fn space(v: &Village, node: usize) -> Space {
    Space::hydrate(v.net.nodes[node].repo.document(&space_id()).expect("has the space")).expect("a space")
}

/// Every honest peer.
fn honest(v: &Village) -> [usize; 4] {
    [v.organiser, v.relay1, v.relay2, v.ann]
}

fn refused_anywhere(v: &Village) -> usize {
    honest(v)
        .iter()
        .map(|node| v.net.nodes[*node].events.iter().filter_map(|e| if let RepoEvent::ChangesRefused { count, .. } = e { Some(*count) } else { None }).sum::<usize>())
        .sum()
}

/// The reasons relay2 gave for what it refused.
fn reasons_at_relay2(v: &Village) -> Vec<String> {
    v.net.nodes[v.relay2].events.iter().filter_map(|e| if let RepoEvent::ChangesRefused { reason, .. } = e { Some(reason.clone()) } else { None }).collect()
}

/// A copy of the attacker's replica as it was just before the (last) change with `message`.
fn copy_before(v: &Village, message: &str) -> AutoCommit {
    let mut doc = v.net.nodes[v.attacker].repo.document(&space_id()).unwrap().clone();
    let change = doc.get_changes(&[]).into_iter().rev().find(|c| c.message() == Some(message)).expect("such a change");
    doc.fork_at(change.deps()).unwrap()
}

fn current_copy(v: &Village) -> AutoCommit {
    v.net.nodes[v.attacker].repo.document(&space_id()).unwrap().clone()
}

/// The changes `act` makes on `doc` (with `actor`).
fn made(doc: &mut AutoCommit, actor: ActorId, act: impl FnOnce(&mut AutoCommit)) -> Vec<Change> {
    doc.set_actor(actor);
    let before = doc.get_heads();
    act(doc);
    doc.commit();
    doc.get_changes(&before)
}

/// What the holder of the take-part link signs: each change with their member key and the link.
fn as_resident(key: &MemberKey, changes: &[Change]) -> (Vec<ChangeSignature>, Vec<MemberSignature>) {
    (Vec::new(), changes.iter().map(|c| key.sign(c.hash(), Some(&take_part().signer()))).collect())
}

/// What an organiser signs: the write key and their member key.
fn as_organiser(key: &MemberKey, changes: &[Change]) -> (Vec<ChangeSignature>, Vec<MemberSignature>) {
    (changes.iter().map(|c| write_key().sign(c.hash())).collect(), changes.iter().map(|c| key.sign(c.hash(), None)).collect())
}

/// Sends `changes` from the attacker to relay2 in one sync message, with `signatures`.
fn send(v: &mut Village, changes: &[Change], (signatures, member_signatures): (Vec<ChangeSignature>, Vec<MemberSignature>)) {
    let mut heads: Vec<ChangeHash> = changes.iter().map(Change::hash).collect();
    heads.sort();
    let message = SyncMessage {
        heads,
        need: Vec::new(),
        have: Vec::new(),
        changes: changes.iter().map(|c| c.raw_bytes().to_vec()).collect::<Vec<_>>().into(),
        flags: None,
        version: MessageVersion::V1,
    };
    let frame = codec::encode(&Message::Sync {
        sender_id: "attacker".into(),
        target_id: "relay2".into(),
        document_id: space_id(),
        data: message.encode(),
        signatures,
        member_signatures,
        receipts: Vec::new(),
    });
    v.net.inject(v.attacker_link, true, frame);
    v.net.run_until_quiet();
}

/// The object at a path of map keys.
fn at(doc: &AutoCommit, path: &[&str]) -> linli_sync::automerge::ObjId {
    path.iter().fold(ROOT, |obj, key| match doc.get(&obj, *key).unwrap() {
        Some((Value::Object(_), child)) => child,
        other => panic!("no object at {key}: {other:?}"),
    })
}

/// Every honest peer still reads Ann's signature, request, comment and vote as she made them,
/// and the organiser's items as they are.
fn nothing_honest_changed(v: &Village) {
    for node in honest(v) {
        let s = space(v, node);
        let signature = &s.pledges[pledge().as_str()].signatures[&me(&ann_key())];
        assert_eq!((signature.name.as_str(), signature.withdrawn_at), ("Ann", None), "node {node}");
        let request = &s.tasks[request().as_str()];
        assert_eq!((request.title.as_str(), request.request.as_ref().map(|r| r.raised_by.clone())), ("Broken lamp", Some(me(&ann_key()))), "node {node}");
        assert_eq!(s.tasks[task().as_str()].comments[comment().as_str()].text, "I can help", "node {node}");
        assert_eq!(s.tasks[task().as_str()].title, "Paint the gate", "node {node}");
        assert_eq!(s.notices[notice().as_str()].title, "Lift repair", "node {node}");
        assert!(s.consultations[consultation().as_str()].votes[&me(&ann_key())].choices.contains_key("yes"), "node {node}");
        assert!(s.unreadable.is_empty(), "node {node}: {:?}", s.unreadable);
    }
}

fn attacker_joins(v: &mut Village) {
    v.net.nodes[v.attacker].repo.hold_take_part_key(space_id(), take_part());
    let bo = author(&attacker_key(), 3, NOW + 2_000);
    v.net.change(v.attacker, space_id(), |doc| Editor::new(doc, &bo).join("Bo", "").unwrap());
    v.net.run_until_quiet();
}

fn attacker_actor() -> ActorId {
    author(&attacker_key(), 3, NOW).actor()
}

/// An actor of the attacker's that has made nothing yet (a new device session): a change it makes
/// on an old copy is in line with its own (empty) past.
fn fresh_attacker_actor(session: u8) -> ActorId {
    author(&attacker_key(), session, NOW).actor()
}

// ----- with the take-part link -----

#[test]
fn an_entry_a_resident_writes_is_whole_and_of_its_kind_and_never_hides_its_item() {
    let mut v = village();
    attacker_joins(&mut v);
    let attempts: Vec<Box<dyn Fn(&mut AutoCommit)>> = vec![
        // A signature with a name and no date.
        Box::new(|doc| {
            let signatures = at(doc, &["pledges", pledge().as_str(), "signatures"]);
            let mine = doc.put_object(&signatures, me(&attacker_key()).as_str(), ObjType::Map).unwrap();
            doc.put(&mine, "name", "Bo").unwrap();
        }),
        // A date stored as an Automerge timestamp.
        Box::new(|doc| {
            let signatures = at(doc, &["pledges", pledge().as_str(), "signatures"]);
            let mine = doc.put_object(&signatures, me(&attacker_key()).as_str(), ObjType::Map).unwrap();
            doc.put(&mine, "name", "Bo").unwrap();
            doc.put(&mine, "signed_at", ScalarValue::Timestamp(NOW)).unwrap();
        }),
        // A comment that is only an author.
        Box::new(|doc| {
            let comments = at(doc, &["notices", notice().as_str(), "comments"]);
            let c = doc.put_object(&comments, author(&attacker_key(), 3, NOW).new_item_id([1; 8]).as_str(), ObjType::Map).unwrap();
            doc.put(&c, "author", me(&attacker_key())).unwrap();
        }),
        // An empty vote.
        Box::new(|doc| {
            let votes = at(doc, &["consultations", consultation().as_str(), "votes"]);
            doc.put_object(&votes, me(&attacker_key()).as_str(), ObjType::Map).unwrap();
        }),
    ];
    for attempt in attempts {
        let changes = made(&mut current_copy(&v), attacker_actor(), attempt);
        send(&mut v, &changes, as_resident(&attacker_key(), &changes));
    }
    assert_eq!(reasons_at_relay2(&v).len(), 4, "{:?}", reasons_at_relay2(&v));
    nothing_honest_changed(&v);
}

/// `changes` (one) with its operation counter raised far above anything in the space, so that a
/// write it makes wins any conflict Automerge resolves by counter. With unmodified Automerge the
/// same is reached by making many operations first (renaming oneself many times).
fn outranking(changes: &[Change]) -> Vec<Change> {
    assert_eq!(changes.len(), 1);
    let mut expanded: ExpandedChange = changes[0].decode();
    let shift = 1_000_000 - expanded.start_op.get();
    let actor = expanded.actor_id.clone();
    // The change's operations on objects it makes name them by its own counters: shift those too.
    for op in &mut expanded.operations {
        if let ObjectId::Id(id) = &mut op.obj
            && id.1 == actor
        {
            id.0 += shift;
        }
    }
    expanded.start_op = std::num::NonZeroU64::new(1_000_000).unwrap();
    expanded.hash = None;
    vec![Change::from(expanded)]
}

#[test]
fn a_change_built_on_an_old_copy_cannot_replace_anothers_request_task_or_comment() {
    let mut v = village();
    attacker_joins(&mut v);
    v.net.run_until_quiet();
    for (message, id, what) in [("request.raise", request(), "tasks"), ("task.add", task(), "tasks")] {
        // On a copy from before the target existed, the same key again: "new" as of its deps.
        let mut old = copy_before(&v, message);
        let changes = made(&mut old, fresh_attacker_actor(40 + id.as_str().len() as u8 + message.len() as u8), |doc| {
            let tasks = at(doc, &[what]);
            let taken = doc.put_object(&tasks, id.as_str(), ObjType::Map).unwrap();
            for (field, value) in [("board", board().to_string()), ("column", column().to_string()), ("position", "a".to_owned()), ("title", "Mine now".to_owned())] {
                doc.put(&taken, field, value).unwrap();
            }
        });
        let changes = outranking(&changes);
        send(&mut v, &changes, as_resident(&attacker_key(), &changes));
    }
    let mut old = copy_before(&v, "task.comment");
    let changes = made(&mut old, fresh_attacker_actor(99), |doc| {
        let comments = at(doc, &["tasks", task().as_str(), "comments"]);
        let taken = doc.put_object(&comments, comment().as_str(), ObjType::Map).unwrap();
        doc.put(&taken, "author", me(&attacker_key())).unwrap();
        doc.put(&taken, "at", NOW).unwrap();
        doc.put(&taken, "text", "not what Ann said").unwrap();
    });
    let changes = outranking(&changes);
    send(&mut v, &changes, as_resident(&attacker_key(), &changes));
    let reasons = reasons_at_relay2(&v);
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(reasons.iter().all(|r| r.contains("mark")), "{reasons:?}");
    nothing_honest_changed(&v);
}

#[test]
fn one_actor_cannot_make_its_own_item_twice_from_two_old_copies() {
    let mut v = village();
    // Ann's own actor, on a copy from before her request: her next change in sequence, but not
    // built on her previous one. (Automerge would let the second request compete with the first,
    // hiding the comments and the claim the first gathers.)
    let mut old = copy_before(&v, "request.raise");
    let mut expanded: ExpandedChange = made(&mut old, ann().actor(), |doc| {
        let tasks = at(doc, &["tasks"]);
        doc.put_object(&tasks, request().as_str(), ObjType::Map).unwrap();
    })[0]
        .decode();
    let latest =
        v.net.nodes[v.ann].repo.document(&space_id()).unwrap().clone().get_changes(&[]).into_iter().filter(|c| c.actor_id() == &ann().actor()).map(|c| c.seq()).max().unwrap();
    expanded.seq = latest + 1;
    expanded.start_op = std::num::NonZeroU64::new(1_000_000).unwrap();
    expanded.hash = None;
    let change = Change::from(expanded);
    send(&mut v, std::slice::from_ref(&change), as_resident(&ann_key(), std::slice::from_ref(&change)));
    assert!(reasons_at_relay2(&v).iter().any(|r| r.contains("previous change")), "{:?}", reasons_at_relay2(&v));
    nothing_honest_changed(&v);
}

#[test]
fn a_resident_takes_part_only_once_joined_so_every_new_key_counts_as_a_join() {
    let mut v = village();
    v.net.nodes[v.attacker].repo.hold_take_part_key(space_id(), take_part());
    // 150 member keys, each signing without joining.
    for n in 0..150u32 {
        let key = MemberKey::from_seed({
            let mut seed = [200; 32];
            seed[..4].copy_from_slice(&n.to_le_bytes());
            seed
        });
        let who = author(&key, 9, NOW + 5_000);
        let changes = made(&mut current_copy(&v), who.actor(), |doc| Editor::new(doc, &who).sign_pledge(&pledge(), "Sybil").unwrap());
        send(&mut v, &changes, as_resident(&key, &changes));
    }
    let reasons = reasons_at_relay2(&v);
    assert_eq!(reasons.len(), 150);
    assert!(reasons.iter().all(|r| r.contains("joins the space")), "{:?}", &reasons[..3]);
    assert_eq!(space(&v, v.relay1).pledges[pledge().as_str()].signatures.len(), 1);
}

#[test]
fn what_a_resident_may_store_is_bounded() {
    let mut v = village();
    attacker_joins(&mut v);
    for n in 0..20u8 {
        let bo = author(&attacker_key(), 3, NOW + 6_000);
        let changes = made(&mut current_copy(&v), attacker_actor(), |doc| {
            Editor::new(doc, &bo).comment_on_notice(&notice(), &bo.new_item_id([n; 8]), &"x".repeat(500_000)).unwrap();
        });
        send(&mut v, &changes, as_resident(&attacker_key(), &changes));
    }
    assert_eq!(reasons_at_relay2(&v).len(), 20);
    assert!(space(&v, v.relay2).notices[notice().as_str()].comments.is_empty());
}

#[test]
fn a_change_too_large_or_too_costly_to_judge_is_refused() {
    let mut v = village();
    attacker_joins(&mut v);
    // Twenty thousand operations, one head behind.
    let mut behind = copy_before(&v, "member.join");
    let changes = made(&mut behind, fresh_attacker_actor(98), |doc| {
        let members = at(doc, &["members"]);
        let mine = doc.put_object(&members, me(&attacker_key()).as_str(), ObjType::Map).unwrap();
        for n in 0..20_000 {
            doc.put(&mine, "name", format!("Bo {n}")).unwrap();
        }
    });
    send(&mut v, &changes, as_resident(&attacker_key(), &changes));
    assert!(reasons_at_relay2(&v).iter().any(|r| r.contains("larger than one change")), "{:?}", reasons_at_relay2(&v));
    // What judging it costs is BENCHMARKS.md's figure, not a timing here.
}

#[test]
fn a_time_a_resident_writes_is_when_they_wrote_it() {
    let mut v = village();
    attacker_joins(&mut v);
    let bo = author(&attacker_key(), 3, NOW + 7_000);
    let changes = made(&mut current_copy(&v), attacker_actor(), |doc| {
        let mut editor = Editor::new(doc, &bo);
        editor.raise_unfiled_request(&bo.new_item_id([9; 8]), "", TaskDraft { title: "Old".into(), ..Default::default() }).unwrap();
        let request = at(doc, &["tasks", bo.new_item_id([9; 8]).as_str(), "request"]);
        doc.put(&request, "raised_at", NOW - 365 * 86_400_000).unwrap();
    });
    send(&mut v, &changes, as_resident(&attacker_key(), &changes));
    assert!(reasons_at_relay2(&v).iter().any(|r| r.contains("when the change was made")), "{:?}", reasons_at_relay2(&v));
}

// ----- with a view link, or no key at all -----

#[test]
fn unsigned_changes_waiting_for_what_they_build_on_are_bounded_and_so_is_what_a_relay_asks_for() {
    let mut v = village();
    // Ten thousand changes that each build on one the relay will never see.
    let mut changes = Vec::new();
    for n in 0..10_000u64 {
        let mut missing = [0u8; 32];
        missing[..8].copy_from_slice(&n.to_le_bytes());
        let op =
            Op { action: OpType::Put(ScalarValue::Uint(n)), obj: ObjectId::Root, key: Key::Map("x".into()), pred: linli_sync::automerge::legacy::SortedVec::new(), insert: false };
        changes.push(Change::from(ExpandedChange {
            operations: vec![op],
            actor_id: ActorId::from(vec![7; 16]),
            hash: None,
            seq: n + 1,
            start_op: std::num::NonZeroU64::new(1_000 + n).unwrap(),
            time: 0,
            message: None,
            deps: vec![ChangeHash(missing)],
            extra_bytes: Vec::new(),
            author: None,
        }));
    }
    for chunk in changes.chunks(500) {
        send(&mut v, chunk, (Vec::new(), Vec::new()));
    }
    // What relay2 asks its peers for names at most a bounded number of changes.
    let fx = v.net.nodes[v.relay2].repo.resync(space_id());
    let mut largest_need = 0;
    for (_, frame) in &fx.sends {
        if let Ok(Message::Sync { data, .. }) = codec::decode(frame) {
            largest_need = largest_need.max(SyncMessage::decode(&data).map(|m| m.need.len()).unwrap_or(0));
        }
    }
    v.net.apply(v.relay2, fx);
    v.net.run_until_quiet();
    assert!(largest_need <= 64, "a sync message asks for {largest_need} changes");
    nothing_honest_changed(&v);
}

#[test]
fn a_relay_that_never_saw_a_space_refuses_one_planted_under_its_id() {
    let mut net = Network::new();
    let (fresh, planter, organiser, newcomer) = (net.add_relay("fresh"), net.add_device("planter"), net.add_device("organiser"), net.add_device("newcomer"));
    // The planter makes a space of its own under the genuine space's ID.
    let fake_key = WriteKey::from_seed([66; 32]);
    let fake = new_space_with("Fake Sanfang", &author(&attacker_key(), 3, NOW), |doc| protect(doc, fake_key.public()));
    net.nodes[planter].repo.hold_write_key(space_id(), fake_key);
    net.create(planter, space_id(), fake);
    net.connect(planter, fresh);
    net.run_until_quiet();
    assert!(net.nodes[fresh].repo.document(&space_id()).is_none_or(|d| d.clone().get_heads().is_empty()), "the fresh relay took nothing of the fake");
    // And an unprotected first change under it is no better.
    let mut open = AutoCommit::new();
    open.put(ROOT, "name", "Fake").unwrap();
    open.commit();
    let change = open.get_last_local_change().unwrap().clone();
    let planter_link = net.connect(planter, fresh);
    let message =
        SyncMessage { heads: vec![change.hash()], need: Vec::new(), have: Vec::new(), changes: vec![change.raw_bytes().to_vec()].into(), flags: None, version: MessageVersion::V1 };
    net.inject(
        planter_link,
        true,
        codec::encode(&Message::Sync {
            sender_id: "planter".into(),
            target_id: "fresh".into(),
            document_id: space_id(),
            data: message.encode(),
            signatures: Vec::new(),
            member_signatures: Vec::new(),
            receipts: Vec::new(),
        }),
    );
    net.run_until_quiet();
    assert!(net.nodes[fresh].repo.document(&space_id()).is_none_or(|d| d.clone().get_heads().is_empty()));
    // The genuine space arrives; a newcomer reads it.
    net.nodes[organiser].repo.hold_write_key(space_id(), write_key());
    net.nodes[organiser].repo.hold_member_key(organiser_key());
    let genuine = new_space_with("Sanfang", &lin(), |doc| protect(doc, write_key().public()));
    net.create(organiser, space_id(), genuine);
    net.connect(organiser, fresh);
    net.connect(newcomer, fresh);
    net.find(newcomer, space_id());
    net.run_until_quiet();
    assert_eq!(Space::hydrate(net.nodes[newcomer].repo.document(&space_id()).unwrap()).unwrap().name, "Sanfang");
}

#[test]
fn a_relay_holding_a_planted_copy_sets_it_aside_and_goes_quiet_with_the_genuine_one() {
    let mut v = village();
    // A relay that took a planted copy in before certified IDs were checked: its storage holds
    // the fake, which it loads when it starts.
    let old = v.net.add_relay("old");
    let fake_key = WriteKey::from_seed([66; 32]);
    let mut fake = new_space_with("Fake Sanfang", &author(&attacker_key(), 3, NOW), |doc| protect(doc, fake_key.public()));
    let bytes = fake.save();
    let key = linli_sync::ChunkKey { document_id: space_id(), kind: linli_sync::ChunkKind::Snapshot, hash: linli_sync::sha256_hex(&bytes) };
    v.net.nodes[old].storage.insert(key, bytes);
    v.net.connect(old, v.relay1);
    let reader = v.net.add_device("reader");
    v.net.connect(reader, old);
    v.net.find(reader, space_id());
    let delivered = v.net.run_until_quiet();
    assert!(delivered < 10_000, "sync went quiet ({delivered} frames)");
    assert!(v.net.nodes[old].saw(|e| matches!(e, RepoEvent::PlantedSetAside { .. })));
    assert_eq!(Space::hydrate(v.net.nodes[reader].repo.document(&space_id()).unwrap()).unwrap().name, "Sanfang");
}

// ----- as an organiser -----

#[test]
fn an_organiser_cannot_erase_or_take_over_residents_entries() {
    let mut v = village();
    let attempts: Vec<(&str, Box<dyn Fn(&mut AutoCommit)>)> = vec![
        // A new empty map beside the pledge's signatures, the consultation's votes, the task's comments.
        ("pledge.sign", Box::new(|doc| drop(doc.put_object(at(doc, &["pledges", pledge().as_str()]), "signatures", ObjType::Map).unwrap()))),
        ("consultation.vote", Box::new(|doc| drop(doc.put_object(at(doc, &["consultations", consultation().as_str()]), "votes", ObjType::Map).unwrap()))),
        ("task.comment", Box::new(|doc| drop(doc.put_object(at(doc, &["tasks", task().as_str()]), "comments", ObjType::Map).unwrap()))),
        // Ann's request made again under its ID, from before it existed.
        ("request.raise", Box::new(|doc| drop(doc.put_object(at(doc, &["tasks"]), request().as_str(), ObjType::Map).unwrap()))),
    ];
    for (n, (before, attempt)) in attempts.into_iter().enumerate() {
        // (An actor of the organiser's that has made nothing yet, so the change is in line.)
        let mut old = copy_before(&v, before);
        let changes = made(&mut old, author(&organiser_key(), 50 + n as u8, NOW).actor(), attempt);
        send(&mut v, &changes, as_organiser(&organiser_key(), &changes));
    }
    assert_eq!(reasons_at_relay2(&v).len(), 4, "{:?}", reasons_at_relay2(&v));
    nothing_honest_changed(&v);
}

#[test]
fn the_write_key_cannot_be_deleted_so_a_space_never_becomes_open() {
    let mut v = village();
    let changes = made(&mut current_copy(&v), lin().actor(), |doc| doc.delete(ROOT, "write_key").unwrap());
    send(&mut v, &changes, as_organiser(&organiser_key(), &changes));
    assert!(reasons_at_relay2(&v).iter().any(|r| r.contains("keys")), "{:?}", reasons_at_relay2(&v));
    // A stranger's unsigned change is still refused.
    let changes = made(&mut current_copy(&v), attacker_actor(), |doc| {
        let mine = at(doc, &["pledges", pledge().as_str(), "signatures", &me(&ann_key())]);
        doc.put(&mine, "name", "Spam").unwrap();
    });
    send(&mut v, &changes, (Vec::new(), Vec::new()));
    nothing_honest_changed(&v);
}

#[test]
fn a_change_without_dependencies_is_refused_once_a_document_has_history() {
    let mut v = village();
    // Another member's name, written by an organiser with a change that depends on nothing: the
    // rules once read such a change "as of nothing".
    let mut nothing = AutoCommit::new();
    let changes = made(&mut nothing, lin().actor(), |doc| {
        let members = doc.put_object(ROOT, "members", ObjType::Map).unwrap();
        let ann = doc.put_object(&members, me(&ann_key()).as_str(), ObjType::Map).unwrap();
        doc.put(&ann, "name", "Spam").unwrap();
    });
    send(&mut v, &changes, as_organiser(&organiser_key(), &changes));
    assert!(reasons_at_relay2(&v).iter().any(|r| r.contains("first change")), "{:?}", reasons_at_relay2(&v));
    nothing_honest_changed(&v);
}

#[test]
fn a_closed_consultation_stays_closed_and_counts_what_any_closing_saw() {
    let mut v = village();
    let fx = v.net.nodes[v.organiser].repo.change(space_id(), |doc| Editor::new(doc, &lin()).close_consultation(&consultation()).unwrap()).unwrap().1;
    v.net.apply(v.organiser, fx);
    v.net.run_until_quiet();
    // Re-opened from a copy made before the closing: a null where the closing is.
    let mut old = copy_before(&v, "consultation.close");
    let changes = made(&mut old, lin().actor(), |doc| doc.put(at(doc, &["consultations", consultation().as_str()]), "closed", ScalarValue::Null).unwrap());
    send(&mut v, &changes, as_organiser(&organiser_key(), &changes));
    // A second closing from a copy before Ann voted (which Automerge may show instead).
    let mut older = copy_before(&v, "consultation.vote");
    let changes =
        made(&mut older, author(&organiser_key(), 5, NOW).actor(), |doc| Editor::new(doc, &author(&organiser_key(), 5, NOW)).close_consultation(&consultation()).unwrap());
    send(&mut v, &changes, as_organiser(&organiser_key(), &changes));
    for node in honest(&v) {
        let s = space(&v, node);
        assert!(s.consultations[consultation().as_str()].closed.is_some(), "node {node}: still closed");
        assert!(s.tallies[consultation().as_str()].votes.contains_key(&me(&ann_key())), "node {node}: Ann's vote counts");
    }
}

// ----- the other side of a link -----

#[test]
fn the_upper_space_writes_nothing_of_the_lower_half_through_a_change_without_dependencies() {
    let street_key = WriteKey::from_seed([30; 32]);
    let link_id = DocumentId::certified(&street_key.public());
    let invitation =
        linli_core::Invitation { upper_space: "street".into(), upper_name: "Gulou".into(), upper_relay: String::new(), claim_within_hours: 24, departments: Default::default() };
    let invite_key = TakePartKey::from_seed([31; 32]);
    let street = author(&organiser_key(), 6, NOW);
    let doc = new_link(&invitation, &street, |doc| {
        protect(doc, street_key.public());
        doc.put(ROOT, linli_sync::take_part_key::TAKE_PART_KEY_FIELD, ScalarValue::Bytes(invite_key.public().to_vec())).unwrap();
    });
    let mut net = Network::new();
    let (upper, relay) = (net.add_device("upper"), net.add_relay("relay"));
    net.nodes[upper].repo.hold_write_key(link_id, street_key.clone());
    net.nodes[upper].repo.hold_member_key(organiser_key());
    net.create(upper, link_id, doc);
    let link = net.connect(upper, relay);
    net.run_until_quiet();
    // A dependency-less change, signed by the street: take over the lower half's key and share
    // residents' names.
    let mut nothing = AutoCommit::new();
    let changes = made(&mut nothing, street.actor(), |doc| {
        doc.put(ROOT, "participate_key", ScalarValue::Bytes(vec![9; 32])).unwrap();
        let lower = doc.put_object(ROOT, "lower", ObjType::Map).unwrap();
        let shares = doc.put_object(&lower, "shares", ObjType::Map).unwrap();
        doc.put(&shares, "names", true).unwrap();
    });
    let message = SyncMessage {
        heads: changes.iter().map(Change::hash).collect(),
        need: Vec::new(),
        have: Vec::new(),
        changes: changes.iter().map(|c| c.raw_bytes().to_vec()).collect::<Vec<_>>().into(),
        flags: None,
        version: MessageVersion::V1,
    };
    net.inject(
        link,
        true,
        codec::encode(&Message::Sync {
            sender_id: "upper".into(),
            target_id: "relay".into(),
            document_id: link_id,
            data: message.encode(),
            signatures: changes.iter().map(|c| street_key.sign(c.hash())).collect(),
            member_signatures: changes.iter().map(|c| organiser_key().sign(c.hash(), None)).collect(),
            receipts: Vec::new(),
        }),
    );
    net.run_until_quiet();
    assert!(net.nodes[relay].saw(|e| matches!(e, RepoEvent::ChangesRefused { reason, .. } if reason.contains("first change"))));
    let stored = net.nodes[relay].repo.document(&link_id).unwrap();
    assert_eq!(linli_sync::take_part_key::take_part_protection(stored), Some(invite_key.public()));
}

#[test]
fn a_change_taken_on_a_later_changes_signature_goes_when_that_change_is_refused() {
    let mut v = village();
    // An organiser's two changes in a row, the write-key signature on the second only (which
    // vouches for the first): the first allowed (a notice's title), the second not (an empty map
    // beside a pledge's signatures).
    let mut copy = current_copy(&v);
    let actor = author(&organiser_key(), 60, NOW).actor();
    let mut changes = made(&mut copy, actor.clone(), |doc| {
        let notice = at(doc, &["notices", notice().as_str()]);
        doc.put(&notice, "title", "Taken on a refused change's word").unwrap();
    });
    changes.extend(made(&mut copy, actor, |doc| drop(doc.put_object(at(doc, &["pledges", pledge().as_str()]), "signatures", ObjType::Map).unwrap())));
    let write = vec![write_key().sign(changes[1].hash())];
    let member = changes.iter().map(|c| organiser_key().sign(c.hash(), None)).collect();
    send(&mut v, &changes, (write, member));
    let refused: usize = v.net.nodes[v.relay2].events.iter().map(|e| if let RepoEvent::ChangesRefused { count, .. } = e { *count } else { 0 }).sum();
    assert_eq!(refused, 2, "both refused: {:?}", reasons_at_relay2(&v));
    nothing_honest_changed(&v);
    let heads: Vec<_> = honest(&v).iter().map(|n| v.net.nodes[*n].repo.document(&space_id()).unwrap().clone().get_heads()).collect();
    assert!(heads.windows(2).all(|w| w[0] == w[1]), "every honest replica holds the same changes: {heads:?}");
}

// ----- with a view link -----

#[test]
fn only_a_take_part_or_edit_links_holder_proves_it_may_open_a_direct_link() {
    let mut v = village();
    let viewer = v.net.add_device("viewer");
    v.net.connect(viewer, v.relay2);
    v.net.find(viewer, space_id());
    v.net.run_until_quiet();
    // Ann (take part) and the viewer each say hello on the space, as devices do to find a direct link.
    let fx = v.net.nodes[v.ann].repo.broadcast_proven_ephemeral(space_id(), b"hello from Ann".to_vec());
    v.net.apply(v.ann, fx);
    let fx = v.net.nodes[viewer].repo.broadcast_proven_ephemeral(space_id(), b"hello from a viewer".to_vec());
    v.net.apply(viewer, fx);
    v.net.run_until_quiet();
    // The organiser, two relays away, hears both and can tell which proved a link.
    let organiser = &v.net.nodes[v.organiser];
    let heard: Vec<(Vec<u8>, bool)> = organiser
        .events
        .iter()
        .filter_map(|e| if let RepoEvent::Ephemeral { document_id, data, .. } = e { Some(organiser.repo.open_ephemeral(document_id, data)) } else { None })
        .map(|opened| (opened.payload, opened.proven))
        .collect();
    assert!(heard.contains(&(b"hello from Ann".to_vec(), true)), "{heard:?}");
    assert!(heard.contains(&(b"hello from a viewer".to_vec(), false)), "{heard:?}");
}
