//! The sans-IO repo: a peer of the automerge-repo protocol, driven by events, answering with effects.
//!
//! The browser, the relay and the simulated network in the tests all drive this one type. It owns
//! the documents, one Automerge sync state per document and connection, and the storage ledger of
//! each document. It never reads a clock, a socket or a disk: the driver calls in with what
//! happened and runs the [`Effects`] that come back.
//!
//! This file holds the types and the documents (made, found, loaded, changed, stored, released);
//! the rest of `Repo` is cut along its seams: `keys` (the keys held and the access they give),
//! `files` (`.linli` files out and in), `connections` (the network's side), `protocol` (each
//! message as it arrives, and the sync messages sent), `batches`, `ephemeral` and `cuts`.

use std::collections::{BTreeMap, HashMap, HashSet};

use automerge::sync;
use automerge::{AutoCommit, ChangeHash};

use crate::DocumentId;
use crate::admission::Remembered;
use crate::admission_job::AdmissionJob;
use crate::chunk_ledger::ChunkLedger;
use crate::contain::contain;
use crate::effects::{CloseReason, ConnId, Effects, RepoEvent, StorageOp};
use crate::home_relay::RelayKey;
use crate::keyring::{Access, Keyring};
use crate::member_key::MemberKey;
use crate::message::{Message, PeerId, PeerMetadata};
use crate::rules::{Reviewed, Rules, without_rules};
use crate::signature_book::SignatureBook;
use crate::storage_key::{ChunkKey, ChunkKind};

mod batches;
mod connections;
mod cuts;
mod ephemeral;
mod files;
mod keys;
mod protocol;

/// Most (sender, session) pairs whose ephemeral counts a repo remembers.
const MAX_EPHEMERAL_SENDERS: usize = 10_000;

/// Who opened a connection. The side that dialled sends `join`; the other answers `peer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// We dialled: we are the client.
    Outgoing,
    /// They dialled: we are the server.
    Incoming,
}

/// How a repo behaves.
#[derive(Debug, Clone)]
pub struct RepoConfig {
    pub peer_id: PeerId,
    pub metadata: PeerMetadata,
    /// Offer every document to peers that dialled us. A relay says no: it serves a document only
    /// to a peer that asks for it by ID, and never tells one client about another's documents.
    pub announce_to_incoming: bool,
    /// Offer every document to peers we dialled (a browser to its relay, a relay to its upstream).
    pub announce_to_outgoing: bool,
    /// The session ID stamped on ephemeral messages this repo sends (random per process).
    pub session_id: String,
    /// Keep documents in storage. A peer that keeps nothing (a load generator, a throwaway
    /// tool) sets this false: its changes then produce no storage writes.
    pub persist: bool,
    /// What the application allows in protected documents (for Linli spaces, linli-core's
    /// participation rules). Without rules, edits are admitted and residents' changes refused.
    pub rules: Option<Rules>,
}

/// Where a document stands in this repo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for storage to return its chunks.
    Loading,
    /// Storage had nothing; asking peers.
    Requesting,
    /// Nobody reachable has it yet.
    Unavailable,
    /// It has content.
    Ready,
}

/// What a peer told us about one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PeerDocStatus {
    /// Engaged, nothing known yet.
    Unknown,
    /// We sent it a `request` and wait for the answer.
    Asked,
    /// It has content.
    Has,
    /// It asked us and we have nothing yet.
    Wants,
    /// It answered `doc-unavailable`.
    Unavailable,
}

#[derive(Debug)]
struct PeerDoc {
    sync: sync::State,
    status: PeerDocStatus,
    /// The home relay's receipts this peer was given, and the changes awaiting one passed on to
    /// it (see `send_sync`).
    receipts_told: HashSet<ChangeHash>,
    forwarded: HashSet<ChangeHash>,
    /// The last message that carried nothing but heads and needs: our heads, the peer's heads as
    /// we knew them, and what we asked for (see `send_sync`).
    last_bare: Option<BareMessage>,
}

/// What a sync message with no changes, signatures or receipts says.
type BareMessage = (Vec<ChangeHash>, Option<Vec<ChangeHash>>, Vec<ChangeHash>);

impl PeerDoc {
    fn new() -> Self {
        PeerDoc { sync: sync::State::new(), status: PeerDocStatus::Unknown, receipts_told: HashSet::new(), forwarded: HashSet::new(), last_bare: None }
    }
}

