//! Benchmarks of the space document (criterion): a space of 10,000 items built, saved, loaded and
//! read; and 1,000 offline edits on each of two devices merged. Run: `cargo bench -p linli-core`.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use linli_core::*;

mod support;
use support::{author, id, large_space};

#[allow(clippy::disallowed_methods, reason = "benches run natively, where Instant::now works")]
fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("space of 10,000 items");
    group.sample_size(10);
    let started = std::time::Instant::now();
    let mut doc = large_space();
    println!("built a 10,000-item space through the editor in {:.2?}", started.elapsed());
    let bytes = doc.save();
    println!("10,000-item space: {} bytes saved", bytes.len());
    group.bench_function("save", |b| b.iter(|| doc.save()));
    group.bench_function("load", |b| b.iter(|| load_document(&bytes).unwrap()));
    let loaded = load_document(&bytes).unwrap();
    group.bench_function("hydrate", |b| b.iter(|| Space::hydrate(&loaded).unwrap()));
    group.bench_function("automerge materialize (doc.hydrate)", |b| b.iter(|| automerge::ReadDoc::hydrate(&loaded, automerge::ROOT, None)));
    group.bench_function("open (load + hydrate)", |b| b.iter(|| Space::hydrate(&load_document(&bytes).unwrap()).unwrap()));
    // One remote change (a neighbour edits one notice): apply it and refresh the screen's space
    // from its patches, against reading the whole space again.
    let view = Space::hydrate(&loaded).unwrap();
    let mut remote = loaded.clone();
    let before = remote.get_heads();
    let current: Notice = read_item(&remote, "notices", id(1, 17).as_str()).unwrap().unwrap();
    Editor::new(&mut remote, &author(30, 1_700_000_200_000)).edit_notice(&id(1, 17), NoticeDraft { body: "changed by a neighbour".into(), ..NoticeDraft::of(&current) }).unwrap();
    let change = remote.get_changes(&before).into_iter().map(|c| c.raw_bytes().to_vec()).collect::<Vec<_>>();
    group.bench_function("one remote change: apply + refresh from patches", |b| {
        b.iter_batched(
            || (loaded.clone(), view.clone()),
            |(mut doc, mut view)| {
                let heads = doc.get_heads();
                for bytes in &change {
                    doc.load_incremental(bytes).unwrap();
                }
                let after = doc.get_heads();
                let patches = doc.diff(&heads, &after);
                view.refresh(&doc, &patches).unwrap();
                view
            },
            BatchSize::LargeInput,
        )
    });
    // What the app does: keep Automerge's diff index up to date and ask for the patches since
    // the last look (an indexed diff), instead of a diff that scans the whole document.
    group.bench_function("one remote change: apply + indexed diff + refresh", |b| {
        b.iter_batched(
            || {
                let mut doc = loaded.clone();
                doc.update_diff_cursor();
                (doc, view.clone())
            },
            |(mut doc, mut view)| {
                for bytes in &change {
                    doc.load_incremental(bytes).unwrap();
                }
                let patches = doc.diff_incremental();
                view.refresh(&doc, &patches).unwrap();
                view
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("one remote change: apply only", |b| {
        b.iter_batched(
            || loaded.clone(),
            |mut doc| {
                for bytes in &change {
                    doc.load_incremental(bytes).unwrap();
                }
                doc
            },
            BatchSize::LargeInput,
        )
    });
    let mut applied = loaded.clone();
    let heads = applied.get_heads();
    for bytes in &change {
        applied.load_incremental(bytes).unwrap();
    }
    let after = applied.get_heads();
    group.bench_function("one remote change: diff only", |b| b.iter(|| applied.diff(&heads, &after)));
    let patches = applied.diff(&heads, &after);
    println!("one remote change gives {} patches", patches.len());
    group.bench_function("one remote change: refresh only", |b| b.iter_batched(|| view.clone(), |mut view| view.refresh(&applied, &patches).unwrap(), BatchSize::LargeInput));
    group.bench_function("one local edit (Editor::edit_notice)", |b| {
        b.iter_batched(
            || loaded.clone(),
            |mut doc| {
                let current: Notice = read_item(&doc, "notices", id(1, 99).as_str()).unwrap().unwrap();
                Editor::new(&mut doc, &author(31, 1_700_000_300_000)).edit_notice(&id(1, 99), NoticeDraft { body: "local edit".into(), ..NoticeDraft::of(&current) }).unwrap();
                doc
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();

    let mut group = c.benchmark_group("offline merge");
    group.sample_size(10);
    let base = load_document(&bytes).unwrap();
    let mut a = base.clone();
    let mut b = base.clone();
    support::offline_edits(&mut a, 10_000, 21, 1_000);
    support::offline_edits(&mut b, 10_000, 22, 1_000);
    group.bench_function("merge 1,000 edits each way", |bench| {
        bench.iter_batched(
            || (a.clone(), b.clone()),
            |(mut a, mut b)| {
                a.merge(&mut b).unwrap();
                b.merge(&mut a).unwrap();
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(space, benches);
criterion_main!(space);
