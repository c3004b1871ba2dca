//! A simulated network of repos for examples and tests: two repos joined by one connection, with
//! the frames between them carried by hand until none are left.
//!
//! Nothing is stored: writes are dropped and a load finds nothing, as for a device that keeps no
//! copy. The test suite's network (`tests/support/sim.rs`) has storage, relays and many links.

use std::collections::VecDeque;

use crate::{ConnId, Effects, Repo, StorageOp};

/// Most frames [`exchange`] carries before it gives up on the repos ever going quiet.
const MOST_FRAMES: usize = 100_000;

/// Carries frames between `a` (which knows the connection as `a_conn`) and `b` (as `b_conn`)
/// until neither has anything more to send, starting from `from_a` and `from_b`, the effects of
/// the calls that opened the connection (`Repo::connected`) or made the first change. Returns how
/// many frames were carried.
///
/// On the way it runs what the repos ask for: a [`StorageOp::Load`] is answered with no chunks,
/// and admissions handed out ([`Repo::admit_elsewhere`]) are run at once. Frames for other
/// connections, closes and events are dropped.
///
/// # Panics
///
/// If the repos are still sending after 100,000 frames.
pub fn exchange(a: &mut Repo, a_conn: ConnId, b: &mut Repo, b_conn: ConnId, from_a: Effects, from_b: Effects) -> usize {
    let mut to_b = VecDeque::new();
    let mut to_a = VecDeque::new();
    run(a, a_conn, from_a, &mut to_b);
    run(b, b_conn, from_b, &mut to_a);
    let mut carried = 0;
    loop {
        if let Some(frame) = to_b.pop_front() {
            let fx = b.received(b_conn, &frame);
            run(b, b_conn, fx, &mut to_a);
        } else if let Some(frame) = to_a.pop_front() {
            let fx = a.received(a_conn, &frame);
            run(a, a_conn, fx, &mut to_b);
        } else {
            return carried;
        }
        carried += 1;
        assert!(carried < MOST_FRAMES, "the repos never went quiet");
    }
}

/// Runs `fx` for `repo`, and what running it leads to, in order; frames for `conn` go to `out`.
fn run(repo: &mut Repo, conn: ConnId, fx: Effects, out: &mut VecDeque<Vec<u8>>) {
    let mut work = VecDeque::from([fx]);
    while let Some(fx) = work.pop_front() {
        for op in fx.storage {
            if let StorageOp::Load { document_id } = op {
                work.push_back(repo.loaded(document_id, Vec::new()));
            }
        }
        for mut job in fx.admissions {
            job.run();
            work.push_back(repo.admitted(job));
        }
        out.extend(fx.sends.into_iter().filter(|(to, _)| *to == conn).map(|(_, frame)| frame));
    }
}
