//! Meetings in the document: scheduling with invited bodies, the agenda and its decisions,
//! attendance, minutes two note-takers write at once, and action items whose state follows
//! their tasks.

use automerge::AutoCommit;
use linli_core::*;

const T0: i64 = 1_700_000_000_000;
const DAY: i64 = 24 * 3_600_000;

fn author(n: u8, at: i64) -> Author {
    Author { member: MemberId::from_public_key([n; 32]), session: [n; 8], now: Timestamp(at) }
}

fn id(n: u8) -> ItemId {
    ItemId::from_random([n; 8])
}

fn member(n: u8) -> String {
    MemberId::from_public_key([n; 32]).to_string()
}

/// A space with a board (To do, Done) and a scheduled meeting, id(1).
fn with_meeting() -> AutoCommit {
    let mut doc = new_space("Sanfang", &author(1, T0));
    let mut organiser = Editor::new(&mut doc, &author(1, T0));
    organiser.join("Lin", "").unwrap();
    let columns = [(id(21), Names::from([("en".to_owned(), "To do".to_owned())])), (id(22), Names::from([("en".to_owned(), "Done".to_owned())]))];
    organiser.create_board(&id(20), "Works", &columns).unwrap();
    let draft = MeetingDraft { title: "Joint meeting".into(), starts_at: Timestamp(T0 + 7 * DAY), place: "Hall".into(), bodies: vec!["b000000000000002".into()] };
    organiser.schedule_meeting(&id(1), draft).unwrap();
    doc
}

#[test]
fn a_new_space_lists_the_bodies_that_meet_and_organisers_change_them() {
    let mut doc = new_space("s", &author(1, T0));
    let names: Vec<_> = Space::hydrate(&doc).unwrap().bodies_in_order().iter().map(|(_, b)| pick(&b.names, Lang::English).unwrap().to_owned()).collect();
    assert_eq!(names, ["Residents' committee", "Owners' committee", "Property company", "Volunteers"]);
    let mut organiser = Editor::new(&mut doc, &author(1, T0));
    organiser.add_body(&id(9), Names::from([("en".to_owned(), "Party branch".to_owned())])).unwrap();
    organiser.set_body_archived(&ItemId::parse("b000000000000004").unwrap(), true).unwrap();
    let space = Space::hydrate(&doc).unwrap();
    let names: Vec<_> = space.bodies_in_order().iter().map(|(_, b)| pick(&b.names, Lang::English).unwrap().to_owned()).collect();
    assert_eq!(names, ["Residents' committee", "Owners' committee", "Property company", "Party branch"]);
}

#[test]
fn the_agenda_links_what_it_is_about_and_records_decisions() {
    let mut doc = with_meeting();
    let mut organiser = Editor::new(&mut doc, &author(1, T0));
    let draft = ConsultationDraft { question: "Lamps?".into(), yes_no: true, closes_at: Timestamp(T0 + DAY), ..Default::default() };
    organiser.create_consultation(&id(30), draft).unwrap();
    organiser.add_agenda_item(&id(1), &id(2), "Lamps", &[format!("consultations/{}", id(30))]).unwrap();
    organiser.add_agenda_item(&id(1), &id(3), "Bins", &[]).unwrap();
    assert!(organiser.add_agenda_item(&id(1), &id(4), "Odd", &["settings/x".into()]).is_err());
    organiser.set_agenda_decision(&id(1), &id(2), "Replace them").unwrap();
    let space = Space::hydrate(&doc).unwrap();
    let meeting = &space.meetings[id(1).as_str()];
    let agenda: Vec<_> = meeting.agenda_in_order().iter().map(|(_, a)| (a.title.clone(), a.decision.clone(), a.links.len())).collect();
    assert_eq!(agenda, [("Lamps".into(), "Replace them".into(), 1), ("Bins".into(), String::new(), 0)]);
    assert!(meeting.bodies.contains_key("b000000000000002"));
}

#[test]
fn attendance_counts_members_present_and_others() {
    let mut doc = with_meeting();
    let mut organiser = Editor::new(&mut doc, &author(1, T0));
    organiser.set_attendance(&id(1), &member(1), true).unwrap();
    organiser.set_attendance(&id(1), &member(2), true).unwrap();
    organiser.set_attendance(&id(1), &member(2), false).unwrap();
    organiser.set_other_attendees(&id(1), 5).unwrap();
    assert!(organiser.set_attendance(&id(1), "nobody", true).is_err());
    assert_eq!(Space::hydrate(&doc).unwrap().meetings[id(1).as_str()].attendance(), 6);
}

#[test]
fn two_note_takers_writing_minutes_at_once_keep_both_their_words() {
    let mut doc = with_meeting();
    Editor::new(&mut doc, &author(1, T0)).set_minutes(&id(1), "Present: seven.\n").unwrap();
    let mut other = doc.fork();
    Editor::new(&mut doc, &author(1, T0)).set_minutes(&id(1), "Present: seven.\nLamps: replace.\n").unwrap();
    Editor::new(&mut other, &author(2, T0)).set_minutes(&id(1), "Chair: Lin. Present: seven.\n").unwrap();
    doc.merge(&mut other).unwrap();
    let minutes = Space::hydrate(&doc).unwrap().meetings[id(1).as_str()].minutes.clone();
    assert_eq!(minutes, "Chair: Lin. Present: seven.\nLamps: replace.\n");
}

