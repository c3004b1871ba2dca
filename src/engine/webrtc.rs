//! Direct connections between browsers over WebRTC data channels, carrying the same sync
//! protocol as a relay socket.
//!
//! Two ways to meet:
//! - **Through a relay**: every few seconds each device says `hello` (with its random direct-link
//!   ID) as an ephemeral message on each open space; the relay passes it to the space's other
//!   peers. Of two devices that hear each other, the one with the smaller ID makes the offer. Once
//!   the data channel is open the relay is no longer needed: edits flow directly. The engine signs
//!   each signal with the space's take-part key when the device holds a take-part or edit link,
//!   and a device answers only signed ones: view links (kiosks, passers-by) link through relays
//!   only.
//! - **With no server at all**: one device makes an invitation (its offer, as text and a QR
//!   code), the other pastes or scans it and gives back an answer the same way.
//!
//! ICE is not trickled: an offer or answer is sent once gathering is complete, so each side of
//! the manual path is one piece of text. No STUN or TURN server is configured: direct links are
//! for devices that can reach each other (one LAN, one Wi-Fi).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use js_sys::{Reflect, Uint8Array};
use linli_view::{DirectEvent, DirectId, EngineError, SpaceId, ToEngine};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    MessageEvent, RtcDataChannel, RtcDataChannelEvent, RtcDataChannelType, RtcIceGatheringState, RtcPeerConnection, RtcPeerConnectionState, RtcSdpType, RtcSessionDescriptionInit,
};

use super::Engine;
use crate::platform;

/// One direct connection (being set up, or open).
struct Connection {
    pc: RtcPeerConnection,
    channel: RefCell<Option<RtcDataChannel>>,
    /// Set once the data channel is open (the engine then knows the connection by this number).
    conn: RefCell<Option<DirectId>>,
    /// Callbacks the browser holds; kept alive as long as the link.
    callbacks: RefCell<Vec<Closure<dyn FnMut(JsValue)>>>,
}

/// This device's direct connections.
pub struct Direct {
    me: String,
    connections: RefCell<HashMap<String, Rc<Connection>>>,
    conns: RefCell<HashMap<DirectId, String>>,
    next_id: Cell<DirectId>,
}

/// Which side made the offer (the engine's sync speaks first on the offering side).
#[derive(Clone, Copy)]
enum Direction {
    Outgoing,
    Incoming,
}

/// A signalling message, sent as an ephemeral message through a relay or as text by hand.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    pub kind: String,
    pub from: String,
    pub to: Option<String>,
    pub sdp: Option<String>,
    /// In a hello: the sender's sync peer ID, so a device already linked to it (as another tab
    /// of the same browser, say) does not make a second link.
    pub peer: Option<String>,
}

const MARK: &str = "linli-rtc";

impl Signal {
    pub fn to_json(&self) -> String {
        let object = js_sys::Object::new();
        let _ = Reflect::set(&object, &"linli".into(), &MARK.into());
        let _ = Reflect::set(&object, &"kind".into(), &self.kind.as_str().into());
        let _ = Reflect::set(&object, &"from".into(), &self.from.as_str().into());
        if let Some(to) = &self.to {
            let _ = Reflect::set(&object, &"to".into(), &to.as_str().into());
        }
        if let Some(sdp) = &self.sdp {
            let _ = Reflect::set(&object, &"sdp".into(), &sdp.as_str().into());
        }
        if let Some(peer) = &self.peer {
            let _ = Reflect::set(&object, &"peer".into(), &peer.as_str().into());
        }
        js_sys::JSON::stringify(&object).map(String::from).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Option<Signal> {
        let value = js_sys::JSON::parse(text.trim()).ok()?;
        let get = |key: &str| Reflect::get(&value, &key.into()).ok().and_then(|v| v.as_string());
        (get("linli")? == MARK).then_some(())?;
        Some(Signal { kind: get("kind")?, from: get("from")?, to: get("to"), sdp: get("sdp"), peer: get("peer") })
    }
}

impl Direct {
    pub fn new() -> Rc<Direct> {
        Rc::new(Direct { me: platform::random_hex::<8>(), connections: RefCell::new(HashMap::new()), conns: RefCell::new(HashMap::new()), next_id: Cell::new(1) })
    }

    pub fn send(&self, conn: DirectId, frame: &[u8]) {
        let Some(who) = self.conns.borrow().get(&conn).cloned() else { return };
        if let Some(link) = self.connections.borrow().get(&who)
            && let Some(channel) = link.channel.borrow().as_ref()
        {
            let _ = channel.send_with_u8_array(frame);
        }
    }

