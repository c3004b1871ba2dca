//! Private requests with real keys: who opens them (the resident who raised one, its team, the
//! organisers) and who does not (another resident, a removed team member for what came after),
//! and that a damaged sealed part reads as closed, never as a panic or a missing item.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT, ScalarValue};
use linli_core::private::{Keyring, open_private};
use linli_core::{Author, CallBack, Editor, ItemId, MemberId, Place, Privacy, Responsibility, Space, SpaceDocument, TaskDraft, Timestamp, new_space_with};

const CATEGORY: &str = "c000000000000002";
const WRITE_SEED: [u8; 32] = [9; 32];

fn public(seed: &[u8; 32]) -> [u8; 32] {
    ed25519_dalek::SigningKey::from_bytes(seed).verifying_key().to_bytes()
}

/// Member `n`, with the member key whose seed is `[n; 32]`.
fn author(n: u8) -> Author {
    Author { member: MemberId::from_public_key(public(&[n; 32])), session: [n; 8], now: Timestamp(1_000_000) }
}

fn me(n: u8) -> String {
    author(n).member.to_string()
}

/// What member `n`'s device reads (`organises`: it holds the organise link).
fn read_as(doc: &AutoCommit, n: u8, organises: bool) -> Space {
    let mut space = Space::hydrate(doc).unwrap();
    let write: Vec<[u8; 32]> = if organises { vec![WRITE_SEED] } else { vec![] };
    open_private(&mut space, &Keyring::new(Some(&[n; 32]), &write));
    space
}

struct Village {
    doc: AutoCommit,
    board: ItemId,
    column: ItemId,
}

const ORGANISER: u8 = 1;
const RESIDENT: u8 = 2;
const TEAM: u8 = 3;
const NEIGHBOUR: u8 = 4;
const NEWCOMER: u8 = 5;

fn village() -> Village {
    let mut doc = new_space_with("Sanfang", &author(ORGANISER), |doc| {
        doc.put(ROOT, "write_key", ScalarValue::Bytes(public(&WRITE_SEED).to_vec())).unwrap();
    });
    let (board, column) = (author(ORGANISER).new_item_id([1; 8]), author(ORGANISER).new_item_id([2; 8]));
    let mut organiser = Editor::new(&mut doc, &author(ORGANISER));
    organiser.create_board(&board, "Requests", &[(column.clone(), [("en".to_owned(), "New".to_owned())].into())]).unwrap();
    set_team(&mut doc, &[TEAM]);
    Village { doc, board, column }
}

fn set_team(doc: &mut AutoCommit, members: &[u8]) {
    let team = Responsibility { team: "Property".into(), members: members.iter().map(|n| (me(*n), true)).collect(), keys: Default::default() };
    let keys = [linli_core::private::organisers_reading_key(&WRITE_SEED)];
    Editor::new(doc, &author(ORGANISER)).with_reading_keys(&keys).set_responsibility(CATEGORY, &team).unwrap();
}

fn raise(v: &mut Village, k: u8, title: &str) -> ItemId {
    let id = author(RESIDENT).new_item_id([k; 8]);
    let draft = TaskDraft { title: title.into(), description: "Please do not say it was me".into(), ..Default::default() };
    let device = Keyring::new(Some(&[RESIDENT; 32]), &[]);
    Editor::new(&mut v.doc, &author(RESIDENT)).with_keyring(&device).raise_request_as(&id, Some((&v.board, &v.column, Place::End)), CATEGORY, draft, true).unwrap();
    id
}

#[test]
fn the_resident_the_team_and_the_organisers_read_a_private_request_and_no_one_else() {
    let mut v = village();
    let id = raise(&mut v, 1, "5-302 threatens my family");
    let place = format!("tasks/{id}");
    for (who, organises) in [(RESIDENT, false), (TEAM, false), (ORGANISER, true)] {
        let space = read_as(&v.doc, who, organises);
        assert_eq!(space.tasks[id.as_str()].title, "5-302 threatens my family", "member {who} reads it");
        assert_eq!(space.tasks[id.as_str()].description, "Please do not say it was me");
        assert_eq!(space.private.get(&place), Some(&Privacy::Open));
    }
    for (who, organises) in [(NEIGHBOUR, false), (ORGANISER, false)] {
        let space = read_as(&v.doc, who, organises);
        let task = &space.tasks[id.as_str()];
        assert_eq!((task.title.as_str(), task.description.as_str()), ("", ""), "member {who} reads nothing of it");
        assert_eq!(space.private.get(&place), Some(&Privacy::Closed));
        assert_eq!(task.request.as_ref().map(|r| r.category.as_str()), Some(CATEGORY), "its category is public");
    }
    // The team answers; the resident reads the answer, the neighbour does not.
    let answer = author(TEAM).new_item_id([7; 8]);
    Editor::new(&mut v.doc, &author(TEAM)).comment_on_task(&id, &answer, "We will come tonight").unwrap();
    assert_eq!(read_as(&v.doc, RESIDENT, false).tasks[id.as_str()].comments[answer.as_str()].text, "We will come tonight");
    let theirs = read_as(&v.doc, NEIGHBOUR, false);
    assert_eq!(theirs.tasks[id.as_str()].comments[answer.as_str()].text, "");
    assert_eq!(theirs.private.get(&format!("tasks/{id}/comments/{answer}")), Some(&Privacy::Closed));
    let bytes = v.doc.save_nocompress();
    assert!(!bytes.windows(7).any(|w| w == b"tonight" || w == b"5-302 t"), "nothing private in clear in the document");
}

