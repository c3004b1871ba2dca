//! The space document, operation by operation: what each one writes, what the derived queries
//! answer, and how reading copes with odd documents.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT};
use linli_core::*;

const T0: i64 = 1_700_000_000_000;
const MINUTE: i64 = 60_000;

fn author(n: u8, at: i64) -> Author {
    Author { member: MemberId::from_random([n; 8]), session: [n; 8], now: Timestamp(at) }
}

fn id(n: u8) -> ItemId {
    ItemId::from_random([n; 8])
}

fn names(en: &str) -> Names {
    Names::from([("en".to_string(), en.to_string())])
}

fn space(doc: &AutoCommit) -> Space {
    Space::hydrate(doc).expect("a readable space")
}

#[test]
fn a_new_space_has_its_name_languages_starter_categories_and_no_items() {
    let doc = new_space("  Gulou Street ", &author(1, T0));
    let s = space(&doc);
    assert_eq!((s.schema, s.name.as_str(), s.created_at), (SCHEMA_VERSION, "Gulou Street", Timestamp(T0)));
    assert_eq!(s.languages, ["zh-Hans", "zh-Hant", "en"]);
    let categories: Vec<_> = s.categories_in_order().iter().map(|(_, c)| pick(&c.names, Lang::English).unwrap().to_owned()).collect();
    assert_eq!(categories, ["General", "Repairs", "Safety", "Environment", "Events"]);
    assert_eq!(pick(&s.categories_in_order()[1].1.names, Lang::ZhHant), Some("維修"));
    assert_eq!(s.kiosk.rotation_seconds, 12);
    assert!(s.notices.is_empty() && s.pledges.is_empty() && s.tasks.is_empty() && s.unreadable.is_empty());
}

#[test]
fn members_join_and_every_change_names_its_member() {
    let mut doc = new_space("s", &author(1, T0));
    Editor::new(&mut doc, &author(2, T0)).join("Chen Li", "volunteer").unwrap();
    Editor::new(&mut doc, &author(2, T0 + MINUTE)).join("Chen Li (building 3)", "volunteer").unwrap();
    let s = space(&doc);
    let me = MemberId::from_random([2; 8]).to_string();
    assert_eq!(s.member_name(&me), Some("Chen Li (building 3)"));
    assert_eq!(s.members[&me].joined_at, Timestamp(T0), "joining again keeps the first join time");
    let last = doc.get_last_local_change().unwrap();
    assert_eq!(member_of_actor(last.actor_id()), Some(MemberId::from_random([2; 8])));
    assert!(matches!(Editor::new(&mut doc, &author(3, T0)).join(" ", ""), Err(SpaceError::Invalid(_))));
}

#[test]
fn notices_are_active_inside_their_window_urgent_first_then_pinned_then_newest() {
    let mut doc = new_space("s", &author(1, T0));
    let post = |doc: &mut AutoCommit, n: u8, at: i64, draft: NoticeDraft| {
        Editor::new(doc, &author(1, at)).post_notice(&id(n), draft).unwrap();
    };
    post(&mut doc, 1, T0, NoticeDraft::new("plain old", ""));
    post(&mut doc, 2, T0 + MINUTE, NoticeDraft::new("plain new", ""));
    post(&mut doc, 3, T0, NoticeDraft { pinned: true, ..NoticeDraft::new("pinned", "") });
    post(&mut doc, 4, T0, NoticeDraft { urgent: true, ..NoticeDraft::new("urgent", "") });
    post(&mut doc, 5, T0, NoticeDraft { starts_at: Some(Timestamp(T0 + 10 * MINUTE)), ..NoticeDraft::new("later", "") });
    post(&mut doc, 6, T0, NoticeDraft { expires_at: Some(Timestamp(T0 + 5 * MINUTE)), ..NoticeDraft::new("expiring", "") });
    post(&mut doc, 7, T0, NoticeDraft { ends_at: Some(Timestamp(T0 + 5 * MINUTE)), ..NoticeDraft::new("window ends", "") });
    let titles = |doc: &AutoCommit, at: i64| -> Vec<String> { space(doc).active_notices(Timestamp(at)).iter().map(|(_, n)| n.title.clone()).collect() };
    assert_eq!(titles(&doc, T0 + 2 * MINUTE), ["urgent", "pinned", "plain new", "plain old", "expiring", "window ends"]);
    assert_eq!(titles(&doc, T0 + 20 * MINUTE), ["urgent", "pinned", "later", "plain new", "plain old"]);

    Editor::new(&mut doc, &author(1, T0)).set_notice_archived(&id(4), true).unwrap();
    assert!(!titles(&doc, T0 + 20 * MINUTE).contains(&"urgent".to_owned()), "archived notices are hidden");
    assert!(space(&doc).notices.contains_key(id(4).as_str()), "and still there");

    let backwards = NoticeDraft { starts_at: Some(Timestamp(T0 + 1)), ends_at: Some(Timestamp(T0)), ..NoticeDraft::new("x", "") };
    assert!(matches!(Editor::new(&mut doc, &author(1, T0)).post_notice(&id(9), backwards), Err(SpaceError::Invalid(_))));
}

