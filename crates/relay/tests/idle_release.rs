//! The real relay binary lets go of documents nobody uses: once their clients have left and the
//! idle time has passed, `/metrics` shows none held and some released, and a client that asks
//! again gets every change, loaded from the data folder.

mod support;

use std::time::Duration;

use linli_sync::DocumentId;
use linli_sync::automerge::transaction::Transactable;
use linli_sync::automerge::{ROOT, ReadDoc};
use support::client::Client;
use support::docs::doc_with;
use support::relay_process::RelayProcess;

const DOCUMENTS: u8 = 5;

fn document(d: u8) -> DocumentId {
    DocumentId::from_bytes([d + 40; 16])
}

async fn until_metric(relay: &RelayProcess, name: &str, wanted: impl Fn(u64) -> bool) -> u64 {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let value = relay.metric(name).await;
        if wanted(value) {
            return value;
        }
        assert!(tokio::time::Instant::now() < deadline, "{name} is {value}, not as wanted within 20 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Asks for a document and waits until the client's copy has the writer's last change.
async fn has_last_change(client: &Client, id: DocumentId) -> bool {
    client.find(id);
    client.until_within(Duration::from_secs(20), |s| s.repo.document(&id).and_then(|doc| doc.get(ROOT, "last").ok().flatten()).is_some()).await
}

#[tokio::test(flavor = "multi_thread")]
async fn documents_nobody_uses_are_released_and_served_again_from_the_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start_with(dir.path(), "127.0.0.1:0", &["--release-idle-after".as_ref(), "0.5".as_ref()]);
    let writer = Client::connect(&relay.ws_url(), "writer").await;
    for d in 0..DOCUMENTS {
        writer.create(document(d), doc_with("title", &format!("space {d}")));
        writer.change(document(d), |doc| {
            doc.put(ROOT, "last", "the last change before everyone left").unwrap();
        });
    }
    // What the relay passed on to another client it had stored first.
    let witness = Client::connect(&relay.ws_url(), "witness").await;
    for d in 0..DOCUMENTS {
        assert!(has_last_change(&witness, document(d)).await, "the relay passed document {d} on");
    }
    assert_eq!(relay.metric("linli_documents_open").await, u64::from(DOCUMENTS), "held while the writer is connected");
    writer.close();
    witness.close();

    until_metric(&relay, "linli_documents_open", |held| held == 0).await;
    assert!(relay.metric("linli_documents_released_total").await >= u64::from(DOCUMENTS));

    let reader = Client::connect(&relay.ws_url(), "reader").await;
    for d in 0..DOCUMENTS {
        assert!(has_last_change(&reader, document(d)).await, "document {d} is served again with its last change");
    }
    assert_eq!(relay.metric("linli_documents_open").await, u64::from(DOCUMENTS), "held again while the reader uses them");
}
