//! Documents in the browser's IndexedDB, in automerge-repo's layout: database `automerge`, object
//! store `documents`, each chunk stored as `{key, binary}` under its key array
//! `[docId, "snapshot" | "incremental", hash]`. Writes use strict durability: when a write's
//! promise resolves, the chunk is on disk.

use js_sys::{Array, Reflect, Uint8Array};
use linli_sync::{ChunkKey, DocumentId};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbKeyRange, IdbObjectStore, IdbOpenDbRequest, IdbRequest, IdbTransaction};

const DATABASE: &str = "automerge";
const STORE: &str = "documents";

/// An open IndexedDB database of document chunks.
#[derive(Clone, Debug)]
pub struct IdbStore {
    db: IdbDatabase,
}

/// Turns an IDB request into a future of its result.
async fn finished(request: &IdbRequest) -> Result<JsValue, JsValue> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let ok_request = request.clone();
        let on_success = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call1(&JsValue::NULL, &ok_request.result().unwrap_or(JsValue::UNDEFINED));
        });
        let error_request = request.clone();
        let on_error = Closure::once_into_js(move |_: web_sys::Event| {
            let error = error_request.error().ok().flatten().map(JsValue::from).unwrap_or_else(|| "IndexedDB request failed".into());
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    });
    JsFuture::from(promise).await
}

fn key_array(key: &ChunkKey) -> Array {
    key.parts().iter().map(|part| JsValue::from_str(part)).collect()
}

impl IdbStore {
    /// Opens the database, creating the object store on first use.
    pub async fn open() -> Result<Self, JsValue> {
        let factory = web_sys::window().ok_or("no window")?.indexed_db()?.ok_or("IndexedDB is not available")?;
        let request: IdbOpenDbRequest = factory.open_with_u32(DATABASE, 1)?;
        let on_upgrade = Closure::once_into_js(move |event: web_sys::Event| {
            let Some(request) = event.target().and_then(|t| t.dyn_into::<IdbOpenDbRequest>().ok()) else { return };
            if let Ok(result) = request.result() {
                let db: IdbDatabase = result.unchecked_into();
                if !db.object_store_names().contains(STORE) {
                    let _ = db.create_object_store(STORE);
                }
            }
        });
        request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
        let db = finished(&request).await?;
        Ok(IdbStore { db: db.unchecked_into() })
    }

    /// The object store in a new transaction. Writes ask for `durability: "strict"`, so a commit
    /// means the data reached the disk. (web-sys marks the options argument unstable, so the call
    /// goes through `Reflect`.)
    fn store(&self, writable: bool) -> Result<IdbObjectStore, JsValue> {
        let options = js_sys::Object::new();
        Reflect::set(&options, &"durability".into(), &if writable { "strict" } else { "default" }.into())?;
        let mode = if writable { "readwrite" } else { "readonly" };
        let open: js_sys::Function = Reflect::get(&self.db, &"transaction".into())?.unchecked_into();
        let transaction: IdbTransaction = open.call3(&self.db, &STORE.into(), &mode.into(), &options)?.unchecked_into();
        transaction.object_store(STORE)
    }

    /// Every chunk stored for a document. Entries that are not chunk keys are skipped.
    pub async fn load(&self, document_id: &DocumentId) -> Result<Vec<(ChunkKey, Vec<u8>)>, JsValue> {
        let id = JsValue::from_str(&document_id.to_string());
        let lower = Array::of1(&id);
        let upper = Array::of2(&id, &JsValue::from_str("\u{ffff}"));
        let range = IdbKeyRange::bound(&lower, &upper)?;
        let values: Array = finished(&self.store(false)?.get_all_with_key(&range)?).await?.unchecked_into();
        let mut chunks = Vec::new();
        for value in values.iter() {
            let key: Array = Reflect::get(&value, &"key".into())?.unchecked_into();
            let parts: Vec<String> = key.iter().filter_map(|p| p.as_string()).collect();
            let [doc, kind, hash] = parts.as_slice() else { continue };
            let Some(key) = ChunkKey::from_parts(doc, kind, hash) else { continue };
            let binary = Reflect::get(&value, &"binary".into())?;
            let Some(bytes) = binary.dyn_ref::<Uint8Array>() else { continue };
            chunks.push((key, bytes.to_vec()));
        }
        Ok(chunks)
    }

    /// Stores a chunk; resolves once it is durable.
    pub async fn put(&self, key: &ChunkKey, data: &[u8]) -> Result<(), JsValue> {
        let record = js_sys::Object::new();
        let key = key_array(key);
        Reflect::set(&record, &"key".into(), &key)?;
        Reflect::set(&record, &"binary".into(), &Uint8Array::from(data))?;
        self.write(|store| store.put_with_key(&record, &key)).await
    }

    /// Removes a chunk (a missing one is fine).
    pub async fn delete(&self, key: &ChunkKey) -> Result<(), JsValue> {
        let key = key_array(key);
        self.write(|store| store.delete(&key)).await
    }

    /// Runs one write in its own transaction and waits for the transaction to commit.
    async fn write(&self, request: impl FnOnce(&IdbObjectStore) -> Result<IdbRequest, JsValue>) -> Result<(), JsValue> {
        let store = self.store(true)?;
        let committed = committed(&store);
        request(&store)?;
        committed.await.map(|_| ())
    }
}

/// A future of the store's transaction committing; the handlers are set before it returns, so no
/// event can be missed.
fn committed(store: &IdbObjectStore) -> JsFuture {
    let transaction = store.transaction();
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let done = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        // An error on the request aborts the transaction, so `abort` covers both.
        let aborted = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = reject.call1(&JsValue::NULL, &"IndexedDB transaction aborted".into());
        });
        transaction.set_oncomplete(Some(done.unchecked_ref()));
        transaction.set_onabort(Some(aborted.unchecked_ref()));
    });
    JsFuture::from(promise)
}
