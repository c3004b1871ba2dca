//! A storage write that fails loses nothing: `Repo::store_again` writes the whole document again,
//! so a device started afresh from its storage has every change, the failed one's included.

mod support;

use linli_sync::automerge::transaction::Transactable;
use linli_sync::automerge::{AutoCommit, ROOT, ReadDoc};
use linli_sync::{DocumentId, StorageOp};
use support::sim::Network;

/// A document past the size below which every save compacts, so that later saves append.
fn big_doc() -> AutoCommit {
    let mut doc = AutoCommit::new();
    // Text that does not compress (xorshift64 over the printable ASCII letters).
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let text: String = (0..6000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'!' + (state % 94) as u8)
        })
        .collect();
    doc.put(ROOT, "minutes", text).unwrap();
    doc.commit();
    doc
}

fn read(net: &Network, node: usize, id: DocumentId, key: &str) -> Option<String> {
    net.nodes[node].repo.document(&id)?.get(ROOT, key).ok()??.0.into_string().ok()
}

/// Makes two edits on `device`: the first one's writes fail (dropped, as a failed IndexedDB
/// write leaves nothing), the second one's succeed; then, if asked, stores the document again.
fn edits_with_a_failed_write(store_again: bool) -> (Network, usize, DocumentId) {
    let mut net = Network::new();
    let device = net.add_device("phone");
    let id = DocumentId::from_bytes([9; 16]);
    net.create(device, id, big_doc());
    let ((), mut failed) = net.nodes[device].repo.change(id, |doc| doc.put(ROOT, "lost?", "the failed write's change").map(drop).unwrap()).unwrap();
    assert!(failed.storage.iter().any(|op| matches!(op, StorageOp::Put { .. })), "the edit was to be written");
    failed.storage.clear();
    net.apply(device, failed);
    net.change(device, id, |doc| {
        doc.put(ROOT, "after", "a later change").unwrap();
    });
    if store_again {
        let fx = net.nodes[device].repo.store_again(id).expect("the document is open");
        net.apply(device, fx);
    }
    net.restart(device);
    net.find(device, id);
    net.run_until_quiet();
    (net, device, id)
}

#[test]
fn a_failed_write_is_made_good_by_storing_the_document_again() {
    let (net, device, id) = edits_with_a_failed_write(true);
    assert_eq!(read(&net, device, id, "lost?").as_deref(), Some("the failed write's change"));
    assert_eq!(read(&net, device, id, "after").as_deref(), Some("a later change"));
    assert!(read(&net, device, id, "minutes").is_some());
}

#[test]
fn without_storing_again_the_failed_write_and_what_builds_on_it_are_missing() {
    // What the test above guards against: the later chunk needs the failed one.
    let (net, device, id) = edits_with_a_failed_write(false);
    assert_eq!(read(&net, device, id, "lost?"), None);
    assert_eq!(read(&net, device, id, "after"), None);
}

#[test]
fn storing_again_waits_for_a_loading_document() {
    let mut net = Network::new();
    let device = net.add_device("phone");
    let id = DocumentId::from_bytes([10; 16]);
    assert!(net.nodes[device].repo.store_again(id).is_none(), "an unknown document");
    net.create(device, id, big_doc());
    net.restart(device);
    let fx = net.nodes[device].repo.find(id);
    assert!(net.nodes[device].repo.store_again(id).is_none(), "still loading");
    net.apply(device, fx);
    assert!(net.nodes[device].repo.store_again(id).is_some());
}
