//! The browser's sync engine: the sans-IO repo from `linli-sync`, driven by IndexedDB and WebSocket.
//!
//! Screens call [`Engine`] to open, read and change spaces; every call returns at once with the
//! local copy, and the network only adds. Effects run in order on one task ([`effect_runner`]):
//! a chunk is durable in IndexedDB before any message that carries it leaves.

mod effect_runner;
mod idb_store;
mod relay_socket;
mod tab_channel;
pub mod webrtc;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use futures::channel::mpsc;
use leptos::prelude::*;
use linli_core::{AutoCommit, Author, HistoryEntry, ItemKind, MemberId, Space, SpaceError, item_history, new_space_with};
use linli_sync::{ConnId, DocumentId, Effects, PeerMetadata, Phase, Repo, RepoConfig, RepoError, RepoEvent, WriteKey};

pub use idb_store::IdbStore;

use crate::platform;
use crate::write_keys;

/// Whether this device is talking to a relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayStatus {
    Connecting,
    Online,
    Offline,
}

/// One way this device reaches others, as the sync status panel shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transport {
    pub kind: TransportKind,
    /// The relay's address, or a short name of the other tab.
    pub name: String,
    pub connected: bool,
    /// For the space asked about: whether that peer confirmed every change this device has.
    pub up_to_date: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    Relay,
    Tab,
    Direct,
}

/// Why a change could not be made.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("this space is not open yet")]
    NotOpen,
    #[error("this device holds a view link to this space: it can read, not change it")]
    ViewOnly,
    #[error(transparent)]
    Space(#[from] SpaceError),
}

impl From<RepoError> for EngineError {
    fn from(error: RepoError) -> Self {
        match error {
            RepoError::ViewOnly(_) => EngineError::ViewOnly,
            RepoError::NotOpen(_) | RepoError::StillLoading(_) => EngineError::NotOpen,
        }
    }
}

/// The browser side of sync. One per page, shared through Leptos context as [`EngineHandle`].
pub struct Engine {
    repo: RefCell<Repo>,
    work: mpsc::UnboundedSender<Effects>,
    sockets: RefCell<relay_socket::Sockets>,
    /// The other tabs of this browser (set once the engine is running).
    tabs: RefCell<Option<Rc<tab_channel::TabChannel>>>,
    /// Direct WebRTC links to other browsers (set where the browser has WebRTC).
    direct: RefCell<Option<Rc<webrtc::Direct>>>,
    /// This engine, for callbacks that outlive a call.
    this: RefCell<std::rc::Weak<Engine>>,
    next_conn: Cell<ConnId>,
    /// Bumped whenever any document changes; screens re-read on it.
    pub revision: RwSignal<u64>,
    pub relay_status: RwSignal<RelayStatus>,
    /// When a relay last sent this device anything (kiosks show it as "last synced").
    pub last_heard: RwSignal<Option<linli_core::Timestamp>>,
    /// Chunks handed to IndexedDB and not yet durable.
    pub unsaved_writes: RwSignal<u32>,
    /// This device's member ID and this tab's session: every change is written as them.
    member: MemberId,
    session: [u8; 8],
    /// Each open space as last read, brought up to date from patches (not re-read whole), with
    /// a stamp that moves each time it changes.
    spaces: RefCell<HashMap<DocumentId, (Space, u64)>>,
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
    /// Starts the engine: opens IndexedDB, then dials each relay URL.
    pub fn start(relay_urls: Vec<String>) -> EngineHandle {
        let (work, queue) = mpsc::unbounded();
        let engine = Rc::new(Engine {
            repo: RefCell::new(Repo::new(RepoConfig {
                peer_id: format!("peer-{}", platform::random_hex::<8>()),
                metadata: PeerMetadata { storage_id: None, is_ephemeral: false },
                announce_to_incoming: true,
                announce_to_outgoing: true,
                session_id: platform::random_hex::<8>(),
                persist: true,
            })),
            work,
            sockets: RefCell::new(relay_socket::Sockets::default()),
            tabs: RefCell::new(None),
            direct: RefCell::new(None),
            this: RefCell::new(std::rc::Weak::new()),
            next_conn: Cell::new(1),
            revision: RwSignal::new(0),
            relay_status: RwSignal::new(RelayStatus::Connecting),
            last_heard: RwSignal::new(None),
            unsaved_writes: RwSignal::new(0),
            member: crate::identity::member_id(),
            session: platform::random_bytes(),
            spaces: RefCell::new(HashMap::new()),
        });
        wasm_bindgen_futures::spawn_local(effect_runner::run(Rc::downgrade(&engine), queue));
        *engine.this.borrow_mut() = Rc::downgrade(&engine);
        *engine.tabs.borrow_mut() = tab_channel::open(&engine);
        let has_webrtc = web_sys::window().is_some_and(|w| js_sys::Reflect::has(&w, &"RTCPeerConnection".into()).unwrap_or(false));
        if has_webrtc {
            *engine.direct.borrow_mut() = Some(webrtc::Direct::new());
            webrtc::keep_announcing(&engine);
        }
        relay_socket::watch_network(&engine);
        for url in relay_urls {
            relay_socket::dial(&engine, url, 0);
        }
        EngineHandle(StoredValue::new_local(engine))
    }