#[derive(Debug)]
struct DocEntry {
    doc: AutoCommit,
    phase: Phase,
    /// Sync with each connection engaged in this document.
    peers: BTreeMap<ConnId, PeerDoc>,
    /// Messages that arrived while the document was loading, in arrival order.
    pending: Vec<(ConnId, Message)>,
    ledger: ChunkLedger,
    /// Signatures of the document's changes (kept and passed on for protected documents).
    signatures: SignatureBook,
    /// What admission remembers between messages: refused changes, changes vouched for ahead.
    admission: Remembered,
    /// The application asked for this document (so it hears when it is unavailable).
    wanted: bool,
    /// Out in an [`AdmissionJob`] with this ticket: `doc`, `signatures` and `admission` are empty
    /// stand-ins until it comes back, and nothing reads them.
    out: Option<u64>,
    /// While out: connections to send a sync message once the document is back, and whether to
    /// store it then.
    deferred: std::collections::BTreeSet<ConnId>,
    store_on_return: bool,
}

impl DocEntry {
    /// The writes that store what changed since the last save: signatures first, so that no
    /// stored change is ever without its signature, then the document's chunks.
    fn storage_writes(&mut self, document_id: DocumentId) -> Vec<crate::StorageOp> {
        let mut ops = self.signatures.save(document_id);
        ops.extend(self.ledger.save(document_id, &mut self.doc));
        ops
    }

    fn loading() -> Self {
        DocEntry {
            doc: AutoCommit::new(),
            phase: Phase::Loading,
            peers: BTreeMap::new(),
            pending: Vec::new(),
            ledger: ChunkLedger::default(),
            signatures: SignatureBook::default(),
            admission: Remembered::default(),
            wanted: false,
            out: None,
            deferred: std::collections::BTreeSet::new(),
            store_on_return: false,
        }
    }
}

#[derive(Debug)]
struct Connection {
    direction: Direction,
    /// Set once the handshake completes.
    peer_id: Option<PeerId>,
    /// The only documents this connection may carry (`None`: any). A device dials the relay of
    /// a linked space for the link's document alone, so that relay never learns of the others.
    only: Option<HashSet<DocumentId>>,
    /// The key the relay we dialled announced in its handshake (a Linli relay's).
    relay_key: Option<[u8; 32]>,
}

/// A local operation on a document that cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepoError {
    #[error("document {0} is not open in this repo")]
    NotOpen(DocumentId),
    #[error("document {0} is still loading")]
    StillLoading(DocumentId),
    #[error("document {0} is protected and this repo holds no key that opens it (a view link)")]
    ViewOnly(DocumentId),
    /// The change broke a rule of the document (every peer would refuse it); it was undone.
    #[error("this change is not allowed: {0}")]
    Refused(String),
    /// A file to import is not a readable document file.
    #[error("{0}")]
    BadFile(String),
    /// A file to import holds another document (its history shares no first change with this one).
    #[error("this file holds a different space")]
    DifferentDocument,
}

/// What importing a file did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Imported {
    /// Changes the file held that this copy did not, now taken in.
    pub new_changes: usize,
    /// Changes the file held that were refused (unsigned, or against the rules), and the first
    /// reason.
    pub refused: usize,
    pub reason: Option<String>,
    /// Changes within the rules that wait for the space's home relay to vouch for them (the file
    /// carried no receipt covering them): taken once a peer brings one.
    pub waiting: usize,
}

