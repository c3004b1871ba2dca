//! Browser tests (headless Chromium via wasm-bindgen-test): a space survives a round trip through
//! IndexedDB in automerge-repo's layout.
#![cfg(target_arch = "wasm32")]

use linli_core::{Author, Editor, ItemId, MemberId, NoticeDraft, Space, SpaceDocument, Timestamp, new_space};
use linli_engine::IdbStore;
use linli_sync::{ChunkLedger, DocumentId, StorageOp};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_id() -> DocumentId {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).unwrap();
    DocumentId::new_random(bytes)
}

#[wasm_bindgen_test]
async fn a_space_round_trips_through_indexeddb() {
    let store = IdbStore::open().await.expect("IndexedDB opens");
    let id = fresh_id();
    let author = Author { member: MemberId::from_random([1; 8]), session: [2; 8], now: Timestamp(1) };
    let mut doc = new_space("Gulou Street", &author);
    Editor::new(&mut doc, &author).post_notice(&ItemId::from_random([1; 8]), NoticeDraft::new("Water off", "Tuesday")).unwrap();

    let mut ledger = ChunkLedger::default();
    for op in ledger.save(id, &mut doc) {
        match op {
            StorageOp::Put { key, data } => store.put(&key, &data).await.expect("put"),
            StorageOp::Delete { key } => store.delete(&key).await.expect("delete"),
            StorageOp::Load { .. } => unreachable!(),
        }
    }

    let chunks = store.load(&id).await.expect("load");
    assert_eq!(chunks.len(), 1);
    let (loaded, _, unreadable) = ChunkLedger::load(chunks);
    assert!(unreadable.is_empty());
    let space = Space::hydrate(&loaded).expect("hydrates");
    assert_eq!(space.name, "Gulou Street");
    assert_eq!(space.notices[ItemId::from_random([1; 8]).as_str()].title, "Water off");

    assert!(store.load(&fresh_id()).await.unwrap().is_empty(), "another space has no chunks");
}

#[wasm_bindgen_test]
async fn deleting_a_chunk_removes_only_that_chunk() {
    let store = IdbStore::open().await.unwrap();
    let id = fresh_id();
    let a = linli_sync::ChunkKey::incremental(id, b"a");
    let b = linli_sync::ChunkKey::incremental(id, b"b");
    store.put(&a, b"a").await.unwrap();
    store.put(&b, b"b").await.unwrap();
    store.delete(&a).await.unwrap();
    let left: Vec<_> = store.load(&id).await.unwrap().into_iter().map(|(k, _)| k).collect();
    assert_eq!(left, vec![b]);
}
