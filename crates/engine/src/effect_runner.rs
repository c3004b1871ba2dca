//! Runs the repo's effects in order on one task: storage first (IndexedDB), then sends, then
//! closes. Loads feed their chunks back into the repo, whose effects join the queue.

use std::collections::VecDeque;
use std::rc::Weak;

use futures::StreamExt;
use futures::channel::mpsc;
use linli_sync::{Effects, StorageOp};

use crate::engine::Engine;
use crate::idb_store::IdbStore;

pub async fn run(engine: Weak<Engine>, mut incoming: mpsc::UnboundedReceiver<Effects>) {
    let store = match IdbStore::open().await {
        Ok(store) => Some(store),
        Err(error) => {
            web_sys::console::error_2(&"IndexedDB is unavailable; this page keeps spaces in memory only:".into(), &error);
            None
        }
    };
    let mut queue = VecDeque::new();
    while let Some(fx) = incoming.next().await {
        queue.push_back(fx);
        while let Some(fx) = queue.pop_front() {
            let Some(engine) = engine.upgrade() else { return };
            for op in fx.storage {
                match op {
                    StorageOp::Load { document_id } => {
                        let chunks = match &store {
                            Some(store) => store.load(&document_id).await.unwrap_or_else(|error| {
                                web_sys::console::error_2(&"could not read a space from IndexedDB:".into(), &error);
                                Vec::new()
                            }),
                            None => Vec::new(),
                        };
                        let mut more = engine.repo.borrow_mut().loaded(document_id, chunks);
                        // Its events matter to the screen now; its other effects follow in order.
                        engine.take_events(&mut more);
                        queue.push_back(more);
                    }
                    StorageOp::Put { key, data } => {
                        if let Some(store) = &store
                            && let Err(error) = store.put(&key, &data).await
                        {
                            web_sys::console::error_2(&"could not save to IndexedDB:".into(), &error);
                        }
                        engine.saved_one();
                    }
                    StorageOp::Delete { key } => {
                        if let Some(store) = &store {
                            let _ = store.delete(&key).await;
                        }
                        engine.saved_one();
                    }
                }
            }
            for (conn, frame) in fx.sends {
                engine.send(conn, &frame);
            }
            for (conn, reason) in fx.closes {
                web_sys::console::warn_1(&format!("closing connection {conn}: {reason:?}").into());
                engine.close(conn);
            }
        }
    }
}
