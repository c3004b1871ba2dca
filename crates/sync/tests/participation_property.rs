//! Property: an organiser, residents and a forger act at random on 3 to 5 replicas (devices
//! linked through a relay and directly), frames arrive shuffled and some twice, links drop and
//! come back. In the end every honest replica holds the same space, no forged change is in any of
//! them, and every change a resident's signature admitted passes the resident's rules when judged
//! against what it was built on.

mod support;

use linli_core::participation::{Candidate, Regime, Tier, review};
use linli_core::{Author, Editor, ItemId, MemberId, NoticeDraft, Place, PledgeDraft, Space, SpaceDocument, TaskDraft, Timestamp, new_space_with};
use linli_sync::automerge::sync::{Message as SyncMessage, MessageVersion};
use linli_sync::automerge::{AutoCommit, Change, ChangeHash};
use linli_sync::capability::protect;
use linli_sync::take_part_key::set_take_part_key;
use linli_sync::{DocumentId, MemberKey, Message, TakePartKey, WriteKey, codec};
use proptest::prelude::*;
use support::sim::Network;

const SPACE: DocumentId = DocumentId::from_bytes([44; 16]);

#[derive(Debug, Clone)]
enum Act {
    /// A resident (device 1..) takes part.
    Join,
    Sign,
    Withdraw,
    Raise(u8),
    Details(u8),
    Confirm(u8),
    Comment(u8),
    /// The organiser (device 0) edits.
    EditNotice(u8),
    Claim(u8),
    Resolve(u8),
    Hide,
    /// The forger sends a change a resident may not make, signed with a take-part link.
    ForgeNotice(u8),
    ForgeSignature,
    ForgeUnsigned(u8),
}

#[derive(Debug, Clone)]
enum Step {
    Do { device: usize, act: Act },
    Deliver(u8),
    Drop(usize),
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        Just(Act::Join),
        Just(Act::Sign),
        Just(Act::Withdraw),
        any::<u8>().prop_map(Act::Raise),
        any::<u8>().prop_map(Act::Details),
        any::<u8>().prop_map(Act::Confirm),
        any::<u8>().prop_map(Act::Comment),
        any::<u8>().prop_map(Act::EditNotice),
        any::<u8>().prop_map(Act::Claim),
        any::<u8>().prop_map(Act::Resolve),
        Just(Act::Hide),
        any::<u8>().prop_map(Act::ForgeNotice),
        Just(Act::ForgeSignature),
        any::<u8>().prop_map(Act::ForgeUnsigned),
    ]
}

fn steps(devices: usize) -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        4 => (0..devices, act()).prop_map(|(device, act)| Step::Do { device, act }),
        3 => any::<u8>().prop_map(Step::Deliver),
        1 => (0..devices).prop_map(Step::Drop),
    ];
    prop::collection::vec(step, 1..40)
}

fn pledge() -> ItemId {
    ItemId::from_random([1; 8])
}
fn notice() -> ItemId {
    ItemId::from_random([2; 8])
}
fn board() -> ItemId {
    ItemId::from_random([3; 8])
}
fn column() -> ItemId {
    ItemId::from_random([4; 8])
}
fn request(n: u8) -> ItemId {
    ItemId::from_random([50, n % 4, 0, 0, 0, 0, 0, 1])
}

struct World {
    net: Network,
    relay: usize,
    /// Device 0 organises; the others are residents; the last one also forges.
    devices: Vec<usize>,
    keys: Vec<MemberKey>,
    links: Vec<Option<u64>>,
    take_part: TakePartKey,
    forged: Vec<ChangeHash>,
    clock: i64,
}