/// A peer of the automerge-repo protocol with its documents. See the module docs.
///
/// A phone makes a document; a kiosk connects and asks for it. The driver (here [`crate::sim`])
/// carries each repo's [`Effects::sends`] to the other until both are quiet:
///
/// ```
/// use linli_sync::automerge::{AutoCommit, ROOT, ReadDoc, transaction::Transactable};
/// use linli_sync::{Direction, DocumentId, PeerMetadata, Phase, Repo, RepoConfig, sim};
///
/// let config = |name: &str| RepoConfig {
///     peer_id: name.into(), metadata: PeerMetadata::default(), announce_to_incoming: true, announce_to_outgoing: true,
///     session_id: format!("{name}-session"), persist: false, rules: None,
/// };
/// let (mut phone, mut kiosk) = (Repo::new(config("phone")), Repo::new(config("kiosk")));
///
/// let id = DocumentId::new_random([7; 16]);
/// let mut doc = AutoCommit::new();
/// doc.put(ROOT, "notice", "Water off on Tuesday").unwrap();
/// let _ = phone.create(id, doc); // nothing to store (persist: false) and no one to send to yet
///
/// // The kiosk dials the phone (connection 1 on the kiosk, 2 on the phone) and asks for the document.
/// let mut from_kiosk = kiosk.connected(1, Direction::Outgoing);
/// from_kiosk.extend(kiosk.find(id));
/// let from_phone = phone.connected(2, Direction::Incoming);
/// sim::exchange(&mut kiosk, 1, &mut phone, 2, from_kiosk, from_phone);
///
/// assert_eq!(kiosk.phase(&id), Some(Phase::Ready));
/// let notice = kiosk.document(&id).unwrap().get(ROOT, "notice").unwrap().unwrap().0;
/// assert_eq!(notice.into_string().unwrap(), "Water off on Tuesday");
/// ```
#[derive(Debug)]
pub struct Repo {
    config: RepoConfig,
    connections: BTreeMap<ConnId, Connection>,
    docs: HashMap<DocumentId, DocEntry>,
    /// The member key and the write and take-part keys this repo holds.
    keys: Keyring,
    /// Highest ephemeral count seen per (sender, session).
    ephemeral_seen: HashMap<(PeerId, String), u64>,
    ephemeral_count: u64,
    /// Inside a batch (see [`Repo::begin_batch`]): documents to store, and sync messages to
    /// generate, once at the end of the batch.
    batch: Option<Batch>,
    /// Hand out admissions of changes to the driver (see [`Repo::admit_elsewhere`]).
    admit_elsewhere: bool,
    /// The last [`AdmissionJob`] ticket given out.
    tickets: u64,
    /// A relay's own key: it gives receipts for the spaces that name it their home.
    relay_key: Option<RelayKey>,
    /// Documents whose rules refused `home_relay` when this repo tried to name one (a link
    /// document): not tried again.
    homeless: HashSet<DocumentId>,
    /// Cuts asked of home relays and not yet answered (see `cuts`).
    cut_asks: Vec<cuts::CutAsked>,
}

/// Work deferred to the end of a batch.
#[derive(Debug, Default)]
struct Batch {
    to_save: std::collections::BTreeSet<DocumentId>,
    to_sync: std::collections::BTreeSet<(DocumentId, ConnId)>,
}

impl Repo {
    pub fn new(config: RepoConfig) -> Self {
        Repo {
            config,
            connections: BTreeMap::new(),
            docs: HashMap::new(),
            keys: Keyring::default(),
            ephemeral_seen: HashMap::new(),
            ephemeral_count: 0,
            batch: None,
            admit_elsewhere: false,
            tickets: 0,
            relay_key: None,
            homeless: HashSet::new(),
            cut_asks: Vec::new(),
        }
    }

    /// This repo is a relay with `key`: for every space that names `key` its home relay, it gives
    /// receipts for the changes it takes in (see `home_relay`).
    pub fn give_receipts_as(&mut self, key: RelayKey) {
        // Said in the handshake, so that an organiser's device can name this relay the home of
        // the spaces it brings here.
        self.config.metadata.relay_key = Some(key.public());
        self.relay_key = Some(key);
    }

    /// From now on, a peer's sync message that carries changes is not admitted in the call that
    /// received it: the document goes out in an [`AdmissionJob`] in the effects
    /// ([`Effects::admissions`]), for the driver to run (on another thread, say) and give back to
    /// [`Repo::admitted`]. Meanwhile the repo serves every other document; messages about that
    /// one wait. A relay does this so that one space's costly changes never hold up another's
    /// sync (see `admission_job`).
    pub fn admit_elsewhere(&mut self, elsewhere: bool) {
        self.admit_elsewhere = elsewhere;
    }

