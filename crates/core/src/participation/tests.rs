//! The rules of a certified space, allowed and refused: a space with an organiser (member 1) and a
//! resident (member 2) who joined, signed, raised a request, commented and voted; then one more
//! change, made by the Editor or built by hand with Automerge, reviewed under a tier as a given
//! member. Hand-built changes are what an attacker holding a link can make.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc, ScalarValue, Value};

use super::{Admitted, Candidate, Refusal, Regime, TOO_LARGE, Tier};
use crate::MemberId;
use crate::participation::review;
use crate::{Author, ConsultationDraft, Editor, ItemId, ItemKind, NoticeDraft, Place, PledgeDraft, Space, SpaceDocument, TaskDraft, Timestamp, new_space_with};

const ORGANISER: u8 = 1;
const RESIDENT: u8 = 2;
const NEIGHBOUR: u8 = 3;

fn member(n: u8) -> MemberId {
    MemberId::from_public_key([n; 32])
}

fn author(n: u8) -> Author {
    Author { member: member(n), session: [n; 8], now: Timestamp(1_000_000 + n as i64) }
}

fn me(n: u8) -> String {
    member(n).to_string()
}

/// An item ID made by member `n` (it carries their mark).
fn id(n: u8, k: u8) -> ItemId {
    author(n).new_item_id([k; 8])
}

struct Sample {
    doc: AutoCommit,
    pledge: ItemId,
    notice: ItemId,
    board: ItemId,
    column: ItemId,
    task: ItemId,
    consultation: ItemId,
    /// Raised by the resident.
    request: ItemId,
    /// The resident's comment on the task.
    comment: ItemId,
}

fn sample() -> Sample {
    let mut doc = new_space_with("Sanfang", &author(ORGANISER), |doc| {
        doc.put(ROOT, "write_key", ScalarValue::Bytes(vec![1; 32])).unwrap();
        doc.put(ROOT, "participate_key", ScalarValue::Bytes(vec![2; 32])).unwrap();
    });
    let o = |k| id(ORGANISER, k);
    let (pledge, notice, board, column, task, consultation) = (o(1), o(2), o(3), o(4), o(5), o(9));
    let (request, comment) = (id(RESIDENT, 6), id(RESIDENT, 7));
    let mut organiser = Editor::new(&mut doc, &author(ORGANISER));
    organiser.join("Lin", "residents-committee").unwrap();
    organiser.create_pledge(&pledge, PledgeDraft { title: "Quiet after 22:00".into(), ..Default::default() }).unwrap();
    organiser.post_notice(&notice, NoticeDraft::new("Lift repair", "Friday")).unwrap();
    organiser.create_board(&board, "Requests", &[(column.clone(), [("en".to_owned(), "New".to_owned())].into())]).unwrap();
    organiser.add_task(&task, &board, &column, TaskDraft { title: "Paint the gate".into(), ..Default::default() }, Place::End).unwrap();
    let draft = ConsultationDraft { question: "Paint the gate green?".into(), yes_no: true, closes_at: Timestamp(2_000_000), ..Default::default() };
    organiser.create_consultation(&consultation, draft).unwrap();
    let mut resident = Editor::new(&mut doc, &author(RESIDENT));
    resident.join("Ann", "").unwrap();
    resident.sign_pledge(&pledge, "Ann").unwrap();
    resident.raise_request(&request, &board, &column, "c000000000000002", TaskDraft { title: "Broken lamp".into(), ..Default::default() }, Place::End).unwrap();
    resident.comment_on_task(&task, &comment, "I can help").unwrap();
    resident.vote(&consultation, &["yes".to_owned()]).unwrap();
    Sample { doc, pledge, notice, board, column, task, consultation, request, comment }
}

/// Makes one more change on a copy of `sample` with `act` (its actor: `signer`'s), and reviews
/// every change it made under `tier` as `signer`, both as a peer does (each before applying it)
/// and as the device that made it does (after): the verdicts must agree.
fn review_as(sample: &Sample, tier: Tier, signer: u8, act: impl FnOnce(&mut AutoCommit)) -> Result<Admitted, Refusal> {
    review_on(&sample.doc, tier, signer, act)
}

fn review_on(doc: &AutoCommit, tier: Tier, signer: u8, act: impl FnOnce(&mut AutoCommit)) -> Result<Admitted, Refusal> {
    let mut copy = doc.clone();
    copy.set_actor(author(signer).actor());
    let before = copy.get_heads();
    act(&mut copy);
    copy.commit();
    let changes = copy.get_changes(&before);
    assert!(!changes.is_empty(), "the act made no change (signer {signer})");
    let candidates: Vec<Candidate<'_>> = changes.iter().map(|change| Candidate { change, tier, member: Some(member(signer)) }).collect();
    let in_turn = review_in_turn(doc, &candidates);
    let after = review(&copy, Regime::Certified, &candidates);
    assert_eq!(in_turn, after, "the verdicts differ with the changes applied");
    let mut verdicts = in_turn;
    let last = verdicts.pop().expect("one verdict per change");
    verdicts.into_iter().try_for_each(|v| v.map(|_| ()))?;
    last
}

