//! The page's side of the engine. The engine itself (Automerge, sync, IndexedDB, sockets) runs in
//! a Web Worker (`crates/engine`); this module starts it, sends it the page's commands and keeps
//! the page's copy of each open space up to date from the views it sends back
//! (`linli_view::ViewUpdate`). Screens read that copy and a few signals; they never wait for the
//! worker to draw.
//!
//! If the worker panics (Automerge can, on crafted bytes), it says so on a BroadcastChannel
//! before it stops; the page starts a new one, which opens every space again from IndexedDB.
//! The page — and whatever is typed in it — stays.

pub mod kept_view;
pub mod webrtc;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::rc::Rc;

use futures::StreamExt;
use futures::channel::oneshot;
use gloo_worker::reactor::{ReactorBridge, ReactorSpawner};
use leptos::prelude::*;
use linli_model::{Edit, ItemId, ItemKind, ItemMark, Space, Timestamp};
use linli_view::requests::{
    AcceptInvitation, ChangeLink, CreateSpace, EditSpace, ExportFile, ExportJson, ImportFile, InviteSpace, ItemHistory, ListTransports, NewTakePartKey, NewWriteKey,
};
use linli_view::{Ask, DirectEvent, EngineError, EngineWorker, FromEngine, HistoryRow, Imported, KeyKind, Phase, Reply, Request, SpaceId, SpaceStatus, ToEngine, Transport};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

pub use linli_view::{Access, RelayStatus, TransportKind};

use crate::{address_keys, identity, platform};

/// The engine worker's loader in the built site (`xtask/src/engine_worker.rs` writes it).
const ENGINE_LOADER: &str = "/linli-engine_loader.js";

/// The engine is started again after an error at most this many times in [`RESTART_WINDOW_MS`].
const MAX_RESTARTS: usize = 3;
const RESTART_WINDOW_MS: f64 = 60_000.0;

/// A peer refused changes this device made, and said why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub space: SpaceId,
    /// What the refused change broke, in the reader's language.
    pub reason: String,
}

/// One space the page has open: its copy as last sent by the engine (or, until then, as last
/// shown on this device), where it stands, and a stamp that moves each time the copy changes.
struct OpenSpace {
    space: Option<Space>,
    /// The copy is one drawn before the engine sent its own ([`kept_view`]).
    early: bool,
    status: RwSignal<Option<SpaceStatus>>,
    stamp: RwSignal<u64>,
    /// Its links to other spaces, by link document ID (moving the stamp when one changes).
    links: std::collections::BTreeMap<String, linli_model::Link>,
}

/// The page's engine: one per page, shared through Leptos context as [`EngineHandle`].
pub struct Engine {
    /// This page's name (a panicking engine names the page it served).
    page: String,
    bridge: RefCell<Option<Rc<RefCell<ReactorBridge<EngineWorker>>>>>,
    requests: RefCell<HashMap<u64, oneshot::Sender<Result<Reply, EngineError>>>>,
    next_request: Cell<u64>,
    spaces: RefCell<HashMap<SpaceId, OpenSpace>>,
    /// The reactive owner that lives as long as the page (signals made for a space outlive the
    /// screen that opened it).
    owner: Owner,
    relays: Vec<String>,
    pub relay_status: RwSignal<RelayStatus>,
    /// When a relay last sent this device anything (kiosks show it as "last synced").
    pub last_heard: RwSignal<Option<Timestamp>>,
    /// Chunks handed to IndexedDB and not yet durable.
    pub unsaved_writes: RwSignal<u32>,
    /// The last refusal a peer sent back (shown on the device that made the change).
    pub refused: RwSignal<Option<Refusal>>,
    /// This device's member ID (hex), once the engine has started.
    pub member: RwSignal<Option<String>>,
    /// The mark new items' IDs carry, from the engine now running.
    item_mark: Cell<Option<ItemMark>>,
    /// How many times the engine stopped after an error and was started again.
    pub restarts: RwSignal<u32>,
    /// The engine stopped too often in a short while and was not started again (the page asks
    /// for a reload instead of looping).
    pub stopped: RwSignal<bool>,
    /// When the engine last stopped (ms since the epoch), most recent last.
    stops: RefCell<Vec<f64>>,
    /// The engine's name on the tab channel, and its sync peer ID.
    tab: RefCell<String>,
    peer: RefCell<String>,
    /// The sync peers the engine is connected to now.
    peers: RefCell<Vec<String>>,
    /// Direct WebRTC links (where the browser has WebRTC): the page carries them for the engine.
    direct: RefCell<Option<Rc<webrtc::Direct>>>,
    this: RefCell<std::rc::Weak<Engine>>,
}

