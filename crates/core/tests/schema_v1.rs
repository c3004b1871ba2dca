//! Spaces saved by the first schema stay readable: a document written by schema version 1 (with
//! something of everything) is kept in `tests/fixtures/space-v1.automerge` and read back here.
//!
//! The fixture is made once and never regenerated; if a change to the model breaks this test,
//! the change breaks real communities' documents. (`LINLI_WRITE_FIXTURE=1` writes it, for a new
//! schema version's own fixture.)

use linli_core::*;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/space-v1.automerge");

fn author(n: u8, minute: i64) -> Author {
    Author { member: MemberId::from_random([n; 8]), session: [n; 8], now: Timestamp(1_767_225_600_000 + minute * 60_000) }
}

fn id(n: u8) -> ItemId {
    ItemId::from_random([n; 8])
}

fn write_fixture() {
    let mut doc = new_space("三坊七巷 Sanfang Qixiang", &author(1, 0));
    let mut e = Editor::new(&mut doc, &author(1, 1));
    e.join("林主任", "residents-committee").unwrap();
    e.post_notice(&id(1), NoticeDraft { urgent: true, ..NoticeDraft::new("停水通知", "周二 9:00–12:00 三号楼停水。") }).unwrap();
    e.translate_notice(&id(1), Lang::English, "Water off", "Building 3, Tuesday 9:00–12:00.").unwrap();
    e.create_pledge(&id(2), PledgeDraft { title: "鄰里公約".into(), text: "保持楼道畅通。".into(), goal: 10, binding_at: Some(5), deadline: None }).unwrap();
    e.sign_pledge(&id(2), "林主任").unwrap();
    e.record_paper_signatures(&id(2), &id(3), 4, "公告栏签名").unwrap();
    let columns = [(id(4), Names::from([("zh-Hans".into(), "待办".into())])), (id(5), Names::from([("zh-Hans".into(), "完成".into())]))];
    e.create_board(&id(6), "接诉即办", &columns).unwrap();
    e.raise_request(&id(7), &id(6), &id(4), "c000000000000002", TaskDraft { title: "路灯坏了".into(), ..Default::default() }, Place::End).unwrap();
    let mut e = Editor::new(&mut doc, &author(2, 12));
    e.claim_task(&id(7)).unwrap();
    e.comment_on_task(&id(7), &id(8), "已联系物业").unwrap();
    let mut e = Editor::new(&mut doc, &author(2, 90));
    e.resolve_request(&id(7), true).unwrap();
    e.move_task(&id(7), &id(5), Place::Index(0)).unwrap();
    std::fs::write(FIXTURE, doc.save()).unwrap();
}

#[test]
fn a_space_saved_by_schema_1_reads_the_same_today() {
    if std::env::var_os("LINLI_WRITE_FIXTURE").is_some() {
        write_fixture();
    }
    let bytes = std::fs::read(FIXTURE).expect("the schema 1 fixture is committed");
    let doc = load_document(&bytes).unwrap();
    let space = Space::hydrate(&doc).unwrap();
    assert_eq!(space.schema, 1);
    assert_eq!(space.name, "三坊七巷 Sanfang Qixiang");
    assert!(space.unreadable.is_empty(), "{:?}", space.unreadable);
    assert_eq!(space.member_name(&MemberId::from_random([1; 8]).to_string()), Some("林主任"));
    let notice = &space.notices[id(1).as_str()];
    assert!(notice.urgent);
    assert_eq!(notice.translations["en"].title, "Water off");
    let pledge = &space.pledges[id(2).as_str()];
    assert_eq!((pledge.signature_count(), pledge.status(Timestamp(0))), (5, PledgeStatus::ConditionMet));
    let done: Vec<_> = space.column_tasks(id(6).as_str(), id(5).as_str()).iter().map(|(_, t)| t.title.clone()).collect();
    assert_eq!(done, ["路灯坏了"]);
    let stats = space.request_stats();
    assert_eq!((stats.total, stats.open, stats.median_response, stats.median_resolution), (1, 0, Some(11 * 60_000), Some(89 * 60_000)));
    let mut doc = doc;
    let history = item_history(&mut doc, ItemKind::Task, id(7).as_str()).unwrap();
    assert_eq!(history.len(), 5);
}
