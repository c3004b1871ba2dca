//! The engine: the sans-IO repo from `linli-sync`, driven by IndexedDB, relay sockets, the other
//! tabs and the direct links the page carries; it answers the page's commands and keeps the
//! page's view of each open space up to date.
//!
//! Effects run in order on one task ([`crate::effect_runner`]): a chunk is durable in IndexedDB
//! before any message that carries it leaves. Everything the page should hear goes out through
//! one channel of [`FromEngine`] messages.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::{Rc, Weak};

use futures::channel::mpsc;
use linli_core::private::{Keyring, open_member, open_private, open_task};
use linli_core::{Author, Editor, MemberId, Refreshed, Space, SpaceDocument, item_history, new_space_with};
use linli_sync::{Access, ConnId, Direction, DocumentId, Effects, MemberKey, ParticipateKey, PeerMetadata, Phase, Repo, RepoConfig, RepoEvent, WriteKey};
use linli_view::{EngineError, FromEngine, HistoryRow, KeyKind, LinkEvent, RelayStatus, Reply, Request, SpaceStatus, ToEngine, Transport, TransportKind, ViewUpdate};

use crate::engine_errors::{from_repo, from_space};
use crate::links::Links;
use crate::tab_channel::{self, TabChannel};
use crate::{effect_runner, platform, relay_socket};

/// The engine of one page.
pub struct Engine {
    pub(crate) repo: RefCell<Repo>,
    work: mpsc::UnboundedSender<Effects>,
    out: mpsc::UnboundedSender<FromEngine>,
    pub(crate) sockets: RefCell<relay_socket::Sockets>,
    tabs: RefCell<Option<Rc<TabChannel>>>,
    pub(crate) links: Links,
    pub(crate) this: RefCell<Weak<Engine>>,
    next_conn: Cell<ConnId>,
    member: RefCell<MemberId>,
    session: [u8; 8],
    /// The spaces the page has open, as last sent to it (the engine refreshes them from patches
    /// and sends the parts that changed), and what it was last told of each.
    pub(crate) spaces: RefCell<HashMap<DocumentId, Space>>,
    statuses: RefCell<HashMap<DocumentId, SpaceStatus>>,
    wanted: RefCell<HashSet<DocumentId>>,
    pub(crate) unsaved: Cell<u32>,
    pub(crate) relays: RefCell<Vec<String>>,
    /// The relay badge as last told to the page, and when a relay was last heard from (told at
    /// most every few seconds: it is a clock on a kiosk, not a per-frame event).
    relay_status: Cell<RelayStatus>,
    last_heard_told: Cell<f64>,
    /// Requests about a space still being opened, answered once it is (or cannot be).
    parked: RefCell<HashMap<DocumentId, Vec<(u64, Request)>>>,
    /// Writes each open space's view for the page's next visit.
    pub(crate) view_keeper: crate::view_keeper::ViewKeeper,
    /// The links of open spaces to other spaces (`linked_spaces.rs`).
    pub(crate) linked: RefCell<crate::linked_spaces::Linked>,
    /// Consultations closing at the home relay's cut (`cut_closings.rs`).
    pub(crate) cut_closings: RefCell<crate::cut_closings::CutClosings>,
}

/// How often the page hears that a relay is still talking.
const HEARD_EVERY_MS: f64 = 5_000.0;

impl Engine {
    pub fn new(out: mpsc::UnboundedSender<FromEngine>) -> Rc<Engine> {
        let (work, queue) = mpsc::unbounded();
        let engine = Rc::new(Engine {
            repo: RefCell::new(Repo::new(RepoConfig {
                peer_id: format!("peer-{}", platform::random_hex::<8>()),
                metadata: PeerMetadata { storage_id: None, is_ephemeral: false, relay_key: None },
                announce_to_incoming: true,
                announce_to_outgoing: true,
                session_id: platform::random_hex::<8>(),
                persist: true,
                rules: Some(linli_core::participation::SpaceRules::shared()),
            })),
            work,
            out,
            sockets: RefCell::new(relay_socket::Sockets::default()),
            tabs: RefCell::new(None),
            links: Links::default(),
            this: RefCell::new(Weak::new()),
            next_conn: Cell::new(1),
            member: RefCell::new(MemberId::from_random([0; 8])),
            session: platform::random_bytes(),
            spaces: RefCell::new(HashMap::new()),
            statuses: RefCell::new(HashMap::new()),
            wanted: RefCell::new(HashSet::new()),
            unsaved: Cell::new(0),
            relays: RefCell::new(Vec::new()),
            relay_status: Cell::new(RelayStatus::Connecting),
            last_heard_told: Cell::new(f64::NEG_INFINITY),
            view_keeper: Default::default(),
            parked: RefCell::new(HashMap::new()),
            linked: RefCell::default(),
            cut_closings: RefCell::default(),
        });
        *engine.this.borrow_mut() = Rc::downgrade(&engine);
        wasm_bindgen_futures::spawn_local(effect_runner::run(Rc::downgrade(&engine), queue));
        engine
    }

