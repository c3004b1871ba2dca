//! Consultations in the document: votes, paper counts, closing (what a closed one counts is fixed,
//! whatever arrives later and whatever a device's clock says), follow-ups, restore; and a property:
//! replicas voting offline with skewed clocks and shuffled delivery derive the same result.

use std::collections::BTreeMap;

use automerge::AutoCommit;
use linli_core::*;
use proptest::prelude::*;

const T0: i64 = 1_700_000_000_000;
const HOUR: i64 = 3_600_000;

fn author(n: u8, at: i64) -> Author {
    Author { member: MemberId::from_public_key([n; 32]), session: [n; 8], now: Timestamp(at) }
}

/// Member `n`'s second device: the same member, another session.
fn second_device(n: u8, at: i64) -> Author {
    Author { member: MemberId::from_public_key([n; 32]), session: [n ^ 0x80; 8], now: Timestamp(at) }
}

fn id(n: u8) -> ItemId {
    ItemId::from_random([n; 8])
}

fn yes_no(quorum: u64) -> ConsultationDraft {
    ConsultationDraft { question: "Paint the gate green?".into(), yes_no: true, closes_at: Timestamp(T0 + 24 * HOUR), quorum, ..Default::default() }
}

fn with_consultation(draft: ConsultationDraft) -> AutoCommit {
    let mut doc = new_space("Sanfang", &author(1, T0));
    Editor::new(&mut doc, &author(1, T0)).create_consultation(&id(1), draft).unwrap();
    doc
}

fn vote(doc: &mut AutoCommit, who: Author, choice: &str) {
    Editor::new(doc, &who).vote(&id(1), &[choice.to_owned()]).unwrap();
}

fn outcome(doc: &AutoCommit) -> Outcome {
    Space::hydrate(doc).unwrap().outcome(id(1).as_str()).unwrap()
}

fn merge(into: &mut AutoCommit, from: &mut AutoCommit) {
    into.merge(from).unwrap();
}

#[test]
fn votes_count_until_closed_and_the_last_vote_of_a_member_is_the_one_that_counts() {
    let mut doc = with_consultation(yes_no(0));
    vote(&mut doc, author(2, T0 + HOUR), YES);
    vote(&mut doc, author(3, T0 + HOUR), NO);
    vote(&mut doc, author(4, T0 + HOUR), NO);
    assert_eq!(outcome(&doc).decision, Decision::Rejected);
    vote(&mut doc, author(4, T0 + 2 * HOUR), YES);
    let result = outcome(&doc);
    assert_eq!((result.online_voters, result.counts[YES], result.counts[NO], result.decision), (3, 2, 1, Decision::Adopted));
}

#[test]
fn a_vote_that_arrives_after_the_close_is_not_counted_on_any_replica() {
    let mut organiser = with_consultation(yes_no(0));
    let mut offline = organiser.fork();
    vote(&mut organiser, author(2, T0 + HOUR), YES);
    // A resident votes offline (their clock says voting is open); the organiser's device closes
    // before the vote reaches it.
    vote(&mut offline, author(3, T0 + 2 * HOUR), NO);
    vote(&mut offline, author(4, T0 + 2 * HOUR), NO);
    Editor::new(&mut organiser, &author(1, T0 + 25 * HOUR)).close_consultation(&id(1)).unwrap();
    merge(&mut organiser, &mut offline);
    merge(&mut offline, &mut organiser);
    for doc in [&organiser, &offline] {
        let space = Space::hydrate(doc).unwrap();
        assert_eq!(space.consultations[id(1).as_str()].votes.len(), 3, "the late votes are in the document");
        let result = space.outcome(id(1).as_str()).unwrap();
        assert_eq!((result.online_voters, result.decision), (1, Decision::Adopted), "only the vote held at the close counts");
    }
}