/// A `Copy` handle to the engine for components (the engine itself is not `Send`).
#[derive(Clone, Copy)]
pub struct EngineHandle(StoredValue<Rc<Engine>, LocalStorage>);

impl EngineHandle {
    pub fn get(&self) -> Rc<Engine> {
        self.0.get_value()
    }
}

impl Engine {
    /// Starts the engine worker and tells it the relays to dial.
    pub fn start(relay_urls: Vec<String>) -> EngineHandle {
        let engine = Rc::new(Engine {
            page: platform::random_hex::<8>(),
            bridge: RefCell::new(None),
            requests: RefCell::new(HashMap::new()),
            next_request: Cell::new(1),
            spaces: RefCell::new(HashMap::new()),
            owner: Owner::current().unwrap_or_default(),
            relays: relay_urls,
            relay_status: RwSignal::new(RelayStatus::Connecting),
            last_heard: RwSignal::new(None),
            unsaved_writes: RwSignal::new(0),
            refused: RwSignal::new(None),
            member: RwSignal::new(None),
            item_mark: Cell::new(None),
            restarts: RwSignal::new(0),
            stopped: RwSignal::new(false),
            stops: RefCell::new(Vec::new()),
            tab: RefCell::new(String::new()),
            peer: RefCell::new(String::new()),
            peers: RefCell::new(Vec::new()),
            direct: RefCell::new(None),
            this: RefCell::new(std::rc::Weak::new()),
        });
        *engine.this.borrow_mut() = Rc::downgrade(&engine);
        engine.spawn();
        watch_for_engine_down(&engine);
        watch_network(&engine);
        say_bye_on_pagehide(&engine);
        let has_webrtc = web_sys::window().is_some_and(|w| js_sys::Reflect::has(&w, &"RTCPeerConnection".into()).unwrap_or(false));
        if has_webrtc {
            *engine.direct.borrow_mut() = Some(webrtc::Direct::new());
            webrtc::keep_announcing(&engine);
        }
        EngineHandle(StoredValue::new_local(engine))
    }

    /// Starts a worker and tells it all it needs: who this device is, the relays, the keys and
    /// spaces the page has open.
    fn spawn(self: &Rc<Self>) {
        let bridge = ReactorSpawner::<EngineWorker>::new().with_loader(true).spawn(ENGINE_LOADER);
        let bridge = Rc::new(RefCell::new(bridge));
        *self.bridge.borrow_mut() = Some(bridge.clone());
        self.send(ToEngine::Start { page: self.page.clone(), member_key: identity::member_key_text(), relays: self.relays.clone() });
        let open: Vec<SpaceId> = self.spaces.borrow().keys().cloned().collect();
        for space in open {
            self.send_keys(&space);
            self.send(ToEngine::Open { space });
        }
        let weak = Rc::downgrade(self);
        wasm_bindgen_futures::spawn_local(async move {
            loop {
                let next = futures::future::poll_fn(|cx| bridge.borrow_mut().poll_next_unpin(cx)).await;
                let Some(message) = next else { break };
                let Some(engine) = weak.upgrade() else { break };
                // A message from a worker that has since been replaced is dropped.
                if !engine.bridge.borrow().as_ref().is_some_and(|current| Rc::ptr_eq(current, &bridge)) {
                    break;
                }
                engine.heard(message);
            }
        });
    }

    fn send(&self, message: ToEngine) {
        if let Some(bridge) = self.bridge.borrow().as_ref() {
            bridge.borrow().send_input(message);
        }
    }

    /// The engine stopped after an error: a new one takes its place; requests waiting on the old
    /// one fail (the person may try again: what they typed is still on the page).
    fn restart(self: &Rc<Self>) {
        let waiting: Vec<_> = self.requests.borrow_mut().drain().collect();
        for (_, answer) in waiting {
            let _ = answer.send(Err(EngineError::EngineRestarted));
        }
        if let Some(direct) = self.direct.borrow().as_ref() {
            direct.close_all();
        }
        self.peers.borrow_mut().clear();
        self.unsaved_writes.set(0);
        let now = js_sys::Date::now();
        let mut stops = self.stops.borrow_mut();
        stops.retain(|at| now - at < RESTART_WINDOW_MS);
        stops.push(now);
        if stops.len() > MAX_RESTARTS {
            *self.bridge.borrow_mut() = None;
            self.stopped.set(true);
            return;
        }
        drop(stops);
        self.restarts.update(|n| *n += 1);
        self.spawn();
    }

