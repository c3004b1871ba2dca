//! What admitting one change costs a peer (criterion), on a space of 10,000 items: a resident's
//! change (signing a pledge through a take-part link) and an organiser's (editing a notice), as a
//! relay or a browser receives them in a sync message — signatures checked, the space's rules
//! applied, the change applied and stored — the costliest change a resident may send (as many
//! operations as a take-part change may hold, one head behind the relay), and the rules alone.
//! The space has a random ID, so it is judged by the rules of spaces made before certified IDs.
//! Run: `cargo bench -p linli-core --features sync --bench admission`.

use automerge::{AutoCommit, ReadDoc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use linli_core::participation::{Candidate, Regime, SpaceRules, Tier, review};
use linli_core::*;
use linli_sync::capability::protect;
use linli_sync::take_part_key::set_take_part_key;
use linli_sync::{Direction, DocumentId, Effects, MemberKey, PeerMetadata, Repo, RepoConfig, RepoEvent, TakePartKey, WriteKey};

mod support;
use support::id;

const SPACE: DocumentId = DocumentId::from_bytes([9; 16]);

/// A repo holding the space (imported from a file, as each device stored it).
fn device(name: &str, doc: &AutoCommit, write: &WriteKey, announce_to_incoming: bool) -> Repo {
    let mut repo = Repo::new(RepoConfig {
        peer_id: name.into(),
        metadata: PeerMetadata::default(),
        announce_to_incoming,
        announce_to_outgoing: true,
        session_id: name.into(),
        persist: true,
        rules: Some(SpaceRules::shared()),
    });
    repo.create(SPACE, AutoCommit::new());
    let mut doc = doc.clone();
    let changes = doc.get_changes(&[]);
    let file = linli_sync::space_file::SpaceFile {
        document: doc.save(),
        signatures: changes.iter().map(|c| write.sign(c.hash())).collect(),
        member_signatures: Vec::new(),
        receipts: Vec::new(),
    };
    let (imported, _) = repo.import_file(SPACE, &file.encode());
    imported.expect("the space");
    repo
}

/// A relay and a phone that hold the same space and have synced (their sync state settled, as
/// on a connection that has been open a while); then the phone makes one change with `make`.
/// Returns the relay and the frames the phone sends it.
fn settled_then(doc: &AutoCommit, write: &WriteKey, phone_keys: impl FnOnce(&mut Repo), make: impl FnOnce(&mut AutoCommit)) -> (Repo, Vec<Vec<u8>>) {
    let mut relay = device("relay", doc, write, false);
    let mut phone = device("phone", doc, write, true);
    phone_keys(&mut phone);
    let mut to_relay: Vec<Vec<u8>> = relay.connected(1, Direction::Incoming).sends.into_iter().map(|(_, f)| f).collect();
    to_relay.extend(phone.connected(1, Direction::Outgoing).sends.into_iter().map(|(_, f)| f));
    let mut to_phone = Vec::new();
    while !to_relay.is_empty() || !to_phone.is_empty() {
        for frame in std::mem::take(&mut to_relay) {
            to_phone.extend(relay.received(1, &frame).sends.into_iter().map(|(_, f)| f));
        }
        for frame in std::mem::take(&mut to_phone) {
            to_relay.extend(phone.received(1, &frame).sends.into_iter().map(|(_, f)| f));
        }
    }
    let ((), fx) = phone.change(SPACE, make).expect("the phone may make it");
    (relay, fx.sends.into_iter().map(|(_, f)| f).collect())
}

fn admitted(fx: &Effects) -> bool {
    fx.events.iter().any(|e| matches!(e, RepoEvent::DocChanged { .. })) && !fx.events.iter().any(|e| matches!(e, RepoEvent::ChangesRefused { .. }))
}

fn benches(c: &mut Criterion) {
    let write = WriteKey::from_seed([1; 32]);
    let take_part = TakePartKey::from_seed([2; 32]);
    let mut doc = support::sample_space_with(10_000, |doc| {
        protect(doc, write.public());
        set_take_part_key(doc, &take_part, &write);
    });
    doc.commit();
    let resident = MemberKey::from_seed([3; 32]);
    let organiser = MemberKey::from_seed([4; 32]);
    let as_member = |key: &MemberKey| Author { member: MemberId::from_public_key(key.public()), session: [7; 8], now: Timestamp(1_800_000_000_000) };

    let mut signed = doc.clone();
    Editor::new(&mut signed, &as_member(&resident)).sign_pledge(&id(2, 17), "Resident").unwrap();
    let signing = signed.get_last_local_change().unwrap();

    let mut group = c.benchmark_group("admitting one change, space of 10,000 items");
    group.sample_size(10);
    // Each sample admits the change once, into a relay set up afresh (not measured).
    let resident_setup = || {
        settled_then(
            &doc,
            &write,
            |phone| {
                phone.hold_member_key(resident.clone());
                phone.hold_take_part_key(SPACE, take_part.clone());
            },
            |d| Editor::new(d, &as_member(&resident)).sign_pledge(&id(2, 17), "Resident").unwrap(),
        )
    };
    let organiser_setup = || {
        settled_then(
            &doc,
            &write,
            |phone| {
                phone.hold_member_key(organiser.clone());
                phone.hold_write_key(SPACE, write.clone());
            },
            |d| {
                let current: Notice = read_item(d, "notices", id(1, 17).as_str()).unwrap().unwrap();
                Editor::new(d, &as_member(&organiser)).edit_notice(&id(1, 17), NoticeDraft { body: "edited".into(), ..NoticeDraft::of(&current) }).unwrap()
            },
        )
    };
    // The relay is handed back, so that dropping it (a 10,000-item space) is not measured.
    let receive = |(mut relay, frames): (Repo, Vec<Vec<u8>>)| {
        let mut fx = Effects::default();
        for frame in &frames {
            fx.extend(relay.received(1, frame));
        }
        (relay, fx)
    };
    assert!(admitted(&receive(resident_setup()).1), "the resident's change is admitted");
    assert!(admitted(&receive(organiser_setup()).1), "the organiser's change is admitted");
    group.bench_function("a resident's change (take-part link): signatures, rules, apply, store, answer", |b| b.iter_batched(resident_setup, receive, BatchSize::PerIteration));
    group.bench_function("an organiser's change (edit link): signatures, rules, apply, store, answer", |b| b.iter_batched(organiser_setup, receive, BatchSize::PerIteration));
    // The costliest change a resident may send: as many operations as a take-part change may
    // hold (5,000), as many of them as it may make on what stands (2,500) and each place written
    // once (a change writing one place twice is refused before it is read), made one head behind
    // the relay (which then reads the document as of the change's dependencies, not as it is):
    // 2,490 characters taken out of their own request's description (removals cost Automerge
    // most) and a new request raised with the rest. Measured on a fresh request and on one that
    // already holds a dozen such changes made at once (from as many devices, each one behind).
    let mut joined = doc.clone();
    let request = as_member(&resident).new_item_id([5; 8]);
    Editor::new(&mut joined, &as_member(&resident)).join("Resident", "").unwrap();
    let draft = TaskDraft { title: "The lamp on floor 3".into(), description: "x".repeat(4_000), ..Default::default() };
    Editor::new(&mut joined, &as_member(&resident)).raise_request(&request, &id(9, 0), &id(8, 0), "c000000000000002", draft, Place::End).unwrap();
    let rewrite = |d: &mut AutoCommit, session: u8| {
        let me = Author { session: [session; 8], ..as_member(&resident) };
        d.set_actor(me.actor());
        let tasks = d.get(automerge::ROOT, "tasks").unwrap().unwrap().1;
        let task = d.get(&tasks, request.as_str()).unwrap().unwrap().1;
        let description = d.get(&task, "description").unwrap().unwrap().1;
        automerge::transaction::Transactable::splice_text(d, &description, 0, 2_490, "").unwrap();
        let draft = TaskDraft { title: "Another lamp".into(), description: "y".repeat(2_400), ..Default::default() };
        Editor::new(d, &me).raise_request(&me.new_item_id([session; 8]), &id(9, 0), &id(8, 0), "c000000000000002", draft, Place::End).unwrap();
    };
    let resident_changes: Vec<automerge::Change> = joined.get_changes(&doc.get_heads());
    let earlier_rewrites: Vec<automerge::Change> = (1..=12u8)
        .map(|session| {
            let mut d = joined.clone();
            rewrite(&mut d, 100 + session);
            d.commit();
            d.get_last_local_change().unwrap().clone()
        })
        .collect();
    assert!(earlier_rewrites.iter().all(|c| c.len() == 4_911), "the costliest change as named: {} operations", earlier_rewrites[0].len());
    let mut ahead = joined.clone();
    let current: Notice = read_item(&ahead, "notices", id(1, 17).as_str()).unwrap().unwrap();
    Editor::new(&mut ahead, &as_member(&organiser)).edit_notice(&id(1, 17), NoticeDraft { body: "edited".into(), ..NoticeDraft::of(&current) }).unwrap();
    let file_of = |doc: &AutoCommit, by_resident: &[automerge::Change]| {
        let mut doc = doc.clone();
        let changes = doc.get_changes(&[]);
        let member_signatures = by_resident.iter().map(|c| resident.sign(c.hash(), Some(&take_part.signer()))).collect();
        let signatures = changes.iter().filter(|c| !by_resident.iter().any(|r| r.hash() == c.hash())).map(|c| write.sign(c.hash())).collect();
        linli_sync::space_file::SpaceFile { document: doc.save(), signatures, member_signatures, receipts: Vec::new() }.encode()
    };
    let mut rewritten = ahead.clone();
    rewritten.apply_changes(earlier_rewrites.clone()).unwrap();
    let all_by_resident: Vec<automerge::Change> = resident_changes.iter().chain(&earlier_rewrites).cloned().collect();
    let (joined_bytes, ahead_bytes, rewritten_bytes) = (file_of(&joined, &resident_changes), file_of(&ahead, &resident_changes), file_of(&rewritten, &all_by_resident));
    let costliest_setup = |relay_holds: &[u8]| {
        let mut relay = device("relay", &doc, &write, false);
        let mut phone = device("phone", &doc, &write, true);
        relay.import_file(SPACE, &joined_bytes).0.expect("the resident's request");
        phone.import_file(SPACE, &joined_bytes).0.expect("the resident's request");
        phone.hold_member_key(resident.clone());
        phone.hold_take_part_key(SPACE, take_part.clone());
        let mut to_relay: Vec<Vec<u8>> = relay.connected(1, Direction::Incoming).sends.into_iter().map(|(_, f)| f).collect();
        to_relay.extend(phone.connected(1, Direction::Outgoing).sends.into_iter().map(|(_, f)| f));
        let mut to_phone = Vec::new();
        while !to_relay.is_empty() || !to_phone.is_empty() {
            for frame in std::mem::take(&mut to_relay) {
                to_phone.extend(relay.received(1, &frame).sends.into_iter().map(|(_, f)| f));
            }
            for frame in std::mem::take(&mut to_phone) {
                to_relay.extend(phone.received(1, &frame).sends.into_iter().map(|(_, f)| f));
            }
        }
        // The relay hears of an organiser's edit (and, in the second case, of the earlier
        // rewrites) that the phone has not.
        relay.import_file(SPACE, relay_holds).0.expect("what the relay holds ahead of the phone");
        let ((), fx) = phone.change(SPACE, |d| rewrite(d, 7)).expect("the phone may make it");
        (relay, fx.sends.into_iter().map(|(_, f)| f).collect::<Vec<_>>())
    };
    assert!(admitted(&receive(costliest_setup(&ahead_bytes)).1), "the costliest allowed change is admitted");
    assert!(admitted(&receive(costliest_setup(&rewritten_bytes)).1), "the costliest allowed change is admitted beside a dozen more");
    group.bench_function("the costliest change a resident may send (4,911 operations, 2,491 on what stands, one head behind)", |b| {
        b.iter_batched(|| costliest_setup(&ahead_bytes), receive, BatchSize::PerIteration)
    });
    group.bench_function("the costliest change a resident may send, beside a dozen made at once", |b| {
        b.iter_batched(|| costliest_setup(&rewritten_bytes), receive, BatchSize::PerIteration)
    });
    let candidate = Candidate { change: &signing, tier: Tier::TakePart, member: Some(MemberId::from_public_key(resident.public())) };
    group.bench_function("the rules alone, a resident's change", |b| b.iter(|| review(&doc, Regime::Legacy, &[candidate])));
    group.finish();
}

criterion_group!(admission, benches);
criterion_main!(admission);
