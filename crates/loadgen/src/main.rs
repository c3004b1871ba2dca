//! `linli-loadgen`: clients × documents × edit rate against one sync server (Linli's relay or any
//! automerge-repo sync server), bounded in count and time, on 127.0.0.1. Prints one line of
//! results (`key=value` pairs) for `cargo xtask bench` to collect.
//!
//! Every client edits its document at the given rate, writing the current time under its own key;
//! every other client on that document measures how long the edit took to reach it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Parser;
use linli_client::{ChangeHook, Client};
use linli_sync::DocumentId;
use linli_sync::automerge::transaction::Transactable;
use linli_sync::automerge::{AutoCommit, ROOT, ReadDoc, ScalarValue, Value};
use tokio::time::Instant;

#[derive(Debug, Parser)]
struct Args {
    /// The server, e.g. ws://127.0.0.1:8080
    #[arg(long)]
    url: String,
    /// Clients editing (each on one document; documents are shared round-robin).
    #[arg(long, default_value_t = 20)]
    clients: usize,
    #[arg(long, default_value_t = 5)]
    docs: usize,
    /// Edits per second per client.
    #[arg(long, default_value_t = 5.0)]
    rate: f64,
    /// Seconds of editing (at most 60).
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Instead of editing: open this many idle connections and hold them for `seconds`.
    #[arg(long)]
    idle: Option<usize>,
}

/// Latencies (ms) of edits seen by other clients, shared by every client's change hook.
type Samples = Arc<Mutex<Vec<u32>>>;

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let seconds = args.seconds.min(60);
    if let Some(idle) = args.idle {
        hold_idle(&args.url, idle.min(5_000), seconds).await;
        return;
    }
    let epoch = Instant::now();
    let now_ms = move || epoch.elapsed().as_millis() as i64;

    // Seed the documents through the server.
    let seeder = Client::connect(&args.url, "loadgen-seeder").await;
    let docs: Vec<DocumentId> = (0..args.docs.max(1))
        .map(|n| {
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&(n as u64 + 1).to_le_bytes());
            bytes[8..].copy_from_slice(&(epoch.elapsed().as_nanos() as u64).to_le_bytes());
            DocumentId::new_random(bytes)
        })
        .collect();
    for id in &docs {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "seed", true).unwrap();
        doc.commit();
        seeder.create(*id, doc);
    }
    let acknowledged = seeder.until_within(Duration::from_secs(30), |s| docs.iter().all(|id| s.relay_heads.get(id).is_some_and(|h| !h.is_empty()))).await;
    assert!(acknowledged, "the server took the seed documents");

    // Every client opens its document and measures edits made by the others.
    let samples: Samples = Arc::new(Mutex::new(Vec::new()));
    let mut clients = Vec::new();
    for c in 0..args.clients {
        let id = docs[c % docs.len()];
        let me = format!("c{c}");
        let seen = Arc::new(Mutex::new(std::collections::HashMap::<String, i64>::new()));
        let sink = samples.clone();
        let hook: ChangeHook = Box::new(move |_, doc| {
            let now = now_ms();
            let mut seen = seen.lock().unwrap();
            for key in doc.keys(ROOT) {
                if !key.starts_with('c') || key == me {
                    continue;
                }
                if let Ok(Some((Value::Scalar(s), _))) = doc.get(ROOT, key.as_str())
                    && let ScalarValue::Int(at) = s.as_ref()
                    && seen.get(&key) != Some(at)
                {
                    seen.insert(key.clone(), *at);
                    sink.lock().unwrap().push((now - at).max(0) as u32);
                }
            }
        });
        let client = Client::connect_with(&args.url, &format!("loadgen-{c}"), false, Some(hook)).await.expect("client connects");
        client.find(id);
        clients.push((client, id));
    }
    for (client, id) in &clients {
        assert!(client.until_within(Duration::from_secs(30), |s| s.repo.document(id).is_some_and(|d| d.get(ROOT, "seed").ok().flatten().is_some())).await);
    }
    samples.lock().unwrap().clear();

    // Edit at the rate for the duration; each client on its own timer.
    let made = Arc::new(Mutex::new(0u64));
    let clients = Arc::new(clients);
    let mut tasks = Vec::new();
    let period = Duration::from_secs_f64(1.0 / args.rate.max(0.01));
    let end = Instant::now() + Duration::from_secs(seconds);
    for c in 0..clients.len() {
        let (clients, made) = (clients.clone(), made.clone());
        tasks.push(tokio::spawn(async move {
            let (client, id) = &clients[c];
            let key = format!("c{c}");
            // Spread the clients' first edits over one period.
            tokio::time::sleep(period.mul_f64(c as f64 / clients.len() as f64)).await;
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            while Instant::now() < end {
                tick.tick().await;
                let at = now_ms();
                client.change(*id, |doc| {
                    doc.put(ROOT, key.as_str(), at).unwrap();
                });
                *made.lock().unwrap() += 1;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    // Let the last edits arrive.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let made = *made.lock().unwrap();
    let mut latencies = samples.lock().unwrap().clone();
    latencies.sort_unstable();
    let receivers_per_doc = (args.clients as f64 / docs.len() as f64 - 1.0).max(0.0);
    let expected = made as f64 * receivers_per_doc;
    let pct = |p: f64| latencies.get(((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1)).copied().unwrap_or(0);
    println!(
        "offered={:.1} made={} delivered={} expected={:.0} throughput={:.1} p50_ms={} p99_ms={} max_ms={}",
        args.clients as f64 * args.rate,
        made,
        latencies.len(),
        expected,
        latencies.len() as f64 / seconds as f64,
        pct(0.50),
        pct(0.99),
        latencies.last().copied().unwrap_or(0),
    );
}

/// Opens `count` connections that only complete the handshake, says so, and holds them.
async fn hold_idle(url: &str, count: usize, seconds: u64) {
    let mut held = Vec::with_capacity(count);
    for n in 0..count {
        match Client::connect_with(url, &format!("idle-{n}"), false, None).await {
            Ok(client) => held.push(client),
            Err(error) => {
                eprintln!("idle connection {n} failed: {error}");
                break;
            }
        }
    }
    println!("idle={}", held.len());
    tokio::time::sleep(Duration::from_secs(seconds)).await;
}