    pub(crate) fn tell(&self, message: FromEngine) {
        let _ = self.out.unbounded_send(message);
    }

    pub(crate) fn next_conn(&self) -> ConnId {
        let conn = self.next_conn.get();
        self.next_conn.set(conn + 1);
        conn
    }

    /// Handles one message of the page's.
    pub fn handle(self: &Rc<Self>, message: ToEngine) {
        match message {
            ToEngine::Start { page, member_key, relays } => self.start(page, member_key, relays),
            ToEngine::Keys { space, write, take_part } => {
                let Ok(id) = space.parse::<DocumentId>() else { return };
                if let Some(key) = write.as_deref().and_then(WriteKey::from_text) {
                    self.repo.borrow_mut().hold_write_key(id, key);
                }
                if let Some(key) = take_part.as_deref().and_then(ParticipateKey::from_text) {
                    self.repo.borrow_mut().hold_participate_key(id, key);
                }
                self.publish(id);
            }
            ToEngine::Relays(urls) => {
                let known = self.relays.borrow().clone();
                for url in urls.iter().filter(|u| !known.contains(u)) {
                    relay_socket::dial(self, url.clone(), 0);
                }
                *self.relays.borrow_mut() = urls;
            }
            ToEngine::Open { space } => {
                let Ok(id) = space.parse::<DocumentId>() else {
                    self.tell(FromEngine::Status { space, status: status(Phase::Unavailable, Access::View, false) });
                    return;
                };
                self.wanted.borrow_mut().insert(id);
                // The page hears everything about a space it opens, even what it was told before
                // it had the space open (a space it just made, say).
                self.statuses.borrow_mut().remove(&id);
                let known = self.spaces.borrow().get(&id).cloned();
                if let Some(space) = known {
                    self.tell(FromEngine::View { space: id.to_string(), update: ViewUpdate::Whole(Box::new(space)) });
                }
                let fx = self.repo.borrow_mut().find(id);
                self.apply(fx);
                self.publish(id);
                self.retell_links(id);
            }
            ToEngine::Online(online) => relay_socket::network_changed(self, online),
            ToEngine::Request { id, request } => {
                // A screen drawn from a picture may act before the space is open here: the
                // request waits for it rather than failing.
                let opening =
                    request.space().and_then(|s| s.parse::<DocumentId>().ok()).filter(|space| matches!(self.repo.borrow().phase(space), Some(Phase::Loading | Phase::Requesting)));
                match opening {
                    Some(space) => self.parked.borrow_mut().entry(space).or_default().push((id, request)),
                    None => self.respond(id, request),
                }
            }
            ToEngine::Link(event) => self.link_event(event),
            ToEngine::Ephemeral { space, data } => {
                let Ok(id) = space.parse::<DocumentId>() else { return };
                let fx = self.repo.borrow_mut().broadcast_proven_ephemeral(id, data);
                self.apply(fx);
            }
        }
    }

    fn start(self: &Rc<Self>, page: String, member_key: Option<String>, relays: Vec<String>) {
        crate::panic_call::remember_page(&page);
        let given = member_key.as_deref().and_then(MemberKey::from_text);
        let made = given.is_none();
        let key = given.unwrap_or_else(|| MemberKey::from_seed(platform::random_bytes()));
        *self.member.borrow_mut() = MemberId::from_public_key(key.public());
        let member_key = made.then(|| key.to_text());
        self.repo.borrow_mut().hold_member_key(key);
        *self.tabs.borrow_mut() = tab_channel::open(self);
        let tab = self.tabs.borrow().as_ref().map(|tabs| tabs.me().to_owned()).unwrap_or_default();
        crate::panic_call::remember_tab(&tab);
        let peer = self.repo.borrow().peer_id().to_owned();
        let item_mark = self.author().item_mark().to_string();
        self.tell(FromEngine::Started { member: self.member.borrow().to_string(), member_key, tab, peer, item_mark });
        for url in &relays {
            relay_socket::dial(self, url.clone(), 0);
        }
        *self.relays.borrow_mut() = relays;
    }