#[test]
fn a_device_whose_clock_is_behind_cannot_reopen_a_closed_consultation() {
    let mut doc = with_consultation(yes_no(0));
    vote(&mut doc, author(2, T0 + HOUR), YES);
    Editor::new(&mut doc, &author(1, T0 + 25 * HOUR)).close_consultation(&id(1)).unwrap();
    // A phone whose clock is a day behind: voting is open by its clock, not by the document.
    let slow = author(3, T0);
    let consultation = &Space::hydrate(&doc).unwrap().consultations[id(1).as_str()];
    assert_eq!(consultation.status(slow.now), ConsultationStatus::Closed);
    assert!(Editor::new(&mut doc, &slow).vote(&id(1), &[NO.to_owned()]).is_err());
    assert!(Editor::new(&mut doc, &author(1, T0 + 26 * HOUR)).close_consultation(&id(1)).is_err(), "closed once");
    assert!(Editor::new(&mut doc, &author(1, T0 + 26 * HOUR)).record_paper_votes(&id(1), &id(9), &BTreeMap::from([(YES.to_owned(), 1)]), 1, "").is_err());
}

#[test]
fn before_opening_and_after_the_closing_time_a_device_does_not_vote() {
    let mut doc = with_consultation(ConsultationDraft { opens_at: Some(Timestamp(T0 + HOUR)), ..yes_no(0) });
    assert!(Editor::new(&mut doc, &author(2, T0)).vote(&id(1), &[YES.to_owned()]).is_err());
    assert!(Editor::new(&mut doc, &author(2, T0 + 24 * HOUR)).vote(&id(1), &[YES.to_owned()]).is_err());
    assert_eq!(Space::hydrate(&doc).unwrap().consultations[id(1).as_str()].status(Timestamp(T0 + 24 * HOUR)), ConsultationStatus::Closing);
}

#[test]
fn two_devices_of_one_member_voting_at_once_leave_one_whole_vote_the_same_everywhere() {
    let base = with_consultation(ConsultationDraft {
        yes_no: false,
        options: vec![(id(11).to_string(), "Green".into()), (id(12).to_string(), "Blue".into()), (id(13).to_string(), "Red".into())],
        max_choices: 2,
        ..yes_no(0)
    });
    let (mut phone, mut tablet) = (base.clone(), base.clone());
    Editor::new(&mut phone, &author(2, T0 + HOUR)).vote(&id(1), &[id(11).to_string(), id(12).to_string()]).unwrap();
    Editor::new(&mut tablet, &second_device(2, T0 + 2 * HOUR)).vote(&id(1), &[id(13).to_string()]).unwrap();
    merge(&mut phone, &mut tablet.clone());
    merge(&mut tablet, &mut base.clone().fork());
    let mut tablet_then_phone = tablet.clone();
    merge(&mut tablet_then_phone, &mut phone.clone());
    let read = |doc: &AutoCommit| Space::hydrate(doc).unwrap().consultations[id(1).as_str()].votes.clone();
    assert_eq!(read(&phone), read(&tablet_then_phone));
    let vote = &read(&phone)[&MemberId::from_public_key([2; 32]).to_string()];
    let chosen: Vec<_> = vote.choices.keys().cloned().collect();
    assert!(chosen == [id(11).to_string(), id(12).to_string()] || chosen == [id(13).to_string()], "one whole vote, not a mix: {chosen:?}");
    assert_eq!(outcome(&phone).online_voters, 1);
}

#[test]
fn paper_counts_add_to_the_votes_and_the_quorum() {
    let mut doc = with_consultation(yes_no(4));
    vote(&mut doc, author(2, T0 + HOUR), YES);
    assert_eq!(outcome(&doc).decision, Decision::NoQuorum);
    let counts = BTreeMap::from([(YES.to_owned(), 2), (NO.to_owned(), 1)]);
    Editor::new(&mut doc, &author(1, T0 + HOUR)).record_paper_votes(&id(1), &id(20), &counts, 3, "ballot box, building 4").unwrap();
    let result = outcome(&doc);
    assert_eq!((result.voters(), result.quorum_met, result.counts[YES], result.decision), (4, true, 3, Decision::Adopted));
    let too_many = BTreeMap::from([(YES.to_owned(), 5)]);
    assert!(Editor::new(&mut doc, &author(1, T0 + HOUR)).record_paper_votes(&id(1), &id(21), &too_many, 3, "").is_err());
    let unknown = BTreeMap::from([("maybe".to_owned(), 1)]);
    assert!(Editor::new(&mut doc, &author(1, T0 + HOUR)).record_paper_votes(&id(1), &id(22), &unknown, 3, "").is_err());
}

