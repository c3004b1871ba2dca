//! `cargo xtask bench`: runs the benchmarks and writes BENCHMARKS.md with the machine it ran on.
//!
//! Sections: the goals at a glance; first-visit bytes; first visits on a slow phone (slow 4G and
//! 4× CPU), loads in headless Chromium with 4× CPU throttling and a space of 10,000 items in the
//! browser (`tests/e2e/bench/browser.mjs`); the
//! space document (criterion, native); offline merge over the real sync protocol
//! (`crates/core/benches/offline_merge.rs`); and Linli's relay against the npm automerge-repo sync
//! server under the same load (each server pinned to one core, the load generator on the other),
//! plus memory per idle connection. Everything runs on 127.0.0.1 and is bounded in count and time.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::shell::{Step, captured, output_of, root};

/// Clients and documents of the relay comparison (four clients share each document).
const CLIENTS: usize = 40;
const DOCS: usize = 10;
/// Edits per second per client, step by step.
const RATES: [f64; 7] = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0];
const SECONDS_PER_STEP: u64 = 8;
const IDLE_CONNECTIONS: usize = 1_000;
/// The latency goal a step must meet to count as sustained.
const P99_GOAL_MS: u64 = 50;

/// What the page's wasm is made of and what would reach the goal (from a profile of an
/// unstripped release build; refresh it when the bundle changes much).
const FIRST_VISIT_PROFILE: &str = "
The page's wasm holds no Automerge (the engine runs in its Web Worker, whose wasm is fetched once
the page draws), and it is cut at its screens (`xtask/src/split_page.rs`, Leptos `#[lazy]`): the
first module (`linli-<hash>_bg.wasm`) holds the home screen, a space's frame and tabs, and what the
screens share; the residents' screens (`split_residents_*`: overview, notices, pledges, requests,
consultations), the organisers' (`split_organisers_*`), the kiosk's and device linking's come as
chunks, with the code two of them share in `chunk_*` files, fetched when such a screen is first
shown and kept by the service worker from the first visit on. Cutting adds some 20% to the page's
bytes in all (each chunk repeats its types and imports), and takes half off what the first screen
waits for. What the first module's code is made of (function bodies, attributed by crate): generic
`core`/`alloc` code instantiated by everything 23%; Leptos 21% (reactive_graph 8%, tachys 6%,
leptos_router 3%); the messages to and from the engine (bincode, linli-view, linli-model) 8%; the
browser bindings (js-sys, web-sys) 7%; the app's own code 7%. Markdown (pulldown-cmark) is no longer
in it: only screens in chunks draw it. wasm-opt -Oz (npm binaryen 132) took 12% off the raw page
wasm but nothing off its brotli size before the cut (and adds 1% to the engine's), so it stays off.
";

pub fn run() -> Result<(), String> {
    crate::setup::npm_packages()?;
    crate::setup::toolchain()?;
    crate::build_site()?;
    let first_visit = crate::bundle_size::measure(&root().join("dist"))?;
    Step::new("build the relay and the load generator (optimized)").run("cargo", &["build", "--profile", "relay", "-p", "linli-relay", "-p", "linli-loadgen"], &[])?;
    Step::new("benchmark the space document (criterion)").run("cargo", &["bench", "-p", "linli-core", "--bench", "space"], &[])?;
    Step::new("benchmark admitting a change (criterion)").run("cargo", &["bench", "-p", "linli-core", "--features", "sync", "--bench", "admission"], &[])?;
    let space = space_table()?;
    let memory = captured(&root(), "cargo", &["bench", "-p", "linli-core", "--bench", "memory"], &[])?;
    let memory: String = memory.lines().filter(|l| l.starts_with('|')).map(|l| format!("{l}\n")).collect();
    let linked = captured(&root(), "cargo", &["bench", "-p", "linli-core", "--bench", "linked_overview"], &[])?;
    let linked: String = linked.lines().filter(|l| l.starts_with('|')).map(|l| format!("{l}\n")).collect();
    let linked_wasm = in_wasm("linked_overview")?;
    let private = captured(&root(), "cargo", &["bench", "-p", "linli-core", "--bench", "private_requests"], &[])?;
    let private: String = private.lines().filter(|l| l.starts_with('|')).map(|l| format!("{l}\n")).collect();
    let private_wasm = in_wasm("private_requests")?;
    let admit_resident = criterion_mean("admitting one change, space of 10,000 items/a resident's change (take-part link): signatures, rules, apply, store, answer");
    // The goal is met by the worse of the two: on a fresh request, and beside a dozen such changes.
    let admit_costliest =
        criterion_mean("admitting one change, space of 10,000 items/the costliest change a resident may send (4,911 operations, 2,491 on what stands, one head behind)")
            .max(criterion_mean("admitting one change, space of 10,000 items/the costliest change a resident may send, beside a dozen made at once"));
    println!("\n==> offline merge");
    let merge = offline_merge_table()?;
    let relay = root().join("target/relay/linli-relay");
    let loadgen = root().join("target/relay/linli-loadgen");
    println!("\n==> the browser: first visits on slow 4G, loads with 4× CPU throttling, a space of 10,000 items");
    let (dist, seed) = (root().join("dist"), root().join("target/relay/linli-seed-space"));
    let browser = captured(
        &root().join("tests/e2e"),
        "node",
        &["bench/browser.mjs"],
        &[("LINLI_RELAY_BIN", &relay.to_string_lossy()), ("LINLI_SITE_DIR", &dist.to_string_lossy()), ("LINLI_SEED_BIN", &seed.to_string_lossy())],
    )?;
    let section = |name: &str| browser.split(&format!("<!-- {name} -->")).nth(1).map(|s| s.split("<!--").next().unwrap_or("").trim().to_owned()).unwrap_or_default();
    let browser_number = |key: &str| json_number_after(&browser, "<!-- numbers", &format!("\"{key}\"")).unwrap_or(f64::NAN);
    let npm = root().join("tests/e2e/node_modules/@automerge/automerge-repo-sync-server/src/index.js");

    println!("\n==> relay comparison: {CLIENTS} clients on {DOCS} documents, {SECONDS_PER_STEP} s per step");
    let linli = ladder(&Server::Linli(relay.clone()), &loadgen)?;
    let javascript = ladder(&Server::Npm(npm.clone()), &loadgen)?;
    let linli_idle = idle_memory(&Server::Linli(relay), &loadgen)?;
    let relay_memory = crate::bench_relay_memory::run()?;
    let fairness = crate::bench_fairness::run()?;
    let npm_idle = idle_memory(&Server::Npm(npm), &loadgen)?;

    let mut md = String::new();
    let _ = writeln!(md, "# Benchmarks\n");
    let _ = writeln!(md, "Regenerate with `cargo xtask bench` (about 40 minutes on 2 cores). Last run: {}.\n", today());
    let _ = writeln!(md, "## Machine\n\n{}\n", machine());
    let best = |steps: &[StepResult]| steps.iter().filter(|s| s.sustained()).map(|s| s.throughput).fold(0.0, f64::max);
    let idle_per = |(before, after): (u64, u64)| after.saturating_sub(before) as f64 / IDLE_CONNECTIONS as f64;
    let village = merge.lines().find(|l| l.starts_with("| 200 |")).unwrap_or("");
    let cell = |n: usize| village.split('|').nth(n + 1).map(|c| c.trim().trim_end_matches(" ms").parse::<f64>().unwrap_or(f64::NAN)).unwrap_or(f64::NAN);
    let n = browser_number;
    let per_item = n("memory_per_item");
    let goals = [
        ("Cold first visit, slow 4G + 4× CPU: home screen takes input ≤ 3 s", format!("{:.0} ms", n("first_home")), n("first_home") <= 3000.0),
        ("Cold first visit, slow 4G + 4× CPU: a pledge from its poster's QR shows its text ≤ 4 s", format!("{:.0} ms", n("first_pledge")), n("first_pledge") <= 4000.0),
        ("Bytes transferred before that first screen ≤ 400 KB", format!("{:.0} KB", n("first_home_bytes") / 1000.0), n("first_home_bytes") <= 400_000.0),
        ("Something readable within the first round trips: first contentful paint ≤ 1 s, slow 4G", format!("{:.0} ms", n("first_fcp")), n("first_fcp") <= 1000.0),
        ("Space shown ≤ 1 s, warm load, 4× CPU throttling", format!("{:.0} ms", n("warm_content")), n("warm_content") <= 1000.0),
        ("Interactive ≤ 2.5 s, cold load, 4× CPU throttling", format!("{:.0} ms", n("cold_handled")), n("cold_handled") <= 2500.0),
        ("A 10,000-item space shown from the device's copy ≤ 300 ms", format!("{:.0} ms", n("large_open")), n("large_open") <= 300.0),
        ("One remote change ≤ 16 ms of main-thread work (10,000 items, a long list open)", format!("{:.0} ms", n("large_remote")), n("large_remote") <= 16.0),
        ("Memory per item, the page and its worker together ≤ 2 KB", format!("{:.1} KB", per_item / 1000.0), per_item <= 2000.0),
        ("Offline merge of 1,000 + 1,000 edits ≤ 150 ms (village space of 200 items)", format!("{:.0} ms", cell(8)), cell(8) <= 150.0),
        ("Offline merge ≤ 6 round trips", format!("{:.0}", cell(6)), cell(6) <= 6.0),
        ("Admitting one resident's change ≤ 5 ms (10,000 items, native)", human_time(admit_resident), admit_resident <= 5e6),
        ("Admitting the costliest change a resident may send, one head behind, ≤ 50 ms (10,000 items, native)", human_time(admit_costliest), admit_costliest <= 50e6),
        ("Relay ≥ 20× the npm server's throughput at p99 ≤ 50 ms", ratio(best(&linli), best(&javascript)), best(&linli) >= 20.0 * best(&javascript)),
        ("≤ 32 KB per idle relay connection", format!("{:.1} KiB", idle_per(linli_idle)), idle_per(linli_idle) * 1024.0 <= 32_000.0),
    ];
    let goals = goals.into_iter().chain(relay_memory.goals()).chain([fairness.goal()]);
    let _ = writeln!(md, "## Goals\n\n| goal | this run | met |\n|---|---:|---|");
    for (goal, value, met) in goals {
        let _ = writeln!(md, "| {goal} | {value} | {} |", if met { "yes" } else { "**no**" });
    }
    md.push_str(GOALS_MISSED);
    let _ = writeln!(md, "## First visit\n");
    let _ = writeln!(md, "Every file of the release build (`dist/`), raw and compressed as the relay sends it (brotli to");
    let _ = writeln!(md, "browsers that accept it). The first screen needs every file but the engine worker's (`linli-engine*`,");
    let _ = writeln!(md, "fetched once the page draws) and the page's lazily loaded screens (`split_*`, `chunk_*`, fetched");
    let _ = writeln!(
        md,
        "when such a screen is first shown): {} KB brotli. `cargo xtask test` fails above the budget in",
        crate::bundle_size::first_screen(&first_visit).brotli / 1000
    );
    let _ = writeln!(md, "`xtask/first-visit-budget`.\n");
    md.push_str(&crate::bundle_size::table(&first_visit));
    md.push_str(FIRST_VISIT_PROFILE);
    let _ = writeln!(md, "## First visit on a village phone\n");
    let _ = writeln!(md, "Lighthouse's \"slow 4G\" made real: every byte between the browser and the relay goes through a");
    let _ = writeln!(md, "shaping proxy (1.6 Mbps down, 750 kbps up, 150 ms round trip, shared by all connections:");
    let _ = writeln!(md, "`tests/e2e/bench/slow_link.mjs`; DevTools' own throttling would miss the engine worker's");
    let _ = writeln!(md, "downloads), CPU throttled 4×, a phone's viewport, a fresh profile each run, median of 3. The");
    let _ = writeln!(md, "home screen takes input when its field for a new space is there; the pledge is the first of");
    let _ = writeln!(md, "a 200-item space, opened from the take-part link its poster carries, shown when its title and");
    let _ = writeln!(md, "text are. Bytes: the page's own resource timing (`transferSize`) up to that moment.\n");
    let _ = writeln!(md, "{}\n", section("first"));
    let _ = writeln!(md, "## Load in a real browser\n");
    let _ = writeln!(md, "Headless Chromium through the DevTools protocol, CPU throttled 4× (`Emulation.setCPUThrottlingRate`;");
    let _ = writeln!(md, "the network is 127.0.0.1, not throttled), the release site served by the relay; a space of 200 items.");
    let _ = writeln!(md, "Times from navigation start, median of 3. The first interaction: a click on the Notices tab made");
    let _ = writeln!(md, "as soon as the tab exists, handled when the route has changed. `tests/e2e/bench/browser.mjs`.\n");
    let _ = writeln!(md, "{}\n", section("load"));
    let _ = writeln!(md, "## A space of 10,000 items in the browser\n");
    let _ = writeln!(md, "4,000 notices, 1,000 pledges with 5 signatures each, 5,000 tasks on one board, seeded on the relay");
    let _ = writeln!(md, "by `linli-seed-space`, which also makes the remote changes. Open: navigation start to the space");
    let _ = writeln!(md, "shown from the device's copy. Main-thread work: DevTools `TaskDuration` of the page (the engine's");
    let _ = writeln!(md, "worker has a thread of its own) from sending the change until it is on screen and the page is");
    let _ = writeln!(md, "quiet. Memory: the page's and the engine worker's wasm and JavaScript heaps, the worker's read");
    let _ = writeln!(md, "through DevTools once the engine has the space.\n");
    let _ = writeln!(md, "{}\n", section("large"));
    md.push_str(LARGE_SPACE_PROFILE);
    let _ = writeln!(md, "What a space costs in memory in the engine, natively (resident memory, each size in a fresh process;");
    let _ = writeln!(md, "`crates/core/benches/memory.rs`):\n");
    md.push_str(&memory);
    md.push('\n');
    let _ = writeln!(md, "## A street's overview of its linked communities\n");
    let _ = writeln!(md, "50 communities linked under one street, each link document holding the digest of a 2,000-item");
    let _ = writeln!(md, "sample space and 10 escalations (`crates/core/benches/linked_overview.rs`, median of 7). Open: the");
    let _ = writeln!(md, "50 saved link documents loaded and read, the overview's lines and escalations made. A change: one");
    let _ = writeln!(md, "community's digest changes in one request; the worker applies and reads its link, the page decodes");
    let _ = writeln!(md, "it and makes the overview again. First as the browser runs it: the same code built for wasm with");
    let _ = writeln!(md, "the site's size-first release profile, run in V8 (Node, `tests/e2e/bench/wasi.mjs`), no throttling:\n");
    md.push_str(&linked_wasm);
    md.push('\n');
    let _ = writeln!(md, "Natively (release, built for speed):\n");
    md.push_str(&linked);
    md.push('\n');
    let _ = writeln!(md, "## Private requests\n");
    let _ = writeln!(md, "A space with one team and 1,000 requests raised by one resident (a 25-character title, a");
    let _ = writeln!(md, "34-character description), all private or all in clear (`crates/core/benches/private_requests.rs`,");
    let _ = writeln!(md, "median of 9 runs). Opening from storage is what the engine worker does when a team member opens");
    let _ = writeln!(md, "the space: the saved bytes loaded, the space read, every private request opened. As the browser's");
    let _ = writeln!(md, "engine worker runs it (wasm, the site's release profile, V8 in Node, no throttling):\n");
    md.push_str(&private_wasm);
    md.push('\n');
    let _ = writeln!(md, "Natively (release, built for speed):\n");
    md.push_str(&private);
    md.push('\n');
    let _ = writeln!(md, "## Offline merge\n");
    let _ = writeln!(md, "Two devices that share a space each make 1,000 edits apart, then meet over one link: Linli's repo");
    let _ = writeln!(md, "on both sides with the space's rules, signed changes of a protected space, storage writes included,");
    let _ = writeln!(md, "native. Two organisers (edit link and member key) make, in turn, a new notice, an edited notice, a");
    let _ = writeln!(md, "claimed task and a signed pledge; two residents (take-part link and member key) comment, sign and");
    let _ = writeln!(md, "withdraw. One change each. Signatures sent counts write-key and member signatures together.");
    let _ = writeln!(
        md,
        "A round trip is a message there and the answer back; time is the median of 5 runs in each of 3
processes (the row of the median process)."
    );
    let _ = writeln!(md, "`crates/core/benches/offline_merge.rs`.\n");
    md.push_str(&merge);
    md.push_str(MERGE_PROFILE);
    let _ = writeln!(md, "## The space document (native, criterion)\n");
    let _ = writeln!(md, "A space of 10,000 items (4,000 notices, 1,000 pledges with 5 signatures each, 5,000 tasks");
    let _ = writeln!(md, "of which 500 are residents' requests); `crates/core/benches/space.rs`. Mean of 10 samples.\n");
    md.push_str(&space);
    let _ = writeln!(md, "\n## Linli's relay against the npm automerge-repo sync server\n");
    let _ = writeln!(md, "Same workload, same run: {CLIENTS} clients, {DOCS} documents (4 clients each), every client");
    let _ = writeln!(md, "editing its document at the rate shown; every edit is measured at the 3 other clients of");
    let _ = writeln!(md, "its document. Each server runs pinned to one core (`taskset -c 1`), the load generator");
    let _ = writeln!(md, "(`crates/loadgen`) on the other. Throughput counts edits delivered per second; CPU is the");
    let _ = writeln!(md, "server's share of its core; memory is its resident set after the step. ⚠ marks steps where");
    let _ = writeln!(md, "the load generator, on its one core, could not make the offered edits: from there on the");
    let _ = writeln!(md, "latency is the load generator's own queue, not the server's.\n");
    md.push_str(&ladder_table("Linli relay", &linli));
    md.push('\n');
    md.push_str(&ladder_table("npm automerge-repo-sync-server 0.2.8", &javascript));
    let (linli_best, npm_best) = (best(&linli), best(&javascript));
    let _ = writeln!(md, "\nHighest throughput with p99 ≤ {P99_GOAL_MS} ms and at least 95% of edits delivered:");
    let _ = writeln!(md, "Linli {linli_best:.0} deliveries/s, npm server {npm_best:.0} deliveries/s, ratio {}.\n", ratio(linli_best, npm_best));
    let per = |steps: &[StepResult]| steps.iter().filter(|s| s.sustained()).map(|s| 10.0 * s.cpu / s.throughput.max(1.0)).fold(f64::MAX, f64::min);
    let _ = writeln!(md, "Server CPU per delivered edit at the best sustained step: Linli {:.2} ms, npm server {:.2} ms.\n", per(&linli), per(&javascript));
    md.push_str(LIMITS);
    let _ = writeln!(md, "## Memory per idle connection\n");
    let _ = writeln!(md, "{IDLE_CONNECTIONS} connections that completed the handshake and stay open; resident memory of the");
    let _ = writeln!(md, "server before and after.\n");
    let _ = writeln!(md, "| server | before | after | per connection |\n|---|---|---|---|");
    for (name, (before, after)) in [("Linli relay", linli_idle), ("npm sync server", npm_idle)] {
        let per = (after.saturating_sub(before)) as f64 / IDLE_CONNECTIONS as f64;
        let _ = writeln!(md, "| {name} | {} KiB | {} KiB | {per:.1} KiB |", before, after);
    }
    md.push_str(&relay_memory.section());
    md.push_str(&fairness.section());
    std::fs::write(root().join("BENCHMARKS.md"), md).map_err(|e| e.to_string())?;
    println!("\nWrote BENCHMARKS.md");
    Ok(())
}

/// Where the goals are missed, in a word each (details in each section).
const GOALS_MISSED: &str = "
Where a goal is missed, its section says what costs what and the change that would meet it.

";

/// What a 10,000-item space costs in the browser and what would meet the goals (from the native
/// figures below and the browser runs; refresh when the design changes).
const LARGE_SPACE_PROFILE: &str = "What costs what. **Open** draws the view the engine kept of the last visit (decoded from the
page's IndexedDB) while the engine loads the document in its worker; the engine's own view replaces
it when it comes. **One remote change** reaches the page as the changed notice alone (the engine
applies the change, reads its patches and sends the item); the page re-derives the visible rows and
re-draws only the row that changed (a keyed list). **Memory**: the page holds the space as drawn
(0.5 KB per item, and the buffers of the view it was sent); the worker holds the Automerge document,
which is most of it: natively, Automerge 0.12 keeps about 4 KB per item of this space in memory once
loaded and peaks near 7 KB per item while loading it (table below), and a wasm heap keeps its peak.
The 2 KB goal cannot be met while the whole document with its history is loaded into Automerge;
what would meet it is keeping a very large space in several documents (last year's items archived to
a document of their own, loaded only when asked for).

";

/// What an offline merge costs (from timing its steps; refresh when the sync changes).
const MERGE_PROFILE: &str = "
Three round trips, whatever the size. What the time is made of (the receiving side, timed step by
step on the 200-item space): Automerge loads the 1,000 changes it is sent as one document chunk
(about 45 ms), they are listed to be checked (about 11 ms), and stored. Checking signatures used to
be 1,000 Ed25519 verifications per side (48 ms) and 96 bytes per change on the wire (307 KB for
this merge); a signature now vouches for its change's ancestors, so a message carries one
signature per head and the merge moves 52 KB (docs/capabilities.md). What grows with the space is
Automerge applying changes into its columnar op store: the 10,000-item row misses 150 ms for that
reason (see also the criterion `offline merge` row, Automerge's merge alone). The change that would
meet it there is in Automerge (batched insertion into the op columns), or keeping a very large
space in several documents (e.g. last year's items archived to a document of their own).

";

/// What the numbers mean and what bounds them (from profiling; see the closing notes of the
/// relay work for the profile).
const LIMITS: &str = "What limits these numbers: one core of this two-core machine runs the load generator, whose
40 clients do the same Automerge work as the server (every edit is generated, sent, applied and
answered), so from about 20 edits/s per client the load generator, not Linli's relay, sets the
pace (⚠). A profile of the relay under load (`perf record`) puts most of its time in Automerge's
sync itself (`ChangeGraph::remove_ancestors`, clock calculation, B-tree inserts); Linli's relay
stores each document and answers its peers once per batch of messages, which is why its cost per
delivery falls as load grows while the npm server's rises. A faster comparison needs the load on
more cores than this machine has.

";

/// The offline merge table: the bench run in 3 processes (its times differ from one process to
/// the next by up to 2×, while runs inside one process agree), each row the one with the median time.
fn offline_merge_table() -> Result<String, String> {
    let mut runs: Vec<Vec<String>> = Vec::new();
    for _ in 0..3 {
        let out = captured(&root(), "cargo", &["bench", "-p", "linli-core", "--features", "sync", "--bench", "offline_merge"], &[])?;
        runs.push(out.lines().filter(|l| l.starts_with('|')).map(str::to_owned).collect());
    }
    let time = |row: &str| row.trim_end_matches([' ', '|']).rsplit('|').next().and_then(|c| c.trim().trim_end_matches(" ms").parse::<u64>().ok()).unwrap_or(0);
    let mut table = String::new();
    for (n, line) in runs[0].iter().enumerate() {
        let mut rows: Vec<&String> = runs.iter().filter_map(|r| r.get(n)).collect();
        if n >= 2 {
            rows.sort_by_key(|row| time(row));
        }
        let _ = writeln!(table, "{}", rows.get(rows.len() / 2).copied().unwrap_or(line));
    }
    Ok(table)
}

fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 { format!("{:.1}×", a / b) } else { "n/a (the npm server sustained no step)".into() }
}

/// One server under test.
enum Server {
    Linli(PathBuf),
    Npm(PathBuf),
}

struct Running {
    child: Child,
    url: String,
    _data: TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary folder removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("linli-bench-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temporary folder");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl Server {
    fn name(&self) -> &'static str {
        match self {
            Server::Linli(_) => "linli",
            Server::Npm(_) => "npm",
        }
    }

    /// Starts the server on core 1 and waits until it listens.
    fn start(&self) -> Result<Running, String> {
        let port = free_port();
        let data = TempDir::new(self.name());
        let mut command = Command::new("taskset");
        command.arg("-c").arg("1");
        match self {
            Server::Linli(binary) => {
                command.arg(binary).args(["--listen", &format!("127.0.0.1:{port}"), "--rate", "100000", "--max-connections", "10000"]);
                command.arg("--data").arg(&data.0).env("LINLI_LOG", "error");
            }
            Server::Npm(script) => {
                command.arg("node").arg(script).env("PORT", port.to_string()).env("DATA_DIR", &data.0);
            }
        }
        let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().map_err(|e| format!("start {}: {e}", self.name()))?;
        let mut line = String::new();
        let mut out = BufReader::new(child.stdout.take().expect("piped"));
        while !(line.contains("listening on") || line.contains("Listening on port")) {
            line.clear();
            if out.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
                return Err(format!("{} exited before listening", self.name()));
            }
        }
        // Keep draining its output so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in out.lines() {});
        Ok(Running { child, url: format!("ws://127.0.0.1:{port}"), _data: data })
    }
}

/// CPU seconds (user + system) and resident memory (KiB) of a process, from /proc.
fn usage(pid: u32) -> (f64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks: f64 = fields.get(11).and_then(|u| u.parse::<f64>().ok()).unwrap_or(0.0) + fields.get(12).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
    let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:").and_then(|v| v.split_whitespace().next()?.parse().ok()))
        .unwrap_or(0);
    (ticks / 100.0, rss)
}

struct StepResult {
    rate: f64,
    offered: f64,
    made: f64,
    throughput: f64,
    delivered: f64,
    expected: f64,
    p50: u64,
    p99: u64,
    cpu: f64,
    rss: u64,
}

impl StepResult {
    fn sustained(&self) -> bool {
        self.p99 <= P99_GOAL_MS && self.delivered >= 0.95 * self.expected
    }
}

/// Runs the load ladder against a fresh server until it saturates.
fn ladder(server: &Server, loadgen: &Path) -> Result<Vec<StepResult>, String> {
    let running = server.start()?;
    let pid = running.child.id();
    let mut steps = Vec::new();
    for rate in RATES {
        let (cpu_before, _) = usage(pid);
        #[allow(clippy::disallowed_methods, reason = "xtask runs natively")]
        let started = Instant::now();
        let output = Command::new("taskset")
            .args(["-c", "0"])
            .arg(loadgen)
            .args(["--url", &running.url, "--clients", &CLIENTS.to_string(), "--docs", &DOCS.to_string()])
            .args(["--rate", &rate.to_string(), "--seconds", &SECONDS_PER_STEP.to_string()])
            .output()
            .map_err(|e| e.to_string())?;
        let wall = started.elapsed().as_secs_f64();
        let (cpu_after, rss) = usage(pid);
        let text = String::from_utf8_lossy(&output.stdout).to_string();
        let field = |name: &str| -> f64 { text.split_whitespace().find_map(|kv| kv.strip_prefix(&format!("{name}=")).and_then(|v| v.parse().ok())).unwrap_or(0.0) };
        if !output.status.success() {
            println!("{} at {rate}/s: the load generator failed ({}); the server is saturated", server.name(), output.status);
            break;
        }
        let step = StepResult {
            rate,
            offered: field("offered"),
            made: field("made") / SECONDS_PER_STEP as f64,
            throughput: field("throughput"),
            delivered: field("delivered"),
            expected: field("expected"),
            p50: field("p50_ms") as u64,
            p99: field("p99_ms") as u64,
            cpu: 100.0 * (cpu_after - cpu_before) / wall.max(0.001),
            rss,
        };
        println!(
            "{} at {rate} edits/s per client: {:.0} deliveries/s, p50 {} ms, p99 {} ms, CPU {:.0}%, {} KiB",
            server.name(),
            step.throughput,
            step.p50,
            step.p99,
            step.cpu,
            step.rss
        );
        let saturated = step.delivered < 0.9 * step.expected || step.p99 > 2_000;
        steps.push(step);
        if saturated {
            break;
        }
    }
    Ok(steps)
}

fn ladder_table(name: &str, steps: &[StepResult]) -> String {
    let mut md = format!(
        "**{name}**\n\n| edits/s per client | offered edits/s | made edits/s | deliveries/s | delivered | p50 | p99 | server CPU | CPU per delivery | server memory |\n|---|---|---|---|---|---|---|---|---|---|\n"
    );
    for s in steps {
        let _ = writeln!(
            md,
            "| {} | {:.0} | {:.0}{} | {:.0} | {:.0}% | {} ms | {} ms | {:.0}% | {:.2} ms | {:.1} MiB |",
            s.rate,
            s.offered,
            s.made,
            if s.made < 0.95 * s.offered { " ⚠" } else { "" },
            s.throughput,
            100.0 * s.delivered / s.expected.max(1.0),
            s.p50,
            s.p99,
            s.cpu,
            10.0 * s.cpu / s.throughput.max(1.0),
            s.rss as f64 / 1024.0
        );
    }
    md
}

/// Resident memory before and after opening the idle connections.
fn idle_memory(server: &Server, loadgen: &Path) -> Result<(u64, u64), String> {
    let running = server.start()?;
    let pid = running.child.id();
    std::thread::sleep(Duration::from_millis(500));
    let (_, before) = usage(pid);
    let mut holder = Command::new("taskset")
        .args(["-c", "0"])
        .arg(loadgen)
        .args(["--url", &running.url, "--idle", &IDLE_CONNECTIONS.to_string(), "--seconds", "20"])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut line = String::new();
    BufReader::new(holder.stdout.take().expect("piped")).read_line(&mut line).map_err(|e| e.to_string())?;
    std::thread::sleep(Duration::from_secs(2));
    let (_, after) = usage(pid);
    let _ = holder.kill();
    let _ = holder.wait();
    println!("{}: {} idle connections: {before} KiB → {after} KiB", server.name(), line.trim());
    Ok((before, after))
}

/// Criterion's mean estimates of the space benchmarks, as a table.
fn space_table() -> Result<String, String> {
    let dir = root().join("target/criterion");
    let mut rows = Vec::new();
    for group in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let group = group.map_err(|e| e.to_string())?.path();
        let Ok(benches) = std::fs::read_dir(&group) else { continue };
        for bench in benches {
            let bench = bench.map_err(|e| e.to_string())?.path();
            let Ok(json) = std::fs::read_to_string(bench.join("new/estimates.json")) else { continue };
            let Ok(name) = std::fs::read_to_string(bench.join("new/benchmark.json")) else { continue };
            let title = json_string(&name, "full_id").unwrap_or_default();
            let mean_ns = json_number_after(&json, "\"mean\"", "\"point_estimate\"").unwrap_or(0.0);
            rows.push((title, mean_ns));
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let mut md = String::from("| benchmark | mean |\n|---|---|\n");
    for (title, ns) in rows {
        let _ = writeln!(md, "| {title} | {} |", human_time(ns));
    }
    Ok(md)
}

/// The mean time (ns) criterion last measured for the benchmark `full_id` (NaN if it has none).
fn criterion_mean(full_id: &str) -> f64 {
    let dir = root().join("target/criterion");
    let Ok(groups) = std::fs::read_dir(&dir) else { return f64::NAN };
    for group in groups.flatten() {
        let Ok(benches) = std::fs::read_dir(group.path()) else { continue };
        for bench in benches.flatten() {
            let Ok(name) = std::fs::read_to_string(bench.path().join("new/benchmark.json")) else { continue };
            if json_string(&name, "full_id").as_deref() == Some(full_id)
                && let Ok(json) = std::fs::read_to_string(bench.path().join("new/estimates.json"))
            {
                return json_number_after(&json, "\"mean\"", "\"point_estimate\"").unwrap_or(f64::NAN);
            }
        }
    }
    f64::NAN
}

fn human_time(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.1} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// The string value of `"key": "…"` in a small JSON text.
fn json_string(json: &str, key: &str) -> Option<String> {
    let rest = &json[json.find(&format!("\"{key}\""))? + key.len() + 2..];
    let start = rest.find('"')? + 1;
    let end = rest[start..].find('"')?;
    Some(rest[start..start + end].to_owned())
}

/// The number after `inner` that follows `outer` in a small JSON text.
fn json_number_after(json: &str, outer: &str, inner: &str) -> Option<f64> {
    let rest = &json[json.find(outer)?..];
    let rest = &rest[rest.find(inner)? + inner.len()..];
    let rest = rest.trim_start_matches([':', ' ']);
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == '-' || c == '+'))?;
    rest[..end].parse().ok()
}

