//! Load, bounded in count and time on 127.0.0.1: 300 clients on 30 documents through one relay
//! each write once; every client converges, and the relay's folder holds every write.

mod support;

use std::time::Duration;

use linli_sync::automerge::transaction::Transactable;
use linli_sync::automerge::{AutoCommit, ROOT, ReadDoc};
use linli_sync::DocumentId;
use support::client::{Client, State};
use support::relay::TestRelay;

const DOCUMENTS: u8 = 30;
const CLIENTS_PER_DOCUMENT: usize = 10;

/// How many clients' writes a client sees in its copy of the document.
fn writes_seen(state: &State, id: DocumentId) -> usize {
    let Some(doc) = state.repo.document(&id) else { return 0 };
    (0..CLIENTS_PER_DOCUMENT).filter(|n| doc.get(ROOT, format!("client-{n}")).ok().flatten().is_some()).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn three_hundred_clients_each_write_once_and_all_converge() {
    let dir = tempfile::tempdir().unwrap();
    let relay = TestRelay::start(dir.path().to_path_buf()).await;
    let mut clients = Vec::new();
    for d in 0..DOCUMENTS {
        let id = DocumentId::from_bytes([d + 1; 16]);
        for n in 0..CLIENTS_PER_DOCUMENT {
            let client = Client::connect(&relay.ws_url(), &format!("client-{d}-{n}")).await;
            if n == 0 {
                let mut doc = AutoCommit::new();
                doc.put(ROOT, "document", i64::from(d)).unwrap();
                doc.commit();
                client.create(id, doc);
            } else {
                client.find(id);
            }
            clients.push((id, n, client));
        }
    }
    for (id, n, client) in &clients {
        assert!(client.until_within(Duration::from_secs(60), |s| s.repo.document(id).is_some_and(|d| d.get(ROOT, "document").ok().flatten().is_some())).await, "client {n} of {id} got its document");
        client.change(*id, |doc| {
            doc.put(ROOT, format!("client-{n}"), "was here").unwrap();
        });
    }
    for (id, n, client) in &clients {
        let converged = client.until_within(Duration::from_secs(60), |s| writes_seen(s, *id) == CLIENTS_PER_DOCUMENT).await;
        assert!(converged, "client {n} of {id} sees {} of {CLIENTS_PER_DOCUMENT} writes", client.with(|s| writes_seen(s, *id)));
    }
    drop(clients);
    relay.stop().await;

    // Nothing lost: a relay started again on the folder serves every write of every document.
    let relay = TestRelay::start(dir.path().to_path_buf()).await;
    let reader = Client::connect(&relay.ws_url(), "reader").await;
    for d in 0..DOCUMENTS {
        let id = DocumentId::from_bytes([d + 1; 16]);
        reader.find(id);
        assert!(reader.until_within(Duration::from_secs(30), |s| writes_seen(s, id) == CLIENTS_PER_DOCUMENT).await, "document {d} from the folder");
    }
    relay.stop().await;
}