#[test]
fn options_are_fixed_once_someone_voted_but_the_wording_is_not() {
    let list =
        |options: &[(u8, &str)]| ConsultationDraft { yes_no: false, options: options.iter().map(|(n, label)| (id(*n).to_string(), (*label).to_owned())).collect(), ..yes_no(0) };
    let mut doc = with_consultation(list(&[(11, "A"), (12, "B")]));
    // Before anyone votes: an option added, one taken away (archived: it stays in the document).
    Editor::new(&mut doc, &author(1, T0)).edit_consultation(&id(1), list(&[(11, "A"), (13, "C")])).unwrap();
    let consultation = Space::hydrate(&doc).unwrap().consultations[id(1).as_str()].clone();
    let open: Vec<&str> = consultation.open_options_in_order().into_iter().map(|(id, _)| id).collect();
    assert_eq!(open, [id(11).as_str(), id(13).as_str()]);
    assert!(consultation.options[id(12).as_str()].archived, "an option taken away stays, archived");
    // What kind of vote it is stays as it opened.
    assert!(Editor::new(&mut doc, &author(1, T0)).edit_consultation(&id(1), yes_no(0)).is_err());
    vote(&mut doc, author(2, T0 + HOUR), id(11).as_str());
    assert!(Editor::new(&mut doc, &author(1, T0 + HOUR)).edit_consultation(&id(1), list(&[(11, "A")])).is_err());
    let reworded = ConsultationDraft { question: "Paint the gate dark green?".into(), ..list(&[(11, "A"), (13, "C")]) };
    Editor::new(&mut doc, &author(1, T0 + HOUR)).edit_consultation(&id(1), reworded).unwrap();
    let space = Space::hydrate(&doc).unwrap();
    assert_eq!((space.consultations[id(1).as_str()].question.as_str(), space.consultations[id(1).as_str()].votes.len()), ("Paint the gate dark green?", 1));
}

#[test]
fn a_decision_becomes_a_task_a_notice_and_a_pledge_linked_from_the_consultation() {
    let mut doc = with_consultation(yes_no(0));
    let (board, column) = (id(30), id(31));
    let mut organiser = Editor::new(&mut doc, &author(1, T0 + 25 * HOUR));
    organiser.create_board(&board, "Works", &[(column.clone(), Names::from([("en".to_owned(), "To do".to_owned())]))]).unwrap();
    organiser.close_consultation(&id(1)).unwrap();
    organiser.follow_up_with_task(&id(1), &id(32), &board, &column, TaskDraft { title: "Buy green paint".into(), ..Default::default() }).unwrap();
    organiser.follow_up_with_notice(&id(1), &id(33), NoticeDraft::new("The gate will be green", "Decided by 12 neighbours")).unwrap();
    organiser.follow_up_with_pledge(&id(1), &id(34), PledgeDraft { title: "I help paint".into(), ..Default::default() }).unwrap();
    assert!(organiser.follow_up_with_task(&id(1), &id(35), &board, &id(99), TaskDraft { title: "Nowhere".into(), ..Default::default() }).is_err());
    let space = Space::hydrate(&doc).unwrap();
    let follow_ups: Vec<_> = space.consultations[id(1).as_str()].follow_ups.iter().map(|(item, f)| (item.clone(), f.kind.clone())).collect();
    assert_eq!(follow_ups, [(id(32).to_string(), "task".into()), (id(33).to_string(), "notice".into()), (id(34).to_string(), "pledge".into())]);
    assert_eq!(space.tasks[id(32).as_str()].board, board.to_string());
    assert!(space.notices.contains_key(id(33).as_str()) && space.pledges.contains_key(id(34).as_str()));
    assert!(!space.tasks.contains_key(id(35).as_str()) && !space.consultations[id(1).as_str()].follow_ups.contains_key(id(35).as_str()), "a failed follow-up leaves nothing");
}