    /// Takes one message from the engine.
    fn heard(self: &Rc<Self>, message: FromEngine) {
        match message {
            FromEngine::Started { member, member_key, tab, peer, item_mark } => {
                if let Some(key) = member_key {
                    identity::keep_member_key(&key);
                }
                self.item_mark.set(ItemMark::parse(&item_mark));
                *self.tab.borrow_mut() = tab;
                *self.peer.borrow_mut() = peer;
                self.member.set(Some(member));
            }
            FromEngine::Peers(peers) => *self.peers.borrow_mut() = peers,
            FromEngine::Status { space, status } => {
                if let Some(open) = self.spaces.borrow().get(&space) {
                    open.status.set(Some(status));
                }
            }
            FromEngine::View { space, update } => {
                let stamp = {
                    let mut spaces = self.spaces.borrow_mut();
                    let Some(open) = spaces.get_mut(&space) else { return };
                    match (&mut open.space, update) {
                        (Some(copy), update) if !open.early || matches!(update, linli_view::ViewUpdate::Whole(_)) => {
                            update.apply_to(copy);
                        }
                        (copy, linli_view::ViewUpdate::Whole(whole)) => *copy = Some(*whole),
                        // Parts of a space this page has no fresh copy of: wait for the whole.
                        _ => return,
                    }
                    open.early = false;
                    open.stamp
                };
                stamp.update(|n| *n += 1);
            }
            FromEngine::Relays { status, last_heard } => {
                if self.relay_status.get_untracked() != status {
                    self.relay_status.set(status);
                }
                if last_heard.is_some() {
                    self.last_heard.set(last_heard);
                }
            }
            FromEngine::Unsaved(count) => self.unsaved_writes.set(count),
            FromEngine::Refused { space, rule, detail } => {
                let refused = self.refused;
                leptos::task::spawn_local(async move {
                    let reason = crate::error_text::in_current_language(&EngineError::Refused { rule, detail }).await;
                    refused.set(Some(Refusal { space, reason }));
                });
            }
            FromEngine::Reply { id, result } => {
                if let Some(answer) = self.requests.borrow_mut().remove(&id) {
                    let _ = answer.send(result);
                }
            }
            FromEngine::KeepKey { space, kind, key } => match kind {
                KeyKind::Write => address_keys::save_write(space.as_str(), &key),
                KeyKind::TakePart => address_keys::save_take_part(space.as_str(), &key),
            },
            FromEngine::DirectSend { id, bytes } => {
                if let Some(direct) = self.direct.borrow().as_ref() {
                    direct.send(id, &bytes);
                }
            }
            FromEngine::DirectClose { id } => {
                if let Some(direct) = self.direct.borrow().as_ref() {
                    direct.close(id);
                }
            }
            FromEngine::Ephemeral { space, data, proven } => webrtc::on_relayed(self, space, &data, proven),
            FromEngine::Linked { space, link, view } => {
                let stamp = {
                    let mut spaces = self.spaces.borrow_mut();
                    let Some(open) = spaces.get_mut(&space) else { return };
                    match view {
                        Some(view) => drop(open.links.insert(link, *view)),
                        None => drop(open.links.remove(&link)),
                    }
                    open.stamp
                };
                stamp.update(|n| *n += 1);
            }
        }
    }

