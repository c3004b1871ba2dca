//! `linli-seed-space`: puts a sample space of many items on a relay, for the browser benchmarks,
//! then makes one remote change each time a line `edit <n>` arrives on stdin (notice number `n`
//! gets a new title).
//!
//! Prints `space=<id> pledge=<id> part=<key>` once the relay has acknowledged the whole space
//! (its first pledge, and the take-part key a poster of it would carry), and `edited=<n>` once it
//! has acknowledged each edit. The space is protected, as the app makes them: this tool holds its
//! write key, so the browser reads it through a view or take-part link.

use std::time::Duration;

use clap::Parser;
use linli_client::Client;
use linli_core::{Editor, Notice, NoticeDraft, read_item};
use linli_sync::capability::protect;
use linli_sync::take_part_key::set_take_part_key;
use linli_sync::{DocumentId, TakePartKey, WriteKey};
use tokio::io::{AsyncBufReadExt, BufReader};

#[path = "../../../core/benches/support/mod.rs"]
mod sample;

#[derive(Debug, Parser)]
struct Args {
    /// The relay, e.g. ws://127.0.0.1:8080
    #[arg(long)]
    url: String,
    /// Items in the space (40% notices, 10% pledges with 5 signatures, 50% tasks), at most 20,000.
    #[arg(long, default_value_t = 10_000)]
    items: u32,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let items = args.items.min(20_000);
    let key = WriteKey::from_seed([5; 32]);
    let id = DocumentId::new_random([u8::try_from(items % 251).unwrap_or(0); 16]);
    let take_part = TakePartKey::from_seed([6; 32]);
    let mut doc = sample::sample_space_with(items, |doc| {
        protect(doc, key.public());
        set_take_part_key(doc, &take_part, &key);
    });
    doc.commit();
    let client = Client::connect(&args.url, "seed-space").await;
    client.hold_write_key(id, key);
    client.create(id, doc);
    assert!(client.acknowledged_within(id, Duration::from_secs(60)).await, "the relay took the space within 60 s");
    println!("space={id} pledge={} part={}", sample::id(2, 0), take_part.to_text());

    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    let mut edits = 0u32;
    while let Ok(Some(line)) = stdin.next_line().await {
        let Some(n) = line.trim().strip_prefix("edit ").and_then(|n| n.parse::<u32>().ok()) else { continue };
        edits += 1;
        let notice = sample::id(1, n);
        let author = sample::author(40, 1_700_000_500_000 + i64::from(edits));
        client.change(id, |doc| {
            let current: Notice = read_item(doc, "notices", notice.as_str()).unwrap().unwrap();
            let draft = NoticeDraft { title: format!("Notice {n}, changed by a neighbour ({edits})"), ..NoticeDraft::of(&current) };
            Editor::new(doc, &author).edit_notice(&notice, draft).unwrap();
        });
        assert!(client.acknowledged_within(id, Duration::from_secs(60)).await, "the relay took the edit within 60 s");
        println!("edited={edits}");
    }
}
