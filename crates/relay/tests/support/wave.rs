//! A wave of clients: several on each document connect, each writes once under its own key, and
//! each waits until it sees every write of its wave and the waves before. Used by the load test
//! and the relay's memory benchmark.

use std::time::Duration;

use linli_sync::DocumentId;
use linli_sync::automerge::transaction::Transactable;
use linli_sync::automerge::{AutoCommit, ROOT, ReadDoc};

use super::client::{Client, State};

/// The key client `n` of a document writes in wave `wave`.
pub fn key(wave: usize, n: usize) -> String {
    format!("wave-{wave}-client-{n}")
}

/// How many clients' writes of waves `0..waves` a client sees in its copy of the document.
pub fn writes_seen(state: &State, id: DocumentId, waves: usize, clients_per_document: usize) -> usize {
    let Some(doc) = state.repo.document(&id) else { return 0 };
    (0..waves).flat_map(|w| (0..clients_per_document).map(move |n| key(w, n))).filter(|k| doc.get(ROOT, k).ok().flatten().is_some()).count()
}

/// One wave: `clients_per_document` clients on each of `documents` (in wave 0 the first client of
/// each document creates it). Returns the clients, still connected.
pub async fn wave(url: &str, documents: &[DocumentId], clients_per_document: usize, wave: usize) -> Vec<Client> {
    let mut clients = Vec::new();
    for (d, id) in documents.iter().enumerate() {
        for n in 0..clients_per_document {
            let client = Client::connect(url, &format!("client-{wave}-{d}-{n}")).await;
            if wave == 0 && n == 0 {
                let mut doc = AutoCommit::new();
                doc.put(ROOT, "document", d as i64).unwrap();
                doc.commit();
                client.create(*id, doc);
            } else {
                client.find(*id);
            }
            clients.push((*id, n, client));
        }
    }
    for (id, n, client) in &clients {
        assert!(
            client.until_within(Duration::from_secs(60), |s| s.repo.document(id).is_some_and(|d| d.get(ROOT, "document").ok().flatten().is_some())).await,
            "wave {wave}: client {n} of {id} got its document"
        );
        client.change(*id, |doc| {
            doc.put(ROOT, key(wave, *n), "was here").unwrap();
        });
    }
    let expected = (wave + 1) * clients_per_document;
    for (id, n, client) in &clients {
        let converged = client.until_within(Duration::from_secs(60), |s| writes_seen(s, *id, wave + 1, clients_per_document) == expected).await;
        assert!(converged, "wave {wave}: client {n} of {id} sees {} of {expected} writes", client.with(|s| writes_seen(s, *id, wave + 1, clients_per_document)));
    }
    clients.into_iter().map(|(_, _, client)| client).collect()
}