    fn link_event(&self, event: LinkEvent) {
        match event {
            LinkEvent::Opened { link, outgoing } => {
                let conn = self.next_conn();
                self.links.opened(link, conn);
                let direction = if outgoing { Direction::Outgoing } else { Direction::Incoming };
                let fx = self.repo.borrow_mut().connected(conn, direction);
                self.apply(fx);
            }
            LinkEvent::Frame { link, bytes } => {
                if let Some(conn) = self.links.conn(link) {
                    let fx = self.repo.borrow_mut().received(conn, &bytes);
                    self.apply(fx);
                }
            }
            LinkEvent::Closed { link } => {
                if let Some(conn) = self.links.closed(link) {
                    let fx = self.repo.borrow_mut().disconnected(conn);
                    self.apply(fx);
                }
            }
        }
    }

    /// Whether `conn` is another tab or a direct link (not a relay).
    pub(crate) fn is_tab(&self, conn: ConnId) -> bool {
        self.tabs.borrow().as_ref().is_some_and(|tabs| tabs.owns(conn)) || self.links.owns(conn)
    }

    /// Sends a frame on a connection, whichever transport carries it.
    pub(crate) fn send(&self, conn: ConnId, frame: &[u8]) {
        if let Some(link) = self.links.link(conn) {
            return self.tell(FromEngine::LinkSend { link, bytes: frame.to_vec() });
        }
        match self.tabs.borrow().as_ref() {
            Some(tabs) if tabs.owns(conn) => tabs.send(conn, frame),
            _ => self.sockets.borrow().send(conn, frame),
        }
    }

    /// Closes a connection, whichever transport carries it.
    pub(crate) fn close(&self, conn: ConnId) {
        if let Some(link) = self.links.link(conn) {
            return self.tell(FromEngine::LinkClose { link });
        }
        match self.tabs.borrow().as_ref() {
            Some(tabs) if tabs.owns(conn) => tabs.close(conn),
            _ => self.sockets.borrow_mut().close(conn),
        }
    }

    /// Takes what the repo produced: the page hears of changes now; storage and network work
    /// is queued in order.
    pub(crate) fn apply(&self, mut fx: Effects) {
        self.take_events(&mut fx);
        if !fx.is_empty() {
            let _ = self.work.unbounded_send(fx);
        }
    }