impl World {
    fn new(devices: usize, seed: u64) -> World {
        let mut net = Network::shuffled(seed);
        net.duplicate_one_in = Some(7);
        let write = WriteKey::from_seed([1; 32]);
        let take_part = TakePartKey::from_seed([2; 32]);
        let relay = net.add_relay("relay");
        let keys: Vec<MemberKey> = (0..devices).map(|n| MemberKey::from_seed([10 + n as u8; 32])).collect();
        let ids: Vec<usize> = (0..devices).map(|n| net.add_device(&format!("device{n}"))).collect();
        let lin = Author { member: MemberId::from_public_key(keys[0].public()), session: [1; 8], now: Timestamp(1) };
        let mut doc = new_space_with("Sanfang", &lin, |doc| {
            protect(doc, write.public());
            set_take_part_key(doc, &take_part, &write);
        });
        let mut editor = Editor::new(&mut doc, &lin);
        editor.create_pledge(&pledge(), PledgeDraft { title: "Quiet after 22:00".into(), ..Default::default() }).unwrap();
        editor.post_notice(&notice(), NoticeDraft::new("Lift repair", "Friday")).unwrap();
        editor.create_board(&board(), "Requests", &[(column(), [("en".to_owned(), "New".to_owned())].into())]).unwrap();
        net.nodes[ids[0]].repo.hold_write_key(SPACE, write);
        for (n, id) in ids.iter().enumerate() {
            net.nodes[*id].repo.hold_member_key(keys[n].clone());
            if n > 0 {
                net.nodes[*id].repo.hold_take_part_key(SPACE, take_part.clone());
            }
        }
        net.create(ids[0], SPACE, doc);
        let links = ids.iter().map(|id| Some(net.connect(*id, relay))).collect();
        // Two residents also hold a direct link (as over WebRTC): browsers relay to each other.
        if devices > 2 {
            net.connect(ids[1], ids[2]);
        }
        for id in &ids[1..] {
            net.find(*id, SPACE);
        }
        net.run_until_quiet();
        World { net, relay, devices: ids, keys, links, take_part, forged: Vec::new(), clock: 10 }
    }

    fn author(&mut self, device: usize) -> Author {
        self.clock += 1_000;
        Author { member: MemberId::from_public_key(self.keys[device].public()), session: [device as u8 + 1; 8], now: Timestamp(self.clock) }
    }

    fn me(&self, device: usize) -> String {
        MemberId::from_public_key(self.keys[device].public()).to_string()
    }

