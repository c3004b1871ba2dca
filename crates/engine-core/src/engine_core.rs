//! The engine core: the sans-IO repo from `linli-sync` with what the page has open. It answers
//! the page's commands, keeps the page's view of each open space up to date, and says what the
//! worker must do ([`Output`]); the storage and network work of the repo's effects goes out in
//! the order the repo made it ([`Work`]), so a chunk is durable before any frame that carries it.

use std::collections::{HashMap, HashSet};

use linli_core::private::{Keyring, open_member, open_private, open_task};
use linli_core::{Author, MemberId, Refreshed, Space, SpaceDocument};
use linli_model::Timestamp;
use linli_sync::{Access, DocumentId, Effects, MemberKey, PeerMetadata, Phase, Repo, RepoConfig, RepoEvent, StorageOp, TakePartKey, WriteKey};
use linli_view::requests::AcceptInvitation;
use linli_view::{Ask, DirectEvent, EngineError, FromEngine, RelayStatus, Request, SpaceStatus, ToEngine, ViewUpdate};

use crate::connections::{Carrier, Connections};
use crate::engine_errors::from_space;
use crate::entropy::Entropy;
use crate::io::{Input, Log, Output, Wake, Work};
use crate::state::{CutClosings, Deferred, KeptPending, Linked};

/// The engine of one page.
#[derive(Debug)]
pub struct EngineCore {
    pub(crate) repo: Repo,
    pub(crate) entropy: Entropy,
    /// The time of the input being handled.
    pub(crate) now: Timestamp,
    out: Vec<Output>,
    /// Work to do once the current input's other work is done (closing consultations at a cut).
    deferred: Vec<Deferred>,
    pub(crate) connections: Connections,
    /// This engine's name on the tab channel (empty until it starts).
    pub(crate) tab: String,
    member: MemberId,
    session: [u8; 8],
    /// The spaces the page has open, as last sent to it (the engine refreshes them from patches
    /// and sends the parts that changed), and what it was last told of each.
    pub(crate) spaces: HashMap<DocumentId, Space>,
    statuses: HashMap<DocumentId, SpaceStatus>,
    wanted: HashSet<DocumentId>,
    unsaved: u32,
    pub(crate) relays: Vec<String>,
    /// The relay badge as last told to the page, and when the page last heard that a relay
    /// talked (told at most every few seconds: it is a clock on a kiosk, not a per-frame event).
    pub(crate) relay_status: RelayStatus,
    pub(crate) last_heard_told: Option<i64>,
    /// Requests about a space still being opened, answered once it is (or cannot be).
    parked: HashMap<DocumentId, Vec<(u64, Request)>>,
    /// Spaces whose view waits to be kept (`kept_views.rs`).
    pub(crate) kept_pending: KeptPending,
    /// Spaces whose refused changes wait to be offered again.
    offer_again_pending: HashSet<DocumentId>,
    /// Documents waiting to be written again, whole, after one of their writes failed.
    store_again_pending: HashSet<DocumentId>,
    /// The links of open spaces to other spaces (`linked_spaces.rs`).
    pub(crate) linked: Linked,
    /// Consultations closing at the home relay's cut (`cut_closings.rs`).
    pub(crate) cut_closings: CutClosings,
}

/// How long a change a peer refused waits before it is offered again.
pub(crate) const OFFER_AGAIN_MS: u32 = 60_000;

/// How long a document whose write failed waits before it is written again, whole.
pub(crate) const STORE_AGAIN_MS: u32 = 5_000;