#[test]
fn notice_edits_keep_other_fields_and_translations_sit_side_by_side() {
    let mut doc = new_space("s", &author(1, T0));
    let draft = NoticeDraft { category: "c000000000000002".into(), urgent: true, ..NoticeDraft::new("Lift", "Repair on Friday") };
    Editor::new(&mut doc, &author(1, T0)).post_notice(&id(1), draft).unwrap();
    let notice = space(&doc).notices[id(1).as_str()].clone();
    Editor::new(&mut doc, &author(2, T0 + MINUTE)).edit_notice(&id(1), NoticeDraft { body: "Repair on Saturday".into(), ..NoticeDraft::of(&notice) }).unwrap();
    Editor::new(&mut doc, &author(2, T0 + MINUTE)).translate_notice(&id(1), Lang::ZhHans, "电梯", "周六维修").unwrap();
    let notice = &space(&doc).notices[id(1).as_str()];
    assert_eq!(notice.body.as_str(), "Repair on Saturday");
    assert!(notice.urgent && notice.category == "c000000000000002");
    assert_eq!((notice.created_at, notice.updated_at), (Timestamp(T0), Timestamp(T0 + MINUTE)));
    assert_eq!(notice.author, MemberId::from_random([1; 8]).to_string());
    assert_eq!(notice.translations["zh-Hans"].body.as_str(), "周六维修");
    Editor::new(&mut doc, &author(2, T0)).translate_notice(&id(1), Lang::ZhHans, "", "").unwrap();
    assert!(space(&doc).notices[id(1).as_str()].translations.is_empty());
    assert!(matches!(Editor::new(&mut doc, &author(2, T0)).edit_notice(&id(8), NoticeDraft::new("t", "")), Err(SpaceError::NotFound { kind: "notice", .. })));
}