    pub fn close(&self, conn: DirectId) {
        let Some(who) = self.conns.borrow_mut().remove(&conn) else { return };
        if let Some(link) = self.connections.borrow_mut().remove(&who) {
            link.pc.close();
        }
    }

    /// Closes every link (the engine that knew them has gone; they are made again on hello).
    pub fn close_all(&self) {
        self.conns.borrow_mut().clear();
        for (_, link) in self.connections.borrow_mut().drain() {
            link.pc.close();
        }
    }

    /// The hello this device says on each open space (through relays).
    pub fn hello(&self, peer_id: &str) -> Signal {
        Signal { kind: "hello".into(), from: self.me.clone(), to: None, sdp: None, peer: Some(peer_id.to_owned()) }
    }
}

/// Says hello on every ready space, so devices on the same relay find each other.
pub fn announce(engine: &Rc<Engine>, spaces: &[SpaceId]) {
    let Some(direct) = engine.direct.borrow().clone() else { return };
    let peer_id = engine.peer.borrow().clone();
    if peer_id.is_empty() {
        return;
    }
    let hello = direct.hello(&peer_id).to_json().into_bytes();
    for space in spaces {
        engine.send(ToEngine::Ephemeral { space: space.clone(), data: hello.clone() });
    }
}

/// Handles a signalling message that arrived through a relay on `space`. Only a peer that proved
/// it holds a take-part or edit link of the space (`proven`, see `linli_sync::link_proof`) is
/// linked to: a view link's holder (a passer-by who scanned a kiosk) opens no direct channel.
pub fn on_relayed(engine: &Rc<Engine>, space: SpaceId, data: &[u8], proven: bool) {
    if !proven {
        return;
    }
    let Some(direct) = engine.direct.borrow().clone() else { return };
    let Some(signal) = std::str::from_utf8(data).ok().and_then(Signal::from_json) else { return };
    if signal.from == direct.me || signal.to.as_ref().is_some_and(|to| *to != direct.me) {
        return;
    }
    let linked_already = signal.peer.as_ref().is_some_and(|peer| engine.peers.borrow().iter().any(|id| id == peer));
    if linked_already {
        return;
    }
    let known = direct.connections.borrow().contains_key(&signal.from);
    let weak = Rc::downgrade(engine);
    let reply = move |signal: Signal| {
        if let Some(engine) = weak.upgrade() {
            engine.send(ToEngine::Ephemeral { space: space.clone(), data: signal.to_json().into_bytes() });
        }
    };
    match signal.kind.as_str() {
        "hello" if !known && direct.me < signal.from => {
            let engine = engine.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(offer) = make_offer(&engine, &direct, &signal.from).await {
                    reply(offer);
                }
            });
        }
        "offer" if !known => {
            let engine = engine.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(answer) = answer_offer(&engine, &direct, &signal).await {
                    reply(answer);
                }
            });
        }
        "answer" => wasm_bindgen_futures::spawn_local(async move {
            let _ = accept_answer(&direct, &signal.from, &signal).await;
        }),
        _ => {}
    }
}

/// The manual path, first device: an invitation to paste or scan on the other device.
pub async fn invitation(engine: &Rc<Engine>) -> Result<String, EngineError> {
    let direct = engine.direct.borrow().clone().ok_or(EngineError::DirectUnavailable)?;
    let peer = format!("manual-{}", platform::random_hex::<4>());
    let mut offer = make_offer(engine, &direct, &peer).await.map_err(|detail| EngineError::DirectFailed { detail })?;
    offer.to = None;
    Ok(offer.to_json())
}

/// The manual path, either device: takes pasted text. An invitation returns the answer to give
/// back; an answer completes the link and returns `None`.
pub async fn paste(engine: &Rc<Engine>, text: &str) -> Result<Option<String>, EngineError> {
    let direct = engine.direct.borrow().clone().ok_or(EngineError::DirectUnavailable)?;
    let signal = Signal::from_json(text).ok_or(EngineError::NotADirectInvitation)?;
    let failed = |detail| EngineError::DirectFailed { detail };
    match signal.kind.as_str() {
        "offer" => answer_offer(engine, &direct, &signal).await.map(|answer| Some(answer.to_json())).map_err(failed),
        "answer" => {
            // An answer to a manual invitation names this device; take the pending manual link.
            let pending = direct.connections.borrow().iter().find(|(who, link)| who.starts_with("manual-") && link.conn.borrow().is_none()).map(|(who, _)| who.clone());
            let pending = pending.ok_or(EngineError::NoInvitationWaiting)?;
            accept_answer(&direct, &pending, &signal).await.map(|()| None).map_err(failed)
        }
        _ => Err(EngineError::NotADirectInvitation),
    }
}

