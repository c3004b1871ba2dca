//! Every rule of spaces made before certified IDs, allowed and refused: a space with an organiser (member 1) and a resident
//! (member 2) who joined, signed, raised a request and commented; then one more change, made by
//! the Editor or forged by hand, reviewed under a tier as a given member.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc, Value};

use crate::MemberId;
use crate::participation::*;
use crate::{Author, ConsultationDraft, Editor, ItemId, ItemKind, NoticeDraft, Place, PledgeDraft, TaskDraft, Timestamp, new_space};

const ORGANISER: u8 = 1;
const RESIDENT: u8 = 2;
const NEIGHBOUR: u8 = 3;

fn member(n: u8) -> MemberId {
    MemberId::from_public_key([n; 32])
}

fn author(n: u8) -> Author {
    Author { member: member(n), session: [n; 8], now: Timestamp(1_000_000 + n as i64) }
}

fn id(n: u8) -> ItemId {
    ItemId::from_random([n; 8])
}

/// The space's consultation (yes / no, open).
fn consultation() -> ItemId {
    id(9)
}

struct Space {
    doc: AutoCommit,
    pledge: ItemId,
    notice: ItemId,
    board: ItemId,
    column: ItemId,
    task: ItemId,
    /// Raised by the resident.
    request: ItemId,
    /// The resident's comment on the task.
    comment: ItemId,
}

fn space() -> Space {
    let mut doc = new_space("Sanfang", &author(ORGANISER));
    let (pledge, notice, board, column, task, request, comment) = (id(1), id(2), id(3), id(4), id(5), id(6), id(7));
    let mut organiser = Editor::new(&mut doc, &author(ORGANISER));
    organiser.join("Lin", "residents-committee").unwrap();
    organiser.create_pledge(&pledge, PledgeDraft { title: "Quiet after 22:00".into(), ..Default::default() }).unwrap();
    organiser.post_notice(&notice, NoticeDraft::new("Lift repair", "Friday")).unwrap();
    organiser.create_board(&board, "Requests", &[(column.clone(), [("en".to_owned(), "New".to_owned())].into())]).unwrap();
    organiser.add_task(&task, &board, &column, TaskDraft { title: "Paint the gate".into(), ..Default::default() }, Place::End).unwrap();
    let closes_at = Timestamp(2_000_000);
    organiser.create_consultation(&consultation(), ConsultationDraft { question: "Paint the gate green?".into(), yes_no: true, closes_at, ..Default::default() }).unwrap();
    let mut resident = Editor::new(&mut doc, &author(RESIDENT));
    resident.join("Ann", "").unwrap();
    resident.sign_pledge(&pledge, "Ann").unwrap();
    resident.raise_request(&request, &board, &column, "c000000000000002", TaskDraft { title: "Broken lamp".into(), ..Default::default() }, Place::End).unwrap();
    resident.comment_on_task(&task, &comment, "I can help").unwrap();
    Space { doc, pledge, notice, board, column, task, request, comment }
}

/// Makes one more change on a copy of `space` with `act`, and reviews every change it made under
/// `tier` as `signer`.
fn review_as(space: &Space, tier: Tier, signer: u8, act: impl FnOnce(&mut AutoCommit)) -> Result<Admitted, Refusal> {
    let mut copy = space.doc.clone();
    copy.set_actor(author(signer).actor());
    let before = copy.get_heads();
    act(&mut copy);
    copy.commit();
    let changes = copy.get_changes(&before);
    assert!(!changes.is_empty(), "the act made no change");
    let candidates: Vec<Candidate<'_>> = changes.iter().map(|change| Candidate { change, tier, member: Some(member(signer)) }).collect();
    // A peer judges the changes one by one as it applies them; the device that made them, against
    // the document with them all applied. Both must reach the same verdicts.
    let before = review_in_turn(&space.doc, &candidates);
    let after = review(&copy, Regime::Legacy, &candidates);
    assert_eq!(before, after, "the verdicts differ with the changes applied");
    let mut verdicts = before;
    let last = verdicts.pop().expect("one verdict per change");
    verdicts.into_iter().try_for_each(|v| v.map(|_| ()))?;
    last
}