#[test]
fn pledge_status_is_derived_from_signatures_paper_and_time() {
    let mut doc = new_space("s", &author(1, T0));
    let draft =
        PledgeDraft { title: "Keep the stairwell clear".into(), text: "We, the residents…".into(), deadline: Some(Timestamp(T0 + 60 * MINUTE)), goal: 4, binding_at: Some(2) };
    Editor::new(&mut doc, &author(1, T0)).create_pledge(&id(1), draft).unwrap();
    let status = |doc: &AutoCommit, at: i64| space(doc).pledges[id(1).as_str()].status(Timestamp(at));
    assert_eq!(status(&doc, T0), PledgeStatus::Open);

    Editor::new(&mut doc, &author(2, T0)).sign_pledge(&id(1), "Ann").unwrap();
    Editor::new(&mut doc, &author(3, T0)).sign_pledge(&id(1), "Bo").unwrap();
    assert_eq!(status(&doc, T0), PledgeStatus::ConditionMet);
    Editor::new(&mut doc, &author(3, T0 + MINUTE)).withdraw_signature(&id(1)).unwrap();
    assert_eq!(status(&doc, T0), PledgeStatus::Open);
    assert_eq!(space(&doc).pledges[id(1).as_str()].signatures.len(), 2, "a withdrawn signature stays on record");
    Editor::new(&mut doc, &author(3, T0 + 2 * MINUTE)).sign_pledge(&id(1), "Bo").unwrap();
    Editor::new(&mut doc, &author(4, T0)).record_paper_signatures(&id(1), &id(50), 1, "board outside building 2").unwrap();
    let pledge = space(&doc).pledges[id(1).as_str()].clone();
    assert_eq!((pledge.signature_count(), pledge.progress()), (3, 0.75));
    assert_eq!(status(&doc, T0 + 61 * MINUTE), PledgeStatus::Expired);
    assert!(matches!(Editor::new(&mut doc, &author(5, T0 + 61 * MINUTE)).sign_pledge(&id(1), "Late"), Err(SpaceError::ClosedForSigning)));
    Editor::new(&mut doc, &author(4, T0)).record_paper_signatures(&id(1), &id(51), 1, "").unwrap();
    assert_eq!(status(&doc, T0 + 61 * MINUTE), PledgeStatus::Reached, "reached counts even after the deadline");
    assert!(matches!(
        Editor::new(&mut doc, &author(4, T0)).create_pledge(&id(2), PledgeDraft { title: "x".into(), goal: 2, binding_at: Some(3), ..Default::default() }),
        Err(SpaceError::Invalid(_))
    ));
}

fn board_with_columns(doc: &mut AutoCommit) -> (ItemId, ItemId, ItemId) {
    let (board, todo, done) = (id(100), id(101), id(102));
    Editor::new(doc, &author(1, T0)).create_board(&board, "Repairs", &[(todo.clone(), names("To do")), (done.clone(), names("Done"))]).unwrap();
    (board, todo, done)
}

fn titles(s: &Space, board: &ItemId, column: &ItemId) -> Vec<String> {
    s.column_tasks(board.as_str(), column.as_str()).iter().map(|(_, t)| t.title.clone()).collect()
}

#[test]
fn tasks_move_within_and_between_columns_by_index() {
    let mut doc = new_space("s", &author(1, T0));
    let (board, todo, done) = board_with_columns(&mut doc);
    for (n, title) in [(1, "a"), (2, "b"), (3, "c")] {
        Editor::new(&mut doc, &author(1, T0)).add_task(&id(n), &board, &todo, TaskDraft { title: title.into(), ..Default::default() }, Place::End).unwrap();
    }
    assert_eq!(titles(&space(&doc), &board, &todo), ["a", "b", "c"]);
    Editor::new(&mut doc, &author(1, T0)).move_task(&id(3), &todo, Place::Index(0)).unwrap();
    assert_eq!(titles(&space(&doc), &board, &todo), ["c", "a", "b"]);
    Editor::new(&mut doc, &author(1, T0)).move_task(&id(3), &todo, Place::Index(1)).unwrap();
    assert_eq!(titles(&space(&doc), &board, &todo), ["a", "c", "b"]);
    // A screen that knows the neighbours' positions places a card without reading the column.
    let s = space(&doc);
    let (a, c) = (s.tasks[id(1).as_str()].position.clone(), s.tasks[id(3).as_str()].position.clone());
    Editor::new(&mut doc, &author(1, T0)).move_task(&id(2), &todo, Place::Between(Some(&a), Some(&c))).unwrap();
    assert_eq!(titles(&space(&doc), &board, &todo), ["a", "b", "c"]);
    Editor::new(&mut doc, &author(1, T0)).move_task(&id(1), &done, Place::Index(5)).unwrap();
    let s = space(&doc);
    assert_eq!((titles(&s, &board, &todo), titles(&s, &board, &done)), (vec!["b".to_owned(), "c".to_owned()], vec!["a".to_owned()]));
    assert!(matches!(Editor::new(&mut doc, &author(1, T0)).move_task(&id(1), &id(99), Place::Index(0)), Err(SpaceError::NotFound { kind: "column", .. })));

    let columns: Vec<_> = space(&doc).boards[board.as_str()].columns_in_order().iter().map(|(_, c)| c.names["en"].clone()).collect();
    assert_eq!(columns, ["To do", "Done"]);
    Editor::new(&mut doc, &author(1, T0)).add_column(&board, &id(103), names("Doing")).unwrap();
    Editor::new(&mut doc, &author(1, T0)).move_column(&board, &id(103), 1).unwrap();
    Editor::new(&mut doc, &author(1, T0)).rename_column(&board, &id(103), names("In progress")).unwrap();
    let columns: Vec<_> = space(&doc).boards[board.as_str()].columns_in_order().iter().map(|(_, c)| c.names["en"].clone()).collect();
    assert_eq!(columns, ["To do", "In progress", "Done"]);

    Editor::new(&mut doc, &author(1, T0)).archive_column(&board, &done).unwrap();
    let s = space(&doc);
    assert_eq!(s.orphan_tasks(board.as_str()).len(), 1, "a card in an archived column is still findable");
}

