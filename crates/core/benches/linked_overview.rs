//! A street with 50 linked communities of 2,000 items each: how long its overview takes to open
//! from the device's copy, and how much work one community's change costs. Each community's link
//! document holds the digest of a 2,000-item sample space (every request of it, open pledges,
//! urgent notices) and a few escalations with answers.
//!
//! - open: load the 50 saved link documents, read each (`read_link`), and make the overview's
//!   lines (`Link::summary`) and its escalations in order — what the engine worker and the page
//!   do together when the street's organiser opens the Linked screen;
//! - one community changes: the change applied to its link document and the link read again (the
//!   worker), then the page's share — the link decoded from the worker's message (bincode) and
//!   every line of the overview made and sorted again.
//!
//! Median of 7 runs; prints a Markdown table for BENCHMARKS.md. `cargo xtask bench` runs it
//! natively and, built for wasm32-wasip1 with the site's release profile, in V8 as the browser
//! would (`tests/e2e/bench/wasi.mjs`).
#![allow(clippy::disallowed_methods, reason = "a native benchmark times itself")]

use std::time::{Duration, Instant};

use linli_core::{Acceptance, AutoCommit, Department, Digest, Escalation, Invitation, Link, LinkEditor, Shares, Space, SpaceDocument, Timestamp, new_link, read_link};

mod support;

const COMMUNITIES: usize = 50;
const ITEMS: u32 = 2_000;
const RUNS: usize = 7;
const NOW: i64 = 1_700_100_000_000;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn departments() -> std::collections::BTreeMap<String, Department> {
    (0..8)
        .map(|n| (format!("category-{n}"), Department { names: [("en".to_owned(), format!("Department {n}"))].into(), team: format!("Team {n}"), members: Default::default() }))
        .collect()
}

/// One community's link: invited, accepted, its digest published, 10 escalations, half answered.
fn community_link(n: usize, digest: &Digest) -> AutoCommit {
    let street = support::author(1, NOW);
    let community = support::author(2, NOW);
    let invitation = Invitation { upper_space: "street".into(), upper_name: "Street".into(), upper_relay: String::new(), claim_within_hours: 24, departments: departments() };
    let mut doc = new_link(&invitation, &street, |_| {});
    let acceptance = Acceptance { lower_space: format!("community-{n}"), lower_name: format!("Community {n}"), lower_relay: String::new(), shares: Shares::default() };
    LinkEditor::new(&mut doc, &community).accept(&acceptance, |_| {}).unwrap();
    LinkEditor::new(&mut doc, &community).publish(digest).unwrap();
    for e in 0..10 {
        let escalation = Escalation {
            title: format!("Escalated request {e}"),
            details: "Needs the street.".into(),
            department: format!("category-{}", e % 8),
            raised_at: Timestamp(NOW - 86_400_000),
            escalated_at: Timestamp(NOW),
            raised_by_name: String::new(),
            sealed: None,
        };
        LinkEditor::new(&mut doc, &community).escalate(&format!("task-{e}"), &escalation).unwrap();
        if e % 2 == 0 {
            LinkEditor::new(&mut doc, &street).claim(&format!("task-{e}")).unwrap();
        }
    }
    doc
}

/// Everything the overview draws: the lines, sorted (overdue first), and the escalations in order.
fn overview(links: &[Link], now: Timestamp) -> usize {
    let mut lines: Vec<_> = links.iter().map(|l| l.summary(now, Timestamp(now.0 - 30 * 86_400_000))).collect();
    lines.sort_by(|a, b| b.overdue_escalations.cmp(&a.overdue_escalations).then_with(|| a.name.cmp(&b.name)));
    let escalations: usize = links.iter().map(|l| l.escalations_in_order(now).len()).sum();
    lines.len() + escalations
}

fn main() {
    let space = Space::hydrate(&support::sample_space(ITEMS)).expect("the sample is a space");
    let digest = Digest::of(&space, &Shares::default(), Timestamp(NOW));
    let saved: Vec<Vec<u8>> = (0..COMMUNITIES).map(|n| community_link(n, &digest).save()).collect();
    let bytes: usize = saved.iter().map(Vec::len).sum();
    let now = Timestamp(NOW + 3_600_000);

    let open = median(
        (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                let links: Vec<Link> = saved.iter().map(|b| read_link(&AutoCommit::load(b).expect("loads")).expect("a link")).collect();
                std::hint::black_box(overview(&links, now));
                started.elapsed()
            })
            .collect(),
    );

    // One community's organiser resolves a request: its digest changes in one entry.
    let mut docs: Vec<AutoCommit> = saved.iter().map(|b| AutoCommit::load(b).expect("loads")).collect();
    let mut links: Vec<Link> = docs.iter().map(|d| read_link(d).expect("a link")).collect();
    let mut changed = digest.clone();
    if let Some(request) = changed.requests.values_mut().find(|r| r.resolved_at.is_none()) {
        request.claimed_at = Some(Timestamp(NOW + 60_000));
        request.resolved_at = Some(Timestamp(NOW + 120_000));
    }
    let change = {
        let mut there = docs[7].fork();
        LinkEditor::new(&mut there, &support::author(2, NOW + 120_000)).publish(&changed).unwrap();
        there.get_last_local_change().expect("a change").raw_bytes().to_vec()
    };
    let (mut worker, mut page) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let mut doc = docs[7].clone();
        let started = Instant::now();
        doc.load_incremental(&change).expect("applies");
        let link = read_link(&doc).expect("a link");
        let message = bincode::serialize(&link).expect("encodes");
        worker.push(started.elapsed());
        let started = Instant::now();
        links[7] = bincode::deserialize(&message).expect("decodes");
        std::hint::black_box(overview(&links, now));
        page.push(started.elapsed());
    }
    docs.truncate(0);
    let (worker, page) = (median(worker), median(page));
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    let mark = |ok: bool| if ok { "✓" } else { "✗" };
    println!("| {COMMUNITIES} communities × {ITEMS} items ({} KB of link documents) | measured | goal | |", bytes / 1024);
    println!("|---|---|---|---|");
    println!("| open the overview from the device's copy (load, read, lines, escalations) | {} | ≤ 1 s | {} |", ms(open), mark(open <= Duration::from_secs(1)));
    println!("| one community changes: its link applied and read (worker) | {} | | |", ms(worker));
    println!("| one community changes: decoded and the overview made again (page, main thread) | {} | ≤ 16 ms | {} |", ms(page), mark(page <= Duration::from_millis(16)));
}
