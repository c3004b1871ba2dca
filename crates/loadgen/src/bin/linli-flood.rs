//! `linli-flood`: an attack on one space of a relay, for the fairness benchmark (what an honest
//! space's sync costs while another space is flooded). It puts a space of many items on the relay
//! (as its organiser, holding the write key), then `--attackers` connections each join it through
//! its take-part link as a new member and send, at `--rate` a second each, the costliest change a
//! resident may send (2,490 characters taken out of their own request's description and a new
//! request raised with 2,400: as many operations as a take-part change may hold, as many of them on
//! what stands as it may make, each place written once), built one head or more behind (on the space as it was when the attacker joined, under a fresh actor
//! each time, so no two are alike). Every change is signed properly; the relay's rules and limits
//! decide what to take.
//!
//! Prints `flooding` once the attack starts (the benchmark starts measuring then) and, at the end,
//! `sent=<changes> seconds=<s>`.

use std::time::Duration;

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use linli_client::Client;
use linli_core::{Author, Editor, ItemId, MemberId, Place, TaskDraft, Timestamp};
use linli_sync::automerge::sync::{Message as SyncMessage, MessageVersion};
use linli_sync::automerge::transaction::Transactable;
use linli_sync::automerge::{AutoCommit, ROOT, ReadDoc};
use linli_sync::capability::protect;
use linli_sync::take_part_key::set_take_part_key;
use linli_sync::{DocumentId, MemberKey, Message, PeerMetadata, TakePartKey, WriteKey, codec};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message as WsMessage;

#[path = "../../../core/benches/support/mod.rs"]
mod sample;

#[derive(Debug, Parser)]
struct Args {
    /// The relay, e.g. ws://127.0.0.1:8080
    #[arg(long)]
    url: String,
    /// Items in the attacked space (at most 20,000).
    #[arg(long, default_value_t = 10_000)]
    items: u32,
    /// Attacking connections, each a new member.
    #[arg(long, default_value_t = 8)]
    attackers: usize,
    /// Changes a second each attacker sends.
    #[arg(long, default_value_t = 4.0)]
    rate: f64,
    /// Seconds of flooding (at most 120).
    #[arg(long, default_value_t = 20)]
    seconds: u64,
}

