//! Private requests: a team member opening a space of 1,000 private requests against the same
//! space in clear, and what sealing costs the resident who raises one.
//!
//! - open from storage: the saved bytes loaded, the space read and (private) every request
//!   opened — what the engine worker does when a team member opens the space on their device;
//! - the reading step alone (hydrate, and hydrate + open), from a loaded document;
//! - sealing one request (its title and details to its three readers), and raising one request,
//!   private and public, on the 1,000-request space.
//!
//! Median of 15 runs, with the fastest and slowest (the opening figures taken in turn, so that
//! what else the machine does weighs on clear and private alike); prints a Markdown table for BENCHMARKS.md.
//! `cargo xtask bench` runs it natively and, built for wasm32-wasip1 with the site's release
//! profile, in V8 as the browser's engine worker would (`tests/e2e/bench/wasi.mjs`).
#![allow(clippy::disallowed_methods, reason = "a native benchmark times itself")]

use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT, ScalarValue};
use linli_core::private::{Keyring, open_private, request_payload, request_readers};
use linli_core::*;

const CATEGORY: &str = "c000000000000002";
const WRITE_SEED: [u8; 32] = [9; 32];
const REQUESTS: u32 = 1_000;
const RUNS: usize = 15;

fn public(seed: &[u8; 32]) -> [u8; 32] {
    ed25519_dalek::SigningKey::from_bytes(seed).verifying_key().to_bytes()
}

fn author(n: u8) -> Author {
    Author { member: MemberId::from_public_key(public(&[n; 32])), session: [n; 8], now: Timestamp(1_700_000_000_000) }
}

/// The resident's device: it seals with its member key.
fn resident() -> Keyring {
    Keyring::new(Some(&[2; 32]), &[])
}

/// A space with a Repairs team (member 3) and `count` requests raised by member 2.
fn space(count: u32, private: bool) -> (AutoCommit, ItemId, ItemId) {
    let mut doc = new_space_with("Sanfang", &author(1), |doc| {
        doc.put(ROOT, "write_key", ScalarValue::Bytes(public(&WRITE_SEED).to_vec())).unwrap();
    });
    let (board, column) = (author(1).new_item_id([1; 8]), author(1).new_item_id([2; 8]));
    Editor::new(&mut doc, &author(1)).create_board(&board, "Requests", &[(column.clone(), [("en".to_owned(), "New".to_owned())].into())]).unwrap();
    let team = Responsibility { team: "Repairs".into(), members: [(author(3).member.to_string(), true)].into(), keys: Default::default() };
    Editor::new(&mut doc, &author(1)).set_responsibility(CATEGORY, &team).unwrap();
    for n in 0..count {
        let id = author(2).new_item_id(u64::from(n).to_le_bytes());
        let draft = TaskDraft { title: format!("Water leaking into flat {n}"), description: "Since Monday, from the flat above.".into(), ..Default::default() };
        Editor::new(&mut doc, &author(2)).with_keyring(&resident()).raise_request_as(&id, Some((&board, &column, Place::End)), CATEGORY, draft, private).unwrap();
    }
    (doc, board, column)
}

/// The time `work` takes once (given what `setup` made, untimed).
fn once<S, R>(setup: &mut impl FnMut() -> S, work: &mut impl FnMut(S) -> R) -> Duration {
    let input = setup();
    let start = Instant::now();
    std::hint::black_box(work(input));
    start.elapsed()
}

/// Median, fastest and slowest of `RUNS` runs.
fn spread(mut times: Vec<Duration>) -> [Duration; 3] {
    times.sort();
    [times[RUNS / 2], times[0], times[RUNS - 1]]
}

/// `RUNS` runs of `work`.
fn measure<S, R>(mut setup: impl FnMut() -> S, mut work: impl FnMut(S) -> R) -> [Duration; 3] {
    spread((0..RUNS).map(|_| once(&mut setup, &mut work)).collect())
}

/// `RUNS` runs of each of `works`, taken in turn, so that what else the machine does weighs on
/// them alike: each one's times, run by run.
fn measure_in_turn<const N: usize>(mut works: [&mut dyn FnMut() -> Duration; N]) -> [Vec<Duration>; N] {
    let mut times: [Vec<Duration>; N] = std::array::from_fn(|_| Vec::with_capacity(RUNS));
    for _ in 0..RUNS {
        for (work, times) in works.iter_mut().zip(&mut times) {
            times.push(work());
        }
    }
    times
}