    /// Takes back a document handed out in an [`AdmissionJob`] (after [`AdmissionJob::run`]) and
    /// goes on as a message received in the repo would have: store, answer, tell the other peers,
    /// then the messages that waited. A job whose document was reloaded or released meanwhile is
    /// dropped (nothing of it was stored or acknowledged).
    pub fn admitted(&mut self, job: AdmissionJob) -> Effects {
        let mut fx = Effects::default();
        let AdmissionJob { ticket, document_id, conn, doc, peer: peer_sync, signatures, remembered, told_before, applied, .. } = job;
        let Some(entry) = self.docs.get_mut(&document_id).filter(|e| e.out == Some(ticket)) else { return fx };
        entry.out = None;
        entry.doc = doc;
        entry.signatures = signatures;
        entry.admission = remembered;
        if let Some(peer) = entry.peers.get_mut(&conn) {
            peer.sync = peer_sync;
            if let Some(told) = told_before {
                peer.sync.last_sent_heads = told;
            }
        }
        let store = std::mem::take(&mut entry.store_on_return);
        let deferred = std::mem::take(&mut entry.deferred);
        match applied {
            Some(applied) => self.finish_sync(conn, document_id, applied, &mut fx),
            None => {
                self.close(conn, CloseReason::BadData("admitting its changes stopped half-way".into()), &mut fx);
                self.poison(document_id, &mut fx);
            }
        }
        let Some(entry) = self.docs.get(&document_id) else { return fx };
        if entry.out.is_some() || entry.phase == Phase::Loading {
            return fx;
        }
        if store && self.config.persist && entry.phase == Phase::Ready {
            match &mut self.batch {
                Some(batch) => {
                    batch.to_save.insert(document_id);
                }
                None => self.store(document_id, &mut fx),
            }
        }
        for conn in deferred {
            if self.docs.get(&document_id).is_some_and(|e| e.peers.contains_key(&conn)) {
                self.send_sync(document_id, conn, &mut fx);
            }
        }
        self.handle_pending(document_id, &mut fx);
        fx
    }

    /// Handles the messages that waited for the document (loading, or out), until it goes out
    /// again.
    fn handle_pending(&mut self, document_id: DocumentId, fx: &mut Effects) {
        loop {
            let Some(entry) = self.docs.get_mut(&document_id) else { return };
            if entry.out.is_some() || entry.phase == Phase::Loading || entry.pending.is_empty() {
                return;
            }
            let (conn, message) = entry.pending.remove(0);
            self.handle_doc_message(conn, message, fx);
        }
    }

    /// The document's entry, unless it is loading's stand-in for nothing or out in a job.
    fn held(&self, document_id: &DocumentId) -> Option<&DocEntry> {
        self.docs.get(document_id).filter(|e| e.out.is_none())
    }

    fn held_mut(&mut self, document_id: &DocumentId) -> Option<&mut DocEntry> {
        self.docs.get_mut(document_id).filter(|e| e.out.is_none())
    }

    pub fn peer_id(&self) -> &str {
        &self.config.peer_id
    }

    /// Adds a document made here (e.g. a new space). It is stored and offered to peers. If this
    /// repo holds its write key, every change is signed.
    pub fn create(&mut self, document_id: DocumentId, mut doc: AutoCommit) -> Effects {
        let mut fx = Effects::default();
        let changes = doc.get_changes(&[]);
        let access = self.keys.access(&document_id, &doc);
        let entry = self.docs.entry(document_id).or_insert_with(DocEntry::loading);
        let take_part = self.keys.take_part_key(&document_id, &doc);
        self.keys.sign(&document_id, access, take_part.as_ref(), &changes, &mut entry.signatures);
        entry.admission.lines.forget();
        entry.doc = doc;
        entry.phase = Phase::Ready;
        entry.wanted = true;
        entry.out = None;
        self.after_change(document_id, &mut fx);
        self.announce(document_id, &mut fx);
        fx
    }

    /// Opens a document: from memory, else from storage, else from peers. Watch the events for
    /// [`RepoEvent::DocReady`] or [`RepoEvent::DocUnavailable`].
    pub fn find(&mut self, document_id: DocumentId) -> Effects {
        let mut fx = Effects::default();
        match self.docs.get_mut(&document_id) {
            Some(entry) => {
                entry.wanted = true;
                match entry.phase {
                    Phase::Ready => fx.events.push(RepoEvent::DocReady { document_id }),
                    Phase::Unavailable => fx.events.push(RepoEvent::DocUnavailable { document_id }),
                    Phase::Loading | Phase::Requesting => {}
                }
            }
            None => {
                let mut entry = DocEntry::loading();
                entry.wanted = true;
                self.docs.insert(document_id, entry);
                fx.storage.push(StorageOp::Load { document_id });
            }
        }
        fx
    }