    /// Tells the page what the effects' events mean for it (removing them) and counts the writes
    /// about to be queued.
    pub(crate) fn take_events(&self, fx: &mut Effects) {
        let mut changed: Vec<DocumentId> = Vec::new();
        let mut peers_changed = false;
        for event in fx.events.drain(..) {
            match event {
                RepoEvent::DocReady { document_id } | RepoEvent::DocChanged { document_id } | RepoEvent::DocUnavailable { document_id } => changed.push(document_id),
                // The badge is about relays; tabs and direct links come and go without changing it.
                RepoEvent::PeerConnected { conn, .. } | RepoEvent::PeerDisconnected { conn, .. } => {
                    peers_changed = true;
                    if !self.is_tab(conn) {
                        let online = self.repo.borrow().peers().iter().any(|(conn, _)| !self.is_tab(*conn));
                        self.relay_status(if online { RelayStatus::Online } else { RelayStatus::Offline });
                    }
                }
                RepoEvent::UnreadableChunks { document_id, chunks } => {
                    web_sys::console::error_1(&format!("space {document_id}: {} stored chunks are unreadable and were kept", chunks.len()).into())
                }
                RepoEvent::PlantedSetAside { document_id } => {
                    web_sys::console::warn_1(&format!("space {document_id}: stored changes that are not this space's were set aside").into())
                }
                RepoEvent::ChangesRefused { document_id, count, reason, .. } => {
                    web_sys::console::warn_1(&format!("space {document_id}: refused {count} changes from a peer: {reason}").into())
                }
                RepoEvent::RefusedByPeer { document_id, reason, .. } => {
                    web_sys::console::warn_1(&format!("space {document_id}: a peer refused a change of this device's: {reason}").into());
                    self.tell(FromEngine::Refused { space: document_id.to_string(), rule: crate::engine_errors::rule_of(&reason), detail: reason });
                    // A relay's limit refuses for now only: offer the changes again in a minute.
                    let engine = self.this.borrow().clone();
                    gloo_timers::callback::Timeout::new(60_000, move || {
                        if let Some(engine) = engine.upgrade() {
                            let fx = engine.repo.borrow_mut().resync(document_id);
                            engine.apply(fx);
                        }
                    })
                    .forget();
                }
                RepoEvent::Ephemeral { document_id, data, .. } => {
                    let opened = self.repo.borrow().open_ephemeral(&document_id, &data);
                    self.tell(FromEngine::Ephemeral { space: document_id.to_string(), data: opened.payload, proven: opened.proven });
                }
                event @ RepoEvent::CutGiven { .. } => self.cut_given(event),
                // Only a relay is asked for cuts.
                RepoEvent::CutAsked { .. } => {}
            }
        }
        let writes = fx.storage.iter().filter(|op| !matches!(op, linli_sync::StorageOp::Load { .. })).count() as u32;
        if writes > 0 {
            self.unsaved.set(self.unsaved.get() + writes);
            self.tell(FromEngine::Unsaved(self.unsaved.get()));
        }
        if peers_changed {
            let peers = self.repo.borrow().peers().into_iter().map(|(_, peer)| peer.to_string()).collect();
            self.tell(FromEngine::Peers(peers));
        }
        changed.sort();
        changed.dedup();
        for id in changed {
            self.publish(id);
            if self.waits_for_cut_changes(&id) {
                self.later(move |engine| engine.close_at_given_cuts(id));
            }
            if let Some(engine) = self.this.borrow().upgrade() {
                engine.link_changed(id);
            }
        }
    }

    /// Tells the page the relay badge, if it changed.
    pub(crate) fn relay_status(&self, status: RelayStatus) {
        if self.relay_status.replace(status) != status {
            self.tell(FromEngine::Relays { status, last_heard: None });
        }
    }

    /// A relay sent something: the page hears it (at most every few seconds).
    pub(crate) fn heard_from_relay(&self) {
        let now = js_sys::Date::now();
        if now - self.last_heard_told.get() >= HEARD_EVERY_MS {
            self.last_heard_told.set(now);
            self.tell(FromEngine::Relays { status: self.relay_status.get(), last_heard: Some(platform::now()) });
        }
    }

    /// A write queued earlier is now durable.
    pub(crate) fn saved_one(&self) {
        self.unsaved.set(self.unsaved.get().saturating_sub(1));
        self.tell(FromEngine::Unsaved(self.unsaved.get()));
    }

    /// Tells the page where a space it has open stands and, if its document changed, what of
    /// its view changed.
    pub(crate) fn publish(&self, id: DocumentId) {
        if !self.wanted.borrow().contains(&id) {
            return;
        }
        let phase = self.repo.borrow().phase(&id).map(phase_of).unwrap_or(linli_view::Phase::Loading);
        if matches!(phase, linli_view::Phase::Ready | linli_view::Phase::Unavailable) {
            let parked = self.parked.borrow_mut().remove(&id).unwrap_or_default();
            let engine = self.this.borrow().upgrade();
            for (request_id, request) in parked {
                match (&engine, phase) {
                    (Some(engine), linli_view::Phase::Ready) => engine.respond(request_id, request),
                    _ => self.tell(FromEngine::Reply { id: request_id, result: Err(EngineError::SpaceNotFound) }),
                }
            }
        }
        let mut unreadable = None;
        if phase == linli_view::Phase::Ready {
            match self.refresh(&id) {
                Ok(Some(update)) => {
                    let update = self.opened(&id, update);
                    self.tell(FromEngine::View { space: id.to_string(), update });
                    if let Some(engine) = self.this.borrow().upgrade() {
                        self.view_keeper.keep_later(&engine, id);
                        engine.follow_links(id);
                    }
                }
                Ok(None) => {}
                Err(error) => unreadable = Some(error),
            }
        }
        let repo = self.repo.borrow();
        let status = SpaceStatus {
            phase,
            access: access_of(repo.access(&id)),
            protected: repo.protection(&id).is_some(),
            edit_key: repo.write_key_opening(&id).map(|k| k.to_text()),
            take_part_key: repo.participate_key(&id).map(|k| k.to_text()),
            unreadable,
            seals: repo.protection(&id).is_none() || id.is_certified(),
        };
        drop(repo);
        let mut statuses = self.statuses.borrow_mut();
        if statuses.get(&id) != Some(&status) {
            statuses.insert(id, status.clone());
            self.tell(FromEngine::Status { space: id.to_string(), status });
        }
    }

