//! The WebSockets to relays that the core asked for: each one's events become inputs about its
//! connection; the core decides when to dial again.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use futures::channel::mpsc::UnboundedSender;
use js_sys::{ArrayBuffer, Uint8Array};
use linli_engine_core::Input;
use linli_sync::ConnId;
use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, MessageEvent, WebSocket};

/// An open socket and the callbacks that must live as long as it.
struct Socket {
    ws: WebSocket,
    _callbacks: [Closure<dyn FnMut(JsValue)>; 3],
}

/// The open sockets by connection.
#[derive(Default)]
pub struct RelaySockets(Rc<RefCell<HashMap<ConnId, Socket>>>);

impl RelaySockets {
    /// Opens a socket to `url` for `conn`; its opening, frames and closing go to `inputs`.
    pub fn dial(&self, conn: ConnId, url: &str, inputs: &UnboundedSender<Input>) {
        let ws = match WebSocket::new(url) {
            Ok(ws) => ws,
            Err(error) => {
                web_sys::console::error_2(&format!("cannot dial {url}:").into(), &error);
                let _ = inputs.unbounded_send(Input::DialFailed(conn));
                return;
            }
        };
        ws.set_binary_type(BinaryType::Arraybuffer);
        let on_open = {
            let inputs = inputs.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |_| {
                let _ = inputs.unbounded_send(Input::SocketOpened(conn));
            })
        };
        let on_message = {
            let inputs = inputs.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                let Ok(event) = event.dyn_into::<MessageEvent>() else { return };
                let Ok(buffer) = event.data().dyn_into::<ArrayBuffer>() else { return };
                let _ = inputs.unbounded_send(Input::SocketFrame(conn, Uint8Array::new(&buffer).to_vec()));
            })
        };
        let on_close = {
            let inputs = inputs.clone();
            let sockets: Weak<RefCell<HashMap<ConnId, Socket>>> = Rc::downgrade(&self.0);
            Closure::<dyn FnMut(JsValue)>::new(move |_| {
                // This callback belongs to the socket: drop the socket only after it returns.
                let closed = sockets.upgrade().and_then(|sockets| sockets.borrow_mut().remove(&conn));
                wasm_bindgen_futures::spawn_local(async move { drop(closed) });
                let _ = inputs.unbounded_send(Input::SocketClosed(conn));
            })
        };
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        self.0.borrow_mut().insert(conn, Socket { ws, _callbacks: [on_open, on_message, on_close] });
    }

    pub fn send(&self, conn: ConnId, frame: &[u8]) {
        if let Some(socket) = self.0.borrow().get(&conn) {
            let _ = socket.ws.send_with_u8_array(frame);
        }
    }

    pub fn close(&self, conn: ConnId) {
        if let Some(socket) = self.0.borrow().get(&conn) {
            let _ = socket.ws.close();
        }
    }
}