    /// The driver's answer to [`StorageOp::Load`]: every chunk stored for the document.
    pub fn loaded(&mut self, document_id: DocumentId, chunks: Vec<(ChunkKey, Vec<u8>)>) -> Effects {
        let mut fx = Effects::default();
        let Some(entry) = self.docs.get_mut(&document_id) else { return fx };
        if entry.phase != Phase::Loading {
            return fx;
        }
        let (signature_chunks, chunks): (Vec<_>, Vec<_>) = chunks.into_iter().partition(|(key, _)| matches!(key.kind, ChunkKind::Signatures | ChunkKind::MemberSignatures));
        entry.signatures = SignatureBook::load(signature_chunks);
        let (mut doc, ledger, unreadable) = ChunkLedger::load(chunks);
        if !unreadable.is_empty() {
            fx.events.push(RepoEvent::UnreadableChunks { document_id, chunks: unreadable });
        }
        // A planted copy taken in before certified IDs were checked: keep only the genuine part
        // (the chunks stay on disk until the next compaction of the genuine part replaces them).
        if let Ok(Some(genuine)) = contain(|| crate::genuine::without_planted(&mut doc, &document_id)) {
            fx.events.push(RepoEvent::PlantedSetAside { document_id });
            doc = genuine;
        }
        entry.doc = doc;
        entry.ledger = ledger;
        entry.admission.lines.forget();
        let has_content = !entry.doc.get_heads().is_empty();
        entry.phase = if has_content { Phase::Ready } else { Phase::Requesting };
        if has_content && entry.wanted {
            fx.events.push(RepoEvent::DocReady { document_id });
        }
        // After a reload (see `poison`) the peers still engaged start their sync afresh.
        let engaged: Vec<ConnId> = entry.peers.keys().copied().collect();
        for conn in engaged {
            if let Some(peer) = self.docs.get_mut(&document_id).and_then(|e| e.peers.get_mut(&conn)) {
                peer.sync = sync::State::new();
            }
            if has_content {
                self.send_sync(document_id, conn, &mut fx);
            }
        }
        self.handle_pending(document_id, &mut fx);
        if has_content {
            self.announce(document_id, &mut fx);
        } else {
            self.resolve_availability(document_id, &mut fx);
        }
        fx
    }

    /// Changes a document here: `edit` runs on it, the result is committed, signed (if this repo
    /// holds the document's write key), stored and synced. A protected document this repo holds
    /// no key for is not changed: [`RepoError::ViewOnly`].
    pub fn change<R>(&mut self, document_id: DocumentId, edit: impl FnOnce(&mut AutoCommit) -> R) -> Result<(R, Effects), RepoError> {
        let access = self.access(&document_id);
        // The key the change is judged under, even if it moves the take-part key.
        let opening = (access == Access::TakePart).then(|| self.take_part_key(&document_id)).flatten();
        let entry = self.docs.get_mut(&document_id).ok_or(RepoError::NotOpen(document_id))?;
        if entry.phase == Phase::Loading || entry.out.is_some() {
            return Err(RepoError::StillLoading(document_id));
        }
        if access == Access::View {
            return Err(RepoError::ViewOnly(document_id));
        }
        let before = entry.doc.get_heads();
        let result = edit(&mut entry.doc);
        entry.doc.commit();
        let mut fx = Effects::default();
        if entry.doc.get_heads() != before {
            let changes = entry.doc.get_changes(&before);
            // Every peer will judge these changes by the document's rules: judge them here first,
            // and take them back out (they were neither stored nor sent) if they break one.
            if let Some(tier) = access.tier() {
                let member = self.keys.member().map(MemberKey::public);
                let reviewed: Vec<Reviewed<'_>> = changes
                    .iter()
                    .map(|change| Reviewed { change, tier, member: member.filter(|m| crate::member_key::actor_member(change.actor_id().to_bytes()) == Some(*m)) })
                    .collect();
                let verdicts = match &self.config.rules {
                    Some(rules) => rules.0.review(&document_id, &entry.doc, &reviewed),
                    None => without_rules(&reviewed),
                };
                if let Some(reason) = verdicts.into_iter().find_map(Result::err) {
                    let actor = entry.doc.get_actor().clone();
                    let mut restored = entry.doc.fork_at(&before).map_err(|e| RepoError::Refused(format!("{reason} (and undoing it failed: {e})")))?;
                    restored.set_actor(actor);
                    entry.doc = restored;
                    return Err(RepoError::Refused(reason));
                }
            }
            self.keys.sign(&document_id, access, opening.as_ref(), &changes, &mut entry.signatures);
            entry.admission.lines.applied(&changes);
            if entry.phase != Phase::Ready {
                entry.phase = Phase::Ready;
            }
            self.after_change(document_id, &mut fx);
            self.announce(document_id, &mut fx);
        }
        Ok((result, fx))
    }