#[test]
fn claiming_assigning_comments_and_labels() {
    let mut doc = new_space("s", &author(1, T0));
    let (board, todo, _) = board_with_columns(&mut doc);
    let draft = TaskDraft { title: "Paint the bench".into(), labels: vec!["outdoor".into(), " ".into()], ..Default::default() };
    Editor::new(&mut doc, &author(1, T0)).add_task(&id(1), &board, &todo, draft, Place::End).unwrap();
    Editor::new(&mut doc, &author(2, T0)).claim_task(&id(1)).unwrap();
    Editor::new(&mut doc, &author(1, T0)).assign_task(&id(1), &MemberId::from_random([3; 8]).to_string(), true).unwrap();
    Editor::new(&mut doc, &author(2, T0 + MINUTE)).comment_on_task(&id(1), &id(60), "Bought paint").unwrap();
    Editor::new(&mut doc, &author(3, T0)).comment_on_task(&id(1), &id(61), "I have brushes").unwrap();
    let task = space(&doc).tasks[id(1).as_str()].clone();
    assert_eq!(task.claimed_by, MemberId::from_random([2; 8]).to_string());
    assert_eq!(task.assignees.len(), 2);
    assert_eq!(task.labels.keys().collect::<Vec<_>>(), ["outdoor"]);
    let comments: Vec<_> = task.comments_in_order().iter().map(|(_, c)| c.text.clone()).collect();
    assert_eq!(comments, ["I have brushes", "Bought paint"]);
    Editor::new(&mut doc, &author(2, T0)).unclaim_task(&id(1)).unwrap();
    assert!(space(&doc).tasks[id(1).as_str()].claimed_by.is_empty());
    assert!(matches!(Editor::new(&mut doc, &author(2, T0)).resolve_request(&id(1), true), Err(SpaceError::Invalid(_))));
}

#[test]
fn creating_an_item_twice_with_one_id_is_refused_and_keeps_the_first() {
    let mut doc = new_space("s", &author(1, T0));
    let (board, todo, _) = board_with_columns(&mut doc);
    let draft = || TaskDraft { title: "Fix the gate".into(), ..Default::default() };
    Editor::new(&mut doc, &author(1, T0)).add_task(&id(1), &board, &todo, draft(), Place::End).unwrap();
    Editor::new(&mut doc, &author(2, T0)).comment_on_task(&id(1), &id(60), "On my way").unwrap();
    let again = Editor::new(&mut doc, &author(1, T0)).add_task(&id(1), &board, &todo, draft(), Place::End);
    assert!(matches!(again, Err(SpaceError::AlreadyExists { kind: "task", .. })), "{again:?}");
    let again = Editor::new(&mut doc, &author(2, T0)).comment_on_task(&id(1), &id(60), "Replaced?");
    assert!(matches!(again, Err(SpaceError::AlreadyExists { kind: "comment", .. })), "{again:?}");
    let notice = || NoticeDraft::new("Water off", "Tuesday");
    Editor::new(&mut doc, &author(1, T0)).post_notice(&id(2), notice()).unwrap();
    assert!(matches!(Editor::new(&mut doc, &author(1, T0)).post_notice(&id(2), notice()), Err(SpaceError::AlreadyExists { .. })));
    let task = space(&doc).tasks[id(1).as_str()].clone();
    assert_eq!(task.comments_in_order().iter().map(|(_, c)| c.text.as_str()).collect::<Vec<_>>(), ["On my way"]);
    assert_eq!(titles(&space(&doc), &board, &todo), ["Fix the gate"], "the task sits in its column once");
}