    /// Asks the engine something; resolves with its answer.
    /// Asks the engine about `space` (text from an address or a screen); text without a space
    /// ID's shape is answered at once with [`EngineError::NotASpaceId`].
    fn ask_about<A: Ask + 'static, F: FnOnce(SpaceId) -> A>(&self, space: &str, request: F) -> impl Future<Output = Result<A::Answer, EngineError>> + use<A, F> {
        match SpaceId::parse(space) {
            Some(id) => futures::future::Either::Left(self.ask_for(request(id))),
            None => futures::future::Either::Right(std::future::ready(Err(EngineError::NotASpaceId))),
        }
    }

    /// Asks the engine and resolves with the request's own answer ([`Ask`]).
    fn ask_for<A: Ask + 'static>(&self, request: A) -> impl Future<Output = Result<A::Answer, EngineError>> + use<A> {
        let asked = self.ask(request.into());
        async move { asked.await.and_then(|reply| A::answer(reply).ok_or_else(|| unexpected(&request_name::<A>()))) }
    }

    fn ask(&self, request: Request) -> impl Future<Output = Result<Reply, EngineError>> + use<> {
        let id = self.next_request.get();
        self.next_request.set(id + 1);
        let (answer, answered) = oneshot::channel();
        self.requests.borrow_mut().insert(id, answer);
        self.send(ToEngine::Request { id, request });
        async move { answered.await.unwrap_or(Err(EngineError::EngineStopped)) }
    }

    fn send_keys(&self, space: &SpaceId) {
        let text = space.as_str();
        self.send(ToEngine::Keys { space: space.clone(), write: address_keys::saved_write(text), take_part: address_keys::saved_take_part(text) });
    }

    /// Opens a space: from this device if it has it, else from peers. Keys a link in the address
    /// carries are kept; what this device showed of the space last time (or, on a first visit,
    /// the relay's picture of `item`, the item the address opens) is drawn meanwhile.
    pub fn open(self: &Rc<Self>, space: &str, item: Option<String>) {
        // An address that names no space opens nothing (its screen says the space is not found).
        let Some(id) = SpaceId::parse(space) else { return };
        address_keys::take_from_address(space);
        if self.spaces.borrow().contains_key(space) {
            return;
        }
        let (status, stamp) = self.owner.with(|| (RwSignal::new(None), RwSignal::new(0)));
        self.spaces.borrow_mut().insert(id.clone(), OpenSpace { space: None, early: false, status, stamp, links: Default::default() });
        kept_view::show_early(self, space, item);
        self.send_keys(&id);
        self.send(ToEngine::Open { space: id });
    }

    /// A copy to draw before the engine sent its own (kept from the last visit, with what this
    /// device could do then; or the relay's picture).
    fn shown_early(&self, space: &str, status: Option<SpaceStatus>, copy: Space) {
        let mut spaces = self.spaces.borrow_mut();
        let Some(open) = spaces.get_mut(space) else { return };
        if open.space.is_none() {
            open.space = Some(copy);
            open.early = true;
            if open.status.get_untracked().is_none() && status.is_some() {
                open.status.set(status);
            }
            open.stamp.update(|n| *n += 1);
        }
    }

    /// Where the space stands (tracked): `None` until the engine says.
    pub fn status(&self, space: &str) -> Option<SpaceStatus> {
        self.spaces.borrow().get(space).and_then(|open| open.status.get())
    }

    /// A stamp that moves each time the page's copy of the space changes (tracked); `None` while
    /// the page has no copy.
    pub fn stamp(&self, space: &str) -> Option<u64> {
        let spaces = self.spaces.borrow();
        let open = spaces.get(space)?;
        let stamp = open.stamp.get();
        open.space.is_some().then_some(stamp)
    }

    /// Whether the page's copy is the one kept from the last visit (the engine has not opened
    /// the space yet).
    pub fn early(&self, space: &str) -> bool {
        self.spaces.borrow().get(space).is_some_and(|open| open.early)
    }

    /// Reads the page's copy of the space, without copying it.
    pub fn with_space<R>(&self, space: &str, read: impl FnOnce(&Space) -> R) -> Option<R> {
        self.spaces.borrow().get(space)?.space.as_ref().map(read)
    }

    /// Reads the space's links as the page has them (tracked through the space's stamp by
    /// callers that read the space too), by link document ID.
    pub fn with_links<R>(&self, space: &str, read: impl FnOnce(&std::collections::BTreeMap<String, linli_model::Link>) -> R) -> Option<R> {
        self.spaces.borrow().get(space).map(|open| read(&open.links))
    }

    /// Invites a space to link under this one; resolves with the invitation's text.
    pub fn invite_space(&self, space: &str, claim_within_hours: u64, label: &str) -> impl Future<Output = Result<String, String>> + use<> {
        let label = label.to_owned();
        let asked = self.ask_about(space, move |space| InviteSpace { space, claim_within_hours, label });
        async move { said(asked.await).await }
    }

    /// Accepts an invitation for this space; resolves once the link has come from its relay and
    /// is accepted.
    pub fn accept_invitation(&self, space: &str, invitation: &str, shares: linli_model::Shares) -> impl Future<Output = Result<(), String>> + use<> {
        let invitation = invitation.to_owned();
        let asked = self.ask_about(space, move |space| AcceptInvitation { space, invitation, shares });
        async move { said(asked.await).await }
    }

    /// A change to one of the space's links.
    pub fn linked_edit(&self, space: &str, link: &str, edit: linli_view::LinkedEdit) -> impl Future<Output = Result<(), String>> + use<> {
        let link = link.to_owned();
        let asked = self.ask_about(space, move |space| ChangeLink { space, link, edit });
        async move { said(asked.await).await }
    }

    /// Makes edits to a space, one change each, in order (the first refused stops the rest).
    pub fn edit(&self, space: &str, edits: Vec<Edit>) -> impl Future<Output = Result<(), String>> + use<> {
        let asked = self.ask_about(space, |space| EditSpace { space, edits });
        async move { said(asked.await).await }
    }

    /// Makes a new space, protected, with a take-part key; resolves with its ID.
    pub fn create_space(&self, name: &str) -> impl Future<Output = Result<SpaceId, String>> + use<> {
        let asked = self.ask_for(CreateSpace { name: name.to_owned() });
        async move { said(asked.await).await }
    }

    /// The changes that touched an item, oldest first.
    pub fn history(&self, space: &str, kind: ItemKind, item: &str) -> impl Future<Output = Result<Vec<HistoryRow>, String>> + use<> {
        let item = item.to_owned();
        let asked = self.ask_about(space, move |space| ItemHistory { space, kind, item });
        async move { said(asked.await).await }
    }

    /// The whole space as one `.linli` file's bytes (with its signatures).
    pub fn export(&self, space: &str) -> impl Future<Output = Result<Vec<u8>, String>> + use<> {
        let asked = self.ask_about(space, |space| ExportFile { space });
        async move { said(asked.await).await }
    }

    /// The space as plain JSON (a reading copy).
    pub fn export_json(&self, space: &str) -> impl Future<Output = Result<String, String>> + use<> {
        let asked = self.ask_about(space, |space| ExportJson { space });
        async move { said(asked.await).await }
    }

    /// Takes in a space file (never overwrites): its changes are judged on the signatures it
    /// carries. Resolves with (new changes, refused, why, waiting for the space's relay).
    pub fn import(&self, space: &str, bytes: Vec<u8>) -> impl Future<Output = Result<(usize, usize, Option<String>, usize), String>> + use<> {
        let asked = self.ask_about(space, |space| ImportFile { space, bytes });
        async move {
            let Imported { new_changes, refused, rule, waiting } = said(asked.await).await?;
            let reason = match rule {
                Some(rule) => Some(crate::error_text::in_current_language(&EngineError::Refused { rule, detail: String::new() }).await),
                None => None,
            };
            Ok((new_changes, refused, reason, waiting))
        }
    }

    /// Protects an open space with a new write key, or moves a protected one to a new key.
    pub fn new_write_key(&self, space: &str) -> impl Future<Output = Result<(), String>> + use<> {
        let asked = self.ask_about(space, |space| NewWriteKey { space });
        async move { said(asked.await).await }
    }

    /// Gives the space a new take-part key (stopping the old take-part links).
    pub fn new_take_part_key(&self, space: &str) -> impl Future<Output = Result<(), String>> + use<> {
        let asked = self.ask_about(space, |space| NewTakePartKey { space });
        async move { said(asked.await).await }
    }

    /// Every relay, tab and direct link, and whether each has this device's changes to `space`.
    pub fn transports(&self, space: &str) -> impl Future<Output = Vec<Transport>> + use<> {
        let asked = self.ask_about(space, |space| ListTransports { space });
        async move { asked.await.unwrap_or_default() }
    }

    /// Makes an invitation for a direct link with no server (text to paste or scan elsewhere).
    pub async fn direct_invitation(&self) -> Result<String, String> {
        let engine = self.this.borrow().upgrade();
        let made = match engine {
            Some(engine) => webrtc::invitation(&engine).await,
            None => Err(EngineError::EngineStopped),
        };
        said(made).await
    }

    /// Takes a pasted invitation (returns the answer to give back) or answer (returns `None`).
    pub async fn direct_paste(&self, text: &str) -> Result<Option<String>, String> {
        let engine = self.this.borrow().upgrade();
        let taken = match engine {
            Some(engine) => webrtc::paste(&engine, text).await,
            None => Err(EngineError::EngineStopped),
        };
        said(taken).await
    }

    /// The spaces the page has open and readable.
    fn ready_spaces(&self) -> Vec<SpaceId> {
        self.spaces.borrow().iter().filter(|(_, open)| open.status.get_untracked().is_some_and(|s| s.phase == Phase::Ready)).map(|(id, _)| id.clone()).collect()
    }

    /// This device's member ID (hex; empty until the engine has started; tracked).
    pub fn me(&self) -> String {
        self.member.get().unwrap_or_default()
    }

    /// A new item's ID, carrying the mark of this page's engine (every peer refuses an item made
    /// under an ID without its maker's mark). Before the engine has started, an unmarked ID: any
    /// edit then waits for the engine, which refuses it with a reason.
    pub fn new_item_id(&self) -> ItemId {
        let random = crate::platform::random_bytes();
        match self.item_mark.get() {
            Some(mark) => ItemId::marked(mark, random),
            None => ItemId::from_random(random),
        }
    }

    /// A direct connection the page carries changed.
    fn direct_event(&self, event: DirectEvent) {
        self.send(ToEngine::Direct(event));
    }
}