    /// Starts sync of a document afresh with every peer engaged in it, so that changes a peer
    /// refused for now (a relay's limit on how fast residents join) are offered again.
    pub fn resync(&mut self, document_id: DocumentId) -> Effects {
        let mut fx = Effects::default();
        let Some(entry) = self.held_mut(&document_id).filter(|e| e.phase == Phase::Ready) else { return fx };
        let engaged: Vec<ConnId> = entry.peers.keys().copied().collect();
        for conn in engaged {
            if let Some(peer) = self.docs.get_mut(&document_id).and_then(|e| e.peers.get_mut(&conn)) {
                peer.sync = sync::State::new();
            }
            self.send_sync(document_id, conn, &mut fx);
        }
        fx
    }

    /// Forgets the in-memory state of a document and loads it again from storage, e.g. after the
    /// driver failed to write one of its chunks. Engaged peers resync once it has loaded.
    pub fn reload(&mut self, document_id: DocumentId) -> Effects {
        let mut fx = Effects::default();
        if self.docs.get(&document_id).is_some_and(|e| e.phase != Phase::Loading) {
            self.poison(document_id, &mut fx);
        }
        fx
    }

    /// Writes the whole document to storage again: one snapshot of every change and every
    /// signature, after the driver failed one of its writes (storage may lack what that write
    /// held, and later incremental chunks would not load without it). Nothing in memory is
    /// forgotten; the driver must not run a compaction's deletes after its snapshot failed.
    /// `None` while the document is loading or out being checked: ask again later.
    pub fn store_again(&mut self, document_id: DocumentId) -> Option<Effects> {
        let entry = self.docs.get_mut(&document_id).filter(|e| e.phase != Phase::Loading && e.out.is_none())?;
        entry.ledger.unsave_all();
        entry.signatures.unsave_all();
        let mut fx = Effects::default();
        self.store(document_id, &mut fx);
        Some(fx)
    }

    /// Runs a read that needs the document mutably (Automerge caches as it reads: heads,
    /// history). Anything `read` left uncommitted is rolled back, so the document never changes;
    /// this works for view-only documents too.
    pub fn read_mut<R>(&mut self, document_id: &DocumentId, read: impl FnOnce(&mut AutoCommit) -> R) -> Option<R> {
        let entry = self.held_mut(document_id).filter(|e| e.phase != Phase::Loading)?;
        let result = read(&mut entry.doc);
        entry.doc.rollback();
        Some(result)
    }

    /// The document, once loaded (it may be empty while it is requested from peers).
    pub fn document(&self, document_id: &DocumentId) -> Option<&AutoCommit> {
        self.held(document_id).filter(|e| e.phase != Phase::Loading).map(|e| &e.doc)
    }

    /// What changed in a document (locally or from peers) since the last call, as Automerge
    /// patches from its diff index. `None` on the first call for a document, or after it was
    /// reloaded: the caller then reads the whole document, and later calls return patches.
    pub fn patches_since_last_look(&mut self, document_id: &DocumentId) -> Option<Vec<automerge::Patch>> {
        let entry = self.held_mut(document_id).filter(|e| e.phase != Phase::Loading)?;
        if entry.doc.diff_cursor().is_empty() {
            entry.doc.update_diff_cursor();
            return None;
        }
        Some(entry.doc.diff_incremental())
    }

    pub fn phase(&self, document_id: &DocumentId) -> Option<Phase> {
        self.docs.get(document_id).map(|e| e.phase)
    }