/// How much slower `private` is than `clear`, run by run (each private run against the clear run
/// just before it): the median, fastest and slowest, in percent.
fn slower(private: &[Duration], clear: &[Duration]) -> [f64; 3] {
    let mut ratios: Vec<f64> = private.iter().zip(clear).map(|(p, c)| (p.as_secs_f64() / c.as_secs_f64() - 1.0) * 100.0).collect();
    ratios.sort_by(f64::total_cmp);
    [ratios[RUNS / 2], ratios[0], ratios[RUNS - 1]]
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 1.0 { format!("{ms:.2} ms") } else { format!("{ms:.1} ms") }
}

fn row(what: &str, [median, fastest, slowest]: [Duration; 3]) {
    println!("| {what} | {} | {}–{} |", ms(median), ms(fastest), ms(slowest));
}

fn main() {
    let (mut clear, board, column) = space(REQUESTS, false);
    let (mut sealed, _, _) = space(REQUESTS, true);
    let (clear_bytes, sealed_bytes) = (clear.save(), sealed.save());
    let team_member = Keyring::new(Some(&[3; 32]), &[]);

    let timed = |work: &mut dyn FnMut()| {
        let start = Instant::now();
        work();
        start.elapsed()
    };
    let [open_clear, open_sealed, hydrate_clear, hydrate_sealed, hydrate_open] = measure_in_turn::<5>([
        &mut || timed(&mut || drop(std::hint::black_box(Space::hydrate(&AutoCommit::load(&clear_bytes).unwrap()).unwrap()))),
        &mut || {
            timed(&mut || {
                let mut space = Space::hydrate(&AutoCommit::load(&sealed_bytes).unwrap()).unwrap();
                open_private(&mut space, &team_member);
                drop(std::hint::black_box(space));
            })
        },
        &mut || timed(&mut || drop(std::hint::black_box(Space::hydrate(&clear).unwrap()))),
        &mut || timed(&mut || drop(std::hint::black_box(Space::hydrate(&sealed).unwrap()))),
        &mut || {
            timed(&mut || {
                let mut space = Space::hydrate(&sealed).unwrap();
                open_private(&mut space, &team_member);
                drop(std::hint::black_box(space));
            })
        },
    ]);
    let team = Space::hydrate(&sealed).unwrap().responsibilities.get(CATEGORY).cloned();
    let readers = request_readers(&sealed, team.as_ref(), &author(2).member.to_string());
    let sealer = resident().member().cloned();
    let payload = request_payload("Noise at night from 3-502", "Every night since Monday, after 23:00. Flat 5-302, phone 13800000017.");
    let seal_one = measure(|| (), |()| linli_seal::seal(&payload, "tasks/x", sealer.as_ref(), &readers));
    let raise = |private: bool| {
        measure(
            || clear.clone(),
            |mut doc| {
                let draft = TaskDraft { title: "Noise at night".into(), description: "From 3-502".into(), ..Default::default() };
                Editor::new(&mut doc, &author(2))
                    .with_keyring(&resident())
                    .raise_request_as(&author(2).new_item_id([7; 8]), Some((&board, &column, Place::End)), CATEGORY, draft, private)
                    .unwrap();
                doc
            },
        )
    };
    let (raise_public, raise_private) = (raise(false), raise(true));

    println!("| measure | median | fastest–slowest |\n|---|---|---|");
    row("a team member opens 1,000 requests in clear, from storage (load + hydrate)", spread(open_clear.clone()));
    row("a team member opens 1,000 private requests, from storage (load + hydrate + open)", spread(open_sealed.clone()));
    row("the reading step alone, in clear (hydrate)", spread(hydrate_clear.clone()));
    row("the reading step alone, private, not opened (hydrate)", spread(hydrate_sealed.clone()));
    row("the reading step alone, private, opened (hydrate + open)", spread(hydrate_open.clone()));
    row("seal one request's title and details to its 3 readers", seal_one);
    row("raise one public request", raise_public);
    row("raise one private request", raise_private);
    for (what, [median, fastest, slowest]) in [("opening from storage", slower(&open_sealed, &open_clear)), ("the reading step alone", slower(&hydrate_open, &hydrate_clear))] {
        println!("| private against clear, {what}, run by run | {median:+.0}% | {fastest:+.0}% to {slowest:+.0}% |");
    }
    println!("| saved | {} bytes in clear | {} bytes private |", clear_bytes.len(), sealed_bytes.len());
}
