//! Linli's engine, run in a Web Worker: Automerge documents in the sync repo, IndexedDB, relay
//! sockets and the other tabs. The page (which only draws) talks to it through the messages of
//! `linli-view`; [`run`] is the body of the [`linli_view::EngineWorker`] reactor.

mod cut_closings;
mod effect_runner;
mod engine;
mod engine_errors;
mod idb_store;
mod linked_spaces;
mod links;
pub mod panic_call;
mod platform;
mod relay_socket;
mod space_json;
mod tab_channel;
mod view_keeper;

use std::future::Future;
use std::pin::Pin;

use futures::channel::mpsc;
use futures::{SinkExt, StreamExt, future};
use linli_view::{EngineScope, EngineWorker, FromEngine};

pub use engine::Engine;
pub use idb_store::IdbStore;

/// Runs the engine for one page: the page's messages in, the engine's out, until the page goes.
pub fn run(scope: EngineScope) -> Pin<Box<dyn Future<Output = ()>>> {
    Box::pin(async move {
        let (out, outgoing) = mpsc::unbounded::<FromEngine>();
        let engine = Engine::new(out);
        let (mut to_page, mut from_page) = scope.split();
        let listen = async {
            while let Some(message) = from_page.next().await {
                engine.handle(message);
            }
        };
        let speak = async {
            let mut outgoing = outgoing;
            while let Some(message) = outgoing.next().await {
                if to_page.send(message).await.is_err() {
                    break;
                }
            }
        };
        future::select(Box::pin(listen), Box::pin(speak)).await;
    })
}

/// The worker's entry point: installs the panic hook and registers the reactor.
pub fn register() {
    panic_call::install();
    expose_memory();
    EngineWorker::set_body(run);
    gloo_worker::reactor::ReactorRegistrar::<EngineWorker>::new().register();
}

/// `linliEngineMemory()` in the worker's scope: the bytes of its wasm memory (the browser
/// benchmarks add it to the page's to get the memory per item; DevTools cannot see into it).
fn expose_memory() {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;
    let measure = Closure::<dyn Fn() -> f64>::new(|| {
        let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
        memory.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length() as f64
    });
    let _ = js_sys::Reflect::set(&js_sys::global(), &"linliEngineMemory".into(), measure.as_ref());
    measure.forget();
}