    /// The space's status and view as the page keeps them for its next visit.
    pub(crate) fn snapshot_of(&self, id: &DocumentId) -> Option<Vec<u8>> {
        let statuses = self.statuses.borrow();
        let spaces = self.spaces.borrow();
        Some(linli_view::snapshot::encode(&(statuses.get(id)?, spaces.get(id)?)))
    }

    /// The keys this device reads space `id`'s private requests with (`linli_core::private`):
    /// its member key's and, if it holds the organise link, the organisers' (the write key's, and
    /// the earlier write keys' the document keeps sealed under it).
    pub(crate) fn reading_keys(&self, id: &DocumentId) -> Keyring {
        let repo = self.repo.borrow();
        let member = repo.member_key().map(MemberKey::seed);
        let mut write = Vec::new();
        if let Some(key) = repo.write_key_opening(id) {
            write.push(key.seed());
            write.extend(repo.document(id).map(|doc| linli_sync::past_write_keys::past_write_seeds(doc, &key)).unwrap_or_default());
        }
        Keyring::new(member.as_ref(), &write)
    }

    /// `update` as this device may read it: the private parts it holds keys for opened, the
    /// others closed. The engine's own copy stays as the document holds it, so nothing opened
    /// goes into a digest, an export or a kept view.
    fn opened(&self, id: &DocumentId, update: ViewUpdate) -> ViewUpdate {
        let keyring = self.reading_keys(id);
        match update {
            ViewUpdate::Whole(mut space) => {
                open_private(&mut space, &keyring);
                ViewUpdate::Whole(space)
            }
            ViewUpdate::Parts { settings, mut items } => {
                let spaces = self.spaces.borrow();
                let opener = spaces.get(id).map(|space| keyring.with_teams(space)).unwrap_or(keyring).opener();
                for item in &mut items {
                    match &mut item.item {
                        Some(linli_view::Item::Task(task)) => open_task(&item.id, task, &opener, &mut item.private),
                        Some(linli_view::Item::Member(member)) => open_member(&item.id, member, &opener),
                        _ => {}
                    }
                }
                ViewUpdate::Parts { settings, items }
            }
        }
    }

    /// Brings the engine's copy of the space up to date from the document's patches and returns
    /// what the page should change (`None`: nothing changed).
    fn refresh(&self, id: &DocumentId) -> Result<Option<ViewUpdate>, EngineError> {
        let mut repo = self.repo.borrow_mut();
        let patches = repo.patches_since_last_look(id);
        let doc = repo.document(id).ok_or(EngineError::NotOpenYet)?;
        let mut spaces = self.spaces.borrow_mut();
        match (spaces.get_mut(id), patches) {
            (Some(_), Some(patches)) if patches.is_empty() => Ok(None),
            (Some(space), Some(patches)) => match space.refresh(doc, &patches).map_err(from_space)? {
                Refreshed::Everything => Ok(Some(ViewUpdate::Whole(Box::new(space.clone())))),
                Refreshed::Parts { settings, items } => Ok(Some(ViewUpdate::parts_of(space, settings, &items))),
            },
            _ => {
                let space = Space::hydrate(doc).map_err(from_space);
                match space {
                    Ok(space) => {
                        let update = ViewUpdate::Whole(Box::new(space.clone()));
                        spaces.insert(*id, space);
                        Ok(Some(update))
                    }
                    Err(error) => {
                        spaces.remove(id);
                        Err(error)
                    }
                }
            }
        }
    }

    /// Who writes, and when: this device's member, this engine's session, the time now.
    pub(crate) fn author(&self) -> Author {
        Author { member: *self.member.borrow(), session: self.session, now: platform::now() }
    }