/// Reviews changes as a peer receiving them does: each against the document with the admitted
/// ones before it applied.
fn review_in_turn(doc: &AutoCommit, candidates: &[Candidate<'_>]) -> Vec<Result<Admitted, Refusal>> {
    let mut doc = doc.clone();
    candidates
        .iter()
        .map(|candidate| {
            let verdict = review(&doc, Regime::Legacy, std::slice::from_ref(candidate)).remove(0);
            if verdict.is_ok() {
                doc.apply_changes(vec![candidate.change.clone()]).unwrap();
            }
            verdict
        })
        .collect()
}

/// The same, with the Editor acting as `who`.
fn edit_as(space: &Space, tier: Tier, who: u8, act: impl FnOnce(&mut Editor<'_>)) -> Result<Admitted, Refusal> {
    review_as(space, tier, who, |doc| act(&mut Editor::new(doc, &author(who))))
}

fn refused(verdict: Result<Admitted, Refusal>, reason_contains: &str) {
    match verdict {
        Err(refusal) => assert!(refusal.reason.contains(reason_contains), "refused for another reason: {refusal}"),
        Ok(_) => panic!("admitted, expected a refusal ({reason_contains})"),
    }
}

/// The object at a path of map keys.
fn at(doc: &AutoCommit, path: &[&str]) -> automerge::ObjId {
    path.iter().fold(ROOT, |obj, key| match doc.get(&obj, *key).unwrap() {
        Some((Value::Object(_), child)) => child,
        other => panic!("no object at {key}: {other:?}"),
    })
}

fn me(n: u8) -> String {
    member(n).to_string()
}

// ----- a resident (take-part tier) -----

#[test]
fn a_resident_joins_and_renames_themselves() {
    let s = space();
    let joined = edit_as(&s, Tier::TakePart, NEIGHBOUR, |e| e.join("Bo", "").unwrap()).unwrap();
    assert!(joined.joins, "a new member entry counts as joining");
    let renamed = edit_as(&s, Tier::TakePart, RESIDENT, |e| e.join("Ann Wu", "").unwrap()).unwrap();
    assert!(!renamed.joins, "renaming is not joining again");
}

#[test]
fn a_resident_gives_themselves_no_role_and_changes_no_one_else() {
    let s = space();
    refused(edit_as(&s, Tier::TakePart, NEIGHBOUR, |e| e.join("Bo", "residents-committee").unwrap()), "roles are given by organisers");
    refused(
        review_as(&s, Tier::TakePart, NEIGHBOUR, |doc| {
            let ann = at(doc, &["members", &me(RESIDENT)]);
            doc.put(&ann, "name", "Spam").unwrap();
        }),
        "their own member entry",
    );
}

#[test]
fn a_resident_signs_withdraws_and_signs_again_as_themselves() {
    let s = space();
    edit_as(&s, Tier::TakePart, NEIGHBOUR, |e| e.sign_pledge(&s.pledge, "Bo").unwrap()).unwrap();
    edit_as(&s, Tier::TakePart, RESIDENT, |e| e.withdraw_signature(&s.pledge).unwrap()).unwrap();
}

#[test]
fn a_resident_cannot_withdraw_or_make_someone_elses_signature() {
    let s = space();
    refused(
        review_as(&s, Tier::TakePart, NEIGHBOUR, |doc| {
            let ann = at(doc, &["pledges", s.pledge.as_str(), "signatures", &me(RESIDENT)]);
            doc.put(&ann, "withdrawn_at", 5_i64).unwrap();
        }),
        "as themselves",
    );
    // The Editor signs as member 3; reviewed as member 4, the signature is not theirs.
    refused(edit_as_signed_by(&s, NEIGHBOUR, 4, |e| e.sign_pledge(&s.pledge, "Bo").unwrap()), "as themselves");
}

/// The Editor acts as member `who`; the change is reviewed as signed by member `signer`.
fn edit_as_signed_by(space: &Space, who: u8, signer: u8, act: impl FnOnce(&mut Editor<'_>)) -> Result<Admitted, Refusal> {
    review_as(space, Tier::TakePart, signer, |doc| act(&mut Editor::new(doc, &author(who))))
}

#[test]
fn a_resident_cannot_touch_the_pledge_itself() {
    let s = space();
    refused(edit_as(&s, Tier::TakePart, RESIDENT, |e| e.edit_pledge(&s.pledge, PledgeDraft { title: "Mine now".into(), ..Default::default() }).unwrap()), "as themselves");
    refused(edit_as(&s, Tier::TakePart, RESIDENT, |e| e.record_paper_signatures(&s.pledge, &id(9), 500, "").unwrap()), "as themselves");
}

#[test]
fn a_resident_raises_a_request_as_themselves_only() {
    let s = space();
    let draft = || TaskDraft { title: "Water leak".into(), description: "Under the stairs".into(), ..Default::default() };
    edit_as(&s, Tier::TakePart, NEIGHBOUR, |e| e.raise_request(&id(20), &s.board, &s.column, "c000000000000002", draft(), Place::End).unwrap()).unwrap();
    refused(edit_as_signed_by(&s, NEIGHBOUR, 4, |e| e.raise_request(&id(21), &s.board, &s.column, "", draft(), Place::End).unwrap()), "new request");
    refused(edit_as(&s, Tier::TakePart, NEIGHBOUR, |e| e.add_task(&id(22), &s.board, &s.column, draft(), Place::End).unwrap()), "new request");
}

#[test]
fn a_resident_cannot_raise_a_request_already_claimed_or_over_an_existing_task() {
    let s = space();
    refused(
        edit_as(&s, Tier::TakePart, NEIGHBOUR, |e| {
            e.raise_request(&id(23), &s.board, &s.column, "", TaskDraft { title: "Mine".into(), ..Default::default() }, Place::End).unwrap();
            e.claim_task(&id(23)).unwrap();
        }),
        "request they raised",
    );
    // A new map at the existing task's ID (a conflict that might win) is not a new request.
    refused(
        review_as(&s, Tier::TakePart, NEIGHBOUR, |doc| {
            let tasks = at(doc, &["tasks"]);
            doc.put_object(&tasks, s.task.as_str(), ObjType::Map).unwrap();
        }),
        "new request",
    );
}

#[test]
fn the_resident_who_raised_a_request_adds_details_and_confirms_it() {
    let s = space();
    edit_as(&s, Tier::TakePart, RESIDENT, |e| e.add_request_details(&s.request, "It flickers at night").unwrap()).unwrap();
    edit_as(&s, Tier::TakePart, RESIDENT, |e| e.confirm_request(&s.request, false).unwrap()).unwrap();
    // Details then confirmation, two changes of one batch.
    edit_as(&s, Tier::TakePart, RESIDENT, |e| {
        e.add_request_details(&s.request, "Still broken").unwrap();
        e.confirm_request(&s.request, true).unwrap();
    })
    .unwrap();
}

#[test]
fn no_one_else_adds_to_or_confirms_a_residents_request() {
    let s = space();
    let forge_details = |doc: &mut AutoCommit| {
        let description = at(doc, &["tasks", s.request.as_str(), "description"]);
        doc.splice_text(&description, 0, 0, "Fake: ").unwrap();
    };
    refused(review_as(&s, Tier::TakePart, NEIGHBOUR, forge_details), "request they raised");
    refused(
        review_as(&s, Tier::TakePart, NEIGHBOUR, |doc| {
            let request = at(doc, &["tasks", s.request.as_str(), "request"]);
            doc.put(&request, "confirmation", true).unwrap();
        }),
        "request they raised",
    );
    refused(
        review_as(&s, Tier::Edit, ORGANISER, |doc| {
            let request = at(doc, &["tasks", s.request.as_str(), "request"]);
            let confirmation = doc.put_object(&request, "confirmation", ObjType::Map).unwrap();
            doc.put(&confirmation, "resolved", true).unwrap();
        }),
        "only the resident who raised",
    );
}

#[test]
fn a_resident_comments_on_notices_tasks_and_requests() {
    let s = space();
    edit_as(&s, Tier::TakePart, NEIGHBOUR, |e| e.comment_on_notice(&s.notice, &id(30), "Thanks").unwrap()).unwrap();
    edit_as(&s, Tier::TakePart, NEIGHBOUR, |e| e.comment_on_task(&s.task, &id(31), "Me too").unwrap()).unwrap();
    edit_as(&s, Tier::TakePart, NEIGHBOUR, |e| e.comment_on_task(&s.request, &id(32), "Same on floor 3").unwrap()).unwrap();
}

#[test]
fn the_first_comment_on_a_notice_of_an_older_linli_makes_its_comments_map() {
    let mut s = space();
    let notice = at(&s.doc, &["notices", s.notice.as_str()]);
    s.doc.delete(&notice, "comments").unwrap();
    s.doc.commit();
    edit_as(&s, Tier::TakePart, NEIGHBOUR, |e| e.comment_on_notice(&s.notice, &id(33), "First").unwrap()).unwrap();
}

#[test]
fn comments_are_never_changed_or_removed_even_by_their_writer_or_an_organiser() {
    let s = space();
    let path = ["tasks", s.task.as_str(), "comments", s.comment.as_str()];
    for (tier, who) in [(Tier::TakePart, RESIDENT), (Tier::Edit, ORGANISER)] {
        refused(
            review_as(&s, tier, who, |doc| {
                let comment = at(doc, &path);
                doc.put(&comment, "text", "I never said that").unwrap();
            }),
            "only added",
        );
        refused(
            review_as(&s, tier, who, |doc| {
                let comments = at(doc, &path[..3]);
                doc.delete(&comments, s.comment.as_str()).unwrap();
            }),
            "only added",
        );
    }
    // A new comment under a used ID would replace the old one.
    refused(
        review_as(&s, Tier::TakePart, RESIDENT, |doc| {
            let comments = at(doc, &path[..3]);
            let again = doc.put_object(&comments, s.comment.as_str(), ObjType::Map).unwrap();
            doc.put(&again, "author", me(RESIDENT)).unwrap();
        }),
        "only added",
    );
}

#[test]
fn a_comment_names_its_writer() {
    let s = space();
    refused(
        review_as(&s, Tier::TakePart, NEIGHBOUR, |doc| {
            let comments = at(doc, &["notices", s.notice.as_str(), "comments"]);
            let comment = doc.put_object(&comments, "0000000000000099", ObjType::Map).unwrap();
            doc.put(&comment, "author", me(RESIDENT)).unwrap();
            doc.put(&comment, "text", "words in Ann's mouth").unwrap();
        }),
        "name the member",
    );
    refused(edit_as_signed_by(&s, NEIGHBOUR, 4, |e| e.comment_on_notice(&s.notice, &id(34), "Hi").unwrap()), "name the member");
}

#[test]
fn a_resident_casts_only_their_own_vote() {
    let s = space();
    let c = consultation();
    let vote = |who: u8| {
        let c = c.clone();
        move |doc: &mut AutoCommit| {
            let votes = at(doc, &["consultations", c.as_str(), "votes"]);
            let vote = doc.put_object(&votes, me(who).as_str(), ObjType::Map).unwrap();
            let choices = doc.put_object(&vote, "choices", ObjType::Map).unwrap();
            doc.put(&choices, "yes", true).unwrap();
        }
    };
    review_as(&s, Tier::TakePart, NEIGHBOUR, vote(NEIGHBOUR)).unwrap();
    refused(review_as(&s, Tier::TakePart, NEIGHBOUR, vote(RESIDENT)), "own vote");
    refused(review_as(&s, Tier::Edit, ORGANISER, vote(RESIDENT)), "own vote");
    edit_as(&s, Tier::TakePart, RESIDENT, |e| e.vote(&c, &["no".into()]).unwrap()).unwrap();
}

#[test]
fn a_vote_chooses_options_the_consultation_has() {
    let s = space();
    let c = consultation();
    refused(
        review_as(&s, Tier::TakePart, RESIDENT, |doc| {
            let votes = at(doc, &["consultations", c.as_str(), "votes"]);
            let vote = doc.put_object(&votes, me(RESIDENT).as_str(), ObjType::Map).unwrap();
            let choices = doc.put_object(&vote, "choices", ObjType::Map).unwrap();
            doc.put(&choices, "maybe", true).unwrap();
        }),
        "options of the consultation",
    );
    refused(
        review_as(&s, Tier::TakePart, RESIDENT, |doc| {
            let votes = at(doc, &["consultations", c.as_str(), "votes"]);
            let vote = doc.put_object(&votes, me(RESIDENT).as_str(), ObjType::Map).unwrap();
            doc.put(&vote, "weight", 10_u64).unwrap();
        }),
        "options of the consultation",
    );
}

#[test]
fn a_closed_consultation_takes_no_votes_and_stays_closed() {
    let mut s = space();
    let c = consultation();
    Editor::new(&mut s.doc, &author(ORGANISER)).close_consultation(&c).unwrap();
    let late_vote = |doc: &mut AutoCommit| {
        let votes = at(doc, &["consultations", consultation().as_str(), "votes"]);
        let vote = doc.put_object(&votes, me(RESIDENT).as_str(), ObjType::Map).unwrap();
        let choices = doc.put_object(&vote, "choices", ObjType::Map).unwrap();
        doc.put(&choices, "yes", true).unwrap();
    };
    refused(review_as(&s, Tier::TakePart, RESIDENT, late_vote), "voting has closed");
    refused(review_as(&s, Tier::Edit, RESIDENT, late_vote), "voting has closed");
    refused(
        review_as(&s, Tier::Edit, ORGANISER, |doc| {
            let item = at(doc, &["consultations", consultation().as_str()]);
            doc.put(&item, "closed", automerge::ScalarValue::Null).unwrap();
        }),
        "stays closed",
    );
    // Everything else about it stays the organisers': archiving a closed consultation is fine.
    edit_as(&s, Tier::Edit, ORGANISER, |e| e.set_consultation_archived(&c, true).unwrap()).unwrap();
}

#[test]
fn residents_comment_on_a_consultation_and_never_change_a_comment() {
    let s = space();
    let c = consultation();
    edit_as(&s, Tier::TakePart, RESIDENT, |e| e.comment_on_consultation(&c, &id(40), "Green is nice").unwrap()).unwrap();
    let mut s = s;
    Editor::new(&mut s.doc, &author(RESIDENT)).comment_on_consultation(&c, &id(40), "Green is nice").unwrap();
    refused(
        review_as(&s, Tier::Edit, ORGANISER, |doc| {
            let comment = at(doc, &["consultations", consultation().as_str(), "comments", id(40).as_str()]);
            doc.put(&comment, "text", "Blue is nice").unwrap();
        }),
        "never changed",
    );
}

#[test]
fn a_change_with_one_forbidden_operation_is_refused_whole() {
    let s = space();
    refused(
        review_as(&s, Tier::TakePart, NEIGHBOUR, |doc| {
            let signatures = at(doc, &["pledges", s.pledge.as_str(), "signatures"]);
            let mine = doc.put_object(&signatures, me(NEIGHBOUR).as_str(), ObjType::Map).unwrap();
            doc.put(&mine, "name", "Bo").unwrap();
            let notice = at(doc, &["notices", s.notice.as_str()]);
            doc.put(&notice, "title", "Lift repair cancelled").unwrap();
        }),
        "changed by organisers",
    );
}

#[test]
fn everything_else_stays_with_the_organisers() {
    let s = space();
    let cases: Vec<Box<dyn Fn(&mut Editor<'_>)>> = vec![
        Box::new(|e| e.post_notice(&id(40), NoticeDraft::new("Free rice", "at the gate")).unwrap()),
        Box::new(|e| e.edit_notice(&s.notice, NoticeDraft::new("Lift repair", "Saturday")).unwrap()),
        Box::new(|e| e.rename_space("Ours").unwrap()),
        Box::new(|e| e.claim_task(&s.task).unwrap()),
        Box::new(|e| e.claim_task(&s.request).unwrap()),
        Box::new(|e| e.resolve_request(&s.request, true).unwrap()),
        Box::new(|e| e.create_pledge(&id(41), PledgeDraft { title: "Mine".into(), ..Default::default() }).unwrap()),
        Box::new(|e| e.set_member_hidden(&me(RESIDENT), true, "").unwrap()),
        Box::new(|e| e.create_board(&id(42), "Mine", &[]).unwrap()),
    ];
    for (n, act) in cases.iter().enumerate() {
        let verdict = edit_as(&s, Tier::TakePart, RESIDENT, |e| act(e));
        assert!(verdict.is_err(), "case {n} was admitted for a resident");
        edit_as(&s, Tier::Edit, ORGANISER, |e| act(e)).unwrap_or_else(|r| panic!("case {n} refused for an organiser: {r}"));
    }
    refused(review_as(&s, Tier::TakePart, RESIDENT, |doc| doc.put(ROOT, "participate_key", vec![0u8; 32]).unwrap()), "organisers");
}

#[test]
fn a_participant_change_needs_a_member() {
    let s = space();
    let mut copy = s.doc.clone();
    let before = copy.get_heads();
    Editor::new(&mut copy, &author(NEIGHBOUR)).join("Bo", "").unwrap();
    let changes = copy.get_changes(&before);
    let verdict = review(&s.doc, Regime::Legacy, &[Candidate { change: &changes[0], tier: Tier::TakePart, member: None }]);
    refused(verdict.into_iter().next().unwrap(), "member key");
}

// ----- an organiser (edit tier) -----

#[test]
fn an_organiser_runs_the_space_but_cannot_speak_for_a_resident() {
    let s = space();
    edit_as(&s, Tier::Edit, ORGANISER, |e| e.record_paper_signatures(&s.pledge, &id(50), 12, "box at the gate").unwrap()).unwrap();
    edit_as(&s, Tier::Edit, ORGANISER, |e| e.comment_on_task(&s.request, &id(51), "On it").unwrap()).unwrap();
    edit_as(&s, Tier::Edit, ORGANISER, |e| e.raise_request(&id(52), &s.board, &s.column, "", TaskDraft { title: "Phoned in".into(), ..Default::default() }, Place::End).unwrap())
        .unwrap();
    refused(
        review_as(&s, Tier::Edit, ORGANISER, |doc| {
            let signatures = at(doc, &["pledges", s.pledge.as_str(), "signatures"]);
            let forged = doc.put_object(&signatures, me(NEIGHBOUR).as_str(), ObjType::Map).unwrap();
            doc.put(&forged, "name", "Bo").unwrap();
        }),
        "own signature",
    );
    refused(
        review_as(&s, Tier::Edit, ORGANISER, |doc| {
            let ann = at(doc, &["pledges", s.pledge.as_str(), "signatures", &me(RESIDENT)]);
            doc.put(&ann, "withdrawn_at", 7_i64).unwrap();
        }),
        "own signature",
    );
    refused(
        review_as(&s, Tier::Edit, ORGANISER, |doc| {
            let ann = at(doc, &["members", &me(RESIDENT)]);
            doc.put(&ann, "name", "Troublemaker").unwrap();
        }),
        "own member entry",
    );
    refused(
        review_as(&s, Tier::Edit, ORGANISER, |doc| {
            let request = at(doc, &["tasks", s.request.as_str(), "request"]);
            doc.put(&request, "raised_by", me(ORGANISER)).unwrap();
        }),
        "set once",
    );
    refused(
        edit_as_editor_signed_by(&s, NEIGHBOUR, ORGANISER, |e| {
            e.raise_request(&id(53), &s.board, &s.column, "", TaskDraft { title: "Forged".into(), ..Default::default() }, Place::End).unwrap()
        }),
        "set once",
    );
}

fn edit_as_editor_signed_by(space: &Space, who: u8, signer: u8, act: impl FnOnce(&mut Editor<'_>)) -> Result<Admitted, Refusal> {
    review_as(space, Tier::Edit, signer, |doc| act(&mut Editor::new(doc, &author(who))))
}

#[test]
fn an_organiser_never_deletes_what_holds_residents_entries() {
    let s = space();
    for path in [vec!["pledges"], vec!["tasks"], vec!["pledges", s.pledge.as_str()], vec!["tasks", s.request.as_str()], vec!["notices", s.notice.as_str()]] {
        refused(
            review_as(&s, Tier::Edit, ORGANISER, |doc| {
                let (last, parent) = path.split_last().unwrap();
                let parent = at(doc, parent);
                doc.delete(&parent, *last).unwrap();
            }),
            "never deleted",
        );
    }
}

#[test]
fn restoring_an_old_version_keeps_the_signatures_comments_and_requests_made_since() {
    let mut s = space();
    let early = s.doc.get_heads()[0];
    // After `early`: the organiser retitles things, a neighbour signs and comments; the
    // organiser then restores the pledge and the tasks as they were at `early`.
    let mut organiser = Editor::new(&mut s.doc, &author(ORGANISER));
    organiser.edit_pledge(&s.pledge, PledgeDraft { title: "Typo".into(), ..Default::default() }).unwrap();
    organiser.edit_task(&s.task, TaskDraft { title: "Typo".into(), ..Default::default() }).unwrap();
    organiser.edit_task(&s.request, TaskDraft { title: "Typo".into(), ..Default::default() }).unwrap();
    Editor::new(&mut s.doc, &author(NEIGHBOUR)).sign_pledge(&s.pledge, "Bo").unwrap();
    Editor::new(&mut s.doc, &author(NEIGHBOUR)).comment_on_task(&s.task, &id(60), "Later").unwrap();
    for (kind, item) in [(ItemKind::Pledge, s.pledge.clone()), (ItemKind::Task, s.task.clone()), (ItemKind::Task, s.request.clone())] {
        edit_as(&s, Tier::Edit, ORGANISER, |e| e.restore(kind, item.as_str(), early).unwrap()).unwrap_or_else(|r| panic!("restore refused: {r}"));
    }
}

#[test]
fn older_members_without_keys_prove_nothing_and_organisers_may_tidy_their_entries() {
    let mut s = space();
    let older = Author { member: MemberId::from_random([9; 8]), session: [9; 8], now: Timestamp(5) };
    Editor::new(&mut s.doc, &older).sign_pledge(&s.pledge, "Old").unwrap();
    let older_id = older.member.to_string();
    review_as(&s, Tier::Edit, ORGANISER, |doc| {
        let signature = at(doc, &["pledges", s.pledge.as_str(), "signatures", &older_id]);
        doc.put(&signature, "name", "Old (paper)").unwrap();
    })
    .unwrap();
    refused(
        review_as(&s, Tier::TakePart, NEIGHBOUR, |doc| {
            let signature = at(doc, &["pledges", s.pledge.as_str(), "signatures", &older_id]);
            doc.put(&signature, "name", "x").unwrap();
        }),
        "as themselves",
    );
}

#[test]
fn a_later_change_cannot_lean_on_a_refused_one() {
    let s = space();
    // Change 1 (refused) claims the resident's request for the neighbour; change 2 then adds
    // "details" as if it were the neighbour's own request.
    let mut copy = s.doc.clone();
    let before = copy.get_heads();
    copy.set_actor(author(NEIGHBOUR).actor());
    let request = at(&copy, &["tasks", s.request.as_str(), "request"]);
    copy.put(&request, "raised_by", me(NEIGHBOUR)).unwrap();
    copy.commit();
    let description = at(&copy, &["tasks", s.request.as_str(), "description"]);
    copy.splice_text(&description, 0, 0, "Mine: ").unwrap();
    copy.commit();
    let changes = copy.get_changes(&before);
    let candidates: Vec<Candidate<'_>> = changes.iter().map(|change| Candidate { change, tier: Tier::TakePart, member: Some(member(NEIGHBOUR)) }).collect();
    let verdicts = review_in_turn(&s.doc, &candidates);
    refused(verdicts[0].clone(), "request they raised");
    refused(verdicts[1].clone(), "does not have");
}

#[test]
fn meetings_and_the_bodies_that_meet_are_the_organisers() {
    let s = space();
    let draft = crate::MeetingDraft { title: "Joint meeting".into(), ..Default::default() };
    refused(edit_as(&s, Tier::TakePart, RESIDENT, |e| e.schedule_meeting(&id(50), draft.clone()).unwrap()), "changed by organisers");
    refused(edit_as(&s, Tier::TakePart, RESIDENT, |e| e.add_body(&id(51), [("en".to_owned(), "Us".to_owned())].into()).unwrap()), "changed by organisers");
    edit_as(&s, Tier::Edit, ORGANISER, |e| e.schedule_meeting(&id(50), draft).unwrap()).unwrap();
}

fn link_record() -> crate::SpaceLink {
    crate::SpaceLink {
        side: crate::space_link::UPPER.into(),
        other_space: String::new(),
        other_name: "Sanfang Community".into(),
        other_relay: String::new(),
        created_at: Timestamp(0),
        key_sealed: "00".repeat(32),
        ended_at: None,
    }
}

#[test]
fn only_organisers_record_and_end_a_spaces_links() {
    let s = space();
    assert!(edit_as(&s, Tier::Edit, ORGANISER, |e| e.record_link("link-1", &link_record()).unwrap()).is_ok());
    refused(edit_as(&s, Tier::TakePart, RESIDENT, |e| e.record_link("link-1", &link_record()).unwrap()), "changed by organisers");
}

#[test]
fn no_one_turns_a_space_into_a_link_or_its_rules_into_a_links() {
    let s = space();
    refused(review_as(&s, Tier::Edit, ORGANISER, |doc| drop(doc.put(ROOT, "kind", crate::LINK_KIND))), "kind, keys and halves are fixed");
    refused(review_as(&s, Tier::TakePart, RESIDENT, |doc| drop(doc.put(ROOT, "kind", crate::LINK_KIND))), "changed by organisers");
}

/// Why the request form offers no private requests in such a space (`SpaceStatus::seals`): these
/// rules are kept as they were, and refuse a request's sealed part.
#[test]
fn a_private_request_is_refused_in_a_space_made_before_certified_ids() {
    let s = space();
    refused(
        edit_as(&s, Tier::TakePart, RESIDENT, |e| {
            let draft = TaskDraft { title: "Noise at night".into(), ..Default::default() };
            e.raise_request_as(&id(24), Some((&s.board, &s.column, Place::End)), "c000000000000002", draft, true).unwrap();
        }),
        "new request",
    );
    edit_as(&s, Tier::TakePart, RESIDENT, |e| {
        let draft = TaskDraft { title: "Noise at night".into(), ..Default::default() };
        e.raise_request_as(&id(24), Some((&s.board, &s.column, Place::End)), "c000000000000002", draft, false).unwrap();
    })
    .expect("the same request in clear");
}
