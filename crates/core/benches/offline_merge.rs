//! Offline merge: two devices that share a space each make 1,000 edits apart, then meet over one
//! link and run the real sync protocol (Linli's repo on both sides, with the space's rules,
//! signed changes, storage writes included) until both are quiet. Two kinds of device: two
//! organisers (edit link and member key), and two residents (take-part link and member key,
//! signing, withdrawing and commenting). Prints a Markdown table: sync messages, bytes, round
//! trips, signatures sent and time to converge, for a village-sized space and a 10,000-item one.
//! Run: `cargo bench -p linli-core --features sync --bench offline_merge`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use automerge::AutoCommit;
use linli_core::participation::SpaceRules;
use linli_core::{Author, MemberId, Timestamp};
use linli_sync::capability::protect;
use linli_sync::take_part_key::set_take_part_key;
use linli_sync::{ChunkKey, Direction, DocumentId, Effects, MemberKey, Message, PeerMetadata, Repo, RepoConfig, StorageOp, TakePartKey, WriteKey, codec};

mod support;

const SPACE: DocumentId = DocumentId::from_bytes([7; 16]);
const EDITS_EACH: u32 = 1_000;
const RUNS: usize = 5;

/// Who the two devices are.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    Organisers,
    Residents,
}

/// One device: its repo and the chunks it stored.
struct Device {
    repo: Repo,
    storage: BTreeMap<ChunkKey, Vec<u8>>,
}

impl Device {
    fn new(name: &str, keys: &Keys, member: &MemberKey, who: Who, doc: AutoCommit) -> Self {
        let config = RepoConfig {
            peer_id: name.to_owned(),
            metadata: PeerMetadata::default(),
            announce_to_incoming: true,
            announce_to_outgoing: true,
            session_id: format!("{name}-session"),
            persist: true,
            rules: Some(SpaceRules::shared()),
        };
        let mut device = Device { repo: Repo::new(config), storage: BTreeMap::new() };
        match who {
            Who::Organisers => device.repo.hold_write_key(SPACE, keys.write.clone()),
            Who::Residents => device.repo.hold_take_part_key(SPACE, keys.take_part.clone()),
        }
        device.repo.hold_member_key(member.clone());
        // The shared space as each device stored it when they last met (its signatures from the
        // organiser who made it travel in the same file).
        let fx = device.repo.create(SPACE, AutoCommit::new());
        device.store(fx);
        let (imported, fx) = device.repo.import_file(SPACE, &keys.file(&doc));
        imported.expect("the device's own copy");
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
    /// Write-key and member signatures carried by the sync messages.
    signatures: usize,
    /// Wall time with each device on its own processor: per trip, the slower device's work.
    time: Duration,
}

/// Two devices meet: every turn delivers all frames in flight both ways at once (one trip across
/// the link); the meeting is over when nothing is in flight.
#[allow(clippy::disallowed_methods, reason = "benches run natively, where Instant::now works")]
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
    match codec::decode(frame) {
        Ok(Message::Sync { signatures, member_signatures, .. }) => {
            meeting.sync_messages += 1;
            meeting.signatures += signatures.len() + member_signatures.len();
        }
        Ok(Message::Request { .. }) => meeting.sync_messages += 1,
        _ => {}
    }
}

/// The keys of the space: its write key (the organisers') and its take-part key.
struct Keys {
    write: WriteKey,
    take_part: TakePartKey,
}

impl Keys {
    /// The space as a file with a write-key signature on every change: what both devices had
    /// when they last met.
    fn file(&self, doc: &AutoCommit) -> Vec<u8> {
        let mut doc = doc.clone();
        let changes = doc.get_changes(&[]);
        linli_sync::space_file::SpaceFile {
            document: doc.save(),
            signatures: changes.iter().map(|c| self.write.sign(c.hash())).collect(),
            member_signatures: Vec::new(),
            receipts: Vec::new(),
        }
        .encode()
    }
}

/// The space both devices had when they last met, protected by the write key, with a take-part
/// key.
fn shared_space(items: u32, keys: &Keys) -> AutoCommit {
    let mut doc = support::sample_space_with(items, |doc| {
        protect(doc, keys.write.public());
        set_take_part_key(doc, &keys.take_part, &keys.write);
    });
    doc.commit();
    doc
}

/// A fixed actor per device, so that every run merges the same documents (Automerge orders its
/// columns by actor, and random actors made runs differ by up to 2×): the member's key, then
/// the device's number.
fn author(member: &MemberKey, device: u8, now: i64) -> Author {
    Author { member: MemberId::from_public_key(member.public()), session: [device; 8], now: Timestamp(now) }
}

fn row(items: u32, who: Who) -> String {
    let keys = Keys { write: WriteKey::from_seed([3; 32]), take_part: TakePartKey::from_seed([4; 32]) };
    let base = shared_space(items, &keys);
    let members = [MemberKey::from_seed([21; 32]), MemberKey::from_seed([22; 32])];
    let (mut apart_a, mut apart_b) = (base.clone(), base.clone());
    for (doc, (member, device)) in [(&mut apart_a, (&members[0], 21u8)), (&mut apart_b, (&members[1], 22u8))] {
        match who {
            Who::Organisers => support::offline_edits_as(doc, items, device, EDITS_EACH, |now| author(member, device, now)),
            Who::Residents => support::resident_edits(doc, items, device, EDITS_EACH, |now| author(member, device, now)),
        }
    }
    let changes_before = base.clone().get_changes(&[]).len();
    let mut meetings = Vec::new();
    for _ in 0..RUNS {
        let mut a = Device::new("phone-a", &keys, &members[0], who, base.clone());
        let mut b = Device::new("phone-b", &keys, &members[1], who, base.clone());
        // Each device makes its edits through its own repo (signed, judged), as the app does.
        for (device, apart) in [(&mut a, &apart_a), (&mut b, &apart_b)] {
            let mut apart = apart.clone();
            let edits = apart.get_changes(&base.clone().get_heads());
            for change in edits {
                let ((), fx) = device.repo.change(SPACE, |doc| doc.apply_changes(vec![change.clone()]).unwrap()).expect("the device may make its own edits");
                device.store(fx);
            }
        }
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
        "| {items} | {} | {} | {} | {} | {} | {} | {} | {:.0} ms |",
        match who {
            Who::Organisers => "two organisers",
            Who::Residents => "two residents",
        },
        changes_before,
        m.messages,
        m.sync_messages,
        m.bytes,
        m.round_trips,
        m.signatures,
        m.time.as_secs_f64() * 1000.0
    )
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this once as a smoke test.
    let smoke = !std::env::args().any(|a| a == "--bench");
    println!("| items in the space | devices | changes before | messages | of which sync | bytes | round trips | signatures sent | time to converge |");
    println!("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    let sizes: &[u32] = if smoke { &[200] } else { &[200, 1_000, 10_000] };
    for &items in sizes {
        for who in [Who::Organisers, Who::Residents] {
            println!("{}", row(items, who));
        }
    }
}