impl EngineCore {
    pub fn new(mut entropy: Entropy) -> EngineCore {
        let repo = Repo::new(RepoConfig {
            peer_id: format!("peer-{}", entropy.hex::<8>()),
            metadata: PeerMetadata { storage_id: None, is_ephemeral: false, relay_key: None },
            announce_to_incoming: true,
            announce_to_outgoing: true,
            session_id: entropy.hex::<8>(),
            persist: true,
            rules: Some(linli_core::participation::SpaceRules::shared()),
        });
        let session = entropy.bytes();
        EngineCore {
            repo,
            entropy,
            now: Timestamp(0),
            out: Vec::new(),
            deferred: Vec::new(),
            connections: Connections::default(),
            tab: String::new(),
            member: MemberId::from_random([0; 8]),
            session,
            spaces: HashMap::new(),
            statuses: HashMap::new(),
            wanted: HashSet::new(),
            unsaved: 0,
            relays: Vec::new(),
            relay_status: RelayStatus::Connecting,
            last_heard_told: None,
            parked: HashMap::new(),
            kept_pending: Default::default(),
            offer_again_pending: HashSet::new(),
            store_again_pending: HashSet::new(),
            linked: Default::default(),
            cut_closings: Default::default(),
        }
    }

    /// Handles one input that came at `now` and returns what the worker must do, in order.
    pub fn handle(&mut self, now: Timestamp, input: Input) -> Vec<Output> {
        self.now = now;
        match input {
            Input::Page(message) => self.page_message(message),
            Input::SocketOpened(conn) => self.socket_opened(conn),
            Input::SocketFrame(conn, bytes) => self.socket_frame(conn, &bytes),
            Input::SocketClosed(conn) => self.socket_closed(conn),
            Input::DialFailed(conn) => self.dial_failed(conn),
            Input::Tab(message) => self.tab_message(message),
            Input::Loaded { document, chunks } => {
                let fx = self.repo.loaded(document, chunks);
                self.apply(fx);
            }
            Input::Saved => {
                self.unsaved = self.unsaved.saturating_sub(1);
                self.tell_unsaved();
            }
            Input::SaveFailed(document) => {
                self.unsaved = self.unsaved.saturating_sub(1);
                self.save_failed(document);
            }
            Input::Wake(wake) => self.wake(wake),
        }
        self.run_deferred();
        std::mem::take(&mut self.out)
    }

    pub(crate) fn emit(&mut self, output: Output) {
        self.out.push(output);
    }

    pub(crate) fn tell(&mut self, message: FromEngine) {
        self.emit(Output::Page(message));
    }

    pub(crate) fn log(&mut self, log: Log) {
        self.emit(Output::Log(log));
    }

    pub(crate) fn defer(&mut self, work: Deferred) {
        if !self.deferred.contains(&work) {
            self.deferred.push(work);
        }
    }

    fn run_deferred(&mut self) {
        // Each round's work may defer more (a close changes the space); a close that cannot
        // happen yet does not defer itself again, so this ends.
        for _ in 0..16 {
            if self.deferred.is_empty() {
                return;
            }
            for work in std::mem::take(&mut self.deferred) {
                match work {
                    Deferred::CloseFromThisCopy(space, item) => {
                        if let Err(error) = self.close_from_this_copy(space, &item) {
                            self.log(Log::Warn(format!("consultation {item}: {error:?}")));
                        }
                    }
                    Deferred::CloseAtGivenCuts(space) => self.close_at_given_cuts(space),
                }
            }
        }
    }

    fn wake(&mut self, wake: Wake) {
        match wake {
            Wake::Redial { url, attempt } => self.redial(url, attempt),
            Wake::OfferAgain(space) => {
                self.offer_again_pending.remove(&space);
                let fx = self.repo.resync(space);
                self.apply(fx);
            }
            Wake::AcceptExpired { link, request, relay } => self.acceptance_expired(link, request, relay),
            Wake::KeepView(space) => self.keep_view_now(space),
            Wake::StoreAgain(document) => self.store_again(document),
        }
    }

    /// What the page is told is not yet durable: writes out, and documents waiting to be
    /// written again after a failed write (so the badge never says "saved" over a loss).
    fn tell_unsaved(&mut self) {
        let count = self.unsaved + self.store_again_pending.len() as u32;
        self.tell(FromEngine::Unsaved(count));
    }