#[test]
fn a_member_who_joins_the_team_reads_its_past_requests_and_one_who_leaves_not_what_comes_after() {
    let mut v = village();
    let before = raise(&mut v, 1, "The lift stops between floors");
    set_team(&mut v.doc, &[TEAM, NEWCOMER]);
    assert_eq!(read_as(&v.doc, NEWCOMER, false).tasks[before.as_str()].title, "The lift stops between floors", "a newcomer reads the team's past requests");
    set_team(&mut v.doc, &[NEWCOMER]);
    let after = raise(&mut v, 2, "Water in the cellar");
    let left = read_as(&v.doc, TEAM, false);
    assert_eq!(left.tasks[before.as_str()].title, "The lift stops between floors", "what they could read stays readable");
    assert_eq!(left.tasks[after.as_str()].title, "", "what is raised after they left is not for them");
    assert_eq!(read_as(&v.doc, NEWCOMER, false).tasks[after.as_str()].title, "Water in the cellar");
    assert_eq!(read_as(&v.doc, ORGANISER, true).tasks[after.as_str()].title, "Water in the cellar");
}

#[test]
fn a_damaged_sealed_part_reads_closed_and_its_request_stays() {
    let mut v = village();
    let id = raise(&mut v, 1, "Noise at night");
    let mut space = Space::hydrate(&v.doc).unwrap();
    let sealed = space.tasks.get_mut(id.as_str()).unwrap().sealed.as_mut().unwrap();
    sealed.body.replace_range(10..14, "AAAA");
    open_private(&mut space, &Keyring::new(Some(&[RESIDENT; 32]), &[]));
    assert_eq!(space.private.get(&format!("tasks/{id}")), Some(&Privacy::Closed));
    assert!(space.tasks.contains_key(id.as_str()));
}

#[test]
fn editing_a_private_request_never_writes_its_words_in_clear_unless_organisers_publish_a_summary() {
    let mut v = village();
    let id = raise(&mut v, 1, "Flat 5-302 threatens my family");
    // An organiser changes its due date from the task page: the form holds the opened words.
    let opened = read_as(&v.doc, ORGANISER, true).tasks[id.as_str()].clone();
    let draft = TaskDraft { title: opened.title.clone(), description: opened.description.clone(), due: Some(Timestamp(2_000_000)), labels: vec![] };
    Editor::new(&mut v.doc, &author(ORGANISER)).edit_task(&id, draft).unwrap();
    // The resident adds details: they go in sealed, as the resident's own comment.
    Editor::new(&mut v.doc, &author(RESIDENT)).add_request_details(&id, "He came again at 2 a.m.").unwrap();
    let bytes = v.doc.save_nocompress();
    assert!(!bytes.windows(7).any(|w| w == b"5-302 t" || w == b"threate" || w == b"2 a.m.\0" || w == b"He came"), "a private word is in clear");
    let resident = read_as(&v.doc, RESIDENT, false);
    assert!(resident.tasks[id.as_str()].comments.values().any(|c| c.text == "He came again at 2 a.m."), "the resident reads the details they added");
    assert_eq!(read_as(&v.doc, NEIGHBOUR, false).tasks[id.as_str()].due, Some(Timestamp(2_000_000)), "what is public of it changed");
    // The organisers publish a summary: everyone reads that, the team still reads the original.
    Editor::new(&mut v.doc, &author(ORGANISER)).publish_request_summary(&id, "A safety concern in building 5", "The team is on it.").unwrap();
    assert_eq!(read_as(&v.doc, NEIGHBOUR, false).tasks[id.as_str()].title, "A safety concern in building 5");
    assert_eq!(read_as(&v.doc, TEAM, false).tasks[id.as_str()].title, "Flat 5-302 threatens my family");
}

#[test]
fn organisers_holding_only_a_newer_organise_link_read_what_was_sealed_before_it_moved() {
    let mut v = village();
    let id = raise(&mut v, 1, "Before the move");
    // What the move leaves in the document: the earlier seed, sealed under the new one (the sync
    // crate's `past_write_keys`); the device holding the new link opens it and reads with both.
    let mut space = Space::hydrate(&v.doc).unwrap();
    open_private(&mut space, &Keyring::new(Some(&[ORGANISER; 32]), &[[42; 32], WRITE_SEED]));
    assert_eq!(space.tasks[id.as_str()].title, "Before the move");
    let mut without = Space::hydrate(&v.doc).unwrap();
    open_private(&mut without, &Keyring::new(Some(&[ORGANISER; 32]), &[[42; 32]]));
    assert_eq!(without.tasks[id.as_str()].title, "", "the new seed alone does not open it");
}