/// Listens for a panicking engine's call (its hook names the page it served) and starts a new one.
fn watch_for_engine_down(engine: &Rc<Engine>) {
    use linli_view::side_channels::{ENGINE_DOWN_CHANNEL, EngineDown};
    let Ok(channel) = web_sys::BroadcastChannel::new(ENGINE_DOWN_CHANNEL) else { return };
    let weak = Rc::downgrade(engine);
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
        let Some(engine) = weak.upgrade() else { return };
        let Some(bytes) = event.data().dyn_ref::<js_sys::Uint8Array>().map(js_sys::Uint8Array::to_vec) else { return };
        let Some(down) = EngineDown::from_bytes(&bytes).filter(|down| down.page == engine.page) else { return };
        web_sys::console::error_1(&format!("Linli's engine stopped: {}", down.reason).into());
        engine.restart();
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    std::mem::forget(channel);
}

/// Tells the engine when the browser goes online or offline (a worker cannot be relied on to
/// hear it): relays waiting out a backoff are dialled at once when the network returns.
fn watch_network(engine: &Rc<Engine>) {
    let Some(window) = web_sys::window() else { return };
    for (event, online) in [("online", true), ("offline", false)] {
        let weak = Rc::downgrade(engine);
        let listener = Closure::<dyn FnMut()>::new(move || {
            if let Some(engine) = weak.upgrade() {
                engine.send(ToEngine::Online(online));
            }
        });
        let _ = window.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        listener.forget();
    }
}