#[test]
fn restoring_an_old_version_keeps_votes_and_the_closing() {
    let mut doc = with_consultation(yes_no(0));
    vote(&mut doc, author(2, T0 + HOUR), YES);
    let reworded = ConsultationDraft { question: "Paint it blue?".into(), ..yes_no(0) };
    Editor::new(&mut doc, &author(1, T0 + HOUR)).edit_consultation(&id(1), reworded).unwrap();
    Editor::new(&mut doc, &author(1, T0 + 25 * HOUR)).close_consultation(&id(1)).unwrap();
    let history = item_history(&mut doc, ItemKind::Consultation, id(1).as_str()).unwrap();
    let first = history[0].change;
    Editor::new(&mut doc, &author(1, T0 + 26 * HOUR)).restore(ItemKind::Consultation, id(1).as_str(), first).unwrap();
    let space = Space::hydrate(&doc).unwrap();
    let c = &space.consultations[id(1).as_str()];
    assert_eq!((c.question.as_str(), c.votes.len(), c.closed.is_some()), ("Paint the gate green?", 1, true));
    assert_eq!(space.outcome(id(1).as_str()).unwrap().decision, Decision::Adopted);
}

#[test]
fn a_refresh_reads_a_closing_as_a_full_read_does() {
    let mut doc = with_consultation(yes_no(0));
    vote(&mut doc, author(2, T0 + HOUR), YES);
    let mut space = Space::hydrate(&doc).unwrap();
    let before = doc.get_heads();
    let mut behind = doc.fork();
    Editor::new(&mut doc, &author(1, T0 + 25 * HOUR)).close_consultation(&id(1)).unwrap();
    vote(&mut behind, author(5, T0 + 2 * HOUR), NO);
    doc.merge(&mut behind).unwrap();
    let after = doc.get_heads();
    let patches = doc.diff(&before, &after);
    space.refresh(&doc, &patches).unwrap();
    assert_eq!(space, Space::hydrate(&doc).unwrap());
    assert_eq!(space.outcome(id(1).as_str()).unwrap().online_voters, 1);
}

// ----- property: replicas voting offline, clocks skewed, delivery shuffled -----

#[derive(Debug, Clone)]
enum Step {
    /// Member `member` votes on replica `at` for option `choice`, its clock `skew` hours off.
    Vote {
        at: usize,
        member: u8,
        choice: u8,
        skew: i8,
    },
    Paper {
        at: usize,
        entry: u8,
        yes: u8,
        no: u8,
    },
    /// Replica `at` (an organiser's device, clock `skew` hours off) closes if its clock says so.
    Close {
        at: usize,
        skew: i8,
    },
    Deliver {
        from: usize,
        to: usize,
        seed: u64,
    },
}

fn steps(replicas: usize) -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        4 => (0..replicas, 2..9u8, 0..3u8, -30..30i8).prop_map(|(at, member, choice, skew)| Step::Vote { at, member, choice, skew }),
        1 => (0..replicas, 0..4u8, 0..4u8, 0..4u8).prop_map(|(at, entry, yes, no)| Step::Paper { at, entry, yes, no }),
        1 => (0..replicas, -30..30i8).prop_map(|(at, skew)| Step::Close { at, skew }),
        3 => (0..replicas, 0..replicas, any::<u64>()).prop_map(|(from, to, seed)| Step::Deliver { from, to, seed }),
    ];
    prop::collection::vec(step, 1..40)
}

