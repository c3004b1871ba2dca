//! The engine as a gloo-worker reactor, named here so that the page can spawn it without linking
//! the engine's code: the page holds only this type; the worker's entry point gives it its body
//! ([`EngineWorker::set_body`]) before registering it.

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use gloo_worker::reactor::{Reactor, ReactorScope};

use crate::{FromEngine, ToEngine};

/// What the engine hears from the page and says to it.
pub type EngineScope = ReactorScope<ToEngine, FromEngine>;

/// The engine's body: runs for as long as the page is connected.
pub type EngineBody = fn(EngineScope) -> Pin<Box<dyn Future<Output = ()>>>;

static BODY: OnceLock<EngineBody> = OnceLock::new();

/// The engine reactor (one per page).
pub struct EngineWorker(Pin<Box<dyn Future<Output = ()>>>);

impl EngineWorker {
    /// Gives the reactor its body; called once by the worker's entry point.
    pub fn set_body(body: EngineBody) {
        let _ = BODY.set(body);
    }
}

impl Future for EngineWorker {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.as_mut().poll(cx)
    }
}

impl Reactor for EngineWorker {
    type Scope = EngineScope;

    fn create(scope: EngineScope) -> Self {
        let body = BODY.get().expect("the worker's entry point sets the engine's body before registering it");
        EngineWorker(body(scope))
    }
}