    /// Whether `conn` is another tab or a direct link (not a relay).
    fn is_tab(&self, conn: ConnId) -> bool {
        self.tabs.borrow().as_ref().is_some_and(|tabs| tabs.owns(conn)) || self.direct.borrow().as_ref().is_some_and(|d| d.owns(conn))
    }

    /// The spaces this tab has open and readable.
    fn ready_spaces(&self) -> Vec<DocumentId> {
        self.spaces.borrow().keys().copied().collect()
    }

    /// Sends a frame on a connection, whichever transport carries it.
    fn send(&self, conn: ConnId, frame: &[u8]) {
        if let Some(direct) = self.direct.borrow().as_ref().filter(|d| d.owns(conn)) {
            return direct.send(conn, frame);
        }
        match self.tabs.borrow().as_ref() {
            Some(tabs) if tabs.owns(conn) => tabs.send(conn, frame),
            _ => self.sockets.borrow().send(conn, frame),
        }
    }

    /// Closes a connection, whichever transport carries it.
    fn close(&self, conn: ConnId) {
        if let Some(direct) = self.direct.borrow().as_ref().filter(|d| d.owns(conn)) {
            return direct.close(conn);
        }
        match self.tabs.borrow().as_ref() {
            Some(tabs) if tabs.owns(conn) => tabs.close(conn),
            _ => self.sockets.borrow_mut().close(conn),
        }
    }

    fn next_conn(&self) -> ConnId {
        let conn = self.next_conn.get();
        self.next_conn.set(conn + 1);
        conn
    }

    /// Takes what the repo produced: the screen hears of changes now; storage and network work
    /// is queued in order.
    fn apply(&self, mut fx: Effects) {
        self.take_events(&mut fx);
        if !fx.is_empty() {
            let _ = self.work.unbounded_send(fx);
        }
    }

    /// Updates the screen's signals from the effects' events (removing them) and counts the
    /// writes that are about to be queued.
    fn take_events(&self, fx: &mut Effects) {
        let mut changed = false;
        for event in fx.events.drain(..) {
            match event {
                RepoEvent::DocReady { .. } | RepoEvent::DocChanged { .. } | RepoEvent::DocUnavailable { .. } => changed = true,
                // The badge is about relays; other tabs come and go without changing it.
                RepoEvent::PeerConnected { conn, .. } if !self.is_tab(conn) => self.relay_status.set(RelayStatus::Online),
                RepoEvent::PeerDisconnected { conn, .. } if !self.is_tab(conn) => self.relay_status.set(RelayStatus::Offline),
                RepoEvent::PeerConnected { .. } | RepoEvent::PeerDisconnected { .. } => {}
                RepoEvent::UnreadableChunks { document_id, chunks } => {
                    web_sys::console::error_1(&format!("space {document_id}: {} stored chunks are unreadable and were kept", chunks.len()).into())
                }
                RepoEvent::ChangesRefused { document_id, count, .. } => {
                    web_sys::console::warn_1(&format!("space {document_id}: refused {count} unsigned changes from a peer").into())
                }
                RepoEvent::Ephemeral { document_id, data, .. } => {
                    if let Some(engine) = self.this.borrow().upgrade() {
                        webrtc::on_relayed(&engine, document_id, &data);
                    }
                }
            }
        }
        if changed {
            self.revision.update(|r| *r += 1);
        }
        let writes = fx.storage.iter().filter(|op| !matches!(op, linli_sync::StorageOp::Load { .. })).count() as u32;
        if writes > 0 {
            self.unsaved_writes.update(|n| *n += writes);
        }
    }