#[test]
fn request_response_times_are_derived() {
    let mut doc = new_space("s", &author(1, T0));
    let (board, todo, _) = board_with_columns(&mut doc);
    // Five requests, claimed after 1, 2, 3, 4 and 10 minutes; three resolved.
    for (n, claim_after) in [(1u8, 1), (2, 2), (3, 3), (4, 4), (5, 10)] {
        let draft = TaskDraft { title: format!("request {n}"), ..Default::default() };
        Editor::new(&mut doc, &author(9, T0)).raise_request(&id(n), &board, &todo, "c000000000000002", draft, Place::End).unwrap();
        Editor::new(&mut doc, &author(2, T0 + claim_after * MINUTE)).claim_task(&id(n)).unwrap();
    }
    for n in [1, 2, 3] {
        Editor::new(&mut doc, &author(2, T0 + 30 * MINUTE)).resolve_request(&id(n), true).unwrap();
    }
    let s = space(&doc);
    let stats = s.request_stats();
    assert_eq!((stats.total, stats.open), (5, 2));
    assert_eq!(stats.median_response, Some(3 * MINUTE));
    assert_eq!(stats.p90_response, Some(10 * MINUTE));
    assert_eq!(stats.median_resolution, Some(30 * MINUTE));
    let open: Vec<_> = s.open_requests().iter().map(|(_, t)| t.title.clone()).collect();
    assert_eq!(open, ["request 4", "request 5"]);
    // Claiming again does not restart the clock.
    Editor::new(&mut doc, &author(3, T0 + 50 * MINUTE)).claim_task(&id(5)).unwrap();
    assert_eq!(space(&doc).tasks[id(5).as_str()].request.as_ref().unwrap().response_time(), Some(10 * MINUTE));
}

#[test]
fn settings_categories_kiosk_and_responsibilities() {
    let mut doc = new_space("s", &author(1, T0));
    let mut editor = Editor::new(&mut doc, &author(1, T0));
    editor.rename_space("Sanfang Qixiang").unwrap();
    editor.set_description("Residents of lanes 1–7").unwrap();
    editor.set_languages(&[Lang::ZhHant, Lang::English, Lang::ZhHant]).unwrap();
    editor.add_category(&id(1), names("Parking")).unwrap();
    editor.move_category(id(1).as_str(), 0).unwrap();
    editor.rename_category("c000000000000002", Names::from([("en".to_string(), "Repairs & upkeep".to_string())])).unwrap();
    editor.set_category_archived("c000000000000005", true).unwrap();
    let kiosk =
        KioskSettings { categories: vec!["c000000000000001".into()], rotation_seconds: 20, languages: vec!["zh-Hant".into()], consultations: false, read_urgent_aloud: true };
    editor.set_kiosk_settings(&kiosk).unwrap();
    assert!(matches!(editor.set_kiosk_settings(&KioskSettings { rotation_seconds: 1, ..kiosk.clone() }), Err(SpaceError::Invalid(_))));
    let team = Responsibility { team: "Property management".into(), members: [(MemberId::from_random([2; 8]).to_string(), true)].into(), keys: Default::default() };
    editor.set_responsibility("c000000000000002", &team).unwrap();
    let s = space(&doc);
    assert_eq!((s.name.as_str(), s.description.as_str()), ("Sanfang Qixiang", "Residents of lanes 1–7"));
    assert_eq!(s.languages, ["zh-Hant", "en"]);
    let order: Vec<_> = s.categories_in_order().iter().map(|(_, c)| c.names["en"].clone()).collect();
    assert_eq!(order, ["Parking", "General", "Repairs & upkeep", "Safety", "Environment"]);
    assert_eq!(s.categories["c000000000000002"].names["zh-Hans"], "维修", "renaming one language keeps the others");
    assert_eq!(s.kiosk, kiosk);
    assert_eq!(s.responsibilities["c000000000000002"], team);
    Editor::new(&mut doc, &author(1, T0)).set_responsibility("c000000000000002", &Responsibility::default()).unwrap();
    assert!(space(&doc).responsibilities.is_empty());
}