    /// Answers a request of the page's whose space is open here (or that names none). Accepting
    /// an invitation may wait for the link's document to arrive: it answers then.
    fn respond(self: &Rc<Self>, id: u64, request: Request) {
        let result = match request {
            Request::AcceptInvitation { space, invitation, shares } => match space.parse::<DocumentId>() {
                Ok(space) => self.accept_invitation(id, space, &invitation, shares),
                Err(_) => Some(Err(EngineError::NotASpaceId)),
            },
            request => Some(self.answer(request)),
        };
        if let Some(result) = result {
            self.tell(FromEngine::Reply { id, result });
        }
    }

    fn answer(self: &Rc<Self>, request: Request) -> Result<Reply, EngineError> {
        let parse = |space: &str| space.parse::<DocumentId>().map_err(|_| EngineError::NotASpaceId);
        match request {
            Request::CreateSpace { name } => {
                let key = WriteKey::from_seed(platform::random_bytes());
                // The ID certifies the key: a relay that never saw the space tells it from one
                // planted under the same ID.
                let id = DocumentId::certified(&key.public());
                let take_part = ParticipateKey::from_seed(platform::random_bytes());
                self.repo.borrow_mut().hold_write_key(id, key.clone());
                let doc = new_space_with(&name, &self.author(), |doc| {
                    linli_sync::capability::protect(doc, key.public());
                    linli_sync::participate_key::set_participate_key(doc, &take_part, &key);
                });
                self.tell(FromEngine::KeepKey { space: id.to_string(), kind: KeyKind::Write, key: key.to_text() });
                let fx = self.repo.borrow_mut().create(id, doc);
                self.wanted.borrow_mut().insert(id);
                self.apply(fx);
                self.publish(id);
                Ok(Reply::Created { space: id.to_string() })
            }
            Request::Edit { space, edits } => {
                let id = parse(&space)?;
                for edit in edits {
                    if let linli_model::Edit::CloseConsultation { id: item } = edit {
                        self.close_consultation(id, item)?;
                        continue;
                    }
                    let author = self.author();
                    let reading = self.reading_keys(&id);
                    let outcome = self.repo.borrow_mut().change(id, |doc| Editor::new(doc, &author).with_keyring(&reading).apply(edit));
                    let ((), fx) = match outcome {
                        Ok((Ok(()), fx)) => ((), fx),
                        Ok((Err(error), fx)) => {
                            self.apply(fx);
                            return Err(from_space(error));
                        }
                        Err(error) => return Err(from_repo(error)),
                    };
                    self.apply(fx);
                }
                self.publish(id);
                Ok(Reply::Done)
            }
            Request::History { space, kind, item } => {
                let id = parse(&space)?;
                let rows = self.repo.borrow_mut().read_mut(&id, |doc| item_history(doc, kind, &item)).ok_or(EngineError::NotOpenYet)?;
                let rows = rows.map_err(from_space)?;
                Ok(Reply::History(
                    rows.into_iter()
                        .map(|e| HistoryRow { change: e.change.to_string(), at: e.at, member: e.member.map(|m| m.to_string()), fields: e.fields, message: e.message })
                        .collect(),
                ))
            }
            Request::Export { space } => self.repo.borrow_mut().export_file(&parse(&space)?).map(Reply::File).ok_or(EngineError::NotOpenYet),
            Request::ExportJson { space } => {
                let id = parse(&space)?;
                let repo = self.repo.borrow();
                let doc = repo.document(&id).ok_or(EngineError::NotOpenYet)?;
                crate::space_json::to_json(doc).map(Reply::Json).map_err(|detail| EngineError::Damaged { detail })
            }
            Request::Import { space, bytes } => {
                let id = parse(&space)?;
                let (imported, fx) = self.repo.borrow_mut().import_file(id, &bytes);
                self.apply(fx);
                self.publish(id);
                let imported = imported.map_err(from_repo)?;
                if let Some(reason) = &imported.reason {
                    web_sys::console::warn_1(&format!("space {id}: the file held {} changes that were refused: {reason}", imported.refused).into());
                }
                let rule = imported.reason.as_deref().map(crate::engine_errors::rule_of);
                Ok(Reply::Imported { new_changes: imported.new_changes, refused: imported.refused, rule, waiting: imported.waiting })
            }
            Request::NewWriteKey { space } => {
                let id = parse(&space)?;
                self.new_write_key(id)?;
                Ok(Reply::Done)
            }
            Request::NewTakePartKey { space } => {
                let id = parse(&space)?;
                let key = ParticipateKey::from_seed(platform::random_bytes());
                let fx = self.repo.borrow_mut().set_participate_key(id, key.clone()).map_err(from_repo)?;
                self.apply(fx);
                self.tell(FromEngine::KeepKey { space: id.to_string(), kind: KeyKind::TakePart, key: key.to_text() });
                self.publish(id);
                Ok(Reply::Done)
            }
            Request::Transports { space } => {
                let id = parse(&space)?;
                let rows = self.transports(&id);
                Ok(Reply::Transports(rows))
            }
            Request::InviteSpace { space, claim_within_hours, label } => self.invite_space(parse(&space)?, claim_within_hours, &label),
            Request::Linked { space, link, edit } => self.linked_edit(parse(&space)?, &link, edit),
            Request::AcceptInvitation { .. } => unreachable!("an invitation is accepted on its own path (respond)"),
        }
    }

