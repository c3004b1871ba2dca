//! Runs the core's ordered work on one task, each step finished before the next: storage
//! (IndexedDB) first as the core ordered it, then the frames that may carry what was stored. A
//! load's chunks and a write's durability go back to the core as inputs.

use std::rc::Rc;

use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender};
use linli_engine_core::{Input, Work};
use linli_sync::StorageOp;

use crate::idb_store::IdbStore;
use crate::outputs::Outputs;

pub async fn run(mut work: UnboundedReceiver<Work>, inputs: UnboundedSender<Input>, outputs: Rc<Outputs>) {
    let store = match IdbStore::open().await {
        Ok(store) => Some(store),
        Err(error) => {
            web_sys::console::error_2(&"IndexedDB is unavailable; this page keeps spaces in memory only:".into(), &error);
            None
        }
    };
    while let Some(step) = work.next().await {
        match step {
            Work::Storage(StorageOp::Load { document_id }) => {
                let chunks = match &store {
                    Some(store) => store.load(&document_id).await.unwrap_or_else(|error| {
                        web_sys::console::error_2(&"could not read a space from IndexedDB:".into(), &error);
                        Vec::new()
                    }),
                    None => Vec::new(),
                };
                let _ = inputs.unbounded_send(Input::Loaded { document: document_id, chunks });
            }
            Work::Storage(StorageOp::Put { key, data }) => {
                if let Some(store) = &store
                    && let Err(error) = store.put(&key, &data).await
                {
                    web_sys::console::error_2(&"could not save to IndexedDB:".into(), &error);
                }
                let _ = inputs.unbounded_send(Input::Saved);
            }
            Work::Storage(StorageOp::Delete { key }) => {
                if let Some(store) = &store {
                    let _ = store.delete(&key).await;
                }
                let _ = inputs.unbounded_send(Input::Saved);
            }
            Work::SocketSend { conn, bytes } => outputs.sockets.send(conn, &bytes),
            Work::SocketClose { conn } => outputs.sockets.close(conn),
            Work::TabSend(message) => outputs.tabs.post(&message),
            Work::Page(message) => outputs.tell(message),
        }
    }
}
