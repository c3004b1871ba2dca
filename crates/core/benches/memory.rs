//! What a space costs in memory, step by step, as the engine worker holds it: the Automerge
//! document loaded from its saved bytes, the materialized space beside it (and the peak of reading
//! it), and the view sent to the page. Measured as this process's resident memory (Linux /proc:
//! `VmRSS`, and `VmHWM` for peaks, reset through `clear_refs`), each size in a fresh process so
//! that one does not reuse the other's freed pages; printed as a Markdown table for BENCHMARKS.md.

use linli_core::{AutoCommit, Space, SpaceDocument};

mod support;

/// Resident bytes now and at the peak since the last reset.
fn resident() -> (usize, usize) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| status.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.split_whitespace().next()?.parse::<usize>().ok()).unwrap_or(0) * 1024;
    (field("VmRSS:"), field("VmHWM:"))
}

/// Bytes in use now, and the peak since the last call (which restarts it).
fn measure() -> (usize, usize) {
    let (now, peak) = resident();
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    (now, peak)
}

struct Costs {
    saved: usize,
    doc: usize,
    load_peak: usize,
    space: usize,
    hydrate_peak: usize,
    view: usize,
}

fn costs(items: u32) -> Costs {
    let saved = support::sample_space(items).save();
    let (before, _) = measure();
    let doc = AutoCommit::load(&saved).expect("the sample loads");
    let (with_doc, load_peak) = measure();
    let space = Space::hydrate(&doc).expect("the sample is a space");
    let (with_space, hydrate_peak) = measure();
    let view = bincode_len(&space);
    drop((space, doc));
    Costs { saved: saved.len(), doc: with_doc - before, load_peak: load_peak - before, space: with_space - with_doc, hydrate_peak: hydrate_peak - with_doc, view }
}

/// The bytes of the view the engine sends the page (bincode, as gloo-worker carries it).
fn bincode_len(space: &Space) -> usize {
    linli_view::snapshot::encode(space).len()
}

fn main() {
    // `memory <items>` measures one size (a fresh process each, see the module docs).
    if let Some(items) = std::env::args().nth(1).and_then(|a| a.parse::<u32>().ok()) {
        let c = costs(items);
        println!("{} {} {} {} {} {}", c.saved, c.doc, c.load_peak, c.space, c.hydrate_peak, c.view);
        return;
    }
    let run = |items: u32| -> Costs {
        let out = std::process::Command::new(std::env::current_exe().expect("this program")).arg(items.to_string()).output().expect("a run");
        let n: Vec<usize> = String::from_utf8_lossy(&out.stdout).split_whitespace().filter_map(|w| w.parse().ok()).collect();
        Costs { saved: n[0], doc: n[1], load_peak: n[2], space: n[3], hydrate_peak: n[4], view: n[5] }
    };
    let (small, large) = (run(200), run(10_000));
    let per = |f: fn(&Costs) -> usize| (f(&large) as f64 - f(&small) as f64) / 9_800.0;
    let kib = |bytes: usize| format!("{} KiB", bytes / 1024);
    println!("| memory (native, resident) | space of 200 items | space of 10,000 items | per item |");
    println!("|---|---:|---:|---:|");
    let rows: [(&str, fn(&Costs) -> usize); 6] = [
        ("the saved document (bytes)", |c| c.saved),
        ("the Automerge document, loaded", |c| c.doc),
        ("peak while loading it", |c| c.load_peak),
        ("the materialized space, beside the document", |c| c.space),
        ("peak while materializing it, beside the document", |c| c.hydrate_peak),
        ("the view sent to the page (bincode bytes)", |c| c.view),
    ];
    for (name, f) in rows {
        println!("| {name} | {} | {} | {:.0} B |", kib(f(&small)), kib(f(&large)), per(f));
    }
}
