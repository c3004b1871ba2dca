//! Benchmarks of private requests (criterion): a team member opening a space of 1,000 private
//! requests against the same space in clear, and raising one private request against a public
//! one. Run: `cargo bench -p linli-core --bench private_requests`.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT, ScalarValue};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use linli_core::private::{Keyring, open_private};
use linli_core::*;

const CATEGORY: &str = "c000000000000002";
const WRITE_SEED: [u8; 32] = [9; 32];

fn public(seed: &[u8; 32]) -> [u8; 32] {
    ed25519_dalek::SigningKey::from_bytes(seed).verifying_key().to_bytes()
}

fn author(n: u8) -> Author {
    Author { member: MemberId::from_public_key(public(&[n; 32])), session: [n; 8], now: Timestamp(1_700_000_000_000) }
}

/// The resident's device: it seals with its member key.
fn resident() -> Keyring {
    Keyring::new(Some(&[2; 32]), &[])
}

/// A space with a Repairs team (member 3) and `count` requests raised by member 2.
fn space(count: u32, private: bool) -> (AutoCommit, ItemId, ItemId) {
    let mut doc = new_space_with("Sanfang", &author(1), |doc| {
        doc.put(ROOT, "write_key", ScalarValue::Bytes(public(&WRITE_SEED).to_vec())).unwrap();
    });
    let (board, column) = (author(1).new_item_id([1; 8]), author(1).new_item_id([2; 8]));
    Editor::new(&mut doc, &author(1)).create_board(&board, "Requests", &[(column.clone(), [("en".to_owned(), "New".to_owned())].into())]).unwrap();
    let team = Responsibility { team: "Repairs".into(), members: [(author(3).member.to_string(), true)].into(), keys: Default::default() };
    Editor::new(&mut doc, &author(1)).set_responsibility(CATEGORY, &team).unwrap();
    for n in 0..count {
        let id = author(2).new_item_id(u64::from(n).to_le_bytes());
        let draft = TaskDraft { title: format!("Water leaking into flat {n}"), description: "Since Monday, from the flat above.".into(), ..Default::default() };
        Editor::new(&mut doc, &author(2)).with_keyring(&resident()).raise_request_as(&id, Some((&board, &column, Place::End)), CATEGORY, draft, private).unwrap();
    }
    (doc, board, column)
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("private requests");
    group.sample_size(10);
    let (clear, board, column) = space(1_000, false);
    let (sealed, _, _) = space(1_000, true);
    let team_member = Keyring::new(Some(&[3; 32]), &[]);
    group.bench_function("a team member opens 1,000 requests in clear (hydrate)", |b| b.iter(|| Space::hydrate(&clear).unwrap()));
    group.bench_function("1,000 private requests, read without opening (hydrate)", |b| b.iter(|| Space::hydrate(&sealed).unwrap()));
    group.bench_function("a team member opens 1,000 private requests (hydrate + open)", |b| {
        b.iter(|| {
            let mut space = Space::hydrate(&sealed).unwrap();
            open_private(&mut space, &team_member);
            space
        })
    });
    for private in [false, true] {
        let name = if private { "raise one private request" } else { "raise one public request" };
        group.bench_function(name, |b| {
            b.iter_batched(
                || clear.clone(),
                |mut doc| {
                    let draft = TaskDraft { title: "Noise at night".into(), description: "From 3-502".into(), ..Default::default() };
                    Editor::new(&mut doc, &author(2)).with_keyring(&resident()).raise_request_as(&author(2).new_item_id([7; 8]), Some((&board, &column, Place::End)), CATEGORY, draft, private).unwrap();
                    doc
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(private_requests, benches);
criterion_main!(private_requests);