fn error(what: &str) -> impl Fn(JsValue) -> String + '_ {
    move |e| format!("{what}: {}", e.as_string().unwrap_or_else(|| format!("{e:?}")))
}

fn new_connection(engine: &Rc<Engine>, direct: &Rc<Direct>, peer: &str, direction: Direction) -> Result<Rc<Connection>, String> {
    let pc = RtcPeerConnection::new().map_err(error("cannot make a direct connection"))?;
    let link = Rc::new(Connection { pc, channel: RefCell::new(None), conn: RefCell::new(None), callbacks: RefCell::new(Vec::new()) });
    direct.connections.borrow_mut().insert(peer.to_owned(), link.clone());
    // The answering side receives the channel the offering side made.
    let on_channel = {
        let (engine, direct, link, peer) = (Rc::downgrade(engine), Rc::downgrade(direct), Rc::downgrade(&link), peer.to_owned());
        Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let (Some(engine), Some(direct), Some(link)) = (engine.upgrade(), direct.upgrade(), link.upgrade()) else { return };
            if let Ok(event) = event.dyn_into::<RtcDataChannelEvent>() {
                attach_channel(&engine, &direct, &link, &peer, event.channel(), direction);
            }
        })
    };
    link.pc.set_ondatachannel(Some(on_channel.as_ref().unchecked_ref()));
    let on_state = {
        let (engine, direct, link, peer) = (Rc::downgrade(engine), Rc::downgrade(direct), Rc::downgrade(&link), peer.to_owned());
        Closure::<dyn FnMut(JsValue)>::new(move |_| {
            let (Some(engine), Some(direct), Some(link)) = (engine.upgrade(), direct.upgrade(), link.upgrade()) else { return };
            if matches!(link.pc.connection_state(), RtcPeerConnectionState::Failed | RtcPeerConnectionState::Closed) {
                drop_link(&engine, &direct, &peer);
            }
        })
    };
    link.pc.set_onconnectionstatechange(Some(on_state.as_ref().unchecked_ref()));
    link.callbacks.borrow_mut().extend([on_channel, on_state]);
    Ok(link)
}

fn attach_channel(engine: &Rc<Engine>, direct: &Rc<Direct>, link: &Rc<Connection>, peer: &str, channel: RtcDataChannel, direction: Direction) {
    channel.set_binary_type(RtcDataChannelType::Arraybuffer);
    let on_open = {
        let (engine, direct, link, peer) = (Rc::downgrade(engine), Rc::downgrade(direct), Rc::downgrade(link), peer.to_owned());
        Closure::<dyn FnMut(JsValue)>::new(move |_| {
            let (Some(engine), Some(direct), Some(link)) = (engine.upgrade(), direct.upgrade(), link.upgrade()) else { return };
            let conn = direct.next_id.get();
            direct.next_id.set(conn + 1);
            *link.conn.borrow_mut() = Some(conn);
            direct.conns.borrow_mut().insert(conn, peer.clone());
            engine.direct_event(DirectEvent::Opened { id: conn, outgoing: matches!(direction, Direction::Outgoing) });
        })
    };
    let on_message = {
        let (engine, link) = (Rc::downgrade(engine), Rc::downgrade(link));
        Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let (Some(engine), Some(link)) = (engine.upgrade(), link.upgrade()) else { return };
            let Some(conn) = *link.conn.borrow() else { return };
            let Ok(event) = event.dyn_into::<MessageEvent>() else { return };
            let bytes = Uint8Array::new(&event.data()).to_vec();
            engine.direct_event(DirectEvent::Frame { id: conn, bytes });
        })
    };
    let on_close = {
        let (engine, direct, peer) = (Rc::downgrade(engine), Rc::downgrade(direct), peer.to_owned());
        Closure::<dyn FnMut(JsValue)>::new(move |_| {
            if let (Some(engine), Some(direct)) = (engine.upgrade(), direct.upgrade()) {
                drop_link(&engine, &direct, &peer);
            }
        })
    };
    channel.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    channel.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    link.callbacks.borrow_mut().extend([on_open, on_message, on_close]);
    *link.channel.borrow_mut() = Some(channel);
}

/// Forgets a link. Its callbacks are unhooked from the connection and its channel first, and
/// dropped only after the callback that called this has returned: the browser fires one more
/// state change a while after `close()`, and a callback dropped while it runs, or called after
/// it was dropped, throws.
fn drop_link(engine: &Rc<Engine>, direct: &Rc<Direct>, peer: &str) {
    let Some(link) = direct.connections.borrow_mut().remove(peer) else { return };
    let conn = link.conn.borrow_mut().take();
    if let Some(conn) = conn {
        direct.conns.borrow_mut().remove(&conn);
        engine.direct_event(DirectEvent::Closed { id: conn });
    }
    link.pc.set_ondatachannel(None);
    link.pc.set_onconnectionstatechange(None);
    if let Some(channel) = link.channel.borrow().as_ref() {
        channel.set_onopen(None);
        channel.set_onmessage(None);
        channel.set_onclose(None);
    }
    link.pc.close();
    wasm_bindgen_futures::spawn_local(async move { drop(link) });
}