#[test]
fn an_action_item_is_a_task_with_an_owner_and_a_due_date_and_its_state_follows_the_task() {
    let mut doc = with_meeting();
    let mut organiser = Editor::new(&mut doc, &author(1, T0));
    organiser.add_agenda_item(&id(1), &id(2), "Lamps", &[]).unwrap();
    let draft = TaskDraft { title: "Replace lamps".into(), due: Some(Timestamp(T0 + 10 * DAY)), ..Default::default() };
    organiser.add_action_item(&id(1), id(2).as_str(), &id(40), &id(20), &id(21), draft.clone(), &member(2)).unwrap();
    assert!(organiser.add_action_item(&id(1), "nope", &id(41), &id(20), &id(21), draft.clone(), "").is_err(), "an agenda item it does not have");
    let space = Space::hydrate(&doc).unwrap();
    let task = &space.tasks[id(40).as_str()];
    assert_eq!((task.title.as_str(), task.due, task.assignees.contains_key(&member(2))), ("Replace lamps", Some(Timestamp(T0 + 10 * DAY)), true));
    assert_eq!(space.meetings[id(1).as_str()].actions[id(40).as_str()].agenda_item, id(2).to_string());
    assert!(!space.tasks.contains_key(id(41).as_str()));
    assert_eq!(space.action_state(id(40).as_str(), Timestamp(T0 + DAY)), ActionState::Open);
    assert_eq!(space.action_state(id(40).as_str(), Timestamp(T0 + 11 * DAY)), ActionState::Overdue);
    assert_eq!(space.actions_done_on_time(Timestamp(T0 + 11 * DAY)), (0, 1));

    Editor::new(&mut doc, &author(2, T0 + 2 * DAY)).move_task(&id(40), &id(22), Place::End).unwrap();
    let space = Space::hydrate(&doc).unwrap();
    assert_eq!(space.action_state(id(40).as_str(), Timestamp(T0 + 11 * DAY)), ActionState::Done);
    assert_eq!(space.actions_done_on_time(Timestamp(T0 + 11 * DAY)), (1, 1));
    Editor::new(&mut doc, &author(1, T0 + 3 * DAY)).set_task_archived(&id(40), true).unwrap();
    assert_eq!(Space::hydrate(&doc).unwrap().action_state(id(40).as_str(), Timestamp(T0 + 11 * DAY)), ActionState::Dropped);
}

#[test]
fn the_next_meeting_is_the_soonest_coming_one() {
    let mut doc = with_meeting();
    let draft = MeetingDraft { title: "Earlier".into(), starts_at: Timestamp(T0 + DAY), ..Default::default() };
    Editor::new(&mut doc, &author(1, T0)).schedule_meeting(&id(5), draft).unwrap();
    let space = Space::hydrate(&doc).unwrap();
    assert_eq!(space.next_meeting(Timestamp(T0)).map(|(_, m)| m.title.as_str()), Some("Earlier"));
    assert_eq!(space.next_meeting(Timestamp(T0 + 2 * DAY)).map(|(_, m)| m.title.as_str()), Some("Joint meeting"));
    assert_eq!(space.next_meeting(Timestamp(T0 + 8 * DAY)), None);
    let titles: Vec<_> = space.meetings_in_order(Timestamp(T0 + 2 * DAY)).iter().map(|(_, m)| m.title.clone()).collect();
    assert_eq!(titles, ["Joint meeting", "Earlier"]);
}

#[test]
fn a_meeting_starts_with_the_one_held_before_it() {
    let mut doc = with_meeting();
    let mut organiser = Editor::new(&mut doc, &author(1, T0));
    for (n, title, at) in [(5, "Autumn", T0 + DAY), (6, "Summer", T0 - 60 * DAY), (7, "Winter", T0 + 30 * DAY)] {
        organiser.schedule_meeting(&id(n), MeetingDraft { title: title.into(), starts_at: Timestamp(at), ..Default::default() }).unwrap();
    }
    let space = Space::hydrate(&doc).unwrap();
    let previous = |n: u8| space.previous_meeting(id(n).as_str()).map(|(_, m)| m.title.clone());
    assert_eq!(previous(1).as_deref(), Some("Autumn"), "the joint meeting follows the autumn one");
    assert_eq!(previous(7).as_deref(), Some("Joint meeting"));
    assert_eq!(previous(6), None, "the first meeting has none before it");
    Editor::new(&mut doc, &author(1, T0)).set_meeting_archived(&id(5), true).unwrap();
    let space = Space::hydrate(&doc).unwrap();
    assert_eq!(space.previous_meeting(id(1).as_str()).map(|(_, m)| m.title.as_str()), Some("Summer"), "an archived meeting is skipped");
}
