//! Sample spaces for the benchmarks: made through the editor the way screens make them, with fixed
//! IDs and times so every run builds the same document.

#![allow(dead_code)]

use automerge::AutoCommit;
use linli_core::*;

pub fn author(n: u8, now: i64) -> Author {
    Author { member: MemberId::from_random([n; 8]), session: [n; 8], now: Timestamp(now) }
}

/// A fixed item ID: `kind` tells notices (1), pledges (2), tasks (3), columns (8) and boards (9) apart.
pub fn id(kind: u8, n: u32) -> ItemId {
    let b = n.to_le_bytes();
    ItemId::from_random([kind, b[0], b[1], b[2], b[3], 0, 0, 1])
}

/// 10,000 items: 4,000 notices, 1,000 pledges with 5 signatures each, 5,000 tasks on one board
/// (a tenth of them resident requests).
pub fn large_space() -> AutoCommit {
    sample_space(10_000)
}

/// A space of `items` items in the proportions of [`large_space`]: 40% notices, 10% pledges with
/// 5 signatures each, 50% tasks on one board of 4 columns (a tenth of them resident requests).
pub fn sample_space(items: u32) -> AutoCommit {
    sample_space_with(items, |_| {})
}

/// [`sample_space`], with `first` adding to the space's first change (a write key).
pub fn sample_space_with(items: u32, first: impl FnOnce(&mut AutoCommit)) -> AutoCommit {
    let a = author(1, 1_700_000_000_000);
    let mut doc = new_space_with("large", &a, first);
    let board = id(9, 0);
    let columns: Vec<(ItemId, Names)> = (0..4).map(|c| (id(8, c), Names::from([("en".into(), format!("column {c}"))]))).collect();
    Editor::new(&mut doc, &a).create_board(&board, "Board", &columns).unwrap();
    for n in 0..items * 4 / 10 {
        Editor::new(&mut doc, &a).post_notice(&id(1, n), NoticeDraft::new(format!("Notice {n}"), "Some text of a typical length for a notice.")).unwrap();
    }
    for n in 0..items / 10 {
        Editor::new(&mut doc, &a).create_pledge(&id(2, n), PledgeDraft { title: format!("Pledge {n}"), goal: 10, ..Default::default() }).unwrap();
        for s in 0..5u8 {
            Editor::new(&mut doc, &author(10 + s, 1_700_000_000_000)).sign_pledge(&id(2, n), "Neighbour").unwrap();
        }
    }
    // Cards are appended the way a screen does it: after the last position it shows.
    let mut last: Vec<Option<String>> = vec![None; 4];
    for n in 0..items / 2 {
        let draft = TaskDraft { title: format!("Task {n}"), ..Default::default() };
        let c = (n % 4) as usize;
        let column = id(8, n % 4);
        let place = Place::Between(last[c].as_deref(), None);
        if n % 10 == 0 {
            Editor::new(&mut doc, &a).raise_request(&id(3, n), &board, &column, "c000000000000002", draft, place).unwrap();
        } else {
            Editor::new(&mut doc, &a).add_task(&id(3, n), &board, &column, draft, place).unwrap();
        }
        last[c] = read_item::<Task>(&doc, "tasks", id(3, n).as_str()).unwrap().map(|t| t.position);
    }
    doc
}

/// `count` edits one device makes apart, one change each, as a volunteer's taps make them: in turn
/// a new notice, an edited notice, a claimed task and a signed pledge, on a space made by
/// [`sample_space`] of `items` items. `who` tells the devices apart.
pub fn offline_edits(doc: &mut AutoCommit, items: u32, who: u8, count: u32) {
    offline_edits_as(doc, items, who, count, |now| author(who, now));
}

/// [`offline_edits`], made by the author `me` gives for each time (an organiser with a member
/// key, say).
pub fn offline_edits_as(doc: &mut AutoCommit, items: u32, who: u8, count: u32, me: impl Fn(i64) -> Author) {
    let (notices, pledges, tasks) = (items * 4 / 10, items / 10, items / 2);
    for n in 0..count {
        let me = me(1_700_000_100_000 + i64::from(n) * 1_000);
        let pick = |of: u32| (n * 7 + u32::from(who) * 13) % of.max(1);
        match n % 4 {
            1 if notices > 0 => {
                let notice = id(1, pick(notices));
                let current: Notice = read_item(doc, "notices", notice.as_str()).unwrap().unwrap();
                let draft = NoticeDraft { body: format!("edited {n} by {who}"), ..NoticeDraft::of(&current) };
                Editor::new(doc, &me).edit_notice(&notice, draft).unwrap();
            }
            2 if tasks > 0 => Editor::new(doc, &me).claim_task(&id(3, pick(tasks))).unwrap(),
            3 if pledges > 0 => Editor::new(doc, &me).sign_pledge(&id(2, pick(pledges)), &format!("Neighbour {who}")).unwrap(),
            _ => Editor::new(doc, &me).post_notice(&id(1, 1_000_000 * u32::from(who) + n), NoticeDraft::new(format!("Offline notice {n}"), "Written with no signal.")).unwrap(),
        }
    }
}

/// `count` changes a resident makes apart through a take-part link, one each, as taps make them:
/// in turn a comment on a notice, signing a pledge, and withdrawing that signature.
pub fn resident_edits(doc: &mut AutoCommit, items: u32, who: u8, count: u32, me: impl Fn(i64) -> Author) {
    let (notices, pledges) = (items * 4 / 10, items / 10);
    for n in 0..count {
        let me = me(1_700_000_100_000 + i64::from(n) * 1_000);
        let pick = |of: u32| (n * 7 + u32::from(who) * 13) % of.max(1);
        let pledge = id(2, pick(pledges) / 3 * 3);
        match n % 3 {
            1 if pledges > 0 => Editor::new(doc, &me).sign_pledge(&pledge, &format!("Resident {who}")).unwrap(),
            2 if pledges > 0 => Editor::new(doc, &me).withdraw_signature(&pledge).or_else(|_| Editor::new(doc, &me).sign_pledge(&pledge, "Resident")).unwrap(),
            _ => {
                let comment = ItemId::from_random([who, 0xc0, (n >> 16) as u8, (n >> 8) as u8, n as u8, 0, 0, 1]);
                Editor::new(doc, &me).comment_on_notice(&id(1, pick(notices)), &comment, "Me too.").unwrap()
            }
        }
    }
}