/// When the page goes, the other tabs hear that its engine has gone (a worker sees no `pagehide`).
fn say_bye_on_pagehide(engine: &Rc<Engine>) {
    let Some(window) = web_sys::window() else { return };
    let weak = Rc::downgrade(engine);
    let on_hide = Closure::<dyn FnMut()>::new(move || {
        let Some(engine) = weak.upgrade() else { return };
        let tab = engine.tab.borrow().clone();
        if tab.is_empty() {
            return;
        }
        use linli_view::side_channels::{TAB_CHANNEL, TabKind, TabMessage};
        let Ok(channel) = web_sys::BroadcastChannel::new(TAB_CHANNEL) else { return };
        let bye = TabMessage { from: tab, to: None, kind: TabKind::Bye };
        let _ = channel.post_message(&js_sys::Uint8Array::from(bye.to_bytes().as_slice()));
        channel.close();
    });
    let _ = window.add_event_listener_with_callback("pagehide", on_hide.as_ref().unchecked_ref());
    on_hide.forget();
}

/// The name of a request type, for the console.
fn request_name<A>() -> String {
    std::any::type_name::<A>().rsplit("::").next().unwrap_or_default().to_owned()
}

/// An answer of another kind than the request's: a bug, said as one (to the console).
fn unexpected(request: &str) -> EngineError {
    web_sys::console::error_1(&format!("the engine answered {request} with another request's answer").into());
    EngineError::UnexpectedAnswer
}

/// The engine's answer, its error said in the reader's language.
async fn said<T>(answer: Result<T, EngineError>) -> Result<T, String> {
    match answer {
        Ok(value) => Ok(value),
        Err(error) => Err(crate::error_text::in_current_language(&error).await),
    }
}