pub(crate) fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo.lines().find_map(|l| l.strip_prefix("model name")).map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned()).unwrap_or_default();
    let cores = cpuinfo.lines().filter(|l| l.starts_with("processor")).count();
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:").and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok()))
        .unwrap_or(0);
    let os = std::fs::read_to_string("/etc/os-release")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME=").map(|v| v.trim_matches('"').to_owned()))
        .unwrap_or_default();
    let rustc = output_of("rustc", &["--version"]).unwrap_or_default();
    let node = output_of("node", &["--version"]).unwrap_or_default();
    format!("{model}, {cores} cores, {:.0} GiB memory; {os}; {rustc}; Node.js {node}.", memory as f64 / 1024.0 / 1024.0)
}

pub(crate) fn today() -> String {
    output_of("date", &["-u", "+%Y-%m-%d"]).unwrap_or_default()
}

/// One of linli-core's benchmarks (one that prints its own table) built for wasm32-wasip1 with
/// the release profile the site is built with (opt-level "z"), run in Node's V8: its table rows.
fn in_wasm(bench: &str) -> Result<String, String> {
    crate::setup::wasi_target()?;
    Step::new(&format!("build the {bench} benchmark for wasm (the site's release profile)")).run(
        "cargo",
        &["build", "--release", "--target", "wasm32-wasip1", "-p", "linli-core", "--bench", bench],
        &[],
    )?;
    let deps = root().join("target/wasm32-wasip1/release/deps");
    let newest = std::fs::read_dir(&deps)
        .map_err(|e| format!("{}: {e}", deps.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&format!("{bench}-"))) && path.extension().is_some_and(|e| e == "wasm"))
        .max_by_key(|path| std::fs::metadata(path).and_then(|m| m.modified()).ok())
        .ok_or(format!("the wasm build of {bench} is missing"))?;
    let out = captured(&root().join("tests/e2e"), "node", &["bench/wasi.mjs", &newest.to_string_lossy()], &[])?;
    Ok(out.lines().filter(|l| l.starts_with('|')).map(|l| format!("{l}\n")).collect())
}