#[test]
fn odd_documents_read_as_errors_or_documented_defaults() {
    assert!(matches!(Space::hydrate(&AutoCommit::new()), Err(SpaceError::NotASpace)));

    let mut newer = new_space("s", &author(1, T0));
    newer.put(ROOT, "schema", 2_u64).unwrap();
    assert!(matches!(Space::hydrate(&newer), Err(SpaceError::NewerSchema { found: 2, supported: 1 })));

    // Only a schema: everything else has its default.
    let mut bare = AutoCommit::new();
    bare.put(ROOT, "schema", 1_u64).unwrap();
    let s = space(&bare);
    assert_eq!((s.name.as_str(), s.languages.len(), s.kiosk.rotation_seconds), ("", 3, 12));

    // Wrong types from a hostile peer: the bad parts are left out and listed, the rest reads.
    let mut doc = new_space("s", &author(1, T0));
    Editor::new(&mut doc, &author(1, T0)).post_notice(&id(1), NoticeDraft::new("good", "")).unwrap();
    Editor::new(&mut doc, &author(1, T0)).post_notice(&id(2), NoticeDraft::new("to break", "")).unwrap();
    let notices = match automerge::ReadDoc::get(&doc, ROOT, "notices").unwrap() {
        Some((_, notices)) => notices,
        None => unreachable!(),
    };
    let bad = match automerge::ReadDoc::get(&doc, &notices, id(2).as_str()).unwrap() {
        Some((_, bad)) => bad,
        None => unreachable!(),
    };
    doc.put(&bad, "title", 42_i64).unwrap();
    doc.put(&notices, "not-a-notice", "just text").unwrap();
    doc.put(ROOT, "name", 7_i64).unwrap();
    doc.put(ROOT, "pledges", "not a map").unwrap();
    doc.put_object(&bad, "unknown_future_field", ObjType::Map).unwrap();
    let s = space(&doc);
    assert_eq!(s.notices.keys().collect::<Vec<_>>(), [id(1).as_str()]);
    let paths: Vec<_> = s.unreadable.iter().map(|u| u.path.clone()).collect();
    assert!(paths.contains(&format!("notices/{}", id(2))), "{paths:?}");
    assert!(paths.contains(&"notices/not-a-notice".to_owned()), "{paths:?}");
    assert!(paths.contains(&"name".to_owned()) && paths.contains(&"pledges".to_owned()), "{paths:?}");
    assert_eq!(s.name, "");
}