/// Resolves once ICE gathering is complete (so the description holds every candidate).
async fn gathered(pc: &RtcPeerConnection) {
    if pc.ice_gathering_state() == RtcIceGatheringState::Complete {
        return;
    }
    let pc2 = pc.clone();
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let pc3 = pc2.clone();
        let check = Closure::<dyn FnMut()>::new(move || {
            if pc3.ice_gathering_state() == RtcIceGatheringState::Complete {
                let _ = resolve.call0(&JsValue::NULL);
            }
        });
        pc2.set_onicegatheringstatechange(Some(check.as_ref().unchecked_ref()));
        check.forget();
    });
    let _ = JsFuture::from(promise).await;
}

fn sdp_of(pc: &RtcPeerConnection) -> Option<String> {
    pc.local_description().map(|d| d.sdp())
}

async fn make_offer(engine: &Rc<Engine>, direct: &Rc<Direct>, peer: &str) -> Result<Signal, String> {
    let link = new_connection(engine, direct, peer, Direction::Outgoing)?;
    let channel = link.pc.create_data_channel("linli-sync");
    attach_channel(engine, direct, &link, peer, channel, Direction::Outgoing);
    let offer = JsFuture::from(link.pc.create_offer()).await.map_err(error("cannot make an offer"))?;
    let sdp = Reflect::get(&offer, &"sdp".into()).ok().and_then(|v| v.as_string()).ok_or("the offer has no description")?;
    let description = RtcSessionDescriptionInit::new(RtcSdpType::Offer);
    description.set_sdp(&sdp);
    JsFuture::from(link.pc.set_local_description(&description)).await.map_err(error("cannot use the offer"))?;
    gathered(&link.pc).await;
    Ok(Signal { kind: "offer".into(), from: direct.me.clone(), to: Some(peer.to_owned()), sdp: sdp_of(&link.pc), peer: None })
}

async fn answer_offer(engine: &Rc<Engine>, direct: &Rc<Direct>, offer: &Signal) -> Result<Signal, String> {
    let link = new_connection(engine, direct, &offer.from, Direction::Incoming)?;
    let remote = RtcSessionDescriptionInit::new(RtcSdpType::Offer);
    remote.set_sdp(offer.sdp.as_deref().ok_or("the invitation has no description")?);
    JsFuture::from(link.pc.set_remote_description(&remote)).await.map_err(error("cannot read the invitation"))?;
    let answer = JsFuture::from(link.pc.create_answer()).await.map_err(error("cannot make an answer"))?;
    let sdp = Reflect::get(&answer, &"sdp".into()).ok().and_then(|v| v.as_string()).ok_or("the answer has no description")?;
    let description = RtcSessionDescriptionInit::new(RtcSdpType::Answer);
    description.set_sdp(&sdp);
    JsFuture::from(link.pc.set_local_description(&description)).await.map_err(error("cannot use the answer"))?;
    gathered(&link.pc).await;
    Ok(Signal { kind: "answer".into(), from: direct.me.clone(), to: Some(offer.from.clone()), sdp: sdp_of(&link.pc), peer: None })
}

/// Completes the link `key` (the other device's ID, or a manual invitation's) with its answer.
async fn accept_answer(direct: &Rc<Direct>, key: &str, answer: &Signal) -> Result<(), String> {
    let link = direct.connections.borrow().get(key).cloned().ok_or("no invitation is waiting for this answer")?;
    let remote = RtcSessionDescriptionInit::new(RtcSdpType::Answer);
    remote.set_sdp(answer.sdp.as_deref().ok_or("the answer has no description")?);
    JsFuture::from(link.pc.set_remote_description(&remote)).await.map_err(error("cannot read the answer")).map(|_| ())
}

/// Keeps saying hello on every ready space every few seconds (a device that joins later, or a
/// relay that restarted, hears it soon).
pub fn keep_announcing(engine: &Rc<Engine>) {
    let weak: Weak<Engine> = Rc::downgrade(engine);
    let tick = Closure::<dyn FnMut()>::new(move || {
        let Some(engine) = weak.upgrade() else { return };
        let spaces = engine.ready_spaces();
        announce(&engine, &spaces);
    });
    if let Some(window) = web_sys::window() {
        let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), 3_000);
    }
    tick.forget();
}
