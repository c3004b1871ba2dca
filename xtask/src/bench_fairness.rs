//! One space under attack must not delay another: an honest space's sync latency on the real
//! relay (pinned to one core, its default limits), alone and while `linli-flood` floods another
//! space on the same relay with the costliest changes its take-part link allows. Five fresh relays
//! each way; the medians and the spread. `cargo xtask bench fairness` runs it alone.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::shell::{Step, root};

const RUNS: usize = 5;
/// The honest load: ten clients on two documents, two edits a second each, for 15 s.
const HONEST: [&str; 8] = ["--clients", "10", "--docs", "2", "--rate", "2", "--seconds", "15"];
/// The attack: eight new members of a 10,000-item space, four of the costliest changes a second each.
const ATTACK: [&str; 8] = ["--items", "10000", "--attackers", "8", "--rate", "4", "--seconds", "25"];

/// The p99s of each run, unattacked and attacked, in ms.
pub struct Fairness {
    alone: Vec<f64>,
    attacked: Vec<f64>,
    delivered: Vec<f64>,
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

fn spread(values: &[f64]) -> String {
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{low:.0}–{high:.0}")
}

impl Fairness {
    /// The goal's row: (goal, this run, met).
    pub fn goal(&self) -> (&'static str, String, bool) {
        // The worst run counts: a median that holds only when the costly changes fell outside
        // the measured stretch is luck.
        let (alone, worst) = (median(&self.alone), self.attacked.iter().copied().fold(f64::NAN, f64::max));
        (
            "An honest space's sync p99 while another space on the relay is flooded ≤ 2× unattacked (worst of 5 runs)",
            format!("{worst:.0} ms against {alone:.0} ms (median {:.0} ms)", median(&self.attacked)),
            worst <= 2.0 * alone.max(1.0),
        )
    }

    /// The section of BENCHMARKS.md.
    pub fn section(&self) -> String {
        let mut md = String::from(
            "\n## One space under attack, another's sync\n\n\
             The real relay (one core, its default limits) serves an honest load (`linli-loadgen`: ten\n\
             clients on two documents, two edits a second each, 15 s) alone, then while `linli-flood`\n\
             attacks another space of 10,000 items on it: eight new members of its take-part link, each\n\
             sending four a second of the costliest change a resident may send (4,911 operations, 2,491\n\
             of them on what stands: part of their own request's description taken out and a new request\n\
             raised, built on the space as it was when they joined). Latency: an edit made to seen by\n\
             each other client.\n\
             Five fresh relays each way.\n\n\
             | | p99, median of 5 | p99 spread | delivered |\n|---|---|---|---|\n",
        );
        let _ = writeln!(md, "| alone | {:.0} ms | {} ms | |", median(&self.alone), spread(&self.alone));
        let _ = writeln!(
            md,
            "| another space flooded | {:.0} ms | {} ms | {:.0}% (lowest run) |",
            median(&self.attacked),
            spread(&self.attacked),
            self.delivered.iter().copied().fold(100.0, f64::min)
        );
        md.push_str(
            "\nWhat holds it: a resident may send 30,000 operations a day and a take-part link 300,000\n\
             (`take_part_limits.rs`), checked before the rules judge, so what a link sends past its day\n\
             costs the relay next to nothing; and each document's share of the hub (`fair_share.rs`):\n\
             one that has used more than a quarter of the hub's time waits while the others go first.\n",
        );
        if !self.goal().2 {
            md.push_str(
                "\nWhy the p99 misses 2×: the hub does not interrupt a change it has begun. A member's day holds\n\
             six of the costliest changes, a link's sixty-one, each admitted in 30-47 ms (criterion, above),\n\
             so a link's whole day of them costs the relay about 3 s; an honest edit that arrives during\n\
             one waits for it, and during the burst that is more than one in a hundred. What would meet\n\
             it: admitting on threads of their own, one per group of documents, so that the system\n\
             preempts a long admission (a hub sharded by document).\n",
            );
        }
        md
    }
}

struct Relay {
    child: Child,
    url: String,
    data: std::path::PathBuf,
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

fn start_relay(run: usize) -> Result<Relay, String> {
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let data = std::env::temp_dir().join(format!("linli-bench-fairness-{}-{run}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let mut child = Command::new("taskset")
        .args(["-c", "1"])
        .arg(root().join("target/relay/linli-relay"))
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .arg("--data")
        .arg(&data)
        .env("LINLI_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("start the relay: {e}"))?;
    let mut out = BufReader::new(child.stdout.take().expect("piped"));
    let mut line = String::new();
    while !line.contains("listening on") {
        line.clear();
        if out.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
            return Err("the relay exited before listening".into());
        }
    }
    std::thread::spawn(move || for _ in out.lines() {});
    Ok(Relay { child, url: format!("ws://127.0.0.1:{port}"), data })
}

/// Runs the honest load against `url`; its p99 and the share of edits delivered (%).
fn honest(url: &str) -> Result<(f64, f64), String> {
    let output = Command::new("taskset").args(["-c", "0"]).arg(root().join("target/relay/linli-loadgen")).args(["--url", url]).args(HONEST).output().map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    if !output.status.success() {
        return Err(format!("the load generator failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    let field = |name: &str| text.split_whitespace().find_map(|kv| kv.strip_prefix(&format!("{name}=")).and_then(|v| v.parse::<f64>().ok()));
    let p99 = field("p99_ms").ok_or_else(|| format!("no p99 in: {text}"))?;
    Ok((p99, 100.0 * field("delivered").unwrap_or(0.0) / field("expected").unwrap_or(1.0).max(1.0)))
}

pub fn run() -> Result<Fairness, String> {
    println!("\n==> an honest space's sync while another is flooded ({RUNS} runs each way)");
    let mut result = Fairness { alone: Vec::new(), attacked: Vec::new(), delivered: Vec::new() };
    for run in 0..RUNS {
        let relay = start_relay(run)?;
        let (p99, _) = honest(&relay.url)?;
        println!("alone, run {}: p99 {p99:.0} ms", run + 1);
        result.alone.push(p99);
    }
    for run in 0..RUNS {
        let relay = start_relay(RUNS + run)?;
        let mut flood = Command::new("taskset")
            .args(["-c", "0"])
            .arg(root().join("target/relay/linli-flood"))
            .args(["--url", &relay.url])
            .args(ATTACK)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("start the flood: {e}"))?;
        let mut out = BufReader::new(flood.stdout.take().expect("piped"));
        let mut line = String::new();
        while !line.contains("flooding") {
            line.clear();
            if out.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
                return Err("the flood ended before it began".into());
            }
        }
        let measured = honest(&relay.url);
        let _ = flood.wait();
        let (p99, delivered) = measured?;
        println!("another space flooded, run {}: p99 {p99:.0} ms, {delivered:.0}% delivered", run + 1);
        result.attacked.push(p99);
        result.delivered.push(delivered);
    }
    Ok(result)
}

/// `cargo xtask bench fairness`: builds what it needs and prints its section and goal.
pub fn run_alone() -> Result<(), String> {
    Step::new("build the relay, the load generator and the flood (optimized)").run("cargo", &["build", "--profile", "relay", "-p", "linli-relay", "-p", "linli-loadgen"], &[])?;
    let fairness = run()?;
    let (goal, value, met) = fairness.goal();
    println!("{}\n{goal}: {value} ({})", fairness.section(), if met { "met" } else { "not met" });
    Ok(())
}
