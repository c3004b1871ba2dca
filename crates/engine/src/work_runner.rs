//! Runs the core's ordered work on one task, each step finished before the next: storage
//! (IndexedDB) first as the core ordered it, then the frames that may carry what was stored. A
//! load's chunks and a write's durability (or failure) go back to the core as inputs; after a
//! failed put, that document's deletes are skipped until one of its puts succeeds.

use std::collections::HashSet;
use std::rc::Rc;

use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender};
use linli_engine_core::{Input, Work};
use linli_sync::{DocumentId, StorageOp};

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
    // Documents with a put that failed since their last good one: their deletes wait, so a
    // compaction never deletes chunks its snapshot was to replace when that snapshot is not there.
    let mut failed_puts: HashSet<DocumentId> = HashSet::new();
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
                let result = match &store {
                    Some(store) => store.put(&key, &data).await,
                    // No IndexedDB at all: the page said so at start; nothing is written.
                    None => Ok(()),
                };
                let input = match result {
                    Ok(()) => {
                        failed_puts.remove(&key.document_id);
                        Input::Saved
                    }
                    Err(error) => {
                        web_sys::console::error_2(&"could not save to IndexedDB:".into(), &error);
                        failed_puts.insert(key.document_id);
                        Input::SaveFailed(key.document_id)
                    }
                };
                let _ = inputs.unbounded_send(input);
            }
            Work::Storage(StorageOp::Delete { key }) => {
                if let Some(store) = &store
                    && !failed_puts.contains(&key.document_id)
                {
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