fn review_in_turn(doc: &AutoCommit, candidates: &[Candidate<'_>]) -> Vec<Result<Admitted, Refusal>> {
    let mut doc = doc.clone();
    candidates
        .iter()
        .map(|candidate| {
            let verdict = review(&doc, Regime::Certified, std::slice::from_ref(candidate)).remove(0);
            if verdict.is_ok() {
                doc.apply_changes(vec![candidate.change.clone()]).unwrap();
            }
            verdict
        })
        .collect()
}

/// The same, with the Editor acting as `who` (and its actor).
fn edit_as(sample: &Sample, tier: Tier, who: u8, act: impl FnOnce(&mut Editor<'_>)) -> Result<Admitted, Refusal> {
    review_as(sample, tier, who, |doc| act(&mut Editor::new(doc, &author(who))))
}

#[track_caller]
fn refused(verdict: Result<Admitted, Refusal>, reason: &str) {
    match verdict {
        Err(refusal) => assert_eq!(refusal.reason, reason, "refused for another reason: {refusal}"),
        Ok(_) => panic!("admitted, expected a refusal: {reason}"),
    }
}

/// The object at a path of map keys.
fn at(doc: &AutoCommit, path: &[&str]) -> automerge::ObjId {
    path.iter().fold(ROOT, |obj, key| match doc.get(&obj, *key).unwrap() {
        Some((Value::Object(_), child)) => child,
        other => panic!("no object at {key}: {other:?}"),
    })
}

/// A copy of `doc` as it was before anything but the space's first change: an old copy an
/// attacker keeps to build changes on.
fn first_copy(doc: &AutoCommit) -> AutoCommit {
    let mut doc = doc.clone();
    let first = doc.get_changes(&[])[0].hash();
    doc.fork_at(&[first]).unwrap()
}

/// A copy of `doc` as it was just before the (last) change with `message`.
fn copy_before(doc: &AutoCommit, message: &str) -> AutoCommit {
    let mut doc = doc.clone();
    let change = doc.get_changes(&[]).into_iter().rev().find(|c| c.message() == Some(message)).expect("such a change");
    doc.fork_at(change.deps()).unwrap()
}

use super::space_rules::*;

// ----- every operation the app makes fits -----

#[test]
fn every_editor_operation_fits_the_rules_of_its_tier() {
    let s = sample();
    let o = |k| id(ORGANISER, k);
    let organiser = |act: &dyn Fn(&mut Editor<'_>)| edit_as(&s, Tier::Edit, ORGANISER, |e| act(e)).unwrap();
    organiser(&|e| e.edit_notice(&s.notice, NoticeDraft::new("Lift repair", "Monday")).unwrap());
    organiser(&|e| e.translate_notice(&s.notice, crate::Lang::English, "Lift", "Monday").unwrap());
    organiser(&|e| e.set_notice_archived(&s.notice, true).unwrap());
    organiser(&|e| e.comment_on_notice(&s.notice, &o(40), "Done").unwrap());
    organiser(&|e| e.edit_pledge(&s.pledge, PledgeDraft { title: "Quiet after 21:00".into(), goal: 50, ..Default::default() }).unwrap());
    organiser(&|e| e.record_paper_signatures(&s.pledge, &o(41), 12, "lobby").unwrap());
    organiser(&|e| e.rename_board(&s.board, "Jobs").unwrap());
    organiser(&|e| e.add_column(&s.board, &o(42), [("en".to_owned(), "Done".to_owned())].into()).unwrap());
    organiser(&|e| e.rename_column(&s.board, &s.column, [("en".to_owned(), "Open".to_owned())].into()).unwrap());
    organiser(&|e| e.archive_column(&s.board, &s.column).unwrap());
    organiser(&|e| e.claim_task(&s.request).unwrap());
    organiser(&|e| e.assign_task(&s.request, &me(RESIDENT), true).unwrap());
    organiser(&|e| e.resolve_request(&s.request, true).unwrap());
    organiser(&|e| e.edit_task(&s.request, TaskDraft { title: "Lamp, floor 3".into(), labels: vec!["light".into()], ..Default::default() }).unwrap());
    organiser(&|e| e.move_task(&s.task, &s.column, Place::End).unwrap());
    organiser(&|e| e.set_task_archived(&s.task, true).unwrap());
    organiser(&|e| e.close_consultation(&s.consultation).unwrap());
    let heads = s.doc.clone().get_heads();
    organiser(&|e| e.close_consultation_at_home_cut(&s.consultation, &heads, Timestamp(2_000_000), &[9; 64]).unwrap());
    organiser(&|e| e.record_paper_votes(&s.consultation, &o(43), &[("no".to_owned(), 3)].into(), 3, "hall").unwrap());
    organiser(&|e| {
        e.edit_consultation(&s.consultation, ConsultationDraft { question: "Green gate?".into(), yes_no: true, closes_at: Timestamp(2_000_000), ..Default::default() }).unwrap()
    });
    organiser(&|e| e.follow_up_with_notice(&s.consultation, &o(44), NoticeDraft::new("Green it is", "")).unwrap());
    organiser(&|e| e.set_member_hidden(&me(NEIGHBOUR), true, "spam").unwrap());
    organiser(&|e| e.add_category(&o(45), [("en".to_owned(), "Noise".to_owned())].into()).unwrap());
    organiser(&|e| e.set_kiosk_settings(&crate::KioskSettings { rotation_seconds: 20, ..Default::default() }).unwrap());
    organiser(&|e| e.set_languages(&[crate::Lang::ZhHans, crate::Lang::English]).unwrap());
    organiser(&|e| e.rename_space("Sanfang Qixiang").unwrap());
    organiser(&|e| {
        e.schedule_meeting(&o(46), crate::MeetingDraft { title: "Residents' meeting".into(), starts_at: Timestamp(3_000_000), ..Default::default() }).unwrap();
        e.add_agenda_item(&o(46), &o(47), "The gate", &[format!("consultations/{}", s.consultation)]).unwrap();
        e.set_minutes(&o(46), "We met.").unwrap();
        e.set_attendance(&o(46), &me(RESIDENT), true).unwrap();
        e.add_action_item(&o(46), o(47).as_str(), &o(48), &s.board, &s.column, TaskDraft { title: "Buy paint".into(), ..Default::default() }, &me(RESIDENT)).unwrap();
    });
    organiser(&|e| {
        e.edit_notice(&s.notice, NoticeDraft::new("Lift repair", "Monday")).unwrap();
        e.restore(ItemKind::Notice, s.notice.as_str(), e_first_notice_change(&s)).unwrap();
    });
    let resident = |act: &dyn Fn(&mut Editor<'_>)| edit_as(&s, Tier::TakePart, RESIDENT, |e| act(e)).unwrap();
    resident(&|e| e.join("Ann Wu", "").unwrap());
    resident(&|e| e.withdraw_signature(&s.pledge).unwrap());
    resident(&|e| e.add_request_details(&s.request, "It flickers").unwrap());
    resident(&|e| e.confirm_request(&s.request, false).unwrap());
    resident(&|e| e.comment_on_notice(&s.notice, &id(RESIDENT, 50), "Thanks").unwrap());
    resident(&|e| e.vote(&s.consultation, &["no".to_owned()]).unwrap());
    let neighbour = |act: &dyn Fn(&mut Editor<'_>)| edit_as(&s, Tier::TakePart, NEIGHBOUR, |e| act(e)).unwrap();
    let joined = neighbour(&|e| e.join("Bo", "").unwrap());
    assert!(joined.joins, "a new member entry counts as joining");
    neighbour(&|e| {
        e.join("Bo", "").unwrap();
        e.sign_pledge(&s.pledge, "Bo").unwrap();
    });
    neighbour(&|e| {
        e.join("Bo", "").unwrap();
        e.raise_unfiled_request(&id(NEIGHBOUR, 51), "", TaskDraft { title: "Noise".into(), description: "At night".into(), ..Default::default() }).unwrap();
    });
}

fn e_first_notice_change(s: &Sample) -> automerge::ChangeHash {
    let mut doc = s.doc.clone();
    crate::item_history(&mut doc, ItemKind::Notice, s.notice.as_str()).unwrap()[0].change
}

// ----- what an entry is -----

#[test]
fn an_entry_is_whole_and_of_its_kind_or_it_is_refused() {
    let s = sample();
    // A signature with a name and no date (the reader would have had to leave out the pledge).
    refused(
        review_as(&s, Tier::TakePart, NEIGHBOUR, |doc| {
            Editor::new(doc, &author(NEIGHBOUR)).join("Bo", "").unwrap();
            let signatures = at(doc, &["pledges", s.pledge.as_str(), "signatures"]);
            let mine = doc.put_object(&signatures, me(NEIGHBOUR).as_str(), ObjType::Map).unwrap();
            doc.put(&mine, "name", "Bo").unwrap();
        }),
        super::schema::MISSING_FIELD,
    );
    // A date as an Automerge timestamp, not the integer every Linli writes.
    refused(
        review_as(&s, Tier::TakePart, RESIDENT, |doc| {
            let mine = at(doc, &["pledges", s.pledge.as_str(), "signatures", &me(RESIDENT)]);
            doc.put(&mine, "withdrawn_at", ScalarValue::Timestamp(5)).unwrap();
        }),
        super::schema::WRONG_KIND,
    );
    // A comment that is only an author.
    refused(
        review_as(&s, Tier::TakePart, RESIDENT, |doc| {
            let comments = at(doc, &["notices", s.notice.as_str(), "comments"]);
            let comment = doc.put_object(&comments, id(RESIDENT, 60).as_str(), ObjType::Map).unwrap();
            doc.put(&comment, "author", me(RESIDENT)).unwrap();
        }),
        super::schema::MISSING_FIELD,
    );
    // An empty vote.
    refused(
        review_as(&s, Tier::TakePart, RESIDENT, |doc| {
            let votes = at(doc, &["consultations", s.consultation.as_str(), "votes"]);
            doc.put_object(&votes, me(RESIDENT).as_str(), ObjType::Map).unwrap();
        }),
        super::schema::MISSING_FIELD,
    );
    // A field no entry has, and a field of the wrong kind.
    refused(
        review_as(&s, Tier::TakePart, RESIDENT, |doc| {
            let mine = at(doc, &["members", &me(RESIDENT)]);
            doc.put(&mine, "badge", "admin").unwrap();
        }),
        super::schema::UNKNOWN_PLACE,
    );
    refused(
        review_as(&s, Tier::Edit, ORGANISER, |doc| {
            let notice = at(doc, &["notices", s.notice.as_str()]);
            doc.put(&notice, "title", 7_i64).unwrap();
        }),
        super::schema::WRONG_KIND,
    );
    // Removing a field every such entry has.
    refused(
        review_as(&s, Tier::TakePart, RESIDENT, |doc| {
            let mine = at(doc, &["pledges", s.pledge.as_str(), "signatures", &me(RESIDENT)]);
            doc.delete(&mine, "signed_at").unwrap();
        }),
        super::schema::REQUIRED_FIELD,
    );
    // Counters and marks are not part of a space.
    refused(
        review_as(&s, Tier::Edit, ORGANISER, |doc| {
            let notice = at(doc, &["notices", s.notice.as_str()]);
            doc.put(&notice, "pinned", ScalarValue::counter(1)).unwrap();
        }),
        super::schema::WRONG_KIND,
    );
}

#[test]
fn what_one_member_may_store_is_bounded() {
    let s = sample();
    refused(edit_as(&s, Tier::TakePart, RESIDENT, |e| e.comment_on_notice(&s.notice, &id(RESIDENT, 61), &"x".repeat(500_000)).unwrap()), super::schema::TOO_LONG);
    refused(edit_as(&s, Tier::TakePart, RESIDENT, |e| e.add_request_details(&s.request, &"字".repeat(11_000)).unwrap()), TOO_LARGE);
    // A description grown past its size, 2,000 characters at a time.
    let mut grown = s.doc.clone();
    for _ in 0..4 {
        Editor::new(&mut grown, &author(RESIDENT)).add_request_details(&s.request, &"字".repeat(2_000)).unwrap();
    }
    let grown = Sample { doc: grown, ..sample() };
    refused(edit_as(&grown, Tier::TakePart, RESIDENT, |e| e.add_request_details(&s.request, &"字".repeat(2_000)).unwrap()), super::schema::TOO_LONG);
    // Four comments in one change.
    refused(
        review_as(&s, Tier::TakePart, RESIDENT, |doc| {
            let comments = at(doc, &["notices", s.notice.as_str(), "comments"]);
            for k in 62..66 {
                let comment = doc.put_object(&comments, id(RESIDENT, k).as_str(), ObjType::Map).unwrap();
                doc.put(&comment, "author", me(RESIDENT)).unwrap();
                doc.put(&comment, "at", 0_i64).unwrap();
                doc.put(&comment, "text", "spam").unwrap();
            }
        }),
        FEW_AT_A_TIME,
    );
    // Twenty thousand operations (renaming oneself over and over).
    let verdict = review_as(&s, Tier::TakePart, RESIDENT, |doc| {
        let mine = at(doc, &["members", &me(RESIDENT)]);
        for n in 0..20_000 {
            doc.put(&mine, "name", format!("Ann {n}")).unwrap();
        }
    });
    assert_eq!(verdict.map_err(|r| r.reason), Err(TOO_LARGE));
    // Details of 2,000 characters (the most the form takes) added to one's own request fit; a
    // rewrite of its description, 3,000 characters removed, does not: what a resident may do to
    // what stands already is bounded apart from what they make.
    let mut long = s.doc.clone();
    Editor::new(&mut long, &author(RESIDENT)).add_request_details(&s.request, &"d".repeat(3_000)).unwrap();
    let long = Sample { doc: long, ..sample() };
    edit_as(&long, Tier::TakePart, RESIDENT, |e| e.add_request_details(&s.request, &"e".repeat(2_000)).unwrap()).expect("details of 2,000 characters");
    let verdict = review_as(&long, Tier::TakePart, RESIDENT, |doc| {
        let description = at(doc, &["tasks", s.request.as_str(), "description"]);
        doc.splice_text(&description, 0, 3_000, "").unwrap();
    });
    assert_eq!(verdict.map_err(|r| r.reason), Err(TOO_LARGE));
    // A request raised with a description of 4,000 characters (the most its form takes) fits.
    edit_as(&s, Tier::TakePart, RESIDENT, |e| {
        let draft = TaskDraft { title: "Noise".into(), description: "n".repeat(4_000), ..Default::default() };
        e.raise_request(&id(RESIDENT, 70), &s.board, &s.column, "c000000000000002", draft, Place::End).unwrap()
    })
    .expect("a request of 4,000 characters");
}

// ----- new means new everywhere -----

#[test]
fn no_one_makes_an_item_under_an_id_they_did_not_mark() {
    let s = sample();
    // From a copy older than the resident's request, a neighbour makes the same task ID: the new
    // map would compete with the request at its key.
    let old = first_copy(&s.doc);
    let take_over = |doc: &mut AutoCommit| {
        let mut editor = Editor::new(doc, &author(NEIGHBOUR));
        editor.join("Bo", "").unwrap();
        editor.raise_unfiled_request(&s.request, "", TaskDraft { title: "Mine now".into(), ..Default::default() }).unwrap();
    };
    refused(review_on(&old, Tier::TakePart, NEIGHBOUR, take_over), NOT_MARKED);
    // Nor an organiser, over a resident's request or another organiser's task.
    // (Member 3 holds the edit link here: another organiser.)
    let organiser_take_over = |id: ItemId| {
        move |doc: &mut AutoCommit| {
            Editor::new(doc, &author(NEIGHBOUR)).raise_unfiled_request(&id, "", TaskDraft { title: "Ours".into(), ..Default::default() }).unwrap();
        }
    };
    refused(review_on(&old, Tier::Edit, NEIGHBOUR, organiser_take_over(s.request.clone())), NOT_MARKED);
    refused(review_on(&old, Tier::Edit, NEIGHBOUR, organiser_take_over(s.task.clone())), NOT_MARKED);
    // Nor a neighbour's comment, from a copy older than the comment.
    let before_comment = copy_before(&s.doc, "task.comment");
    refused(
        review_on(&before_comment, Tier::TakePart, NEIGHBOUR, |doc| {
            Editor::new(doc, &author(NEIGHBOUR)).join("Bo", "").unwrap();
            Editor::new(doc, &author(NEIGHBOUR)).comment_on_task(&s.task, &s.comment, "Not what Ann said").unwrap();
        }),
        NOT_MARKED,
    );
    // The maker's own ID, where their item stands already: not a new item.
    refused(
        review_as(&s, Tier::TakePart, RESIDENT, |doc| {
            let tasks = at(doc, &["tasks"]);
            doc.put_object(&tasks, s.request.as_str(), ObjType::Map).unwrap();
        }),
        MADE_ONCE,
    );
    // An ID of the older kind (16 digits) is never made after a space's first change.
    refused(edit_as(&s, Tier::Edit, ORGANISER, |e| e.post_notice(&ItemId::from_random([7; 8]), NoticeDraft::new("Old", "")).unwrap()), NOT_MARKED);
}

#[test]
fn nothing_holding_residents_entries_is_made_again_beside_itself() {
    let s = sample();
    let beside = |path: Vec<String>, key: &'static str| {
        move |doc: &mut AutoCommit| {
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            let parent = at(doc, &path);
            doc.put_object(&parent, key, ObjType::Map).unwrap();
        }
    };
    let item = |collection: &str, id: &ItemId| vec![collection.to_owned(), id.to_string()];
    for (path, key) in [
        (item("pledges", &s.pledge), "signatures"),
        (item("consultations", &s.consultation), "votes"),
        (item("tasks", &s.task), "comments"),
        (item("tasks", &s.request), "request"),
    ] {
        refused(review_as(&s, Tier::Edit, ORGANISER, beside(path.clone(), key)), BORN_WITH_PARENT);
        // Even from a copy where the item was not there yet: another organiser (member 3) making
        // the item again would compete with the one that holds the entries.
        refused(
            review_on(&first_copy(&s.doc), Tier::Edit, NEIGHBOUR, |doc| {
                let collection = at(doc, &[path[0].as_str()]);
                doc.put_object(&collection, path[1].as_str(), ObjType::Map).unwrap();
            }),
            NOT_MARKED,
        );
    }
    // Nor overwritten with a value, nor removed.
    refused(
        review_as(&s, Tier::Edit, ORGANISER, |doc| {
            let task = at(doc, &["tasks", s.request.as_str()]);
            doc.put(&task, "request", ScalarValue::Null).unwrap();
        }),
        NEVER_REMOVED,
    );
    refused(
        review_as(&s, Tier::Edit, ORGANISER, |doc| {
            let tasks = at(doc, &["tasks"]);
            doc.delete(&tasks, s.request.as_str()).unwrap();
        }),
        NEVER_REMOVED,
    );
    refused(
        review_as(&s, Tier::Edit, ORGANISER, |doc| {
            let signatures = at(doc, &["pledges", s.pledge.as_str(), "signatures"]);
            doc.delete(&signatures, me(RESIDENT).as_str()).unwrap();
        }),
        OWN_SIGNATURE,
    );
}

#[test]
fn the_write_key_is_replaced_never_removed() {
    let s = sample();
    refused(review_as(&s, Tier::Edit, ORGANISER, |doc| doc.delete(ROOT, "write_key").unwrap()), KEYS);
    refused(review_as(&s, Tier::Edit, ORGANISER, |doc| doc.put(ROOT, "write_key", ScalarValue::Null).unwrap()), super::schema::WRONG_KIND);
    review_as(&s, Tier::Edit, ORGANISER, |doc| doc.put(ROOT, "write_key", ScalarValue::Bytes(vec![9; 32])).unwrap()).unwrap();
    refused(review_as(&s, Tier::TakePart, RESIDENT, |doc| doc.put(ROOT, "participate_key", ScalarValue::Bytes(vec![9; 32])).unwrap()), KEYS);
}

#[test]
fn organisers_name_the_home_relay_as_a_key_and_residents_cannot() {
    let s = sample();
    review_as(&s, Tier::Edit, ORGANISER, |doc| doc.put(ROOT, "home_relay", ScalarValue::Bytes(vec![7; 32])).unwrap()).unwrap();
    refused(review_as(&s, Tier::TakePart, RESIDENT, |doc| doc.put(ROOT, "home_relay", ScalarValue::Bytes(vec![7; 32])).unwrap()), KEYS);
    refused(review_as(&s, Tier::Edit, ORGANISER, |doc| doc.put(ROOT, "home_relay", "relay.example").unwrap()), super::schema::WRONG_KIND);
}

/// `change` with the predecessors of its first operation replaced by `pred`, re-encoded below
/// Automerge's API (as an attacker may).
fn with_first_pred(change: &automerge::Change, pred: Vec<automerge::legacy::OpId>) -> automerge::Change {
    let mut expanded = change.decode();
    expanded.operations[0].pred = automerge::legacy::SortedVec::from(pred);
    automerge::Change::from(expanded)
}

/// The operation IDs standing at `key` of `obj`, as a change names its predecessors.
fn standing(doc: &AutoCommit, obj: &automerge::ObjId, key: impl Into<automerge::Prop>) -> Vec<automerge::legacy::OpId> {
    doc.get_all(obj, key)
        .unwrap()
        .into_iter()
        .map(|(_, id)| match id {
            automerge::ObjId::Id(counter, actor, _) => automerge::legacy::OpId::new(counter, &actor),
            automerge::ObjId::Root => unreachable!("a value"),
        })
        .collect()
}

/// Reviews one hand-built change on `doc` as `signer` under `tier`.
fn review_change(doc: &AutoCommit, tier: Tier, signer: u8, change: &automerge::Change) -> Result<Admitted, Refusal> {
    review(doc, Regime::Certified, &[Candidate { change, tier, member: Some(member(signer)) }]).remove(0)
}

/// The last change `act` makes on a copy of `doc` as `signer`.
fn made_change(doc: &AutoCommit, signer: u8, act: impl FnOnce(&mut AutoCommit)) -> automerge::Change {
    let mut copy = doc.clone();
    copy.set_actor(author(signer).actor());
    let before = copy.get_heads();
    act(&mut copy);
    copy.commit();
    copy.get_changes(&before).pop().expect("a change")
}

#[test]
fn an_operation_replaces_only_what_stood_where_it_writes() {
    let s = sample();
    let members = at(&s.doc, &["members"]);
    let mine = at(&s.doc, &["members", &me(RESIDENT)]);
    let rename = made_change(&s.doc, RESIDENT, |doc| doc.put(&mine, "name", "Ann B").unwrap());
    review_change(&s.doc, Tier::TakePart, RESIDENT, &rename).unwrap();
    // What stood at the key, named again, is fine; an operation elsewhere (the organiser's
    // entry) is not, nor is one that never was.
    review_change(&s.doc, Tier::TakePart, RESIDENT, &with_first_pred(&rename, standing(&s.doc, &mine, "name"))).unwrap();
    let elsewhere = standing(&s.doc, &members, me(ORGANISER).as_str());
    refused(review_change(&s.doc, Tier::TakePart, RESIDENT, &with_first_pred(&rename, elsewhere.clone())), super::ops::REPLACES_WHAT_WAS_NOT_THERE);
    let never = vec![automerge::legacy::OpId::new(999_999, &author(NEIGHBOUR).actor())];
    refused(review_change(&s.doc, Tier::TakePart, RESIDENT, &with_first_pred(&rename, never)), super::ops::REPLACES_WHAT_WAS_NOT_THERE);
    // A new entry (where nothing stood) that claims to replace something elsewhere.
    let join = made_change(&s.doc, NEIGHBOUR, |doc| {
        Editor::new(doc, &author(NEIGHBOUR)).join("Bo", "").unwrap();
    });
    review_change(&s.doc, Tier::TakePart, NEIGHBOUR, &join).unwrap();
    refused(review_change(&s.doc, Tier::TakePart, NEIGHBOUR, &with_first_pred(&join, elsewhere.clone())), super::ops::REPLACES_WHAT_WAS_NOT_THERE);
    // Organisers too: a list's element is overwritten again and again, naming what stands there;
    // naming another element's value is refused.
    let mut doc = s.doc.clone();
    doc.set_actor(author(ORGANISER).actor());
    let languages = doc.put_object(ROOT, "languages", ObjType::List).unwrap();
    doc.insert(&languages, 0, "en").unwrap();
    doc.insert(&languages, 1, "zh-Hans").unwrap();
    doc.commit();
    doc.put(&languages, 0, "zh-Hant").unwrap();
    doc.commit();
    let again = made_change(&doc, ORGANISER, |doc| doc.put(&languages, 0, "en").unwrap());
    review_change(&doc, Tier::Edit, ORGANISER, &again).unwrap();
    let other_element = standing(&doc, &languages, 1);
    refused(review_change(&doc, Tier::Edit, ORGANISER, &with_first_pred(&again, other_element)), super::ops::REPLACES_WHAT_WAS_NOT_THERE);
    // Text: a character removed names itself; naming another character is refused.
    let body = at(&doc, &["notices", &s.notice.to_string(), "body"]);
    let cut = made_change(&doc, ORGANISER, |doc| doc.splice_text(&body, 0, 1, "").unwrap());
    review_change(&doc, Tier::Edit, ORGANISER, &cut).unwrap();
    let second_character = vec![automerge::legacy::OpId::new(cut.decode().operations[0].pred.iter().next().unwrap().counter() + 1, &author(ORGANISER).actor())];
    refused(review_change(&doc, Tier::Edit, ORGANISER, &with_first_pred(&cut, second_character)), super::ops::REPLACES_WHAT_WAS_NOT_THERE);
}

#[test]
fn no_one_writes_in_another_members_name() {
    let s = sample();
    refused(
        review_as(&s, Tier::Edit, ORGANISER, |doc| {
            let ann = at(doc, &["members", &me(RESIDENT)]);
            doc.put(&ann, "name", "Spam").unwrap();
        }),
        OWN_ENTRY,
    );
    refused(
        review_as(&s, Tier::Edit, ORGANISER, |doc| {
            let ann = at(doc, &["pledges", s.pledge.as_str(), "signatures", &me(RESIDENT)]);
            doc.put(&ann, "withdrawn_at", 1_000_000_i64).unwrap();
        }),
        OWN_SIGNATURE,
    );
    refused(
        review_as(&s, Tier::Edit, ORGANISER, |doc| {
            let comments = at(doc, &["notices", s.notice.as_str(), "comments"]);
            let comment = doc.put_object(&comments, id(ORGANISER, 71).as_str(), ObjType::Map).unwrap();
            doc.put(&comment, "author", me(RESIDENT)).unwrap();
            doc.put(&comment, "at", 0_i64).unwrap();
            doc.put(&comment, "text", "words in Ann's mouth").unwrap();
        }),
        COMMENT_WRITER,
    );
    refused(
        review_as(&s, Tier::Edit, ORGANISER, |doc| {
            let request = at(doc, &["tasks", s.request.as_str(), "request"]);
            doc.put(&request, "raised_by", me(ORGANISER)).unwrap();
        }),
        RAISED_BY,
    );
    refused(
        review_as(&s, Tier::Edit, ORGANISER, |doc| {
            let votes = at(doc, &["consultations", s.consultation.as_str(), "votes"]);
            let vote = doc.put_object(&votes, me(NEIGHBOUR).as_str(), ObjType::Map).unwrap();
            let choices = doc.put_object(&vote, "choices", ObjType::Map).unwrap();
            doc.put(&choices, "yes", true).unwrap();
            doc.put(&vote, "at", 0_i64).unwrap();
        }),
        OWN_VOTE,
    );
    refused(
        review_as(&s, Tier::Edit, ORGANISER, |doc| {
            let request = at(doc, &["tasks", s.request.as_str(), "request"]);
            let confirmation = doc.put_object(&request, "confirmation", ObjType::Map).unwrap();
            doc.put(&confirmation, "resolved", true).unwrap();
            doc.put(&confirmation, "at", 0_i64).unwrap();
        }),
        OWN_REQUEST,
    );
}

#[test]
fn comments_are_only_added() {
    let s = sample();
    let path = ["tasks", s.task.as_str(), "comments", s.comment.as_str()];
    for (tier, who) in [(Tier::TakePart, RESIDENT), (Tier::Edit, ORGANISER)] {
        refused(
            review_as(&s, tier, who, |doc| {
                let comment = at(doc, &path);
                doc.put(&comment, "text", "I never said that").unwrap();
            }),
            COMMENTS_ONLY_ADDED,
        );
        refused(
            review_as(&s, tier, who, |doc| {
                let comments = at(doc, &path[..3]);
                doc.delete(&comments, s.comment.as_str()).unwrap();
            }),
            NEVER_REMOVED,
        );
    }
}

// ----- residents -----

#[test]
fn a_resident_joins_before_taking_part() {
    let s = sample();
    refused(edit_as(&s, Tier::TakePart, NEIGHBOUR, |e| e.sign_pledge(&s.pledge, "Bo").unwrap()), JOIN_FIRST);
    refused(edit_as(&s, Tier::TakePart, NEIGHBOUR, |e| e.comment_on_notice(&s.notice, &id(NEIGHBOUR, 72), "Hi").unwrap()), JOIN_FIRST);
}

#[test]
fn a_resident_writes_only_their_own_entries() {
    let s = sample();
    refused(edit_as(&s, Tier::TakePart, RESIDENT, |e| e.edit_notice(&s.notice, NoticeDraft::new("Mine", "")).unwrap()), ORGANISERS);
    refused(edit_as(&s, Tier::TakePart, RESIDENT, |e| e.record_paper_signatures(&s.pledge, &id(RESIDENT, 73), 500, "").unwrap()), ORGANISERS);
    refused(edit_as(&s, Tier::TakePart, RESIDENT, |e| e.claim_task(&s.request).unwrap()), ORGANISERS);
    refused(edit_as(&s, Tier::TakePart, RESIDENT, |e| e.join("Ann", "residents-committee").unwrap()), OWN_ENTRY);
    refused(
        edit_as(&s, Tier::TakePart, RESIDENT, |e| e.add_task(&id(RESIDENT, 74), &s.board, &s.column, TaskDraft { title: "x".into(), ..Default::default() }, Place::End).unwrap()),
        NEW_REQUEST,
    );
    refused(
        review_as(&s, Tier::TakePart, NEIGHBOUR, |doc| {
            Editor::new(doc, &author(NEIGHBOUR)).join("Bo", "").unwrap();
            let description = at(doc, &["tasks", s.request.as_str(), "description"]);
            doc.splice_text(&description, 0, 0, "Fake: ").unwrap();
        }),
        OWN_REQUEST,
    );
}

#[test]
fn a_time_a_resident_writes_is_when_they_wrote_it() {
    let s = sample();
    refused(
        review_as(&s, Tier::TakePart, RESIDENT, |doc| {
            let mine = at(doc, &["pledges", s.pledge.as_str(), "signatures", &me(RESIDENT)]);
            doc.put(&mine, "signed_at", 1_i64 << 40).unwrap();
        }),
        TIME,
    );
}

// ----- consultations -----

#[test]
fn votes_stay_counted_a_closed_consultation_stays_closed_and_options_stay() {
    let s = sample();
    let closed = {
        let mut doc = s.doc.clone();
        Editor::new(&mut doc, &author(ORGANISER)).close_consultation(&s.consultation).unwrap();
        doc
    };
    refused(review_on(&closed, Tier::Edit, ORGANISER, |doc| doc.put(at(doc, &["consultations", s.consultation.as_str()]), "closed", ScalarValue::Null).unwrap()), STAYS_CLOSED);
    refused(review_on(&closed, Tier::Edit, ORGANISER, |doc| doc.delete(at(doc, &["consultations", s.consultation.as_str()]), "closed").unwrap()), STAYS_CLOSED);
    refused(review_on(&closed, Tier::Edit, ORGANISER, |doc| doc.put(at(doc, &["consultations", s.consultation.as_str(), "closed"]), "at", 0_i64).unwrap()), STAYS_CLOSED);
    refused(
        review_on(&closed, Tier::TakePart, RESIDENT, |doc| {
            let votes = at(doc, &["consultations", s.consultation.as_str(), "votes"]);
            let vote = doc.put_object(&votes, me(RESIDENT).as_str(), ObjType::Map).unwrap();
            let choices = doc.put_object(&vote, "choices", ObjType::Map).unwrap();
            doc.put(&choices, "no", true).unwrap();
            doc.put(&vote, "at", 0_i64).unwrap();
        }),
        VOTING_CLOSED,
    );
    // An option is never taken away, nor the kind of vote changed.
    refused(review_as(&s, Tier::Edit, ORGANISER, |doc| doc.delete(at(doc, &["consultations", s.consultation.as_str(), "options"]), "yes").unwrap()), OPTIONS_STAY);
    refused(review_as(&s, Tier::Edit, ORGANISER, |doc| doc.put(at(doc, &["consultations", s.consultation.as_str()]), "max_choices", 3_u64).unwrap()), FIXED_WHEN_OPENED);
    // A vote for an option the consultation does not offer.
    refused(
        review_as(&s, Tier::TakePart, RESIDENT, |doc| {
            let votes = at(doc, &["consultations", s.consultation.as_str(), "votes"]);
            let vote = doc.put_object(&votes, me(RESIDENT).as_str(), ObjType::Map).unwrap();
            let choices = doc.put_object(&vote, "choices", ObjType::Map).unwrap();
            doc.put(&choices, "maybe", true).unwrap();
            doc.put(&vote, "at", 0_i64).unwrap();
        }),
        super::schema::UNKNOWN_PLACE,
    );
}

#[test]
fn two_closings_made_apart_count_every_vote_either_saw() {
    let s = sample();
    // One organiser's device closes from an old copy (before the resident voted), after much
    // else there, so its closing carries the higher operation counter and is the one Automerge
    // shows; another organiser's device closes from the current copy. Both closings stand, and
    // the count is what either saw: the resident's vote counts.
    let mut early = copy_before(&s.doc, "consultation.vote");
    let mut organiser = Editor::new(&mut early, &author(ORGANISER));
    for n in 0..300 {
        organiser.edit_notice(&s.notice, NoticeDraft::new("Lift repair", format!("day {n}"))).unwrap();
    }
    organiser.close_consultation(&s.consultation).unwrap();
    let mut late = s.doc.clone();
    Editor::new(&mut late, &author(NEIGHBOUR)).close_consultation(&s.consultation).unwrap();
    late.merge(&mut early).unwrap();
    let space = Space::hydrate(&late).unwrap();
    let shown = space.consultations[s.consultation.as_str()].closed.as_ref().unwrap();
    assert_eq!(shown.by, me(ORGANISER), "the early closing is the one Automerge shows");
    let tally = &space.tallies[s.consultation.as_str()];
    assert!(tally.votes.contains_key(&me(RESIDENT)), "the vote one closing saw counts: {tally:?}");
}

// ----- cost -----

#[test]
fn a_change_that_would_cost_too_much_to_judge_is_refused() {
    let mut s = sample();
    let mut organiser = Editor::new(&mut s.doc, &author(ORGANISER));
    let notices: Vec<ItemId> = (100..180).map(|k| id(ORGANISER, k)).collect();
    for notice in &notices {
        organiser.post_notice(notice, NoticeDraft::new("n", "")).unwrap();
    }
    let verdict = review_as(&s, Tier::Edit, ORGANISER, |doc| {
        for notice in &notices {
            let notice = at(doc, &["notices", notice.as_str()]);
            doc.put(&notice, "pinned", true).unwrap();
        }
    });
    assert_eq!(verdict.map_err(|r| r.reason), Err(super::as_of::TOO_COSTLY));
}

#[test]
fn a_change_writes_each_place_once_so_what_it_costs_a_peer_is_what_it_holds() {
    let s = sample();
    // A resident renaming themselves twice in one change (thousands of times, it cost every peer
    // a quarter of a second once the name held one such change).
    refused(
        review_as(&s, Tier::TakePart, RESIDENT, |doc| {
            let mine = at(doc, &["members", me(RESIDENT).as_str()]);
            doc.put(&mine, "name", "Ann B").unwrap();
            doc.put(&mine, "name", "Ann C").unwrap();
        }),
        super::ops::WRITES_PLACE_TWICE,
    );
    // An organiser typing backwards (two insertions at one point of a notice's text: nothing
    // removed), or writing one character twice (one removed each time).
    for removed in [0, 1] {
        refused(
            review_as(&s, Tier::Edit, ORGANISER, |doc| {
                let body = at(doc, &["notices", s.notice.as_str(), "body"]);
                doc.splice_text(&body, 0, removed, "a").unwrap();
                doc.splice_text(&body, 0, removed, "b").unwrap();
            }),
            super::ops::WRITES_PLACE_TWICE,
        );
    }
    // Removing a key and writing it once is how a reconcile writes; a third write is not.
    refused(
        review_as(&s, Tier::TakePart, RESIDENT, |doc| {
            let mine = at(doc, &["members", me(RESIDENT).as_str()]);
            doc.delete(&mine, "role").unwrap();
            doc.put(&mine, "role", "").unwrap();
            doc.delete(&mine, "role").unwrap();
        }),
        super::ops::WRITES_PLACE_TWICE,
    );
    // What the editor writes, each place once, is admitted: a rewritten body, a renaming.
    edit_as(&s, Tier::Edit, ORGANISER, |e| e.edit_notice(&s.notice, NoticeDraft::new("Lift repair, again", "Friday the 13th, not Friday")).unwrap()).expect("an edited notice");
    edit_as(&s, Tier::TakePart, RESIDENT, |e| e.join("Ann Lee", "").unwrap()).expect("a renaming");
}

#[test]
fn the_member_a_task_is_assigned_to_moves_it_along_and_no_one_else_with_a_take_part_link() {
    let mut s = sample();
    let done = id(ORGANISER, 60);
    let mut organiser = Editor::new(&mut s.doc, &author(ORGANISER));
    organiser.add_column(&s.board, &done, [("en".to_owned(), "Done".to_owned())].into()).unwrap();
    organiser.assign_task(&s.task, &me(RESIDENT), true).unwrap();
    // The resident it is assigned to claims it, moves it to "Done", gives it back.
    edit_as(&s, Tier::TakePart, RESIDENT, |e| e.claim_task(&s.task).unwrap()).unwrap();
    edit_as(&s, Tier::TakePart, RESIDENT, |e| e.move_task(&s.task, &done, Place::End).unwrap()).unwrap();
    edit_as(&s, Tier::TakePart, RESIDENT, |e| e.unclaim_task(&s.task).unwrap()).unwrap();
    // A neighbour it is not assigned to cannot, nor can the assignee move it off its board,
    // claim it for someone else, or move a request (its team answers it).
    refused(
        edit_as(&s, Tier::TakePart, NEIGHBOUR, |e| {
            e.join("Bo", "").unwrap();
            e.move_task(&s.task, &done, Place::End).unwrap();
        }),
        ASSIGNEES_ONLY,
    );
    refused(review_as(&s, Tier::TakePart, RESIDENT, |doc| doc.put(at(doc, &["tasks", s.task.as_str()]), "column", "c0ffee0000000001").unwrap()), ASSIGNEES_ONLY);
    refused(review_as(&s, Tier::TakePart, RESIDENT, |doc| doc.put(at(doc, &["tasks", s.task.as_str()]), "claimed_by", me(NEIGHBOUR)).unwrap()), ASSIGNEES_ONLY);
    refused(review_as(&s, Tier::TakePart, RESIDENT, |doc| doc.put(at(doc, &["tasks", s.task.as_str()]), "title", "Mine now").unwrap()), ORGANISERS);
    let mut organiser = Editor::new(&mut s.doc, &author(ORGANISER));
    organiser.assign_task(&s.request, &me(NEIGHBOUR), true).unwrap();
    refused(
        edit_as(&s, Tier::TakePart, NEIGHBOUR, |e| {
            e.join("Bo", "").unwrap();
            e.move_task(&s.request, &done, Place::End).unwrap();
        }),
        ASSIGNEES_ONLY,
    );
    // Taken off the task, the resident can no longer move it.
    Editor::new(&mut s.doc, &author(ORGANISER)).assign_task(&s.task, &me(RESIDENT), false).unwrap();
    refused(edit_as(&s, Tier::TakePart, RESIDENT, |e| e.move_task(&s.task, &s.column, Place::End).unwrap()), ASSIGNEES_ONLY);
}

// ----- private requests -----

/// The sample with a private request the resident raised (member 2), in category 2, whose team
/// is the neighbour (member 3).
fn with_private_request(s: &Sample) -> (AutoCommit, ItemId) {
    let mut doc = s.doc.clone();
    let team = crate::Responsibility { team: "Property".into(), members: [(me(NEIGHBOUR), true)].into(), keys: Default::default() };
    Editor::new(&mut doc, &author(ORGANISER)).set_responsibility("c000000000000002", &team).unwrap();
    Editor::new(&mut doc, &author(NEIGHBOUR)).join("Bo", "").unwrap();
    let private = id(RESIDENT, 60);
    let draft = TaskDraft { title: "5-302 threatens us".into(), description: "Do not say it was me".into(), ..Default::default() };
    Editor::new(&mut doc, &author(RESIDENT)).raise_request_as(&private, Some((&s.board, &s.column, Place::End)), "c000000000000002", draft, true).unwrap();
    (doc, private)
}

#[test]
fn a_resident_raises_a_private_request_sealed_and_nothing_of_it_in_clear() {
    let s = sample();
    let draft = TaskDraft { title: "5-302 threatens us".into(), description: "Do not say it was me".into(), ..Default::default() };
    let raise = |e: &mut Editor<'_>| e.raise_request_as(&id(RESIDENT, 60), Some((&s.board, &s.column, Place::End)), "c000000000000002", draft.clone(), true).unwrap();
    edit_as(&s, Tier::TakePart, RESIDENT, raise).expect("a resident raises a private request");
    let (mut doc, private) = with_private_request(&s);
    let bytes = doc.save_nocompress();
    assert!(!bytes.windows(7).any(|w| w == b"threate" || w == b"Do not "), "the title is in the document in clear");
    let space = Space::hydrate(&doc).unwrap();
    let task = &space.tasks[private.as_str()];
    assert!(task.title.is_empty() && task.description.is_empty() && task.sealed.is_some());
    assert_eq!(task.request.as_ref().map(|r| r.category.as_str()), Some("c000000000000002"), "its category stays public");
}

#[test]
fn a_private_request_or_a_comment_on_it_written_in_clear_is_refused() {
    let s = sample();
    let (doc, private) = with_private_request(&s);
    // A request built by hand with its title in clear beside a sealed part, in one change.
    let by_hand = |title: &'static str| {
        let (board, column) = (s.board.clone(), s.column.clone());
        move |doc: &mut AutoCommit| {
            let tasks = at(doc, &["tasks"]);
            let task = doc.put_object(&tasks, id(RESIDENT, 61).as_str(), ObjType::Map).unwrap();
            for (key, value) in [("board", board.as_str()), ("column", column.as_str()), ("position", "a0"), ("title", title), ("claimed_by", "")] {
                doc.put(&task, key, value).unwrap();
            }
            doc.put(&task, "created_at", 0_i64).unwrap();
            let request = doc.put_object(&task, "request", ObjType::Map).unwrap();
            doc.put(&request, "raised_by", me(RESIDENT)).unwrap();
            doc.put(&request, "raised_at", 0_i64).unwrap();
            doc.put(&request, "category", "c000000000000002").unwrap();
            let sealed = doc.put_object(&task, "sealed", ObjType::Map).unwrap();
            doc.put(&sealed, "body", "AAAA").unwrap();
            let keys = doc.put_object(&sealed, "keys", ObjType::Map).unwrap();
            doc.put(&keys, "ab".repeat(32), "AAAA").unwrap();
        }
    };
    review_on(&doc, Tier::TakePart, RESIDENT, by_hand("")).expect("a private request built by hand, nothing in clear");
    refused(review_on(&doc, Tier::TakePart, RESIDENT, by_hand("5-302 threatens us")), super::space_rules::PRIVATE_IN_CLEAR);
    // A comment on it in clear, by hand (the editor seals it).
    let comment_in_clear = |doc: &mut AutoCommit| {
        let comments = at(doc, &["tasks", private.as_str(), "comments"]);
        let c = doc.put_object(&comments, id(RESIDENT, 62).as_str(), ObjType::Map).unwrap();
        doc.put(&c, "author", me(RESIDENT)).unwrap();
        doc.put(&c, "at", 0_i64).unwrap();
        doc.put(&c, "text", "he came again").unwrap();
    };
    refused(review_on(&doc, Tier::TakePart, RESIDENT, comment_in_clear), super::space_rules::PRIVATE_IN_CLEAR);
    refused(
        review_on(&doc, Tier::Edit, ORGANISER, |d| {
            let comments = at(d, &["tasks", private.as_str(), "comments"]);
            let c = d.put_object(&comments, id(ORGANISER, 62).as_str(), ObjType::Map).unwrap();
            d.put(&c, "author", me(ORGANISER)).unwrap();
            d.put(&c, "at", 0_i64).unwrap();
            d.put(&c, "text", "we will visit").unwrap();
        }),
        super::space_rules::PRIVATE_IN_CLEAR,
    );
    // Sealed, by the resident who raised it, the team and the organisers: taken.
    review_on(&doc, Tier::TakePart, RESIDENT, |d| Editor::new(d, &author(RESIDENT)).comment_on_task(&private, &id(RESIDENT, 63), "again tonight").unwrap())
        .expect("the resident comments");
    review_on(&doc, Tier::TakePart, NEIGHBOUR, |d| Editor::new(d, &author(NEIGHBOUR)).comment_on_task(&private, &id(NEIGHBOUR, 63), "we will come").unwrap())
        .expect("its team comments");
    review_on(&doc, Tier::Edit, ORGANISER, |d| Editor::new(d, &author(ORGANISER)).comment_on_task(&private, &id(ORGANISER, 63), "noted").unwrap()).expect("an organiser comments");
}

#[test]
fn only_its_readers_comment_on_a_private_request_and_only_it_is_sealed() {
    let s = sample();
    let (mut doc, private) = with_private_request(&s);
    Editor::new(&mut doc, &author(4)).join("Passer-by", "").unwrap();
    refused(
        review_on(&doc, Tier::TakePart, 4, |d| Editor::new(d, &author(4)).comment_on_task(&private, &id(4, 63), "what happened?").unwrap()),
        super::space_rules::PRIVATE_READERS,
    );
    // A sealed comment on a public request: copy a sealed comment's shape onto it.
    let sealed_on_public = |d: &mut AutoCommit| {
        Editor::new(d, &author(RESIDENT)).comment_on_task(&private, &id(RESIDENT, 64), "x").unwrap();
        let made = at(d, &["tasks", private.as_str(), "comments", id(RESIDENT, 64).as_str(), "sealed"]);
        let body = d.get(&made, "body").unwrap().unwrap().0.to_string();
        let comments = at(d, &["tasks", s.request.as_str(), "comments"]);
        let c = d.put_object(&comments, id(RESIDENT, 65).as_str(), ObjType::Map).unwrap();
        d.put(&c, "author", me(RESIDENT)).unwrap();
        d.put(&c, "at", 0_i64).unwrap();
        d.put(&c, "text", "").unwrap();
        let sealed = d.put_object(&c, "sealed", ObjType::Map).unwrap();
        d.put(&sealed, "body", body).unwrap();
        d.put_object(&sealed, "keys", ObjType::Map).unwrap();
    };
    refused(review_on(&doc, Tier::TakePart, RESIDENT, sealed_on_public), super::space_rules::SEALED_OUT_OF_PLACE);
}

#[test]
fn a_resident_adds_no_words_in_clear_to_a_private_request() {
    let s = sample();
    let (doc, private) = with_private_request(&s);
    let splice = |d: &mut AutoCommit| {
        let description = at(d, &["tasks", private.as_str(), "description"]);
        d.splice_text(&description, 0, 0, "He came again").unwrap();
    };
    refused(review_on(&doc, Tier::TakePart, RESIDENT, splice), super::space_rules::PRIVATE_IN_CLEAR);
    review_on(&doc, Tier::TakePart, RESIDENT, |d| Editor::new(d, &author(RESIDENT)).add_request_details(&private, "He came again").unwrap()).expect("details go in sealed");
}

#[test]
fn only_organisers_add_a_reader_to_a_comment_on_a_private_request_and_only_where_none_stood() {
    let s = sample();
    let (mut doc, private) = with_private_request(&s);
    let comment = id(RESIDENT, 63);
    Editor::new(&mut doc, &author(RESIDENT)).comment_on_task(&private, &comment, "again tonight").unwrap();
    let add = |reader: String| {
        let private = private.clone();
        let comment = comment.clone();
        move |d: &mut AutoCommit| {
            let keys = at(d, &["tasks", private.as_str(), "comments", comment.as_str(), "sealed", "keys"]);
            d.put(&keys, reader.as_str(), "AAAA").unwrap();
        }
    };
    review_on(&doc, Tier::Edit, ORGANISER, add("cd".repeat(32))).expect("an organiser hands it to one more team");
    refused(review_on(&doc, Tier::TakePart, RESIDENT, add("cd".repeat(32))), super::space_rules::COMMENTS_ONLY_ADDED);
    let existing = {
        let keys = at(&doc, &["tasks", private.as_str(), "comments", comment.as_str(), "sealed", "keys"]);
        doc.keys(&keys).next().expect("sealed to someone")
    };
    refused(review_on(&doc, Tier::Edit, ORGANISER, add(existing)), super::space_rules::COMMENTS_ONLY_ADDED);
}

#[test]
fn a_member_gives_call_back_details_sealed_on_their_own_entry_and_no_one_else_writes_them() {
    let s = sample();
    let details = crate::CallBack { flat: "5-302".into(), phone: "13800000000".into() };
    edit_as(&s, Tier::TakePart, RESIDENT, |e| e.set_call_back(&details).unwrap()).expect("a resident gives their own details");
    let in_clear = |d: &mut AutoCommit| {
        let entry = at(d, &["members", me(RESIDENT).as_str()]);
        d.put(&entry, "contact", "5-302, 13800000000").unwrap();
    };
    refused(review_as(&s, Tier::TakePart, RESIDENT, in_clear), super::schema::WRONG_KIND);
    // Someone else's details, sealed as the Editor seals them: a neighbour's, an organiser's.
    let over = |d: &mut AutoCommit| {
        let entry = at(d, &["members", me(RESIDENT).as_str()]);
        let sealed = d.put_object(&entry, "contact", ObjType::Map).unwrap();
        d.put(&sealed, "body", "AAAA").unwrap();
        d.put_object(&sealed, "keys", ObjType::Map).unwrap();
    };
    refused(review_as(&s, Tier::TakePart, NEIGHBOUR, over), super::space_rules::OWN_ENTRY);
    refused(review_as(&s, Tier::Edit, ORGANISER, over), super::space_rules::OWN_ENTRY);
    // Taking them back is the member's own business too.
    let mut doc = s.doc.clone();
    Editor::new(&mut doc, &author(RESIDENT)).set_call_back(&details).unwrap();
    review_on(&doc, Tier::TakePart, RESIDENT, |d| Editor::new(d, &author(RESIDENT)).set_call_back(&crate::CallBack::default()).unwrap()).expect("taken back");
    let take_away = |d: &mut AutoCommit| {
        let entry = at(d, &["members", me(RESIDENT).as_str()]);
        d.delete(&entry, "contact").unwrap();
    };
    refused(review_on(&doc, Tier::Edit, ORGANISER, take_away), super::space_rules::OWN_ENTRY);
    // Nor does anyone else write inside them: their sealed body, or one more reader.
    for inside in ["body", "keys"] {
        let rewrite = |d: &mut AutoCommit| {
            let contact = at(d, &["members", me(RESIDENT).as_str(), "contact"]);
            match inside {
                "body" => d.put(&contact, "body", "AAAA").unwrap(),
                _ => {
                    let keys = at(d, &["members", me(RESIDENT).as_str(), "contact", "keys"]);
                    d.put(&keys, "cd".repeat(32), "AAAA").unwrap()
                }
            }
        };
        refused(review_on(&doc, Tier::Edit, ORGANISER, rewrite), super::space_rules::OWN_ENTRY);
        refused(review_on(&doc, Tier::TakePart, NEIGHBOUR, rewrite), super::space_rules::OWN_ENTRY);
    }
}

// ----- no map a resident writes grows without bound -----

/// Keys of `kind` that no one wrote yet, `n` of them.
fn fresh_keys(kind: super::schema::KeyKind, n: usize) -> Vec<String> {
    use super::schema::KeyKind;
    (0..n)
        .map(|k| match kind {
            KeyKind::Reader => format!("{:064x}", 0xfeed_0000 + k),
            KeyKind::Label => format!("label {k}"),
            KeyKind::Lang => format!("x-{k}"),
            _ => format!("{:016x}", 0xfeed_0000 + k),
        })
        .collect()
}

/// The maps of scalar entries under keys a writer chooses (not a member's own key) that the
/// changes from `doc` to `made` write into: what an attacker would widen.
fn widenable_maps(doc: &AutoCommit, made: &AutoCommit) -> Vec<(Vec<String>, super::schema::KeyKind, automerge::ObjId)> {
    use super::schema::{KeyKind, SPACE, Shape};
    let mut made = made.clone();
    let (before, after) = (doc.clone().get_heads(), made.get_heads());
    let mut found: Vec<(Vec<String>, KeyKind, automerge::ObjId)> = Vec::new();
    for patch in made.diff(&before, &after) {
        let automerge::PatchAction::PutMap { value: (Value::Scalar(_), _), .. } = patch.action else { continue };
        let path: Vec<String> = patch.path.iter().map(|(_, prop)| prop.to_string()).collect();
        let place: Vec<&str> = path.iter().map(String::as_str).collect();
        let kind = match SPACE.at(&place) {
            Some(Shape::Entries(kind, entry) | Shape::FewEntries(kind, entry, _)) if !entry.holds_object() && *kind != KeyKind::Member => *kind,
            _ => continue,
        };
        if !found.iter().any(|(p, _, _)| *p == path) {
            found.push((path, kind, patch.obj));
        }
    }
    found
}

/// `change` with `n` more keys of `kind` written into the map `map`, each with the value of a
/// key the change writes there already, re-encoded below Automerge's API (as an attacker may);
/// with `removed_first`, each written after a removal naming nothing (which removes nothing).
fn widened(change: &automerge::Change, map: &automerge::ObjId, kind: super::schema::KeyKind, n: usize, removed_first: bool) -> automerge::Change {
    let automerge::ObjId::Id(counter, actor, _) = map else { unreachable!("a map below the root") };
    let map = automerge::legacy::ObjectId::Id(automerge::legacy::OpId::new(*counter, actor));
    let mut expanded = change.decode();
    let template = expanded.operations.iter().find(|op| op.obj == map && matches!(op.action, automerge::legacy::OpType::Put(_))).expect("a key written there").clone();
    for key in fresh_keys(kind, n) {
        let mut op = template.clone();
        op.key = automerge::legacy::Key::Map(key.into());
        op.pred = automerge::legacy::SortedVec::from(Vec::new());
        if removed_first {
            let mut removal = op.clone();
            removal.action = automerge::legacy::OpType::Delete;
            expanded.operations.push(removal);
        }
        expanded.operations.push(op);
    }
    automerge::Change::from(expanded)
}

/// Every map a resident writes keys of their choosing into (the readers of what they seal, the
/// labels of their request…) holds a bounded number of them: each edit a resident makes, with
/// every such map it writes widened by 40 more keys in the same change, is refused as too long.
#[test]
fn no_map_a_resident_writes_keys_into_grows_without_bound() {
    let s = sample();
    let (private_doc, private) = with_private_request(&s);
    let private_draft = || TaskDraft { title: "The light on floor 5".into(), description: "dark".into(), ..Default::default() };
    type Act<'a> = Box<dyn Fn(&mut Editor<'_>) + 'a>;
    let acts: Vec<(&str, &AutoCommit, Act<'_>)> = vec![
        (
            "raise a request with a label",
            &s.doc,
            Box::new(|e| {
                let draft = TaskDraft { title: "Lamp".into(), labels: vec!["lights".into()], ..Default::default() };
                e.raise_request(&id(RESIDENT, 80), &s.board, &s.column, "c000000000000002", draft, Place::End).unwrap()
            }),
        ),
        (
            "raise a private request",
            &private_doc,
            Box::new(|e| e.raise_request_as(&id(RESIDENT, 81), Some((&s.board, &s.column, Place::End)), "c000000000000002", private_draft(), true).unwrap()),
        ),
        ("comment on one's private request", &private_doc, Box::new(|e| e.comment_on_task(&private, &id(RESIDENT, 82), "again").unwrap())),
        ("give call-back details", &s.doc, Box::new(|e| e.set_call_back(&crate::CallBack { flat: "5-302".into(), phone: "138".into() }).unwrap())),
    ];
    for (what, doc, act) in acts {
        let change = made_change(doc, RESIDENT, |d| act(&mut Editor::new(d, &author(RESIDENT))));
        review_change(doc, Tier::TakePart, RESIDENT, &change).unwrap_or_else(|r| panic!("{what}: {r:?}"));
        let mut made = doc.clone();
        made.apply_changes([change.clone()]).unwrap();
        let maps = widenable_maps(doc, &made);
        assert!(!maps.is_empty(), "{what}: writes no map of keys it chooses");
        for (path, kind, map) in maps {
            for removed_first in [false, true] {
                let verdict = review_change(doc, Tier::TakePart, RESIDENT, &widened(&change, &map, kind, 40, removed_first));
                assert_eq!(verdict.as_ref().map_err(|r| r.reason), Err(super::schema::TOO_LONG), "{what}: {path:?} widened (removed first: {removed_first}): {verdict:?}");
            }
        }
    }
}

/// A sealed value holds at most as many readers as a seal opens for; a task as many labels as
/// its bound, whoever writes them.
#[test]
fn a_sealed_value_holds_at_most_its_readers_and_a_task_its_labels() {
    let s = sample();
    let with_readers = |n: usize| {
        move |d: &mut AutoCommit| {
            let entry = at(d, &["members", me(RESIDENT).as_str()]);
            let sealed = d.put_object(&entry, "contact", ObjType::Map).unwrap();
            d.put(&sealed, "body", "AAAA").unwrap();
            let keys = d.put_object(&sealed, "keys", ObjType::Map).unwrap();
            for key in fresh_keys(super::schema::KeyKind::Reader, n) {
                d.put(&keys, key, "AAAA").unwrap();
            }
        }
    };
    review_as(&s, Tier::TakePart, RESIDENT, with_readers(linli_seal::MAX_READERS)).expect("as many readers as a seal opens for");
    refused(review_as(&s, Tier::TakePart, RESIDENT, with_readers(linli_seal::MAX_READERS + 1)), super::schema::TOO_LONG);
    refused(review_as(&s, Tier::TakePart, RESIDENT, with_readers(1_000)), super::schema::TOO_LONG);
    // Labels added one change at a time by an organiser stop at the bound too.
    let mut doc = s.doc.clone();
    let labels = |d: &mut AutoCommit, from: usize, n: usize| {
        let task = at(d, &["tasks", s.task.as_str()]);
        let labels = match d.get(&task, "labels").unwrap() {
            Some((Value::Object(ObjType::Map), labels)) => labels,
            _ => d.put_object(&task, "labels", ObjType::Map).unwrap(),
        };
        for key in fresh_keys(super::schema::KeyKind::Label, from + n).into_iter().skip(from) {
            d.put(&labels, key, true).unwrap();
        }
    };
    doc.set_actor(author(ORGANISER).actor());
    labels(&mut doc, 0, 31);
    doc.commit();
    review_on(&doc, Tier::Edit, ORGANISER, |d| labels(d, 31, 1)).expect("the 32nd label");
    refused(review_on(&doc, Tier::Edit, ORGANISER, |d| labels(d, 31, 2)), super::schema::TOO_LONG);
    // A removal that names nothing removes nothing, and makes no room.
    let with_33 = made_change(&doc, ORGANISER, |d| labels(d, 31, 2));
    let mut expanded = with_33.decode();
    let mut removal = expanded.operations.last().expect("a label written").clone();
    removal.key = automerge::legacy::Key::Map("label 0".into());
    removal.action = automerge::legacy::OpType::Delete;
    removal.pred = automerge::legacy::SortedVec::from(Vec::new());
    expanded.operations.push(removal);
    refused(review_change(&doc, Tier::Edit, ORGANISER, &automerge::Change::from(expanded)), super::schema::TOO_LONG);
    // Taking one off makes room for another in the same change.
    review_on(&doc, Tier::Edit, ORGANISER, |d| {
        let map = at(d, &["tasks", s.task.as_str(), "labels"]);
        d.delete(&map, "label 0").unwrap();
        labels(d, 31, 2);
    })
    .expect("one off, two on");
}
