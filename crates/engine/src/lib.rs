//! Linli's engine, run in a Web Worker: Automerge documents in the sync repo, IndexedDB, relay
//! sockets and the other tabs. The page (which only draws) talks to it through the messages of
//! `linli-view`; [`run`] is the body of the [`linli_view::EngineWorker`] reactor.

mod effect_runner;
mod engine;
mod idb_store;
mod links;
pub mod panic_call;
mod platform;
mod relay_socket;
mod space_json;
mod tab_channel;

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
    EngineWorker::set_body(run);
    gloo_worker::reactor::ReactorRegistrar::<EngineWorker>::new().register();
}
