//! Documents in the browser's IndexedDB, in automerge-repo's layout: database `automerge`, object
//! store `documents`, each chunk stored as `{key, binary}` under its key array
//! `[docId, "snapshot" | "incremental", hash]`. Writes use strict durability: when a write's
//! promise resolves, the chunk is on disk.

use js_sys::{Array, Reflect, Uint8Array};
use linli_sync::{ChunkKey, DocumentId};
use wasm_bindgen::prelude::*;
use web_sys::{IdbDatabase, IdbKeyRange};

const DATABASE: &str = "automerge";
const STORE: &str = "documents";

/// An open IndexedDB database of document chunks.
#[derive(Clone, Debug)]
pub struct IdbStore {
    db: IdbDatabase,
}

fn key_array(key: &ChunkKey) -> Array {
    key.parts().iter().map(|part| JsValue::from_str(part)).collect()
}

impl IdbStore {
    /// Opens the database, creating the object store on first use.
    pub async fn open() -> Result<Self, JsValue> {
        Ok(IdbStore { db: linli_idb::open(DATABASE, 1, &[STORE]).await? })
    }

    /// Every chunk stored for a document. Entries that are not chunk keys are skipped.
    pub async fn load(&self, document_id: &DocumentId) -> Result<Vec<(ChunkKey, Vec<u8>)>, JsValue> {
        let id = JsValue::from_str(&document_id.to_string());
        let lower = Array::of1(&id);
        let upper = Array::of2(&id, &JsValue::from_str("\u{ffff}"));
        let range = IdbKeyRange::bound(&lower, &upper)?;
        let store = linli_idb::store(&self.db, STORE, false)?;
        let values: Array = linli_idb::finished(&store.get_all_with_key(&range)?).await?.unchecked_into();
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
        linli_idb::write(&self.db, STORE, |store| store.put_with_key(&record, &key)).await
    }

    /// Removes a chunk (a missing one is fine).
    pub async fn delete(&self, key: &ChunkKey) -> Result<(), JsValue> {
        let key = key_array(key);
        linli_idb::write(&self.db, STORE, |store| store.delete(&key)).await
    }
}