    /// Makes a new space, protected by a new write key kept on this device, and returns its ID.
    pub fn create_space(&self, name: &str) -> DocumentId {
        let id = DocumentId::new_random(platform::random_bytes());
        let key = WriteKey::from_seed(platform::random_bytes());
        write_keys::save(&id, &key);
        let public = key.public();
        self.repo.borrow_mut().hold_write_key(id, key);
        let doc = new_space_with(name, &self.author(), |doc| linli_sync::capability::protect(doc, public));
        let fx = self.repo.borrow_mut().create(id, doc);
        self.apply(fx);
        self.revision.update(|r| *r += 1);
        id
    }

    /// Opens a space: from this device if it has it, else from the relay. A write key this
    /// device holds for it (or one in the address, from an edit link) is put to use.
    pub fn open(&self, id: DocumentId) {
        if let Some(key) = write_keys::take_from_address(&id).or_else(|| write_keys::saved(&id)) {
            self.repo.borrow_mut().hold_write_key(id, key);
        }
        let fx = self.repo.borrow_mut().find(id);
        self.apply(fx);
    }

    pub fn phase(&self, id: &DocumentId) -> Option<Phase> {
        self.repo.borrow().phase(id)
    }

    /// Brings the space as this device has it up to date, in place: the first call materializes
    /// the whole document; later calls apply the patches since, touching only changed items.
    /// Returns a stamp that moves whenever the space changed (screens re-read only then), or the
    /// reason it cannot be read; `None` until the document is here.
    pub fn refresh_space(&self, id: &DocumentId) -> Option<Result<u64, String>> {
        let mut repo = self.repo.borrow_mut();
        if repo.phase(id) != Some(Phase::Ready) {
            return None;
        }
        let patches = repo.patches_since_last_look(id);
        let doc = repo.document(id)?;
        let mut spaces = self.spaces.borrow_mut();
        let changed = match (spaces.get_mut(id), patches) {
            (Some(_), Some(patches)) if patches.is_empty() => Ok(false),
            (Some((space, _)), Some(patches)) => space.refresh(doc, &patches).map(|()| true),
            _ => Space::hydrate(doc).map(|space| {
                let stamp = spaces.get(id).map_or(0, |(_, stamp)| stamp + 1);
                spaces.insert(*id, (space, stamp));
                false
            }),
        };
        match changed {
            Ok(changed) => {
                let entry = spaces.get_mut(id).expect("refreshed or inserted above");
                entry.1 += u64::from(changed);
                Some(Ok(entry.1))
            }
            Err(error) => {
                spaces.remove(id);
                Some(Err(error.to_string()))
            }
        }
    }

    /// Reads the space as last refreshed ([`Self::refresh_space`]), without copying it.
    pub fn with_space<R>(&self, id: &DocumentId, read: impl FnOnce(&Space) -> R) -> Option<R> {
        self.spaces.borrow().get(id).map(|(space, _)| read(space))
    }

    /// Changes a space; the change is saved on this device and sent to peers.
    pub fn change<R>(&self, id: DocumentId, edit: impl FnOnce(&mut AutoCommit) -> Result<R, SpaceError>) -> Result<R, EngineError> {
        let outcome = self.repo.borrow_mut().change(id, edit)?;
        let (result, fx) = outcome;
        let value = result?;
        self.apply(fx);
        self.revision.update(|r| *r += 1);
        Ok(value)
    }

    /// The changes that touched an item, oldest first (reads; writes nothing).
    pub fn history(&self, id: DocumentId, kind: ItemKind, item: &str) -> Result<Vec<HistoryEntry>, EngineError> {
        let result = self.repo.borrow_mut().read_mut(&id, |doc| item_history(doc, kind, item)).ok_or(EngineError::NotOpen)?;
        Ok(result?)
    }

    /// Whether this device may change the space: it is open (unprotected), or this device holds
    /// its write key. Tracks the revision, so screens follow a key rotation.
    pub fn may_write(&self, id: &DocumentId) -> bool {
        self.revision.track();
        self.repo.borrow().may_write(id)
    }

