//! IndexedDB as futures, for the page (its kept views) and the engine (the documents' chunks),
//! in a window or a worker alike: open a database (creating its object stores), await a request,
//! write in a transaction that resolves once the data is on disk (`durability: "strict"`).

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbFactory, IdbObjectStore, IdbOpenDbRequest, IdbRequest, IdbTransaction};

/// The IndexedDB of this window or worker.
fn factory() -> Result<IdbFactory, JsValue> {
    let global = js_sys::global();
    let factory = match global.dyn_ref::<web_sys::Window>() {
        Some(window) => window.indexed_db()?,
        None => global.unchecked_ref::<web_sys::WorkerGlobalScope>().indexed_db()?,
    };
    factory.ok_or_else(|| "IndexedDB is not available".into())
}

/// Opens a database, creating the object stores it lacks.
pub async fn open(name: &str, version: u32, stores: &'static [&'static str]) -> Result<IdbDatabase, JsValue> {
    let request: IdbOpenDbRequest = factory()?.open_with_u32(name, version)?;
    let on_upgrade = Closure::once_into_js(move |event: web_sys::Event| {
        let Some(request) = event.target().and_then(|t| t.dyn_into::<IdbOpenDbRequest>().ok()) else { return };
        if let Ok(result) = request.result() {
            let db: IdbDatabase = result.unchecked_into();
            for store in stores {
                if !db.object_store_names().contains(store) {
                    let _ = db.create_object_store(store);
                }
            }
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    Ok(finished(&request).await?.unchecked_into())
}

/// Resolves with a request's result (or rejects with its error).
pub async fn finished(request: &IdbRequest) -> Result<JsValue, JsValue> {
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

/// An object store in a new transaction. Writes ask for `durability: "strict"`, so a commit
/// means the data reached the disk. (web-sys marks the options argument unstable, so the call
/// goes through `Reflect`.)
pub fn store(db: &IdbDatabase, name: &str, writable: bool) -> Result<IdbObjectStore, JsValue> {
    let options = js_sys::Object::new();
    Reflect::set(&options, &"durability".into(), &if writable { "strict" } else { "default" }.into())?;
    let mode = if writable { "readwrite" } else { "readonly" };
    let open: js_sys::Function = Reflect::get(db, &"transaction".into())?.unchecked_into();
    let transaction: IdbTransaction = open.call3(db, &name.into(), &mode.into(), &options)?.unchecked_into();
    transaction.object_store(name)
}

/// Runs one write in its own transaction of `store` and resolves once the transaction has
/// committed (the handlers are set before the write is made, so no event is missed).
pub async fn write(db: &IdbDatabase, store_name: &str, request: impl FnOnce(&IdbObjectStore) -> Result<IdbRequest, JsValue>) -> Result<(), JsValue> {
    let store = store(db, store_name, true)?;
    let committed = committed(&store.transaction());
    request(&store)?;
    committed.await.map(|_| ())
}

fn committed(transaction: &IdbTransaction) -> JsFuture {
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
