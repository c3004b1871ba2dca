//! WebSocket connections to relays: dial, hand frames to the repo, and redial with backoff.

use std::cell::Cell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use js_sys::{ArrayBuffer, Uint8Array};
use linli_sync::{ConnId, Direction};
use linli_view::RelayStatus;
use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, MessageEvent, WebSocket};

use crate::engine::Engine;

/// Longest wait between two attempts to reach a relay.
const MAX_BACKOFF_MS: u32 = 30_000;

/// An open socket and the callbacks that must live as long as it.
struct Socket {
    ws: WebSocket,
    /// The address it was dialled with.
    url: String,
    _callbacks: [Closure<dyn FnMut(JsValue)>; 3],
}

/// The engine's open sockets by connection.
#[derive(Default)]
pub struct Sockets(HashMap<ConnId, Socket>, Waiting);

/// Relays waiting to be dialled again: URL → (timer, attempt).
#[derive(Default)]
struct Waiting(HashMap<String, (Timeout, u32)>);

impl Sockets {
    pub fn send(&self, conn: ConnId, frame: &[u8]) {
        if let Some(socket) = self.0.get(&conn) {
            let _ = socket.ws.send_with_u8_array(frame);
        }
    }

    /// Each socket: its connection, the relay's address, and whether it is open.
    pub fn describe(&self) -> Vec<(ConnId, String, bool)> {
        self.0.iter().map(|(conn, s)| (*conn, s.ws.url(), s.ws.ready_state() == WebSocket::OPEN)).collect()
    }

    /// The connections of sockets dialled to `url`.
    pub fn conns_to(&self, url: &str) -> Vec<ConnId> {
        self.0.iter().filter(|(_, s)| s.url == url).map(|(conn, _)| *conn).collect()
    }

    /// Relays waiting out a backoff before the next dial.
    pub fn waiting(&self) -> Vec<String> {
        self.1.0.keys().cloned().collect()
    }

    pub fn close(&mut self, conn: ConnId) {
        if let Some(socket) = self.0.get(&conn) {
            let _ = socket.ws.close();
        }
    }
}

/// Opens a socket to `url`; when it closes, tries again after a growing delay.
pub fn dial(engine: &Rc<Engine>, url: String, attempt: u32) {
    let ws = match WebSocket::new(&url) {
        Ok(ws) => ws,
        Err(error) => {
            web_sys::console::error_2(&format!("cannot dial {url}:").into(), &error);
            return;
        }
    };
    ws.set_binary_type(BinaryType::Arraybuffer);
    let dialled = url.clone();
    let conn = engine.next_conn();
    let weak = Rc::downgrade(engine);
    let failures = Rc::new(Cell::new(attempt));

    let on_open = {
        let weak = weak.clone();
        let failures = failures.clone();
        let url = url.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |_| {
            failures.set(0);
            if let Some(engine) = weak.upgrade() {
                // A relay dialled only for linked spaces carries their links' documents alone.
                let only = engine.relay_scope(&url);
                let fx = engine.repo.borrow_mut().connected_for(conn, Direction::Outgoing, only);
                engine.apply(fx);
            }
        })
    };
    let on_message = {
        let weak = weak.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let Some(engine) = weak.upgrade() else { return };
            let Ok(event) = event.dyn_into::<MessageEvent>() else { return };
            let Ok(buffer) = event.data().dyn_into::<ArrayBuffer>() else { return };
            let bytes = Uint8Array::new(&buffer).to_vec();
            engine.heard_from_relay();
            let fx = engine.repo.borrow_mut().received(conn, &bytes);
            engine.apply(fx);
        })
    };
    let on_close = Closure::<dyn FnMut(JsValue)>::new(move |_event: JsValue| {
        let Some(engine) = weak.upgrade() else { return };
        // This callback belongs to the socket: drop the socket only after the callback returns.
        let closed = engine.sockets.borrow_mut().0.remove(&conn);
        wasm_bindgen_futures::spawn_local(async move { drop(closed) });
        let fx = engine.repo.borrow_mut().disconnected(conn);
        engine.apply(fx);
        // Offline only when no relay is left: a socket to a wrong address (a bad invitation's
        // relay, say) says nothing about this space's own relay.
        let online = engine.repo.borrow().peers().iter().any(|(other, _)| !engine.is_tab(*other));
        engine.relay_status(if online { RelayStatus::Online } else { RelayStatus::Offline });
        let next_attempt = failures.get() + 1;
        let delay = (500u32 << next_attempt.min(6)).min(MAX_BACKOFF_MS);
        schedule(weak.clone(), url.clone(), next_attempt, delay);
    });
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    engine.sockets.borrow_mut().0.insert(conn, Socket { ws, url: dialled, _callbacks: [on_open, on_message, on_close] });
}

fn schedule(engine: Weak<Engine>, url: String, attempt: u32, delay_ms: u32) {
    let weak = engine.clone();
    let key = url.clone();
    let redial = Timeout::new(delay_ms, move || {
        if let Some(engine) = weak.upgrade() {
            engine.sockets.borrow_mut().1.0.remove(&key);
            dial(&engine, key, attempt);
        }
    });
    if let Some(engine) = engine.upgrade() {
        engine.sockets.borrow_mut().1.0.insert(url, (redial, attempt));
    }
}

/// Follows the browser's idea of the network (the page tells it): when it comes back, relays
/// waiting out a backoff are dialled at once; when it goes, the badge says so without waiting
/// for a timeout.
pub fn network_changed(engine: &Rc<Engine>, online: bool) {
    if !online {
        return engine.relay_status(RelayStatus::Offline);
    }
    let waiting: Vec<(String, (Timeout, u32))> = engine.sockets.borrow_mut().1.0.drain().collect();
    for (url, (timer, attempt)) in waiting {
        timer.cancel();
        dial(engine, url, attempt);
    }
}