    /// Protects an open space with a new write key (and a take-part key), or moves a protected
    /// one to a new write key (which stops every edit link given out before).
    fn new_write_key(&self, id: DocumentId) -> Result<(), EngineError> {
        let key = WriteKey::from_seed(platform::random_bytes());
        let protected = self.repo.borrow().protection(&id).is_some();
        let fx = if protected {
            self.repo.borrow_mut().rotate_write_key(id, key.clone())
        } else {
            let take_part = ParticipateKey::from_seed(platform::random_bytes());
            self.repo.borrow_mut().hold_write_key(id, key.clone());
            let protect = |doc: &mut automerge::AutoCommit| {
                linli_sync::capability::protect(doc, key.public());
                linli_sync::participate_key::set_participate_key(doc, &take_part, &key);
            };
            self.repo.borrow_mut().change(id, protect).map(|((), fx)| fx)
        }
        .map_err(from_repo)?;
        self.tell(FromEngine::KeepKey { space: id.to_string(), kind: KeyKind::Write, key: key.to_text() });
        self.apply(fx);
        self.publish(id);
        Ok(())
    }

    /// Every relay, tab and direct link this device talks to (or waits to), with whether each
    /// has all of this device's changes to `space`.
    fn transports(&self, space: &DocumentId) -> Vec<Transport> {
        let mut repo = self.repo.borrow_mut();
        let mut rows: Vec<Transport> = Vec::new();
        for (conn, url, open) in self.sockets.borrow().describe() {
            rows.push(Transport { kind: TransportKind::Relay, name: url, connected: open, up_to_date: if open { repo.peer_up_to_date(space, conn) } else { None } });
        }
        for url in self.sockets.borrow().waiting() {
            rows.push(Transport { kind: TransportKind::Relay, name: url, connected: false, up_to_date: None });
        }
        for (conn, link) in self.links.connections() {
            rows.push(Transport { kind: TransportKind::Direct, name: format!("#{link}"), connected: true, up_to_date: repo.peer_up_to_date(space, conn) });
        }
        if let Some(tabs) = self.tabs.borrow().as_ref() {
            for (conn, tab) in tabs.connections() {
                rows.push(Transport { kind: TransportKind::Tab, name: tab, connected: true, up_to_date: repo.peer_up_to_date(space, conn) });
            }
        }
        rows
    }
}

/// A status of a space this engine cannot open.
fn status(phase: Phase, access: Access, protected: bool) -> SpaceStatus {
    SpaceStatus { phase: phase_of(phase), access: access_of(access), protected, edit_key: None, take_part_key: None, unreadable: None, seals: true }
}

fn phase_of(phase: Phase) -> linli_view::Phase {
    match phase {
        Phase::Loading => linli_view::Phase::Loading,
        Phase::Requesting => linli_view::Phase::Requesting,
        Phase::Unavailable => linli_view::Phase::Unavailable,
        Phase::Ready => linli_view::Phase::Ready,
    }
}

fn access_of(access: Access) -> linli_view::Access {
    match access {
        Access::Open => linli_view::Access::Open,
        Access::Edit => linli_view::Access::Edit,
        Access::Participate => linli_view::Access::Participate,
        Access::View => linli_view::Access::View,
    }
}