#[test]
fn history_lists_who_changed_what_and_restore_is_a_new_change() {
    let mut doc = new_space("s", &author(1, T0));
    Editor::new(&mut doc, &author(1, T0)).post_notice(&id(1), NoticeDraft::new("Lift repair", "Friday")).unwrap();
    Editor::new(&mut doc, &author(2, T0 + MINUTE)).post_notice(&id(2), NoticeDraft::new("Other", "")).unwrap();
    let notice = space(&doc).notices[id(1).as_str()].clone();
    Editor::new(&mut doc, &author(2, T0 + 2 * MINUTE)).edit_notice(&id(1), NoticeDraft { body: "Saturday".into(), ..NoticeDraft::of(&notice) }).unwrap();
    Editor::new(&mut doc, &author(3, T0 + 3 * MINUTE)).set_notice_archived(&id(1), true).unwrap();

    let history = item_history(&mut doc, ItemKind::Notice, id(1).as_str()).unwrap();
    let summary: Vec<_> = history.iter().map(|h| (h.member, h.message.clone().unwrap(), h.at)).collect();
    assert_eq!(
        summary,
        [
            (Some(MemberId::from_random([1; 8])), "notice.post".to_owned(), Timestamp(T0)),
            (Some(MemberId::from_random([2; 8])), "notice.edit".to_owned(), Timestamp(T0 + 2 * MINUTE)),
            (Some(MemberId::from_random([3; 8])), "notice.archive".to_owned(), Timestamp(T0 + 3 * MINUTE)),
        ]
    );
    assert!(history[0].fields.contains(&"created".to_owned()));
    assert!(history[1].fields.contains(&"body".to_owned()) && history[1].fields.contains(&"updated_at".to_owned()));
    assert!(!history[1].fields.contains(&"title".to_owned()), "unchanged fields are not written: {:?}", history[1].fields);
    assert_eq!(history[2].fields, ["archived", "updated_at"]);

    // Restore the version right after it was posted (the other notice's change came later).
    Editor::new(&mut doc, &author(1, T0 + 4 * MINUTE)).restore(ItemKind::Notice, id(1).as_str(), history[0].change).unwrap();
    let restored = &space(&doc).notices[id(1).as_str()];
    assert_eq!((restored.body.as_str(), restored.archived), ("Friday", false));
    let history = item_history(&mut doc, ItemKind::Notice, id(1).as_str()).unwrap();
    assert_eq!(history.len(), 4, "the restore is a change of its own");
    assert_eq!(history[3].message.as_deref(), Some("notice.restore"));
    // …and can itself be undone by restoring the version before it.
    Editor::new(&mut doc, &author(1, T0 + 5 * MINUTE)).restore(ItemKind::Notice, id(1).as_str(), history[2].change).unwrap();
    assert!(space(&doc).notices[id(1).as_str()].archived);
    assert!(matches!(item_history(&mut doc, ItemKind::Pledge, id(1).as_str()), Err(SpaceError::NotFound { .. })));
}

#[test]
fn untrusted_bytes_load_strictly_and_merge_without_damage() {
    let mut doc = new_space("s", &author(1, T0));
    Editor::new(&mut doc, &author(1, T0)).post_notice(&id(1), NoticeDraft::new("kept", "")).unwrap();
    let bytes = doc.save();
    assert!(load_document(&bytes).is_ok());
    assert!(matches!(load_document(&bytes[..bytes.len() - 3]), Err(SpaceError::BadBytes(_))));
    assert!(matches!(load_document(b"definitely not automerge"), Err(SpaceError::BadBytes(_))));

    // Another device's copy of the same space (a copy of another space would not merge sensibly:
    // the app checks the space ID before it imports).
    let mut other = doc.fork();
    Editor::new(&mut other, &author(2, T0)).post_notice(&id(2), NoticeDraft::new("theirs", "")).unwrap();
    merge_bytes(&mut doc, &other.save()).unwrap();
    let before = doc.get_heads();
    assert!(merge_bytes(&mut doc, b"\x85\x6f\x4a\x83garbage").is_err());
    assert_eq!(doc.get_heads(), before, "a failed import changes nothing");
    assert_eq!(space(&doc).notices.len(), 2);
}

#[test]
fn fields_from_a_newer_linli_survive_this_versions_edits() {
    let mut doc = new_space("s", &author(1, T0));
    Editor::new(&mut doc, &author(1, T0)).post_notice(&id(1), NoticeDraft::new("t", "b")).unwrap();
    let notices = automerge::ReadDoc::get(&doc, ROOT, "notices").unwrap().unwrap().1;
    let notice = automerge::ReadDoc::get(&doc, &notices, id(1).as_str()).unwrap().unwrap().1;
    doc.put(&notice, "reactions", "a newer version's field").unwrap();
    doc.put(ROOT, "gallery", "a newer version's collection").unwrap();
    let current = space(&doc).notices[id(1).as_str()].clone();
    Editor::new(&mut doc, &author(2, T0)).edit_notice(&id(1), NoticeDraft { title: "t2".into(), ..NoticeDraft::of(&current) }).unwrap();
    Editor::new(&mut doc, &author(2, T0)).set_notice_archived(&id(1), true).unwrap();
    let kept = automerge::ReadDoc::get(&doc, &notice, "reactions").unwrap().map(|(v, _)| v.to_string());
    assert_eq!(kept.as_deref(), Some("\"a newer version's field\""));
    assert!(automerge::ReadDoc::get(&doc, ROOT, "gallery").unwrap().is_some());
}

