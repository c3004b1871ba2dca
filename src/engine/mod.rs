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
use linli_core::{AutoCommit, Author, HistoryEntry, ItemKind, MemberId, Space, SpaceDocument, SpaceError, item_history, new_space_with};
use linli_sync::{Access, ConnId, DocumentId, Effects, Imported, ParticipateKey, PeerMetadata, Phase, Repo, RepoConfig, RepoError, RepoEvent, WriteKey};

pub use idb_store::IdbStore;

use crate::link_keys;
use crate::platform;

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
    /// Every peer would refuse the change (docs/capabilities.md); it was not made.
    #[error("{0}")]
    Refused(String),
}

impl From<RepoError> for EngineError {
    fn from(error: RepoError) -> Self {
        match error {
            RepoError::ViewOnly(_) => EngineError::ViewOnly,
            RepoError::NotOpen(_) | RepoError::StillLoading(_) => EngineError::NotOpen,
            RepoError::Refused(reason) => EngineError::Refused(reason),
            RepoError::BadFile(reason) => EngineError::Refused(reason),
            RepoError::DifferentDocument => EngineError::Space(SpaceError::Invalid("this file holds a different space")),
        }
    }
}

/// A peer refused changes this device made, and said why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub space: DocumentId,
    pub reason: String,
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
    /// The last refusal a peer sent back (shown on the device that made the change).
    pub refused: RwSignal<Option<Refusal>>,
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
                rules: Some(linli_core::participation::SpaceRules::shared()),
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
            refused: RwSignal::new(None),
            member: crate::identity::member_id(),
            session: platform::random_bytes(),
            spaces: RefCell::new(HashMap::new()),
        });
        engine.repo.borrow_mut().hold_member_key(crate::identity::member_key());
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
                RepoEvent::ChangesRefused { document_id, count, reason, .. } => {
                    web_sys::console::warn_1(&format!("space {document_id}: refused {count} changes from a peer: {reason}").into())
                }
                RepoEvent::RefusedByPeer { document_id, reason, .. } => {
                    self.refused.set(Some(Refusal { space: document_id, reason }));
                    // A relay's limit refuses for now only: offer the changes again in a minute.
                    if let Some(engine) = self.this.borrow().upgrade() {
                        set_timeout(
                            move || {
                                let fx = engine.repo.borrow_mut().resync(document_id);
                                engine.apply(fx);
                            },
                            std::time::Duration::from_secs(60),
                        );
                    }
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

    /// Makes a new space, protected by a new write key kept on this device and with a take-part
    /// key for residents (sealed in the space under the write key), and returns its ID.
    pub fn create_space(&self, name: &str) -> DocumentId {
        let id = DocumentId::new_random(platform::random_bytes());
        let key = WriteKey::from_seed(platform::random_bytes());
        let take_part = ParticipateKey::from_seed(platform::random_bytes());
        link_keys::save_write(&id, &key);
        self.repo.borrow_mut().hold_write_key(id, key.clone());
        let doc = new_space_with(name, &self.author(), |doc| {
            linli_sync::capability::protect(doc, key.public());
            linli_sync::participate_key::set_participate_key(doc, &take_part, &key);
        });
        let fx = self.repo.borrow_mut().create(id, doc);
        self.apply(fx);
        self.revision.update(|r| *r += 1);
        id
    }

    /// Opens a space: from this device if it has it, else from the relay. The keys this device
    /// holds for it (or a link in the address carries) are put to use.
    pub fn open(&self, id: DocumentId) {
        link_keys::take_from_address(&id);
        if let Some(key) = link_keys::saved_write(&id) {
            self.repo.borrow_mut().hold_write_key(id, key);
        }
        if let Some(key) = link_keys::saved_participate(&id) {
            self.repo.borrow_mut().hold_participate_key(id, key);
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
            (Some((space, _)), Some(patches)) => space.refresh(doc, &patches).map(|_| true),
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

    /// What this device may do to the space (tracked): organise, take part, or read.
    pub fn access(&self, id: &DocumentId) -> Access {
        self.revision.track();
        self.repo.borrow().access(id)
    }

    /// The key to put in take-part links: the one this device holds, or the one sealed in the
    /// space, opened with its write key (tracked).
    pub fn take_part_key(&self, id: &DocumentId) -> Option<ParticipateKey> {
        self.revision.track();
        self.repo.borrow().participate_key(id)
    }

    /// Gives the space a new take-part key (the first, for a space made before take-part links;
    /// or a new one, which stops every take-part link given out before). Needs the write key.
    pub fn new_take_part_key(&self, id: DocumentId) -> Result<(), EngineError> {
        let key = ParticipateKey::from_seed(platform::random_bytes());
        let fx = self.repo.borrow_mut().set_participate_key(id, key.clone())?;
        link_keys::save_participate(&id, &key);
        self.apply(fx);
        self.revision.update(|r| *r += 1);
        Ok(())
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
        link_keys::saved_write(id).filter(|key| key.opens(&public))
    }

    /// Protects an open space with a new write key (or moves a protected one to a new key, which
    /// stops every edit link given out before). Needs the right to write.
    pub fn new_write_key(&self, id: DocumentId) -> Result<(), EngineError> {
        let key = WriteKey::from_seed(platform::random_bytes());
        let fx = if self.repo.borrow().protection(&id).is_some() {
            self.repo.borrow_mut().rotate_write_key(id, key.clone())
        } else {
            // Protecting an open space gives it a take-part key too, sealed under the new key.
            let take_part = ParticipateKey::from_seed(platform::random_bytes());
            self.repo.borrow_mut().hold_write_key(id, key.clone());
            let protect = |doc: &mut AutoCommit| {
                linli_sync::capability::protect(doc, key.public());
                linli_sync::participate_key::set_participate_key(doc, &take_part, &key);
            };
            self.repo.borrow_mut().change(id, protect).map(|((), fx)| fx)
        }?;
        link_keys::save_write(&id, &key);
        self.apply(fx);
        self.revision.update(|r| *r += 1);
        Ok(())
    }

    /// The whole space as one file's bytes: the saved document with the signatures that vouch for
    /// its changes (`linli_sync::space_file`).
    pub fn export(&self, id: &DocumentId) -> Option<Vec<u8>> {
        self.repo.borrow_mut().export_file(id)
    }

    /// The space as plain JSON (a reading copy).
    pub fn export_json(&self, id: &DocumentId) -> Option<Result<String, String>> {
        let repo = self.repo.borrow();
        repo.document(id).map(crate::space_json::to_json)
    }

    /// Takes in a space file (never overwrites): its changes are judged on the signatures it
    /// carries, as a peer's would be, then saved and synced like any.
    pub fn import(&self, id: DocumentId, bytes: &[u8]) -> Result<Imported, EngineError> {
        let (imported, fx) = self.repo.borrow_mut().import_file(id, bytes);
        self.apply(fx);
        self.revision.update(|r| *r += 1);
        Ok(imported?)
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