/// Characters of the first request's description, the most its form takes.
const DESCRIPTION: usize = 4_000;
/// Characters each change takes out of it: as many operations on what stands as a take-part
/// change may make.
const TAKEN_OUT: usize = 2_490;
/// Characters of the request each change raises: the rest of what a take-part change may hold.
const RAISED: usize = 2_400;

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let (items, seconds) = (args.items.min(20_000), args.seconds.min(120));
    let write = WriteKey::from_seed([15; 32]);
    let take_part = TakePartKey::from_seed([16; 32]);
    let mut seed = [0u8; 16];
    getrandom::fill(&mut seed).expect("the operating system provides random bytes");
    let space = DocumentId::new_random(seed);
    let mut doc = sample::sample_space_with(items, |doc| {
        protect(doc, write.public());
        set_take_part_key(doc, &take_part, &write);
    });
    doc.commit();
    let organiser = Client::connect(&args.url, "flood-organiser").await;
    organiser.hold_write_key(space, write);
    organiser.create(space, doc);
    assert!(organiser.acknowledged_within(space, Duration::from_secs(60)).await, "the relay took the space within 60 s");
    organiser.close();

    // Each attacker joins, then prepares its changes on the space as it was when it joined.
    let count = (args.rate * seconds as f64).ceil() as usize;
    let mut attackers = Vec::new();
    for a in 0..args.attackers {
        let mut key_seed = [0u8; 32];
        getrandom::fill(&mut key_seed).expect("random bytes");
        let member = MemberKey::from_seed(key_seed);
        let client = Client::connect(&args.url, &format!("flood-{a}")).await;
        client.hold_member_key(member.clone());
        client.hold_take_part_key(space, take_part.clone());
        client.find(space);
        assert!(client.until_within(Duration::from_secs(60), |s| s.repo.take_part_key(&space).is_some()).await, "the space reached attacker {a}");
        let me = |session: u64| Author { member: MemberId::from_public_key(member.public()), session: session.to_le_bytes(), now: Timestamp(1_800_000_000_000) };
        let first = me(0).new_item_id([0; 8]);
        client.change(space, |d| {
            d.set_actor(me(0).actor());
            Editor::new(d, &me(0)).join(&format!("Attacker {a}"), "").expect("a resident may join");
            let draft = TaskDraft { title: "A lamp".into(), description: "x".repeat(DESCRIPTION), ..Default::default() };
            Editor::new(d, &me(0)).raise_request(&first, &sample::id(9, 0), &sample::id(8, 0), "c000000000000002", draft, Place::End).expect("a resident may raise a request")
        });
        if !client.acknowledged_within(space, Duration::from_secs(60)).await {
            let events = client.with(|s| format!("{:?}", s.events));
            panic!("the relay did not take attacker {a}'s joining: {events}");
        }
        let joined = client.with(|s| s.repo.document(&space).expect("open").clone());
        let frames: Vec<Vec<u8>> = (1..=count as u64)
            .map(|session| {
                let mut d = joined.clone();
                d.set_actor(me(session).actor());
                costliest(&mut d, &me(session), &first);
                let change = d.get_last_local_change().expect("just made").clone();
                let signature = member.sign(change.hash(), Some(&take_part.signer()));
                let data = SyncMessage {
                    heads: vec![change.hash()],
                    need: Vec::new(),
                    have: Vec::new(),
                    changes: vec![change.raw_bytes().to_vec()].into(),
                    flags: None,
                    version: MessageVersion::V1,
                }
                .encode();
                codec::encode(&Message::Sync {
                    sender_id: format!("flood-{a}"),
                    target_id: "relay".into(),
                    document_id: space,
                    data,
                    signatures: Vec::new(),
                    member_signatures: vec![signature],
                    receipts: Vec::new(),
                })
            })
            .collect();
        // The attack goes out on a socket of its own that reads nothing it is sent (so that the
        // attackers' own work does not slow the measured clients on this machine).
        client.close();
        attackers.push((raw_socket(&args.url, &format!("flood-{a}")).await, frames));
    }

    println!("flooding");
    let started = Instant::now();
    let period = Duration::from_secs_f64(1.0 / args.rate.max(0.01));
    let mut tasks = Vec::new();
    for (a, (socket, frames)) in attackers.into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(period.mul_f64(a as f64 / args.attackers.max(1) as f64)).await;
            let mut tick = tokio::time::interval(period);
            let mut sent = 0usize;
            for frame in frames {
                tick.tick().await;
                if started.elapsed() >= Duration::from_secs(seconds) {
                    break;
                }
                if socket.send(frame).is_err() {
                    break;
                }
                sent += 1;
            }
            sent
        }));
    }
    let mut sent = 0;
    for task in tasks {
        sent += task.await.expect("an attacker");
    }
    println!("sent={sent} seconds={:.1}", started.elapsed().as_secs_f64());
}

/// A WebSocket to the relay that has said `join` and throws away all it receives; frames sent
/// to the returned channel go out in order.
async fn raw_socket(url: &str, name: &str) -> tokio::sync::mpsc::UnboundedSender<Vec<u8>> {
    let (ws, _) = tokio_tungstenite::connect_async(url).await.expect("the relay accepts the WebSocket");
    let (mut sink, mut stream) = ws.split();
    let join = Message::Join { sender_id: name.to_owned(), peer_metadata: PeerMetadata::default(), supported_protocol_versions: Some(vec!["1".into()]) };
    sink.send(WsMessage::Binary(codec::encode(&join).into())).await.expect("join sent");
    tokio::spawn(async move { while let Some(Ok(_)) = stream.next().await {} });
    let (frames, mut to_send) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    tokio::spawn(async move {
        while let Some(frame) = to_send.recv().await {
            if sink.send(WsMessage::Binary(frame.into())).await.is_err() {
                return;
            }
        }
    });
    frames
}

/// The costliest change a resident may make: part of their own request's description taken out,
/// and a new request raised.
fn costliest(doc: &mut AutoCommit, me: &Author, first: &ItemId) {
    let tasks = doc.get(ROOT, "tasks").expect("readable").expect("tasks").1;
    let task = doc.get(&tasks, first.as_str()).expect("readable").expect("raised").1;
    let description = doc.get(&task, "description").expect("readable").expect("a description").1;
    doc.splice_text(&description, 0, TAKEN_OUT as isize, "").expect("a splice");
    let draft = TaskDraft { title: "Another lamp".into(), description: "y".repeat(RAISED), ..Default::default() };
    let id = me.new_item_id(me.session);
    Editor::new(doc, me).raise_request(&id, &sample::id(9, 0), &sample::id(8, 0), "c000000000000002", draft, Place::End).expect("a resident may raise a request");
}
