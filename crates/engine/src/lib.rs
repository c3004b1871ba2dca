//! Linli's engine worker: it runs the sans-IO engine core (`linli-engine-core`) in a Web
//! Worker. Browser events — the page's messages, relay sockets, the tab channel, timers,
//! IndexedDB results — become the core's inputs on one queue, handled one at a time; the core's
//! outputs are done here ([`outputs`]), its ordered work on one task ([`work_runner`]). [`run`]
//! is the body of the [`linli_view::EngineWorker`] reactor.

mod idb_store;
mod kept_views;
mod outputs;
pub mod panic_call;
mod platform;
mod relay_sockets;
mod tab_channel;
mod work_runner;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use futures::channel::mpsc;
use futures::{SinkExt, StreamExt, future};
use linli_engine_core::{EngineCore, Entropy, Input};
use linli_view::{EngineScope, EngineWorker, FromEngine, ToEngine};

pub use idb_store::IdbStore;

/// Runs the engine for one page: the page's messages in, the engine's out, until the page goes.
pub fn run(scope: EngineScope) -> Pin<Box<dyn Future<Output = ()>>> {
    Box::pin(async move {
        let (inputs, mut queue) = mpsc::unbounded::<Input>();
        let (to_page, mut for_page) = mpsc::unbounded::<FromEngine>();
        let (work, work_queue) = mpsc::unbounded();
        let outputs = Rc::new(outputs::Outputs {
            inputs: inputs.clone(),
            to_page,
            work,
            sockets: Default::default(),
            tabs: tab_channel::TabChannel::open(inputs.clone()),
            kept_views: Default::default(),
        });
        wasm_bindgen_futures::spawn_local(work_runner::run(work_queue, inputs.clone(), outputs.clone()));
        let (mut page_out, mut page_in) = scope.split();
        let listen = async {
            while let Some(message) = page_in.next().await {
                if let ToEngine::Start { page, .. } = &message {
                    panic_call::remember_page(page);
                }
                let _ = inputs.unbounded_send(Input::Page(message));
            }
        };
        let drive = async {
            let mut core = EngineCore::new(Entropy::new(platform::fill_random));
            while let Some(input) = queue.next().await {
                for output in core.handle(platform::now(), input) {
                    outputs.perform(output);
                }
            }
        };
        let speak = async {
            while let Some(message) = for_page.next().await {
                if page_out.send(message).await.is_err() {
                    break;
                }
            }
        };
        future::select(Box::pin(listen), future::select(Box::pin(drive), Box::pin(speak))).await;
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