    /// A write of `document` failed: write the whole document again in a while (at once might
    /// fail the same way, e.g. with the device's storage full), once however many failed.
    fn save_failed(&mut self, document: DocumentId) {
        if self.store_again_pending.insert(document) {
            self.log(Log::Error(format!("space {document}: a write to this device's storage failed; it is written again, whole, in {} s", STORE_AGAIN_MS / 1000)));
            self.emit(Output::Timer { after_ms: STORE_AGAIN_MS, wake: Wake::StoreAgain(document) });
        }
        self.tell_unsaved();
    }

    fn store_again(&mut self, document: DocumentId) {
        match self.repo.store_again(document) {
            // Automerge panicked saving it: the repo loads it again from storage (what storage
            // lacks comes back from the peers it was sent to); it is written again once loaded,
            // and until then the page is not told it is saved.
            Some(fx) if fx.storage.iter().any(|op| matches!(op, linli_sync::StorageOp::Load { .. })) => {
                self.apply(fx);
                self.emit(Output::Timer { after_ms: STORE_AGAIN_MS, wake: Wake::StoreAgain(document) });
            }
            Some(fx) => {
                self.store_again_pending.remove(&document);
                self.apply(fx);
                self.tell_unsaved();
            }
            // Loading or being checked: try again later.
            None if self.repo.phase(&document).is_some() => self.emit(Output::Timer { after_ms: STORE_AGAIN_MS, wake: Wake::StoreAgain(document) }),
            None => {
                self.store_again_pending.remove(&document);
                self.tell_unsaved();
            }
        }
    }

    fn page_message(&mut self, message: ToEngine) {
        match message {
            ToEngine::Start { page: _, member_key, relays } => self.start(member_key, relays),
            ToEngine::Keys { space, write, take_part } => {
                let Ok(id) = space.as_str().parse::<DocumentId>() else { return };
                if let Some(key) = write.as_deref().and_then(WriteKey::from_text) {
                    self.repo.hold_write_key(id, key);
                }
                if let Some(key) = take_part.as_deref().and_then(TakePartKey::from_text) {
                    self.repo.hold_take_part_key(id, key);
                }
                self.publish(id);
            }
            ToEngine::Relays(urls) => {
                let known = std::mem::take(&mut self.relays);
                for url in urls.iter().filter(|u| !known.contains(u)) {
                    self.dial(url.clone(), 0);
                }
                self.relays = urls;
            }
            ToEngine::Open { space } => {
                let Ok(id) = space.as_str().parse::<DocumentId>() else {
                    self.tell(FromEngine::Status { space, status: status(Phase::Unavailable, Access::View, false) });
                    return;
                };
                self.wanted.insert(id);
                // The page hears everything about a space it opens, even what it was told before
                // it had the space open (a space it just made, say).
                self.statuses.remove(&id);
                if let Some(space) = self.spaces.get(&id).cloned() {
                    self.tell(FromEngine::View { space: crate::space_ids::space_id(id), update: ViewUpdate::Whole(Box::new(space)) });
                }
                let fx = self.repo.find(id);
                self.apply(fx);
                self.publish(id);
                self.retell_links(id);
            }
            ToEngine::Online(online) => self.network_changed(online),
            ToEngine::Request { id, request } => {
                // A screen drawn from a picture may act before the space is open here: the
                // request waits for it rather than failing.
                let opening =
                    request.space().and_then(|s| s.as_str().parse::<DocumentId>().ok()).filter(|space| matches!(self.repo.phase(space), Some(Phase::Loading | Phase::Requesting)));
                match opening {
                    Some(space) => self.parked.entry(space).or_default().push((id, request)),
                    None => self.respond(id, request),
                }
            }
            ToEngine::Direct(event) => self.direct_event(event),
            ToEngine::Ephemeral { space, data } => {
                let Ok(id) = space.as_str().parse::<DocumentId>() else { return };
                let fx = self.repo.broadcast_proven_ephemeral(id, data);
                self.apply(fx);
            }
        }
    }