    /// How many documents are open.
    /// Whether the peer on `conn` has acknowledged every change of the document this repo has:
    /// `Some(true)` up to date, `Some(false)` changes not yet confirmed there, `None` if that
    /// connection is not engaged in the document. (A status panel's "unsent changes".)
    pub fn peer_up_to_date(&mut self, document_id: &DocumentId, conn: ConnId) -> Option<bool> {
        let entry = self.held_mut(document_id)?;
        let ours = entry.doc.get_heads();
        let peer = entry.peers.get(&conn)?;
        Some(ours.iter().all(|head| peer.sync.shared_heads.contains(head)))
    }

    /// The connections whose handshake completed, with the peer's ID.
    pub fn peers(&self) -> Vec<(ConnId, PeerId)> {
        self.connections.iter().filter_map(|(conn, c)| c.peer_id.clone().map(|p| (*conn, p))).collect()
    }

    pub fn document_count(&self) -> usize {
        self.docs.len()
    }

    /// The documents a driver may [`release`](Repo::release) to free memory: no connection is
    /// engaged in them and nothing about them waits (they are ready or unavailable, with no
    /// message pending), each with the bytes it takes in storage (a measure of its size; Automerge
    /// holds a few times that in memory). Never any while a batch is open or in a repo that does
    /// not persist.
    pub fn idle_documents(&self) -> Vec<(DocumentId, usize)> {
        if self.batch.is_some() || !self.config.persist {
            return Vec::new();
        }
        let mut idle: Vec<_> = self.docs.iter().filter(|(_, entry)| Self::is_idle(entry)).map(|(id, entry)| (*id, entry.ledger.stored_bytes())).collect();
        idle.sort();
        idle
    }

    fn is_idle(entry: &DocEntry) -> bool {
        entry.peers.is_empty() && entry.pending.is_empty() && entry.out.is_none() && matches!(entry.phase, Phase::Ready | Phase::Unavailable)
    }

    /// Drops an idle document (see [`Repo::idle_documents`]) from memory; the next peer that asks
    /// for it, or [`Repo::find`], loads it from storage again. Nothing is lost: a persisting repo
    /// hands out the writes of every change in the effects of the call that made it, and the
    /// driver runs them before anything else. Returns false, keeping the document, if it is not
    /// idle.
    pub fn release(&mut self, document_id: DocumentId) -> bool {
        let releasable = self.batch.is_none() && self.config.persist && self.docs.get(&document_id).is_some_and(Self::is_idle);
        if releasable {
            self.docs.remove(&document_id);
        }
        releasable
    }

    /// A panic may have left the document half-changed: forget it and load it again from storage,
    /// which holds everything this repo ever acknowledged.
    fn poison(&mut self, document_id: DocumentId, fx: &mut Effects) {
        if let Some(entry) = self.docs.get_mut(&document_id) {
            // A job out with the document is dropped when it comes back.
            entry.out = None;
            entry.deferred.clear();
            entry.store_on_return = false;
            entry.doc = AutoCommit::new();
            entry.ledger = ChunkLedger::default();
            entry.signatures = SignatureBook::default();
            entry.admission.lines.forget();
            entry.phase = Phase::Loading;
            fx.storage.push(StorageOp::Load { document_id });
        }
    }

    /// Writes what is new in the document to storage. Should Automerge panic saving it, the
    /// document is loaded again from storage, which holds everything acknowledged.
    fn store(&mut self, document_id: DocumentId, fx: &mut Effects) {
        let entry = self.docs.get_mut(&document_id).expect("caller checked");
        match contain(|| entry.storage_writes(document_id)) {
            Ok(writes) => fx.storage.extend(writes),
            Err(_) => self.poison(document_id, fx),
        }
    }

    /// After the document changed: store it, then sync every engaged peer.
    fn after_change(&mut self, document_id: DocumentId, fx: &mut Effects) {
        if self.config.persist {
            match &mut self.batch {
                Some(batch) => {
                    batch.to_save.insert(document_id);
                }
                None => self.store(document_id, fx),
            }
        }
        let entry = self.docs.get(&document_id).expect("caller checked");
        if entry.phase != Phase::Ready {
            return; // poisoned while storing: loading again
        }
        let engaged: Vec<ConnId> = entry.peers.keys().copied().collect();
        for conn in engaged {
            self.send_sync(document_id, conn, fx);
        }
        // Peers that asked while we had nothing are now served by the sync above.
    }
}
