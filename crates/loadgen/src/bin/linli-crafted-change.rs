//! `linli-crafted-change`: a peer that runs other code than Linli's app, for the end-to-end
//! tests of the take-part tier. It opens a space through a relay as a resident holding the
//! take-part link, then makes a change no resident may make (a new title for the space's first
//! notice), signs it properly with its member key and the take-part key, and sends it over the
//! wire, bypassing its own repo's checks.
//!
//! - By default it sends the change to the relay and prints `refused=<reason>` when the relay
//!   says it refused it (or `not-refused` after 10 s), then exits.
//! - With `--print-frames` it sends nothing and prints, as hex, the frames a hostile peer would
//!   send over a direct link instead: `peer=<hex>` (its answer to a `join`) and `sync=<hex>`.

use std::time::Duration;

use clap::Parser;
use linli_client::Client;
use linli_core::{Author, Editor, ItemId, MemberId, NoticeDraft, Space, SpaceDocument, Timestamp};
use linli_sync::automerge::sync::{Message as SyncMessage, MessageVersion};
use linli_sync::{DocumentId, MemberKey, Message, PeerMetadata, RepoEvent, TakePartKey, codec};

#[derive(Debug, Parser)]
struct Args {
    /// The relay, e.g. ws://127.0.0.1:8080
    #[arg(long)]
    url: String,
    /// The space's document ID.
    #[arg(long)]
    space: String,
    /// The take-part link's key (the text after `#part=`).
    #[arg(long)]
    take_part: String,
    /// Print the frames for a direct link instead of sending to the relay.
    #[arg(long)]
    print_frames: bool,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let space: DocumentId = args.space.parse().expect("a document ID");
    let take_part = TakePartKey::from_text(&args.take_part).expect("a take-part key");
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).expect("the operating system provides random bytes");
    let member = MemberKey::from_seed(seed);
    let name = format!("crafted-{}", hex(&seed[..4]));
    let client = Client::connect(&args.url, &name).await;
    client.hold_member_key(member.clone());
    client.hold_take_part_key(space, take_part.clone());
    client.find(space);
    let ready = client.until_within(Duration::from_secs(20), |s| s.repo.document(&space).is_some_and(|d| Space::hydrate(d).is_ok_and(|s| !s.notices.is_empty()))).await;
    assert!(ready, "the space, with a notice, did not arrive within 20 s");
    let mut doc = client.with(|s| s.repo.document(&space).expect("ready").clone());
    let notice = Space::hydrate(&doc).expect("a space").notices.keys().next().cloned().expect("a notice");
    let me = Author { member: MemberId::from_public_key(member.public()), session: [7; 8], now: Timestamp(1_800_000_000_000) };
    let draft = NoticeDraft::new("Crafted title", "A resident may not write this.");
    Editor::new(&mut doc, &me).edit_notice(&ItemId::parse(&notice).expect("an item ID"), draft).expect("made on a copy");
    let change = doc.get_last_local_change().expect("just made");
    let signature = member.sign(change.hash(), Some(&take_part.signer()));
    let data =
        SyncMessage { heads: vec![change.hash()], need: Vec::new(), have: Vec::new(), changes: vec![change.raw_bytes().to_vec()].into(), flags: None, version: MessageVersion::V1 }
            .encode();
    if args.print_frames {
        let peer = Message::Peer { sender_id: "crafted-peer".into(), target_id: "linli".into(), peer_metadata: PeerMetadata::default(), selected_protocol_version: "1".into() };
        let sync = Message::Sync {
            sender_id: "crafted-peer".into(),
            target_id: "linli".into(),
            document_id: space,
            data,
            signatures: Vec::new(),
            member_signatures: vec![signature],
            receipts: Vec::new(),
        };
        println!("peer={}", hex(&codec::encode(&peer)));
        println!("sync={}", hex(&codec::encode(&sync)));
        return;
    }
    let sync = Message::Sync {
        sender_id: name.clone(),
        target_id: "relay".into(),
        document_id: space,
        data,
        signatures: Vec::new(),
        member_signatures: vec![signature],
        receipts: Vec::new(),
    };
    client.send_raw(codec::encode(&sync));
    let refused = |s: &linli_client::State| s.events.iter().find_map(|e| if let RepoEvent::RefusedByPeer { reason, .. } = e { Some(reason.clone()) } else { None });
    if client.until_within(Duration::from_secs(10), |s| refused(s).is_some()).await {
        println!("refused={}", client.with(refused).unwrap_or_default());
    } else {
        println!("not-refused");
    }
}