    fn start(&mut self, member_key: Option<String>, relays: Vec<String>) {
        let given = member_key.as_deref().and_then(MemberKey::from_text);
        let made = given.is_none();
        let key = given.unwrap_or_else(|| MemberKey::from_seed(self.entropy.bytes()));
        self.member = MemberId::from_public_key(key.public());
        let member_key = made.then(|| key.to_text());
        self.repo.hold_member_key(key);
        self.tab = self.entropy.hex::<8>();
        self.greet_tabs();
        let peer = self.repo.peer_id().to_owned();
        let item_mark = self.author().item_mark().to_string();
        self.tell(FromEngine::Started { member: self.member.to_string(), member_key, tab: self.tab.clone(), peer, item_mark });
        for url in &relays {
            self.dial(url.clone(), 0);
        }
        self.relays = relays;
    }

    /// A direct connection the page carries opened, sent a frame, or closed.
    fn direct_event(&mut self, event: DirectEvent) {
        match event {
            DirectEvent::Opened { id, outgoing } => {
                let conn = self.connections.direct_opened(id);
                let direction = if outgoing { linli_sync::Direction::Outgoing } else { linli_sync::Direction::Incoming };
                let fx = self.repo.connected(conn, direction);
                self.apply(fx);
            }
            DirectEvent::Frame { id, bytes } => {
                if let Some(conn) = self.connections.direct_conn(id) {
                    let fx = self.repo.received(conn, &bytes);
                    self.apply(fx);
                }
            }
            DirectEvent::Closed { id } => {
                if let Some(conn) = self.connections.direct_closed(id) {
                    let fx = self.repo.disconnected(conn);
                    self.apply(fx);
                }
            }
        }
    }

    /// Takes what the repo produced: its storage and network work goes out in order, then the
    /// page hears what its events mean.
    pub(crate) fn apply(&mut self, fx: Effects) {
        let Effects { storage, sends, closes, events, admissions: _ } = fx;
        let writes = storage.iter().filter(|op| !matches!(op, StorageOp::Load { .. })).count() as u32;
        for op in storage {
            self.emit(Output::Work(Work::Storage(op)));
        }
        for (conn, bytes) in sends {
            match self.connections.carrier(conn) {
                Some(Carrier::Socket) => self.emit(Output::Work(Work::SocketSend { conn, bytes })),
                Some(Carrier::Tab(tab)) => {
                    let message = linli_view::side_channels::TabMessage { from: self.tab.clone(), to: Some(tab), kind: linli_view::side_channels::TabKind::Data(bytes) };
                    self.emit(Output::Work(Work::TabSend(message)));
                }
                Some(Carrier::Direct(id)) => self.emit(Output::Work(Work::Page(FromEngine::DirectSend { id, bytes }))),
                None => {}
            }
        }
        for (conn, reason) in closes {
            self.log(Log::Warn(format!("closing connection {conn}: {reason:?}")));
            match self.connections.carrier(conn) {
                Some(Carrier::Socket) => self.emit(Output::Work(Work::SocketClose { conn })),
                // The other tab hears it, so both forget the connection (a hello makes a new one).
                Some(Carrier::Tab(tab)) => {
                    self.connections.tab_closed(conn);
                    let bye = linli_view::side_channels::TabMessage { from: self.tab.clone(), to: Some(tab), kind: linli_view::side_channels::TabKind::Bye };
                    self.emit(Output::Work(Work::TabSend(bye)));
                }
                Some(Carrier::Direct(id)) => self.emit(Output::Work(Work::Page(FromEngine::DirectClose { id }))),
                None => {}
            }
        }
        if writes > 0 {
            self.unsaved += writes;
            self.tell_unsaved();
        }
        self.take_events(events);
    }