    /// Whether the space is protected by a write key (view links then cannot change it).
    pub fn is_protected(&self, id: &DocumentId) -> bool {
        self.revision.track();
        self.repo.borrow().protection(id).is_some()
    }

    /// The key to put in edit links: the one this device holds, if it still opens the space.
    pub fn edit_key(&self, id: &DocumentId) -> Option<WriteKey> {
        self.revision.track();
        let public = self.repo.borrow().protection(id)?;
        write_keys::saved(id).filter(|key| key.opens(&public))
    }

    /// Protects an open space with a new write key (or moves a protected one to a new key, which
    /// stops every edit link given out before). Needs the right to write.
    pub fn new_write_key(&self, id: DocumentId) -> Result<(), EngineError> {
        let key = WriteKey::from_seed(platform::random_bytes());
        let fx = if self.repo.borrow().protection(&id).is_some() {
            self.repo.borrow_mut().rotate_write_key(id, key.clone())
        } else {
            let public = key.public();
            self.repo.borrow_mut().hold_write_key(id, key.clone());
            self.repo.borrow_mut().change(id, |doc| linli_sync::capability::protect(doc, public)).map(|((), fx)| fx)
        }?;
        write_keys::save(&id, &key);
        self.apply(fx);
        self.revision.update(|r| *r += 1);
        Ok(())
    }

    /// The whole space as one file's bytes (a saved Automerge document).
    pub fn export(&self, id: &DocumentId) -> Option<Vec<u8>> {
        let repo = self.repo.borrow();
        let doc = repo.document(id)?;
        Some(doc.clone().save())
    }

    /// The space as plain JSON (a reading copy).
    pub fn export_json(&self, id: &DocumentId) -> Option<Result<String, String>> {
        let repo = self.repo.borrow();
        repo.document(id).map(crate::space_json::to_json)
    }

    /// Merges a space file into the space (never overwrites); saved and synced like any change.
    pub fn import(&self, id: DocumentId, bytes: &[u8]) -> Result<linli_core::Imported, EngineError> {
        self.change(id, |doc| linli_core::import_space_file(doc, bytes))
    }

    /// Every relay and tab this device talks to (or waits to), with whether each has all of
    /// this device's changes to `space`.
    pub fn transports(&self, space: &DocumentId) -> Vec<Transport> {
        let mut repo = self.repo.borrow_mut();
        let mut rows: Vec<Transport> = Vec::new();
        for (conn, url, open) in self.sockets.borrow().describe() {
            rows.push(Transport {
                kind: TransportKind::Relay,
                name: url,
                connected: open,
                up_to_date: if open { repo.peer_up_to_date(space, conn) } else { None },
            });
        }
        for url in self.sockets.borrow().waiting() {
            rows.push(Transport { kind: TransportKind::Relay, name: url, connected: false, up_to_date: None });
        }
        if let Some(direct) = self.direct.borrow().as_ref() {
            for (conn, who) in direct.connections() {
                rows.push(Transport { kind: TransportKind::Direct, name: who, connected: true, up_to_date: repo.peer_up_to_date(space, conn) });
            }
        }
        if let Some(tabs) = self.tabs.borrow().as_ref() {
            for (conn, tab) in tabs.connections() {
                rows.push(Transport { kind: TransportKind::Tab, name: tab, connected: true, up_to_date: repo.peer_up_to_date(space, conn) });
            }
        }
        rows
    }

    /// Makes an invitation for a direct link with no server (text to paste or scan elsewhere).
    pub async fn direct_invitation(&self) -> Result<String, String> {
        let engine = self.this.borrow().upgrade().ok_or("the app is closing")?;
        webrtc::invitation(&engine).await
    }

    /// Takes a pasted invitation (returns the answer to give back) or answer (returns `None`).
    pub async fn direct_paste(&self, text: &str) -> Result<Option<String>, String> {
        let engine = self.this.borrow().upgrade().ok_or("the app is closing")?;
        webrtc::paste(&engine, text).await
    }

    /// This device's member ID.
    pub fn member(&self) -> MemberId {
        self.member
    }

    /// Who writes, and when: this device's member, this tab's session, the time now.
    pub fn author(&self) -> Author {
        Author { member: self.member, session: self.session, now: platform::now() }
    }
}