    /// A device acts through its own repo; what its rules refuse is simply not made.
    fn honest(&mut self, device: usize, act: impl FnOnce(&mut Editor<'_>) -> Result<(), linli_core::SpaceError>) {
        let who = self.author(device);
        let node = self.devices[device];
        if self.net.nodes[node].repo.document(&SPACE).is_none() {
            return;
        }
        if let Ok((_, fx)) = self.net.nodes[node].repo.change(SPACE, |doc| act(&mut Editor::new(doc, &who))) {
            self.net.apply(node, fx);
        }
    }

    /// The forger (the last device) sends a change made apart from its repo, written with the
    /// actor of device `as_device`, signed by the forger's member key and the take-part link (or
    /// not signed at all), over its link to the relay. Every such change breaks a rule.
    fn forge(&mut self, as_device: usize, signed: bool, act: impl FnOnce(&mut Editor<'_>) -> Result<(), linli_core::SpaceError>) {
        let forger = self.devices.len() - 1;
        let node = self.devices[forger];
        let (Some(link), Some(copy)) = (self.links[forger], self.net.nodes[node].repo.document(&SPACE)) else { return };
        let mut doc: AutoCommit = copy.clone();
        let who = self.author(as_device);
        if act(&mut Editor::new(&mut doc, &who)).is_err() {
            return;
        }
        let Some(change) = doc.get_last_local_change() else { return };
        let member_signatures = if signed { vec![self.keys[forger].sign(change.hash(), Some(&self.take_part.signer()))] } else { Vec::new() };
        self.forged.push(change.hash());
        self.net.inject(link, true, frame(&format!("device{forger}"), &change, member_signatures));
    }

    fn step(&mut self, step: &Step) {
        match step {
            Step::Deliver(n) => {
                for _ in 0..*n % 16 {
                    self.net.deliver_one();
                }
            }
            Step::Drop(device) => {
                let node = self.devices[*device];
                self.links[*device] = match self.links[*device].take() {
                    Some(link) => {
                        self.net.disconnect(link);
                        None
                    }
                    None => Some(self.net.connect(node, self.relay)),
                };
            }
            Step::Do { device: 0, act } => match act {
                Act::EditNotice(n) => self.honest(0, |e| e.edit_notice(&notice(), NoticeDraft::new("Lift repair", format!("moved to day {n}")))),
                Act::Claim(n) => self.honest(0, |e| e.claim_task(&request(*n))),
                Act::Resolve(n) => self.honest(0, |e| e.resolve_request(&request(*n), true)),
                Act::Hide => {
                    let spammer = self.me(self.devices.len() - 1);
                    self.honest(0, |e| e.set_member_hidden(&spammer, true, "spam"))
                }
                _ => {}
            },
            Step::Do { device, act } => {
                let device = *device;
                let forger = device == self.devices.len() - 1;
                match act {
                    Act::Join => self.honest(device, |e| e.join(&format!("Neighbour {device}"), "")),
                    Act::Sign => self.honest(device, |e| e.sign_pledge(&pledge(), "Neighbour")),
                    Act::Withdraw => self.honest(device, |e| e.withdraw_signature(&pledge())),
                    Act::Raise(n) => self.honest(device, |e| {
                        let draft = TaskDraft { title: format!("Request {n}"), ..Default::default() };
                        e.raise_request(&request(n.wrapping_add((device as u8).wrapping_mul(64))), &board(), &column(), "", draft, Place::End)
                    }),
                    Act::Details(n) => self.honest(device, |e| e.add_request_details(&request(*n), "more")),
                    Act::Confirm(n) => self.honest(device, |e| e.confirm_request(&request(*n), n % 2 == 0)),
                    Act::Comment(n) => self.honest(device, |e| e.comment_on_notice(&notice(), &ItemId::from_random([60, device as u8, *n, 0, 0, 0, 0, 1]), "me too")),
                    Act::ForgeNotice(n) if forger => self.forge(device, true, |e| e.edit_notice(&notice(), NoticeDraft::new("Forged", format!("{n}")))),
                    // In the first resident's name: the actor names them, the signature is the forger's.
                    Act::ForgeSignature if forger => self.forge(1, true, |e| e.sign_pledge(&pledge(), "Forged")),
                    Act::ForgeUnsigned(n) if forger => self.forge(device, false, |e| e.comment_on_notice(&notice(), &ItemId::from_random([70, *n, 0, 0, 0, 0, 0, 1]), "unsigned")),
                    _ => {}
                }
            }
        }
    }
}

/// The sync frame `sender` sends the relay with `change` and the given member signatures.
fn frame(sender: &str, change: &Change, member_signatures: Vec<linli_sync::MemberSignature>) -> Vec<u8> {
    let message =
        SyncMessage { heads: vec![change.hash()], need: Vec::new(), have: Vec::new(), changes: vec![change.raw_bytes().to_vec()].into(), flags: None, version: MessageVersion::V1 };
    codec::encode(&Message::Sync {
        sender_id: sender.into(),
        target_id: "relay".into(),
        document_id: SPACE,
        data: message.encode(),
        signatures: Vec::new(),
        member_signatures,
        receipts: Vec::new(),
    })
}

/// Every change with a resident's actor, judged against the document at its dependencies.
fn residents_changes_pass(doc: &mut AutoCommit, residents: &[MemberKey]) -> Result<(), String> {
    for change in doc.get_changes(&[]) {
        let actor = change.actor_id().to_bytes();
        let Some(key) = residents.iter().find(|k| actor.starts_with(&k.public())) else { continue };
        let before = doc.fork_at(change.deps()).map_err(|e| e.to_string())?;
        let candidate = Candidate { change: &change, tier: Tier::TakePart, member: Some(MemberId::from_public_key(key.public())) };
        if let Err(refusal) = review(&before, Regime::Legacy, &[candidate]).remove(0) {
            return Err(format!("change {} ({:?}) broke a rule: {refusal}", change.hash(), change.message()));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn honest_replicas_agree_and_residents_stay_in_their_lane(devices in 3usize..6, seed in any::<u64>(), plan in steps(5)) {
        let mut world = World::new(devices, seed);
        for step in &plan {
            match step {
                Step::Do { device, .. } | Step::Drop(device) if *device >= devices => {}
                step => world.step(step),
            }
        }
        for device in 0..devices {
            if world.links[device].is_none() {
                world.links[device] = Some(world.net.connect(world.devices[device], world.relay));
            }
        }
        world.net.run_until_quiet();
        let honest: Vec<usize> = std::iter::once(world.relay).chain(world.devices[..devices - 1].iter().copied()).collect();
        let mut first = world.net.nodes[honest[0]].repo.document(&SPACE).expect("the relay has the space").clone();
        let heads = { let mut h = first.get_heads(); h.sort(); h };
        let space = Space::hydrate(&first).expect("a space");
        for node in &honest[1..] {
            let mut doc = world.net.nodes[*node].repo.document(&SPACE).expect("every device has the space").clone();
            let mut theirs = doc.get_heads();
            theirs.sort();
            prop_assert_eq!(&theirs, &heads, "node {} differs", node);
            prop_assert_eq!(&Space::hydrate(&doc).expect("a space"), &space);
        }
        for hash in &world.forged {
            for node in &honest {
                let mut doc = world.net.nodes[*node].repo.document(&SPACE).expect("has the space").clone();
                prop_assert!(doc.get_change_by_hash(hash).is_none(), "forged change {} reached node {}", hash, node);
            }
        }
        let residents: Vec<MemberKey> = world.keys[1..].to_vec();
        prop_assert_eq!(residents_changes_pass(&mut first, &residents), Ok(()));
        prop_assert_eq!(space.notices[notice().as_str()].title.as_str(), "Lift repair", "no forged notice edit got through");
    }
}