    /// Tells the page what the repo's events mean for it.
    fn take_events(&mut self, events: Vec<RepoEvent>) {
        let mut changed: Vec<DocumentId> = Vec::new();
        let mut peers_changed = false;
        for event in events {
            match event {
                RepoEvent::DocReady { document_id } | RepoEvent::DocChanged { document_id } | RepoEvent::DocUnavailable { document_id } => changed.push(document_id),
                // The badge is about relays; tabs and direct connections come and go without changing it.
                RepoEvent::PeerConnected { conn, .. } | RepoEvent::PeerDisconnected { conn, .. } => {
                    peers_changed = true;
                    if self.connections.is_relay(conn) {
                        self.recount_relays();
                    }
                }
                RepoEvent::UnreadableChunks { document_id, chunks } => {
                    self.log(Log::Error(format!("space {document_id}: {} stored chunks are unreadable and were kept", chunks.len())))
                }
                RepoEvent::PlantedSetAside { document_id } => self.log(Log::Warn(format!("space {document_id}: stored changes that are not this space's were set aside"))),
                RepoEvent::ChangesRefused { document_id, count, reason, .. } => self.log(Log::Warn(format!("space {document_id}: refused {count} changes from a peer: {reason}"))),
                RepoEvent::RefusedByPeer { document_id, reason, .. } => {
                    self.log(Log::Warn(format!("space {document_id}: a peer refused a change of this device's: {reason}")));
                    self.tell(FromEngine::Refused { space: crate::space_ids::space_id(document_id), rule: crate::engine_errors::rule_of(&reason), detail: reason });
                    // A relay's limit refuses for now only: offer the changes again in a minute.
                    // One timer per space, however many peers refused.
                    if self.offer_again_pending.insert(document_id) {
                        self.emit(Output::Timer { after_ms: OFFER_AGAIN_MS, wake: Wake::OfferAgain(document_id) });
                    }
                }
                RepoEvent::Ephemeral { document_id, data, .. } => {
                    let opened = self.repo.open_ephemeral(&document_id, &data);
                    self.tell(FromEngine::Ephemeral { space: crate::space_ids::space_id(document_id), data: opened.payload, proven: opened.proven });
                }
                event @ RepoEvent::CutGiven { .. } => self.cut_given(event),
                // Only a relay is asked for cuts.
                RepoEvent::CutAsked { .. } => {}
            }
        }
        if peers_changed {
            let peers = self.repo.peers().into_iter().map(|(_, peer)| peer.to_string()).collect();
            self.tell(FromEngine::Peers(peers));
        }
        changed.sort();
        changed.dedup();
        for id in changed {
            self.publish(id);
            if self.waits_for_cut_changes(&id) {
                self.defer(Deferred::CloseAtGivenCuts(id));
            }
            self.link_changed(id);
        }
    }

    /// Tells the page where a space it has open stands and, if its document changed, what of
    /// its view changed.
    pub(crate) fn publish(&mut self, id: DocumentId) {
        if !self.wanted.contains(&id) {
            return;
        }
        let phase = self.repo.phase(&id).map(phase_of).unwrap_or(linli_view::Phase::Loading);
        if matches!(phase, linli_view::Phase::Ready | linli_view::Phase::Unavailable) {
            for (request_id, request) in self.parked.remove(&id).unwrap_or_default() {
                match phase {
                    linli_view::Phase::Ready => self.respond(request_id, request),
                    _ => self.tell(FromEngine::Reply { id: request_id, result: Err(EngineError::SpaceNotFound) }),
                }
            }
        }
        let mut unreadable = None;
        if phase == linli_view::Phase::Ready {
            match self.refresh(&id) {
                Ok(Some(update)) => {
                    let update = self.opened(&id, update);
                    self.tell(FromEngine::View { space: crate::space_ids::space_id(id), update });
                    self.keep_view_later(id);
                    self.follow_links(id);
                }
                Ok(None) => {}
                Err(error) => unreadable = Some(error),
            }
        }
        let repo = &self.repo;
        let status = SpaceStatus {
            phase,
            access: access_of(repo.access(&id)),
            protected: repo.protection(&id).is_some(),
            edit_key: repo.write_key_opening(&id).map(|k| k.to_text()),
            take_part_key: repo.take_part_key(&id).map(|k| k.to_text()),
            unreadable,
            seals: repo.protection(&id).is_none() || id.is_certified(),
        };
        if self.statuses.get(&id) != Some(&status) {
            self.statuses.insert(id, status.clone());
            self.tell(FromEngine::Status { space: crate::space_ids::space_id(id), status });
        }
    }

