//! Tabs of one browser sync (each tab's engine, in its worker) with each other over a BroadcastChannel, with or without a relay.
//!
//! The channel is a broadcast, the repo speaks to connections, so each pair of tabs makes one:
//! a new tab says `hello`; every tab already open answers `welcome` to it and takes the
//! connection as incoming; the new tab takes each welcome as an outgoing connection (and so
//! sends the protocol's `join`). Sync messages then go as `data` addressed to one tab, and a
//! closing tab says `bye`. Every message names its sender; a tab ignores what is not for it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use js_sys::{Object, Reflect, Uint8Array};
use linli_sync::{ConnId, Direction};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{BroadcastChannel, MessageEvent};

use crate::engine::Engine;
use crate::platform;

const CHANNEL: &str = "linli-sync";

/// This tab's end of the channel and its connections to the other tabs.
pub struct TabChannel {
    channel: BroadcastChannel,
    me: String,
    /// Other tab → our connection to it (and back).
    conns: RefCell<HashMap<String, ConnId>>,
    tabs: RefCell<HashMap<ConnId, String>>,
}

impl TabChannel {
    /// This engine's name on the channel.
    pub fn me(&self) -> &str {
        &self.me
    }

    /// Whether `conn` is a connection to another tab.
    pub fn owns(&self, conn: ConnId) -> bool {
        self.tabs.borrow().contains_key(&conn)
    }

    /// The other tabs connected now: connection and the tab's short ID.
    pub fn connections(&self) -> Vec<(ConnId, String)> {
        self.tabs.borrow().iter().map(|(conn, tab)| (*conn, tab.clone())).collect()
    }

    /// Sends a sync frame to the tab behind `conn`.
    pub fn send(&self, conn: ConnId, frame: &[u8]) {
        if let Some(tab) = self.tabs.borrow().get(&conn) {
            self.post("data", Some(tab), Some(frame));
        }
    }

    /// Forgets the tab behind `conn` (the repo closed the connection).
    pub fn close(&self, conn: ConnId) {
        if let Some(tab) = self.tabs.borrow_mut().remove(&conn) {
            self.conns.borrow_mut().remove(&tab);
        }
    }

    fn post(&self, kind: &str, to: Option<&str>, frame: Option<&[u8]>) {
        let message = Object::new();
        let _ = Reflect::set(&message, &"kind".into(), &kind.into());
        let _ = Reflect::set(&message, &"from".into(), &self.me.as_str().into());
        if let Some(to) = to {
            let _ = Reflect::set(&message, &"to".into(), &to.into());
        }
        if let Some(frame) = frame {
            let _ = Reflect::set(&message, &"bytes".into(), &Uint8Array::from(frame));
        }
        let _ = self.channel.post_message(&message);
    }
}

/// Opens the channel, answers other tabs, and says hello. `None` where BroadcastChannel is missing.
pub fn open(engine: &Rc<Engine>) -> Option<Rc<TabChannel>> {
    let channel = BroadcastChannel::new(CHANNEL).ok()?;
    let tab = Rc::new(TabChannel { channel, me: platform::random_hex::<8>(), conns: RefCell::new(HashMap::new()), tabs: RefCell::new(HashMap::new()) });
    let weak_engine: Weak<Engine> = Rc::downgrade(engine);
    let weak_tab = Rc::downgrade(&tab);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let (Some(engine), Some(tab)) = (weak_engine.upgrade(), weak_tab.upgrade()) else { return };
        receive(&engine, &tab, &event.data());
    });
    tab.channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // A worker sees no `pagehide`: the page says goodbye for it ([`say_bye`] with its name), so
    // the others drop the connection at once.
    tab.post("hello", None, None);
    Some(tab)
}

/// Tells the other tabs that the engine named `me` has gone (from the page as it goes, or from a
/// panicking engine).
pub fn say_bye(me: &str) {
    let Ok(channel) = BroadcastChannel::new(CHANNEL) else { return };
    let message = Object::new();
    let _ = Reflect::set(&message, &"kind".into(), &"bye".into());
    let _ = Reflect::set(&message, &"from".into(), &me.into());
    let _ = channel.post_message(&message);
    channel.close();
}

fn text(message: &JsValue, key: &str) -> Option<String> {
    Reflect::get(message, &key.into()).ok()?.as_string()
}

fn receive(engine: &Rc<Engine>, tab: &TabChannel, message: &JsValue) {
    let (Some(kind), Some(from)) = (text(message, "kind"), text(message, "from")) else { return };
    if from == tab.me || text(message, "to").is_some_and(|to| to != tab.me) {
        return;
    }
    let known = tab.conns.borrow().get(&from).copied();
    match (kind.as_str(), known) {
        ("hello", None) => {
            let conn = connect(engine, tab, &from);
            tab.post("welcome", Some(&from), None);
            engine.apply(engine.repo.borrow_mut().connected(conn, Direction::Incoming));
        }
        ("welcome", None) => {
            let conn = connect(engine, tab, &from);
            engine.apply(engine.repo.borrow_mut().connected(conn, Direction::Outgoing));
        }
        ("data", Some(conn)) => {
            let Ok(bytes) = Reflect::get(message, &"bytes".into()) else { return };
            let Ok(bytes) = bytes.dyn_into::<Uint8Array>() else { return };
            let fx = engine.repo.borrow_mut().received(conn, &bytes.to_vec());
            engine.apply(fx);
        }
        ("bye", Some(conn)) => {
            tab.close(conn);
            engine.apply(engine.repo.borrow_mut().disconnected(conn));
        }
        _ => {}
    }
}

fn connect(engine: &Engine, tab: &TabChannel, other: &str) -> ConnId {
    let conn = engine.next_conn();
    tab.conns.borrow_mut().insert(other.to_owned(), conn);
    tab.tabs.borrow_mut().insert(conn, other.to_owned());
    conn
}