/// The category a Safety team answers for, and its one member.
const SAFETY: &str = "c000000000000004";
const GUARD: u8 = 6;

/// Gives the village a Safety team (the guard) for category `SAFETY`, as its organisers do;
/// returns the organisers' reading keys, which hand a private request on.
fn with_safety_team(v: &mut Village) -> [linli_seal::ReadingKey; 1] {
    let team = Responsibility { team: "Safety".into(), members: [(me(GUARD), true)].into(), keys: Default::default() };
    let organisers = [linli_core::private::organisers_reading_key(&WRITE_SEED)];
    Editor::new(&mut v.doc, &author(ORGANISER)).with_reading_keys(&organisers).set_responsibility(SAFETY, &team).unwrap();
    organisers
}

#[test]
fn a_private_request_handed_to_another_team_is_read_by_that_team_with_its_comments() {
    let mut v = village();
    let organisers = with_safety_team(&mut v);
    let id = raise(&mut v, 1, "Someone follows me home");
    let answer = author(TEAM).new_item_id([7; 8]);
    Editor::new(&mut v.doc, &author(TEAM)).comment_on_task(&id, &answer, "This is for the safety team").unwrap();
    assert_eq!(read_as(&v.doc, GUARD, false).tasks[id.as_str()].title, "", "not yet theirs");
    // Only a device that can open it hands it on.
    assert!(Editor::new(&mut v.doc.clone(), &author(ORGANISER)).move_request_to_category(&id, SAFETY).is_err());
    Editor::new(&mut v.doc, &author(ORGANISER)).with_reading_keys(&organisers).move_request_to_category(&id, SAFETY).unwrap();
    let guard = read_as(&v.doc, GUARD, false);
    assert_eq!(guard.tasks[id.as_str()].title, "Someone follows me home");
    assert_eq!(guard.tasks[id.as_str()].comments[answer.as_str()].text, "This is for the safety team");
    assert_eq!(guard.tasks[id.as_str()].request.as_ref().map(|r| r.category.as_str()), Some(SAFETY));
}

#[test]
fn a_members_call_back_details_are_read_by_them_and_the_organisers_only_and_kept_when_they_rename() {
    let mut v = village();
    let device = Keyring::new(Some(&[RESIDENT; 32]), &[]);
    Editor::new(&mut v.doc, &author(RESIDENT)).join("Ann", "").unwrap();
    let details = CallBack { flat: "5-302".into(), phone: "13800000017".into() };
    Editor::new(&mut v.doc, &author(RESIDENT)).with_keyring(&device).set_call_back(&details).unwrap();
    Editor::new(&mut v.doc, &author(RESIDENT)).join("Ann Lin", "").unwrap();
    for (who, organises, reads) in [(RESIDENT, false, true), (ORGANISER, true, true), (TEAM, false, false), (NEIGHBOUR, false, false)] {
        let space = read_as(&v.doc, who, organises);
        let member = &space.members[&me(RESIDENT)];
        assert_eq!(member.name, "Ann Lin");
        assert_eq!(member.call_back.as_ref(), reads.then_some(&details), "member {who}");
    }
    let bytes = v.doc.save();
    assert!(!bytes.windows(11).any(|w| w == b"13800000017"), "the phone number is nowhere in the document in clear");
    Editor::new(&mut v.doc, &author(RESIDENT)).with_keyring(&device).set_call_back(&CallBack::default()).unwrap();
    let space = read_as(&v.doc, ORGANISER, true);
    assert_eq!(space.members[&me(RESIDENT)].contact, None, "taken back");
}

/// Handing a private request with many sealed comments to another team adds a reader to the
/// request and to each comment, in one change: every peer's rules take it, at a bounded cost
/// (one look at each sealed value's readers, not one per reader).
#[test]
fn a_private_request_with_many_comments_is_handed_to_another_team_within_the_rules() {
    use linli_core::participation::{Candidate, Regime, Tier, review};
    let mut v = village();
    let organisers = with_safety_team(&mut v);
    let id = raise(&mut v, 1, "Someone follows me home");
    for k in 0..24 {
        Editor::new(&mut v.doc, &author(TEAM)).comment_on_task(&id, &author(TEAM).new_item_id([100 + k; 8]), "We walked by again").unwrap();
    }
    let before = v.doc.get_heads();
    let mut judged = v.doc.fork_at(&before).unwrap();
    Editor::new(&mut v.doc, &author(ORGANISER)).with_reading_keys(&organisers).move_request_to_category(&id, SAFETY).unwrap();
    let changes = v.doc.get_changes(&before);
    assert!(!changes.is_empty());
    for change in changes {
        let verdict = review(&judged, Regime::Certified, &[Candidate { change: &change, tier: Tier::Edit, member: Some(author(ORGANISER).member) }]).remove(0);
        assert!(verdict.is_ok(), "{verdict:?}");
        judged.apply_changes([change]).unwrap();
    }
    assert_eq!(read_as(&judged, GUARD, false).tasks[id.as_str()].comments.values().filter(|c| c.text == "We walked by again").count(), 24);
}