    /// The space's status and view as the page keeps them for its next visit.
    pub(crate) fn snapshot_of(&self, id: &DocumentId) -> Option<Vec<u8>> {
        Some(linli_view::snapshot::encode(&(self.statuses.get(id)?, self.spaces.get(id)?)))
    }

    /// The keys this device reads space `id`'s private requests with (`linli_core::private`):
    /// its member key's and, if it holds the organise link, the organisers' (the write key's, and
    /// the earlier write keys' the document keeps sealed under it).
    pub(crate) fn reading_keys(&self, id: &DocumentId) -> Keyring {
        let member = self.repo.member_key().map(MemberKey::seed);
        let mut write = Vec::new();
        if let Some(key) = self.repo.write_key_opening(id) {
            write.push(key.seed());
            write.extend(self.repo.document(id).map(|doc| linli_sync::past_write_keys::past_write_seeds(doc, &key)).unwrap_or_default());
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
                let opener = self.spaces.get(id).map(|space| keyring.with_teams(space)).unwrap_or(keyring).opener();
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
    fn refresh(&mut self, id: &DocumentId) -> Result<Option<ViewUpdate>, EngineError> {
        let patches = self.repo.patches_since_last_look(id);
        let doc = self.repo.document(id).ok_or(EngineError::NotOpenYet)?;
        match (self.spaces.get_mut(id), patches) {
            (Some(_), Some(patches)) if patches.is_empty() => Ok(None),
            (Some(space), Some(patches)) => match space.refresh(doc, &patches).map_err(from_space)? {
                Refreshed::Everything => Ok(Some(ViewUpdate::Whole(Box::new(space.clone())))),
                Refreshed::Parts { settings, items } => Ok(Some(ViewUpdate::parts_of(space, settings, &items))),
            },
            _ => match Space::hydrate(doc).map_err(from_space) {
                Ok(space) => {
                    let update = ViewUpdate::Whole(Box::new(space.clone()));
                    self.spaces.insert(*id, space);
                    Ok(Some(update))
                }
                Err(error) => {
                    self.spaces.remove(id);
                    Err(error)
                }
            },
        }
    }

    /// The page has `id` open (it made it).
    pub(crate) fn wanted_now(&mut self, id: DocumentId) {
        self.wanted.insert(id);
    }

    /// Who writes, and when: this device's member, this engine's session, the time now.
    pub(crate) fn author(&self) -> Author {
        Author { member: self.member, session: self.session, now: self.now }
    }

    /// Answers a request of the page's whose space is open here (or that names none). Accepting
    /// an invitation may wait for the link's document to arrive: it answers then.
    pub(crate) fn respond(&mut self, id: u64, request: Request) {
        let result = match request {
            Request::AcceptInvitation(AcceptInvitation { space, invitation, shares }) => match space.as_str().parse::<DocumentId>() {
                Ok(space) => self.accept_invitation(id, space, &invitation, shares).map(|result| result.map(AcceptInvitation::reply)),
                Err(_) => Some(Err(EngineError::NotASpaceId)),
            },
            request => Some(self.answer(request)),
        };
        if let Some(result) = result {
            self.tell(FromEngine::Reply { id, result });
        }
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
        Access::TakePart => linli_view::Access::TakePart,
        Access::View => linli_view::Access::View,
    }
}
