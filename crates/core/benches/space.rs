//! Benchmarks of the space document (criterion): a space of 10,000 items built, saved, loaded and
//! read; and 1,000 offline edits on each of two devices merged. Run: `cargo bench -p linli-core`.

use automerge::AutoCommit;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use linli_core::*;

fn author(n: u8, now: i64) -> Author {
    Author { member: MemberId::from_random([n; 8]), session: [n; 8], now: Timestamp(now) }
}

fn id(kind: u8, n: u32) -> ItemId {
    let b = n.to_le_bytes();
    ItemId::from_random([kind, b[0], b[1], b[2], b[3], 0, 0, 1])
}

/// 10,000 items: 4,000 notices, 1,000 pledges with 5 signatures each, 5,000 tasks on one board
/// (a tenth of them resident requests).
pub fn large_space() -> AutoCommit {
    let a = author(1, 1_700_000_000_000);
    let mut doc = new_space("large", &a);
    let board = id(9, 0);
    let columns: Vec<(ItemId, Names)> = (0..4).map(|c| (id(8, c), Names::from([("en".into(), format!("column {c}"))]))).collect();
    Editor::new(&mut doc, &a).create_board(&board, "Board", &columns).unwrap();
    let phase = std::time::Instant::now();
    for n in 0..4_000 {
        Editor::new(&mut doc, &a).post_notice(&id(1, n), NoticeDraft::new(format!("Notice {n}"), "Some text of a typical length for a notice.")).unwrap();
    }
    println!("  4,000 notices: {:.2?}", phase.elapsed());
    let phase = std::time::Instant::now();
    for n in 0..1_000 {
        Editor::new(&mut doc, &a).create_pledge(&id(2, n), PledgeDraft { title: format!("Pledge {n}"), goal: 10, ..Default::default() }).unwrap();
        for s in 0..5u8 {
            Editor::new(&mut doc, &author(10 + s, 1_700_000_000_000)).sign_pledge(&id(2, n), "Neighbour").unwrap();
        }
    }
    println!("  1,000 pledges with 5 signatures: {:.2?}", phase.elapsed());
    let phase = std::time::Instant::now();
    // Cards are appended the way a screen does it: after the last position it shows.
    let mut last: Vec<Option<String>> = vec![None; 4];
    for n in 0..5_000 {
        let draft = TaskDraft { title: format!("Task {n}"), ..Default::default() };
        let c = (n % 4) as usize;
        let column = id(8, n % 4);
        let place = Place::Between(last[c].as_deref(), None);
        if n % 10 == 0 {
            Editor::new(&mut doc, &a).raise_request(&id(3, n), &board, &column, "c000000000000002", draft, place).unwrap();
        } else {
            Editor::new(&mut doc, &a).add_task(&id(3, n), &board, &column, draft, place).unwrap();
        }
        last[c] = read_item::<Task>(&doc, "tasks", id(3, n).as_str()).unwrap().map(|t| t.position);
    }
    println!("  5,000 tasks: {:.2?}", phase.elapsed());
    doc
}

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
    Editor::new(&mut remote, &author(30, 1_700_000_200_000))
        .edit_notice(&id(1, 17), NoticeDraft { body: "changed by a neighbour".into(), ..NoticeDraft::of(&current) })
        .unwrap();
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
    group.bench_function("one remote change: refresh only", |b| {
        b.iter_batched(|| view.clone(), |mut view| view.refresh(&applied, &patches).unwrap(), BatchSize::LargeInput)
    });
    group.bench_function("one local edit (Editor::edit_notice)", |b| {
        b.iter_batched(
            || loaded.clone(),
            |mut doc| {
                let current: Notice = read_item(&doc, "notices", id(1, 99).as_str()).unwrap().unwrap();
                Editor::new(&mut doc, &author(31, 1_700_000_300_000))
                    .edit_notice(&id(1, 99), NoticeDraft { body: "local edit".into(), ..NoticeDraft::of(&current) })
                    .unwrap();
                doc
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();

    let mut group = c.benchmark_group("offline merge");
    group.sample_size(10);
    let base = load_document(&bytes).unwrap();
    let edit = |doc: &mut AutoCommit, who: u8| {
        for n in 0..1_000u32 {
            let notice = id(1, (n * 7 + u32::from(who)) % 4_000);
            let current: Notice = read_item(doc, "notices", notice.as_str()).unwrap().unwrap();
            let draft = NoticeDraft { body: format!("edited {n} by {who}"), ..NoticeDraft::of(&current) };
            Editor::new(doc, &author(who, 1_700_000_100_000 + i64::from(n))).edit_notice(&notice, draft).unwrap();
        }
    };
    let mut a = base.clone();
    let mut b = base.clone();
    edit(&mut a, 21);
    edit(&mut b, 22);
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