fn deliver(from: &mut AutoCommit, to: &mut AutoCommit, seed: u64) {
    let mut changes: Vec<automerge::Change> = from.get_changes(&[]);
    // Shuffle deterministically, send some twice; Automerge holds a change until its deps arrive.
    let mut state = seed | 1;
    for i in (1..changes.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        changes.swap(i, (state % (i as u64 + 1)) as usize);
    }
    let again: Vec<_> = changes.iter().step_by(3).cloned().collect();
    to.apply_changes(changes).unwrap();
    to.apply_changes(again).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn replicas_that_have_the_same_changes_derive_the_same_result(replicas in 3..=5usize, plan in steps(5)) {
        let base = with_consultation(yes_no(2));
        let mut docs: Vec<AutoCommit> = (0..replicas).map(|_| base.clone()).collect();
        for step in plan {
            match step {
                Step::Vote { at, member, choice, skew } => {
                    let at = at % replicas;
                    let clock = T0 + 12 * HOUR + i64::from(skew) * HOUR;
                    let option = [YES, NO, ABSTAIN][usize::from(choice)];
                    let session = Author { session: [member, at as u8, 0, 0, 0, 0, 0, 1], ..author(member, clock) };
                    // A vote the device's own view refuses (closed, or not open by its clock) is not made.
                    let _ = Editor::new(&mut docs[at], &session).vote(&id(1), &[option.to_owned()]);
                }
                Step::Paper { at, entry, yes, no } => {
                    let at = at % replicas;
                    let counts = BTreeMap::from([(YES.to_owned(), u64::from(yes)), (NO.to_owned(), u64::from(no))]);
                    let organiser = Author { session: [1, at as u8, 0, 0, 0, 0, 0, 2], ..author(1, T0 + HOUR) };
                    let _ = Editor::new(&mut docs[at], &organiser).record_paper_votes(&id(1), &id(100 + entry), &counts, u64::from(yes + no).max(1), "");
                }
                Step::Close { at, skew } => {
                    let at = at % replicas;
                    let clock = T0 + 12 * HOUR + i64::from(skew) * HOUR;
                    let organiser = Author { session: [1, at as u8, 0, 0, 0, 0, 0, 3], ..author(1, clock) };
                    let closing_time = Space::hydrate(&docs[at]).unwrap().consultations[id(1).as_str()].status(Timestamp(clock)) == ConsultationStatus::Closing;
                    if closing_time {
                        Editor::new(&mut docs[at], &organiser).close_consultation(&id(1)).unwrap();
                    }
                }
                Step::Deliver { from, to, seed } => {
                    let (from, to) = (from % replicas, to % replicas);
                    if from != to {
                        let mut source = docs[from].clone();
                        deliver(&mut source, &mut docs[to], seed);
                    }
                }
            }
        }
        // Everyone gets everything, in a different order each.
        for to in 0..replicas {
            for from in 0..replicas {
                if from != to {
                    let mut source = docs[from].clone();
                    deliver(&mut source, &mut docs[to], (from * 31 + to) as u64);
                }
            }
        }
        let results: Vec<(Option<Outcome>, Option<Closing>)> = docs.iter().map(|doc| {
            let space = Space::hydrate(doc).unwrap();
            (space.outcome(id(1).as_str()), space.consultations[id(1).as_str()].closed.clone())
        }).collect();
        for result in &results[1..] {
            prop_assert_eq!(result, &results[0]);
        }
        // A closed consultation counts no vote cast on a device that had seen it closed.
        let space = Space::hydrate(&docs[0]).unwrap();
        if let Some(tally) = space.tallies.get(id(1).as_str()) {
            prop_assert!(tally.votes.len() <= space.consultations[id(1).as_str()].votes.len());
        }
    }
}

#[test]
fn closed_at_the_home_relays_cut_it_counts_what_the_home_held_not_the_closing_devices_copy() {
    // The home relay held the space as `home` at the deadline: one vote in time. The organiser's
    // device was offline since before it, and a vote reaches the home after the deadline.
    let mut home = with_consultation(yes_no(0));
    let mut organiser = home.fork();
    vote(&mut home, author(2, T0 + 23 * HOUR), YES);
    let cut = home.get_heads();
    vote(&mut home, author(3, T0 + 23 * HOUR), NO); // (made offline in time; it arrived late)
    // The organiser's device, back the morning after, has not synced yet: it cannot close at the
    // cut, which names a change it does not hold.
    let next_morning = author(1, T0 + 33 * HOUR);
    assert!(Editor::new(&mut organiser, &next_morning).close_consultation_at_home_cut(&id(1), &cut, Timestamp(T0 + 24 * HOUR), &[7; 64]).is_err());
    merge(&mut organiser, &mut home);
    Editor::new(&mut organiser, &next_morning).close_consultation_at_home_cut(&id(1), &cut, Timestamp(T0 + 24 * HOUR), &[7; 64]).unwrap();
    merge(&mut home, &mut organiser);
    for doc in [&organiser, &home] {
        let space = Space::hydrate(doc).unwrap();
        let closing = space.consultations[id(1).as_str()].closed.clone().unwrap();
        assert_eq!((closing.home_at, closing.home_signature.len()), (Some(Timestamp(T0 + 24 * HOUR)), 128));
        let result = space.outcome(id(1).as_str()).unwrap();
        assert_eq!((result.online_voters, result.decision), (1, Decision::Adopted), "the vote in time counts, the late one does not");
        assert_eq!(space.tallies[id(1).as_str()].votes.len(), 1);
        assert_eq!(space.consultations[id(1).as_str()].votes.len(), 2, "the late vote stays in the document, shown as late");
    }
}
