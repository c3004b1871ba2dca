//! Notices in a space: saved and loaded, edited concurrently, and read safely from odd documents.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT};
use linli_core::{Editor, ItemId, NoticeDraft, Space, SpaceError, Timestamp, new_space};

fn id(n: u8) -> ItemId {
    ItemId::from_random([n; 8])
}

#[test]
fn a_notice_survives_save_and_load() {
    let mut doc = new_space("Gulou Street", Timestamp(10));
    Editor::new(&mut doc).post_notice(id(1), NoticeDraft::new("Water off", "Tuesday 9–12"), Timestamp(20)).unwrap();
    let loaded = AutoCommit::load(&doc.save()).unwrap();
    let space = Space::hydrate(&loaded).unwrap();
    assert_eq!(space.name, "Gulou Street");
    let notice = &space.notices[id(1).as_str()];
    assert_eq!((notice.title.as_str(), notice.body.as_str()), ("Water off", "Tuesday 9–12"));
    assert_eq!(notice.created_at, Timestamp(20));
}

#[test]
fn concurrent_edits_to_one_body_both_survive() {
    let mut a = new_space("s", Timestamp(0));
    Editor::new(&mut a).post_notice(id(1), NoticeDraft::new("Meeting", "Agenda:\nend"), Timestamp(1)).unwrap();
    let mut b = a.fork();
    Editor::new(&mut a).edit_notice(&id(1), NoticeDraft::new("Meeting", "Bring chairs\nAgenda:\nend"), Timestamp(2)).unwrap();
    Editor::new(&mut b).edit_notice(&id(1), NoticeDraft::new("Meeting", "Agenda:\nend\nTea after"), Timestamp(3)).unwrap();
    a.merge(&mut b).unwrap();
    let body = Space::hydrate(&a).unwrap().notices[id(1).as_str()].body.as_str().to_owned();
    assert_eq!(body, "Bring chairs\nAgenda:\nend\nTea after");
}

#[test]
fn editing_a_missing_notice_or_posting_without_title_is_an_error() {
    let mut doc = new_space("s", Timestamp(0));
    let mut editor = Editor::new(&mut doc);
    let result = editor.edit_notice(&id(9), NoticeDraft::new("t", "b"), Timestamp(1));
    assert!(matches!(result, Err(SpaceError::NoSuchNotice(_))), "{result:?}");
    assert!(matches!(editor.post_notice(id(1), NoticeDraft::new("  ", "b"), Timestamp(1)), Err(SpaceError::EmptyTitle)));
}

#[test]
fn a_newer_schema_is_refused_and_odd_documents_are_errors() {
    let mut newer = new_space("s", Timestamp(0));
    newer.put(ROOT, "schema", 99_u64).unwrap();
    assert!(matches!(Space::hydrate(&newer), Err(SpaceError::NewerSchema { found: 99, .. })));

    let mut odd = AutoCommit::new();
    odd.put(ROOT, "name", 5_i64).unwrap();
    odd.put(ROOT, "schema", 1_u64).unwrap();
    assert!(matches!(Space::hydrate(&odd), Err(SpaceError::Unreadable(_))));
    assert!(matches!(Space::hydrate(&AutoCommit::new()), Err(SpaceError::Unreadable(_))));
}

#[test]
fn current_notices_are_newest_first_without_archived() {
    let mut doc = new_space("s", Timestamp(0));
    let mut editor = Editor::new(&mut doc);
    editor.post_notice(id(1), NoticeDraft::new("old", ""), Timestamp(1)).unwrap();
    editor.post_notice(id(2), NoticeDraft::new("new", ""), Timestamp(2)).unwrap();
    let space = Space::hydrate(&doc).unwrap();
    let titles: Vec<_> = space.current_notices().iter().map(|(_, n)| n.title.clone()).collect();
    assert_eq!(titles, ["new", "old"]);
}
