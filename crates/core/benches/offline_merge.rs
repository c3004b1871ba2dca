//! Offline merge: two devices that share a space each make 1,000 edits apart, then meet over one
//! link and run the real sync protocol (Linli's repo on both sides, signed changes, storage writes
//! included) until both are quiet. Prints a Markdown table: sync messages, bytes, round trips and
//! time to converge, for a village-sized space and a 10,000-item one.
//! Run: `cargo bench -p linli-core --bench offline_merge`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use automerge::AutoCommit;
use linli_sync::capability::protect;
use linli_sync::{ChunkKey, Direction, DocumentId, Effects, Message, PeerMetadata, Repo, RepoConfig, StorageOp, WriteKey, codec};

mod support;

const SPACE: DocumentId = DocumentId::from_bytes([7; 16]);
const EDITS_EACH: u32 = 1_000;
const RUNS: usize = 5;

/// One device: its repo and the chunks it stored.
struct Device {
    repo: Repo,
    storage: BTreeMap<ChunkKey, Vec<u8>>,
}

impl Device {
    fn new(name: &str, key: &WriteKey, doc: AutoCommit) -> Self {
        let config = RepoConfig {
            peer_id: name.to_owned(),
            metadata: PeerMetadata::default(),
            announce_to_incoming: true,
            announce_to_outgoing: true,
            session_id: format!("{name}-session"),
            persist: true,
            rules: None,
        };
        let mut device = Device { repo: Repo::new(config), storage: BTreeMap::new() };
        device.repo.hold_write_key(SPACE, key.clone());
        let fx = device.repo.create(SPACE, doc);
        device.store(fx);
        device
    }

    /// Runs the storage writes (in memory) and returns the frames to send.
    fn store(&mut self, fx: Effects) -> Vec<Vec<u8>> {
        for op in fx.storage {
            match op {
                StorageOp::Put { key, data } => {
                    self.storage.insert(key, data);
                }
                StorageOp::Delete { key } => {
                    self.storage.remove(&key);
                }
                StorageOp::Load { .. } => unreachable!("the space is in memory"),
            }
        }
        assert!(fx.closes.is_empty(), "the sync failed: {:?}", fx.closes);
        fx.sends.into_iter().map(|(_, bytes)| bytes).collect()
    }
}

/// What one meeting cost.
#[derive(Default, Clone, Copy)]
struct Meeting {
    messages: usize,
    sync_messages: usize,
    bytes: usize,
    round_trips: usize,
    /// Wall time with each device on its own processor: per trip, the slower device's work.
    time: Duration,
}

/// Two devices meet: every turn delivers all frames in flight both ways at once (one trip across
/// the link); the meeting is over when nothing is in flight.
fn meet(a: &mut Device, b: &mut Device) -> Meeting {
    let mut meeting = Meeting::default();
    let started = Instant::now();
    let fx = a.repo.connected(1, Direction::Outgoing);
    let mut to_a = a.store(fx);
    let fx = b.repo.connected(1, Direction::Incoming);
    let mut to_b = b.store(fx);
    std::mem::swap(&mut to_a, &mut to_b);
    let mut trips: usize = 0;
    while !to_a.is_empty() || !to_b.is_empty() {
        trips += 1;
        let (mut next_a, mut next_b) = (Vec::new(), Vec::new());
        let at_b = Instant::now();
        for frame in to_b.drain(..) {
            count(&mut meeting, &frame);
            let fx = b.repo.received(1, &frame);
            next_a.extend(b.store(fx));
        }
        let at_a = Instant::now();
        for frame in to_a.drain(..) {
            count(&mut meeting, &frame);
            let fx = a.repo.received(1, &frame);
            next_b.extend(a.store(fx));
        }
        meeting.time += (at_a - at_b).max(at_a.elapsed());
        (to_a, to_b) = (next_a, next_b);
    }
    debug_assert!(meeting.time <= started.elapsed());
    meeting.round_trips = trips.div_ceil(2);
    meeting
}

fn count(meeting: &mut Meeting, frame: &[u8]) {
    meeting.messages += 1;
    meeting.bytes += frame.len();
    if matches!(codec::decode(frame), Ok(Message::Sync { .. } | Message::Request { .. })) {
        meeting.sync_messages += 1;
    }
}

/// The space both devices had when they last met, protected by the write key they both hold.
fn shared_space(items: u32, key: &WriteKey) -> AutoCommit {
    let mut doc = support::sample_space_with(items, |doc| protect(doc, key.public()));
    doc.commit();
    doc
}

/// A fixed actor per device, so that every run merges the same documents (Automerge orders its
/// columns by actor, and random actors made runs differ by up to 2×).
fn actor(device: u8) -> automerge::ActorId {
    automerge::ActorId::from([device; 16])
}

fn row(items: u32) -> String {
    let key = WriteKey::from_seed([3; 32]);
    let mut base = shared_space(items, &key);
    let (mut apart_a, mut apart_b) = (base.fork().with_actor(actor(21)), base.fork().with_actor(actor(22)));
    support::offline_edits(&mut apart_a, items, 21, EDITS_EACH);
    support::offline_edits(&mut apart_b, items, 22, EDITS_EACH);
    let changes_before = base.get_changes(&[]).len();
    let mut meetings = Vec::new();
    for _ in 0..RUNS {
        let mut a = Device::new("phone-a", &key, apart_a.clone());
        let mut b = Device::new("phone-b", &key, apart_b.clone());
        let meeting = meet(&mut a, &mut b);
        let heads = |device: &mut Device| {
            let mut heads = device.repo.read_mut(&SPACE, |doc| doc.get_heads()).unwrap();
            heads.sort();
            heads
        };
        assert_eq!(heads(&mut a), heads(&mut b), "the devices did not converge");
        let changes = a.repo.read_mut(&SPACE, |doc| doc.get_changes(&[]).len()).unwrap();
        assert_eq!(changes, changes_before + 2 * EDITS_EACH as usize, "an edit is missing");
        meetings.push(meeting);
    }
    meetings.sort_by_key(|m| m.time);
    let m = meetings[RUNS / 2];
    format!(
        "| {items} | {} | {} | {} | {} | {} | {:.0} ms |",
        changes_before,
        m.messages,
        m.sync_messages,
        m.bytes,
        m.round_trips,
        m.time.as_secs_f64() * 1000.0
    )
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this once as a smoke test.
    let smoke = !std::env::args().any(|a| a == "--bench");
    println!("| items in the space | changes before | messages | of which sync | bytes | round trips | time to converge |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    let sizes: &[u32] = if smoke { &[200] } else { &[200, 1_000, 10_000] };
    for &items in sizes {
        println!("{}", row(items));
    }
}