#[test]
fn importing_a_space_file_merges_both_sides_and_refuses_another_space() {
    let mut ours = new_space("s", &author(1, T0));
    let mut theirs = ours.fork().with_actor(author(2, T0).actor());
    Editor::new(&mut ours, &author(1, T0)).post_notice(&id(1), NoticeDraft::new("Ours", "")).unwrap();
    Editor::new(&mut theirs, &author(2, T0)).post_notice(&id(2), NoticeDraft::new("Theirs", "")).unwrap();
    let file = theirs.save();
    let imported = import_space_file(&mut ours, &file).unwrap();
    assert_eq!(imported.new_changes, 1);
    let titles: Vec<_> = space(&ours).notices.values().map(|n| n.title.clone()).collect();
    assert_eq!(titles, ["Ours", "Theirs"]);
    assert_eq!(import_space_file(&mut ours, &file).unwrap().new_changes, 0, "importing twice adds nothing");

    let other = new_space("another", &author(3, T0)).save();
    let heads = ours.get_heads();
    assert!(matches!(import_space_file(&mut ours, &other), Err(SpaceError::Invalid(_))));
    assert!(matches!(import_space_file(&mut ours, b"not a space"), Err(SpaceError::BadBytes(_))));
    assert_eq!(ours.get_heads(), heads, "a refused file changes nothing");
}

/// A part of an item that cannot be read (a signature with no date, a vote that is only a map, a
/// comment with no text — what a hostile peer wrote into a space of an older Linli) is left out
/// on its own and noted; the item stays, on every screen, and so does every other part. Reading
/// a whole space and re-reading one item after a change agree.
#[test]
fn a_part_that_cannot_be_read_is_left_out_alone_and_its_item_stays() {
    let mut doc = new_space("Sanfang", &author(1, T0));
    let mut organiser = Editor::new(&mut doc, &author(1, T0));
    organiser.create_pledge(&id(1), PledgeDraft { title: "Quiet after 22:00".into(), ..Default::default() }).unwrap();
    organiser.post_notice(&id(2), NoticeDraft::new("Lift repair", "Friday")).unwrap();
    Editor::new(&mut doc, &author(2, T0)).sign_pledge(&id(1), "Ann").unwrap();
    let mut read = space(&doc);
    let before_damage = doc.get_heads();
    let map_at = |doc: &AutoCommit, path: &[&str]| {
        path.iter().fold(ROOT, |obj, key| match automerge::ReadDoc::get(doc, &obj, *key).unwrap() {
            Some((automerge::Value::Object(_), child)) => child,
            other => panic!("no object at {key}: {other:?}"),
        })
    };
    let signatures = map_at(&doc, &["pledges", id(1).as_str(), "signatures"]);
    let bad = doc.put_object(&signatures, MemberId::from_random([3; 8]).to_string(), ObjType::Map).unwrap();
    doc.put(&bad, "name", "Bo").unwrap();
    let comments = map_at(&doc, &["notices", id(2).as_str(), "comments"]);
    let bad = doc.put_object(&comments, id(9).as_str(), ObjType::Map).unwrap();
    doc.put(&bad, "author", "x").unwrap();
    doc.commit();
    let whole = space(&doc);
    let pledge = &whole.pledges[id(1).as_str()];
    assert_eq!(pledge.signatures.len(), 1, "Ann's signature stays, the malformed one is left out");
    assert_eq!(whole.notices[id(2).as_str()].title, "Lift repair");
    let left_out: Vec<&str> = whole.unreadable.iter().map(|u| u.path.as_str()).collect();
    assert_eq!(left_out.len(), 2, "{left_out:?}");
    assert!(left_out.iter().any(|p| p.starts_with(&format!("pledges/{}/signatures/", id(1)))), "{left_out:?}");
    let after_damage = doc.get_heads();
    let patches = doc.diff(&before_damage, &after_damage);
    read.refresh(&doc, &patches).unwrap();
    assert_eq!(read, whole, "re-reading the items a change touched reads the same");
}
