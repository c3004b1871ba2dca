//! The sans-IO repo: a peer of the automerge-repo protocol, driven by events, answering with effects.
//!
//! The browser, the relay and the simulated network in the tests all drive this one type. It owns
//! the documents, one Automerge sync state per document and connection, and the storage ledger of
//! each document. It never reads a clock, a socket or a disk: the driver calls in with what
//! happened and runs the [`Effects`] that come back.

use std::collections::{BTreeMap, HashMap, HashSet};

use automerge::sync::{self, SyncDoc};
use automerge::{AutoCommit, ChangeHash};

use crate::DocumentId;
use crate::admission::{Admission, Judge, Offered, Remembered, admit};
use crate::admission_job::{AdmissionJob, Applied, Held};
use crate::capability::{ChangeSignature, WriteKey, key_has_moved, move_key, protection};
use crate::chunk_ledger::ChunkLedger;
use crate::codec::{self, DecodeError};
use crate::contain::contain;
use crate::effects::{CloseReason, ConnId, Effects, RepoEvent, StorageOp};
use crate::home_relay::{Receipt, RelayKey, home};
use crate::keyring::{Access, Keyring};
use crate::member_key::{MemberKey, MemberSignature};
use crate::message::{Message, PROTOCOL_V1, PeerId, PeerMetadata};
use crate::refusal_notice;
use crate::rules::{Reviewed, Rules, without_rules};
use crate::signature_book::SignatureBook;
use crate::space_file::SpaceFile;
use crate::storage_key::{ChunkKey, ChunkKind};
use crate::take_part_key::{TakePartKey, participate_key_moved, set_take_part_key, unseal};
use crate::vouching::{covering_member_signatures, covering_receipts, covering_signatures};

mod cuts;

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

    // ----- documents: the application's side -----

    /// Keeps the write key of a document (from an edit link, or made with a new space): from now
    /// on this repo signs its changes to that document. Give it before [`Repo::create`].
    pub fn hold_write_key(&mut self, document_id: DocumentId, key: WriteKey) {
        self.keys.hold_write_key(document_id, key);
    }

    /// Keeps the take-part key of a document (from a take-part link): with a member key, this
    /// repo may then take part in the document as its member.
    pub fn hold_take_part_key(&mut self, document_id: DocumentId, key: TakePartKey) {
        self.keys.hold_take_part_key(document_id, key);
    }

    /// Keeps this device's member key: every change this repo makes with an actor of the
    /// member's is signed with it. Give it before making changes.
    pub fn hold_member_key(&mut self, key: MemberKey) {
        self.keys.hold_member_key(key);
    }

    /// The member key this repo signs with, if it holds one.
    pub fn member_key(&self) -> Option<&MemberKey> {
        self.keys.member()
    }

    /// What this repo may do to the document (`Open` for one it does not have yet).
    pub fn access(&self, document_id: &DocumentId) -> Access {
        match self.docs.get(document_id) {
            Some(entry) if entry.out.is_some() => Access::View,
            Some(entry) => self.keys.access(document_id, &entry.doc),
            None => Access::Open,
        }
    }

    /// Whether this repo may edit the document: it is open (not protected), or this repo holds
    /// the key that protects it. `false` for a view or take-part link's holder.
    pub fn may_write(&self, document_id: &DocumentId) -> bool {
        matches!(self.access(document_id), Access::Open | Access::Edit)
    }

    /// The take-part key to put in take-part links: held, or opened with the write key.
    pub fn take_part_key(&self, document_id: &DocumentId) -> Option<TakePartKey> {
        self.keys.take_part_key(document_id, &self.held(document_id)?.doc)
    }

    /// Gives the document a new take-part key (an edit): the first one of a space made before
    /// take-part links, or a new one that stops every take-part link given out before.
    pub fn set_take_part_key(&mut self, document_id: DocumentId, new: TakePartKey) -> Result<Effects, RepoError> {
        let write = self.keys.write_key(&document_id).cloned().ok_or(RepoError::ViewOnly(document_id))?;
        let ((), fx) = self.change(document_id, |doc| set_take_part_key(doc, &new, &write))?;
        self.keys.hold_take_part_key(document_id, new);
        Ok(fx)
    }

    /// Moves the document to a new write key (Settings → "Stop old edit links"): a change signed
    /// with the current key writes the new public key (and seals the take-part key under the
    /// new one); from then on this repo signs with `new`, and changes signed with the old key
    /// only are refused everywhere.
    pub fn rotate_write_key(&mut self, document_id: DocumentId, new: WriteKey) -> Result<Effects, RepoError> {
        let public = new.public();
        let old = self.keys.write_key(&document_id).cloned();
        let ((), fx) = self.change(document_id, |doc| {
            let take_part = old.as_ref().and_then(|old| unseal(doc, old));
            // Earlier write seeds go along, sealed under the new key: organisers holding only the
            // new link still read what was sealed to the organisers before.
            let mut past = old.as_ref().map(|old| crate::past_write_keys::past_write_seeds(doc, old)).unwrap_or_default();
            past.extend(old.as_ref().map(WriteKey::seed));
            move_key(doc, public);
            if let Some(take_part) = take_part {
                set_take_part_key(doc, &take_part, &new);
            }
            if !past.is_empty() {
                crate::past_write_keys::seal_past_write_seeds(doc, &new, &past);
            }
        })?;
        self.keys.hold_write_key(document_id, new);
        Ok(fx)
    }

    /// The write key to put in edit links: the one this repo holds, if it opens the document's
    /// current protection.
    pub fn write_key_opening(&self, document_id: &DocumentId) -> Option<WriteKey> {
        let public = self.protection(document_id)?;
        self.keys.write_key(document_id).filter(|key| key.opens(&public)).cloned()
    }

    /// The public key protecting the document, if it is protected.
    pub fn protection(&self, document_id: &DocumentId) -> Option<[u8; 32]> {
        self.held(document_id).and_then(|entry| protection(&entry.doc))
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

    /// The document as one file with every signature this repo holds for it (see `space_file`):
    /// carried by hand, it is admitted elsewhere like changes from the network.
    pub fn export_file(&mut self, document_id: &DocumentId) -> Option<Vec<u8>> {
        let entry = self.held_mut(document_id).filter(|e| e.phase == Phase::Ready)?;
        // The fewest of the home relay's receipts this peer holds that cover what they can.
        let all: HashSet<ChangeHash> = entry.doc.get_changes(&[]).iter().map(|c| c.hash()).collect();
        let receipts = if home(&entry.doc).is_some() { covering_receipts(&mut entry.doc, &all, &entry.signatures) } else { Vec::new() };
        let file = SpaceFile { document: entry.doc.save(), signatures: entry.signatures.all(), member_signatures: entry.signatures.all_members(), receipts };
        Some(file.encode())
    }

    /// Takes in a file of the same document (a `.linli` file from a USB stick): its changes are
    /// judged as a peer's would be, on the signatures the file carries, so anyone (a view link's
    /// holder too) may carry changes by hand. A file of another document is refused. The effects
    /// come back either way (a file that makes Automerge panic reloads the document).
    pub fn import_file(&mut self, document_id: DocumentId, bytes: &[u8]) -> (Result<Imported, RepoError>, Effects) {
        let mut fx = Effects::default();
        let file = match SpaceFile::decode(bytes) {
            Ok(file) => file,
            Err(error) => return (Err(RepoError::BadFile(error)), fx),
        };
        let rules = self.config.rules.clone();
        let judge = Judge { document_id, rules: rules.as_ref().map(|r| r.0.as_ref()), relay: self.relay_key.as_ref(), me: self.keys.member().map(MemberKey::public) };
        let Some(entry) = self.docs.get_mut(&document_id).filter(|e| e.phase == Phase::Ready && e.out.is_none()) else {
            return (Err(RepoError::NotOpen(document_id)), fx);
        };
        let before = entry.doc.get_heads();
        let outcome = contain(|| -> Result<Imported, RepoError> {
            let strict = automerge::LoadOptions::new().on_partial_load(automerge::OnPartialLoad::Error);
            let mut incoming = AutoCommit::load_with_options(&file.document, strict).map_err(|e| RepoError::BadFile(format!("the file's document is unreadable: {e}")))?;
            let all = incoming.get_changes(&[]);
            let roots = |changes: &[automerge::Change]| -> Vec<ChangeHash> { changes.iter().filter(|c| c.deps().is_empty()).map(|c| c.hash()).collect() };
            let ours = roots(&entry.doc.get_changes(&[]));
            // (A copy with nothing yet takes any file: it may be how the space first arrives.)
            if !ours.is_empty() && !roots(&all).iter().any(|root| ours.contains(root)) {
                return Err(RepoError::DifferentDocument);
            }
            let new: Vec<automerge::Change> = all.into_iter().filter(|c| entry.doc.get_change_meta_by_hash(&c.hash()).is_none()).collect();
            let count = new.len();
            let message = sync::Message {
                heads: Vec::new(),
                need: Vec::new(),
                have: Vec::new(),
                changes: new.iter().map(|c| c.raw_bytes().to_vec()).collect::<Vec<_>>().into(),
                flags: None,
                version: sync::MessageVersion::V1,
            };
            let offered = Offered { write: &file.signatures, member: &file.member_signatures, receipts: &file.receipts };
            match admit(&mut entry.doc, message, offered, &mut entry.signatures, &mut entry.admission, judge).map_err(RepoError::BadFile)? {
                Admission::Open(_) => {
                    entry.doc.apply_changes(new).map_err(|e| RepoError::BadFile(e.to_string()))?;
                    Ok(Imported { new_changes: count, ..Imported::default() })
                }
                Admission::Checked { refused, .. } => {
                    let taken = new.iter().filter(|c| entry.doc.get_change_meta_by_hash(&c.hash()).is_some()).count();
                    let waiting = count.saturating_sub(taken + refused.len());
                    Ok(Imported { new_changes: taken, refused: refused.len(), reason: refused.first().map(|r| r.reason.clone()), waiting })
                }
            }
        });
        let imported = match outcome {
            Ok(result) => result,
            Err(panic) => {
                self.poison(document_id, &mut fx);
                Err(RepoError::BadFile(format!("the file made Automerge fail ({panic}); nothing of it was kept")))
            }
        };
        let entry = self.docs.get_mut(&document_id).expect("checked above");
        let changed = entry.phase == Phase::Ready && entry.doc.get_heads() != before;
        if changed {
            fx.events.push(RepoEvent::DocChanged { document_id });
            self.after_change(document_id, &mut fx);
            self.announce(document_id, &mut fx);
        }
        (imported, fx)
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

    /// Sends `payload` like [`Repo::broadcast_ephemeral`], with a proof that this repo may take
    /// part in the document if it holds (or can open) the document's take-part key
    /// ([`crate::link_proof`]).
    pub fn broadcast_proven_ephemeral(&mut self, document_id: DocumentId, payload: Vec<u8>) -> Effects {
        let data = match self.take_part_key(&document_id) {
            Some(key) => crate::link_proof::prove(&document_id, &key, &payload),
            None => payload,
        };
        self.broadcast_ephemeral(document_id, data)
    }

    /// What an ephemeral message received about a document carries, and whether its sender
    /// proved they may take part in it ([`crate::link_proof`]).
    /// In an open document (no write key) anyone may take part: nothing needs proving.
    pub fn open_ephemeral(&self, document_id: &DocumentId, data: &[u8]) -> crate::link_proof::Opened {
        let entry = self.held(document_id);
        let take_part = entry.and_then(|entry| crate::take_part_key::take_part_protection(&entry.doc));
        let mut opened = crate::link_proof::open(document_id, take_part, data);
        opened.proven |= entry.is_some_and(|entry| entry.phase == Phase::Ready && protection(&entry.doc).is_none());
        opened
    }

    /// Sends an application payload about a document to every peer engaged in it.
    pub fn broadcast_ephemeral(&mut self, document_id: DocumentId, data: Vec<u8>) -> Effects {
        let mut fx = Effects::default();
        let Some(entry) = self.docs.get(&document_id) else { return fx };
        self.ephemeral_count += 1;
        for conn in entry.peers.keys() {
            let Some(target_id) = self.ready_peer(*conn) else { continue };
            let message = Message::Ephemeral {
                sender_id: self.config.peer_id.clone(),
                target_id,
                document_id,
                session_id: self.config.session_id.clone(),
                count: self.ephemeral_count,
                data: data.clone(),
            };
            fx.sends.push((*conn, codec::encode(&message)));
        }
        fx
    }

    /// Starts a batch: until [`Repo::end_batch`], a document that changes is stored, and its
    /// peers are sent sync messages, once for the whole batch instead of once per message. A busy
    /// relay handles many messages for the same document at a time this way.
    pub fn begin_batch(&mut self) {
        self.batch.get_or_insert_with(Batch::default);
    }

    /// Ends the batch: stores the documents that changed and sends the sync messages due.
    pub fn end_batch(&mut self) -> Effects {
        let mut fx = Effects::default();
        self.end_batch_each(|_, done| fx.extend(done));
        fx
    }

    /// [`Repo::end_batch`] one document at a time: `each` gets each document's effects as soon
    /// as they are made (so a caller can tell what each document's part of the batch cost).
    pub fn end_batch_each(&mut self, mut each: impl FnMut(DocumentId, Effects)) {
        let Some(batch) = self.batch.take() else { return };
        let documents: std::collections::BTreeSet<DocumentId> = batch.to_save.iter().copied().chain(batch.to_sync.iter().map(|(d, _)| *d)).collect();
        let mut to_sync = batch.to_sync.into_iter().peekable();
        for document_id in documents {
            let mut fx = Effects::default();
            let ready = |repo: &Self| repo.docs.get(&document_id).is_some_and(|e| e.phase == Phase::Ready);
            let out = |repo: &Self| repo.docs.get(&document_id).is_some_and(|e| e.out.is_some());
            if batch.to_save.contains(&document_id) && ready(self) {
                if out(self) {
                    self.docs.get_mut(&document_id).expect("out").store_on_return = true;
                } else {
                    self.store(document_id, &mut fx);
                }
            }
            while let Some((_, conn)) = to_sync.next_if(|(d, _)| *d == document_id) {
                // (A document out waits to send until it is back.)
                if ready(self) || out(self) {
                    self.send_sync(document_id, conn, &mut fx);
                }
            }
            each(document_id, fx);
        }
    }

    // ----- connections: the network's side -----

    /// A connection opened. On an outgoing one we introduce ourselves.
    pub fn connected(&mut self, conn: ConnId, direction: Direction) -> Effects {
        self.connected_for(conn, direction, None)
    }

    /// A connection opened that may carry only the documents `only` (`None`: any), now and
    /// until [`Repo::carry`] adds more: no other document is offered, asked for or answered on it.
    pub fn connected_for(&mut self, conn: ConnId, direction: Direction, only: Option<HashSet<DocumentId>>) -> Effects {
        let mut fx = Effects::default();
        self.connections.insert(conn, Connection { direction, peer_id: None, only, relay_key: None });
        if direction == Direction::Outgoing {
            let join =
                Message::Join { sender_id: self.config.peer_id.clone(), peer_metadata: self.config.metadata.clone(), supported_protocol_versions: Some(vec![PROTOCOL_V1.into()]) };
            fx.sends.push((conn, codec::encode(&join)));
        }
        fx
    }

    /// Lets a connection opened with [`Repo::connected_for`] carry one more document, and offers
    /// it (or asks for it) there.
    pub fn carry(&mut self, conn: ConnId, document_id: DocumentId) -> Effects {
        let mut fx = Effects::default();
        let Some(connection) = self.connections.get_mut(&conn) else { return fx };
        let Some(only) = &mut connection.only else { return fx };
        if !only.insert(document_id) || self.ready_peer(conn).is_none() {
            return fx;
        }
        match self.docs.get(&document_id).map(|e| e.phase) {
            Some(Phase::Ready) => {
                self.docs.get_mut(&document_id).expect("listed").peers.entry(conn).or_insert_with(PeerDoc::new);
                self.send_sync(document_id, conn, &mut fx);
            }
            Some(Phase::Requesting | Phase::Unavailable) => self.resolve_availability(document_id, &mut fx),
            _ => {}
        }
        fx
    }

    /// A connection closed (by either side). Safe to call more than once.
    pub fn disconnected(&mut self, conn: ConnId) -> Effects {
        let mut fx = Effects::default();
        self.forget_connection(conn, &mut fx);
        fx
    }

    /// One frame arrived on a connection.
    pub fn received(&mut self, conn: ConnId, bytes: &[u8]) -> Effects {
        let mut fx = Effects::default();
        if !self.connections.contains_key(&conn) {
            return fx;
        }
        match codec::decode(bytes) {
            Ok(message) => self.handle_message(conn, message, &mut fx),
            // A newer peer may speak types we do not know: ignore them, as automerge-repo does.
            Err(DecodeError::UnknownType(_)) => {}
            Err(error) => self.close(conn, CloseReason::Protocol(error.to_string()), &mut fx),
        }
        fx
    }

    // ----- internals -----

    fn handle_message(&mut self, conn: ConnId, message: Message, fx: &mut Effects) {
        let connection = &self.connections[&conn];
        match (&message, connection.direction, &connection.peer_id) {
            (Message::Join { sender_id, supported_protocol_versions, .. }, Direction::Incoming, None) => {
                let speaks_v1 = supported_protocol_versions.as_ref().is_none_or(|v| v.iter().any(|v| v == PROTOCOL_V1));
                if !speaks_v1 {
                    let error = Message::Error { sender_id: self.config.peer_id.clone(), target_id: Some(sender_id.clone()), message: "unsupported protocol version".into() };
                    fx.sends.push((conn, codec::encode(&error)));
                    self.close(conn, CloseReason::UnsupportedVersion, fx);
                    return;
                }
                let earlier: Vec<ConnId> =
                    self.connections.iter().filter(|(other, c)| **other != conn && c.peer_id.as_deref() == Some(sender_id)).map(|(other, _)| *other).collect();
                for other in earlier {
                    self.close(other, CloseReason::Replaced, fx);
                }
                let peer = Message::Peer {
                    sender_id: self.config.peer_id.clone(),
                    target_id: sender_id.clone(),
                    peer_metadata: self.config.metadata.clone(),
                    selected_protocol_version: PROTOCOL_V1.into(),
                };
                fx.sends.push((conn, codec::encode(&peer)));
                self.peer_ready(conn, sender_id.clone(), fx);
            }
            (Message::Peer { sender_id, peer_metadata, .. }, Direction::Outgoing, None) => {
                let relay_key = peer_metadata.relay_key;
                if let Some(connection) = self.connections.get_mut(&conn) {
                    connection.relay_key = relay_key;
                }
                self.peer_ready(conn, sender_id.clone(), fx);
                if relay_key.is_some() {
                    let mut ids: Vec<DocumentId> = self.docs.keys().copied().collect();
                    ids.sort();
                    for document_id in ids {
                        self.name_home(document_id, fx);
                    }
                }
            }
            (Message::Error { message, .. }, _, _) => {
                self.close(conn, CloseReason::RemoteError(message.clone()), fx);
            }
            (Message::Leave { .. }, _, _) => {}
            (_, _, None) => {
                self.close(conn, CloseReason::Protocol(format!("`{}` before the handshake", message.type_name())), fx);
            }
            (Message::Join { .. } | Message::Peer { .. }, _, Some(_)) => {}
            (_, _, Some(peer_id)) => {
                // A message must come from the peer that joined on this connection, except an
                // ephemeral one: relays pass those on under their original sender.
                if message.sender_id() == peer_id || matches!(message, Message::Ephemeral { .. }) {
                    self.handle_doc_message(conn, message, fx);
                }
            }
        }
    }

    fn peer_ready(&mut self, conn: ConnId, peer_id: PeerId, fx: &mut Effects) {
        if let Some(connection) = self.connections.get_mut(&conn) {
            connection.peer_id = Some(peer_id.clone());
        }
        fx.events.push(RepoEvent::PeerConnected { conn, peer_id });
        self.send_cut_asks(fx);
        if !self.announces_to(conn) {
            return;
        }
        let mut ids: Vec<DocumentId> = self.docs.keys().copied().filter(|d| self.carries(conn, d)).collect();
        ids.sort();
        for document_id in ids {
            match self.docs[&document_id].phase {
                Phase::Ready => {
                    self.docs.get_mut(&document_id).expect("listed").peers.entry(conn).or_insert_with(PeerDoc::new);
                    self.send_sync(document_id, conn, fx);
                }
                Phase::Requesting | Phase::Unavailable => self.resolve_availability(document_id, fx),
                Phase::Loading => {}
            }
        }
    }

    fn handle_doc_message(&mut self, conn: ConnId, message: Message, fx: &mut Effects) {
        let Some(document_id) = message.document_id() else { return };
        if !self.connections.contains_key(&conn) || !self.carries(conn, &document_id) {
            return;
        }
        if let Message::Ephemeral { sender_id, session_id, count, data, .. } = &message {
            self.forward_ephemeral(conn, document_id, sender_id, session_id, *count, data, fx);
            return;
        }
        if let Message::CutAsk { .. } | Message::CutAnswer { .. } = message {
            return self.receive_cut_message(conn, message, fx);
        }
        if let Message::RemoteSubscriptionChange { .. } | Message::RemoteHeadsChanged { .. } = message {
            // Heads gossip is optional in the protocol and off by default: not used here.
            return;
        }
        let entry = match self.docs.get_mut(&document_id) {
            Some(entry) => entry,
            None => {
                self.docs.insert(document_id, DocEntry::loading());
                fx.storage.push(StorageOp::Load { document_id });
                self.docs.get_mut(&document_id).expect("just inserted")
            }
        };
        if entry.phase == Phase::Loading || entry.out.is_some() {
            entry.pending.push((conn, message));
            return;
        }
        match message {
            Message::Request { data, .. } => self.receive_sync(conn, document_id, &data, Offered { write: &[], member: &[], receipts: &[] }, true, fx),
            Message::Sync { data, signatures, member_signatures, receipts, .. } => {
                self.receive_sync(conn, document_id, &data, Offered { write: &signatures, member: &member_signatures, receipts: &receipts }, false, fx)
            }
            Message::DocUnavailable { .. } => {
                if let Some(peer) = entry.peers.get_mut(&conn) {
                    peer.status = PeerDocStatus::Unavailable;
                }
                self.resolve_availability(document_id, fx);
            }
            _ => {}
        }
    }

    fn receive_sync(&mut self, conn: ConnId, document_id: DocumentId, data: &[u8], offered: Offered<'_>, is_request: bool, fx: &mut Effects) {
        let message = match contain(|| sync::Message::decode(data)) {
            Ok(Ok(message)) => message,
            Ok(Err(error)) => return self.close(conn, CloseReason::BadData(error.to_string()), fx),
            Err(panic) => return self.close(conn, CloseReason::BadData(panic.to_string()), fx),
        };
        let rules = self.config.rules.clone();
        let judge = Judge { document_id, rules: rules.as_ref().map(|r| r.0.as_ref()), relay: self.relay_key.as_ref(), me: self.keys.member().map(MemberKey::public) };
        // An answer to this peer may be waiting for the end of the batch. Automerge, seeing a
        // message whose heads equal ours, records those heads as told to the peer, and the
        // waiting answer would then be dropped: the peer would never hear that we hold the
        // changes it sent earlier in the batch. What we told it stays as it was until we answer.
        let answer_waiting = self.batch.as_ref().is_some_and(|b| b.to_sync.contains(&(document_id, conn)));
        let entry = self.docs.get_mut(&document_id).expect("caller checked");
        let peer = entry.peers.entry(conn).or_insert_with(PeerDoc::new);
        let told_before = answer_waiting.then(|| peer.sync.last_sent_heads.clone());
        if is_request {
            peer.status = PeerDocStatus::Wants;
        }
        if !message.heads.is_empty() {
            peer.status = PeerDocStatus::Has;
        }
        if !message.changes.is_empty() && self.admit_elsewhere {
            // The costly part goes out with the document; `admitted` finishes what follows.
            self.tickets += 1;
            let job = AdmissionJob {
                ticket: self.tickets,
                document_id,
                conn,
                doc: std::mem::take(&mut entry.doc),
                peer: std::mem::replace(&mut peer.sync, sync::State::new()),
                signatures: std::mem::take(&mut entry.signatures),
                remembered: std::mem::take(&mut entry.admission),
                message: Some(message),
                write: offered.write.to_vec(),
                member: offered.member.to_vec(),
                receipts: offered.receipts.to_vec(),
                relay: self.relay_key.clone(),
                me: self.keys.member().map(MemberKey::public),
                rules: self.config.rules.clone(),
                told_before,
                applied: None,
            };
            entry.out = Some(self.tickets);
            fx.admissions.push(job);
            return;
        }
        let held = Held { doc: &mut entry.doc, peer: &mut peer.sync, signatures: &mut entry.signatures, remembered: &mut entry.admission };
        let applied = crate::admission_job::apply(held, message, offered, judge);
        if let Some(told) = told_before {
            peer.sync.last_sent_heads = told;
        }
        self.finish_sync(conn, document_id, applied, fx);
    }

    /// What follows admitting a sync message's changes: say what was refused, close on bad data,
    /// and tell the peers what changed (or answer the sender).
    fn finish_sync(&mut self, conn: ConnId, document_id: DocumentId, applied: Applied, fx: &mut Effects) {
        let Applied { outcome: applied, refused, before, carried_changes } = applied;
        let Some(entry) = self.docs.get_mut(&document_id) else { return };
        let after = entry.doc.get_heads();
        let peer_wants = entry.peers.get(&conn).is_some_and(|peer| peer.status == PeerDocStatus::Wants);
        // Whether the peer shares our history: its heads are in our copy, or the heads it last
        // synced with us at are, or a change it passed on that we refuse builds on ours (it made
        // changes of its own since, and passed on, beside them, others' changes we refuse: we
        // must answer to hear of its own).
        let (their_heads, their_last_sync): (Vec<ChangeHash>, Vec<ChangeHash>) = entry
            .peers
            .get(&conn)
            .map(|peer| {
                let heads = peer.sync.their_heads.clone().unwrap_or_default();
                let last_sync = peer.sync.their_have.iter().flatten().flat_map(|have| have.last_sync.iter().copied()).collect();
                (heads, last_sync)
            })
            .unwrap_or_default();
        let shares_history = their_heads.iter().chain(&their_last_sync).any(|head| entry.doc.get_change_meta_by_hash(head).is_some())
            || refused.iter().any(|r| entry.admission.refused_builds_on(&mut entry.doc, &r.change));
        let phase = entry.phase;
        if let Some(first) = refused.first() {
            let reason = first.reason.clone();
            fx.events.push(RepoEvent::ChangesRefused { document_id, conn, count: refused.len(), reason: reason.clone() });
            self.tell_refused(conn, document_id, refused.len(), &reason, fx);
        }
        match applied {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                self.close(conn, CloseReason::BadData(error), fx);
                // Changes admitted before the error are in the document but not stored: start
                // again from storage, which holds everything acknowledged.
                if after != before {
                    self.poison(document_id, fx);
                }
                return;
            }
            Err(panic) => {
                self.close(conn, CloseReason::BadData(panic.to_string()), fx);
                return self.poison(document_id, fx);
            }
        }
        if after != before {
            self.docs.get_mut(&document_id).expect("caller checked").phase = Phase::Ready;
            let event = if before.is_empty() { RepoEvent::DocReady { document_id } } else { RepoEvent::DocChanged { document_id } };
            fx.events.push(event);
            self.after_change(document_id, fx);
            self.announce(document_id, fx);
            return;
        }
        // Answer, unless the peer wants what we do not have: then it hears `doc-unavailable`
        // (or the document, should it arrive later). A message with changes we refused, from a
        // peer whose heads are none of ours, gets no answer (the refusal notice went): our heads,
        // unchanged, would tell a peer that holds another document under this ID that we lost
        // ours, and Automerge would have it send the same changes again, for ever. A peer whose
        // heads we hold is answered: it may have passed on others' changes it holds back (in a
        // space with a home relay), and it needs our heads to hear of what we have and it lacks.
        let all_refused = carried_changes && !refused.is_empty() && !shares_history;
        if (phase == Phase::Ready || !peer_wants) && !all_refused {
            self.send_sync(document_id, conn, fx);
        }
        self.forward_awaiting(document_id, conn, fx);
        if phase != Phase::Ready {
            self.resolve_availability(document_id, fx);
        }
    }

    /// Passes changes that wait for the home relay's receipt on to the other peers of the
    /// document that have not had them (towards the home, which may be reached only through
    /// them), and the home's receipts for our heads to the peers not yet told (a receipt may
    /// arrive for a change we hold already, and a peer may be waiting for it).
    fn forward_awaiting(&mut self, document_id: DocumentId, except: ConnId, fx: &mut Effects) {
        let Some(entry) = self.docs.get_mut(&document_id) else { return };
        if entry.phase != Phase::Ready || home(&entry.doc).is_none() {
            return;
        }
        let (doc, signatures, admission) = (&mut entry.doc, &entry.signatures, &entry.admission);
        let targets: Vec<ConnId> = entry
            .peers
            .iter()
            .filter(|(conn, peer)| **conn != except && (admission.has_unforwarded(&peer.forwarded) || Self::has_untold_receipts(doc, signatures, peer)))
            .map(|(conn, _)| *conn)
            .collect();
        for conn in targets {
            self.send_sync(document_id, conn, fx);
        }
    }

    /// Whether we hold a home receipt for one of our heads that `peer` was not given.
    fn has_untold_receipts(doc: &mut AutoCommit, signatures: &SignatureBook, peer: &PeerDoc) -> bool {
        doc.get_heads().iter().any(|head| !peer.receipts_told.contains(head) && signatures.receipt(head).is_some())
    }

    /// Tells the peer on `conn` that some of its changes were refused, and why, in an ephemeral
    /// message (`refusal_notice`): protocol "1" has no error that leaves a connection open, and
    /// the device that made a change should say what became of it.
    fn tell_refused(&mut self, conn: ConnId, document_id: DocumentId, count: usize, reason: &str, fx: &mut Effects) {
        let Some(target_id) = self.ready_peer(conn) else { return };
        self.ephemeral_count += 1;
        let message = Message::Ephemeral {
            sender_id: self.config.peer_id.clone(),
            target_id,
            document_id,
            session_id: self.config.session_id.clone(),
            count: self.ephemeral_count,
            data: refusal_notice::encode(count, reason),
        };
        fx.sends.push((conn, codec::encode(&message)));
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

    /// Names the relay we dialled the document's home relay (`home_relay`), if this repo holds
    /// the document's write key, the document names none yet, and that relay announced its key
    /// and carries every document (the device's own relay, not another space's it dialled for a
    /// link): an organiser's device does this for every space it brings to a Linli relay, the
    /// first time, so that a take-part link's holder cannot split the space (see `home_relay`).
    fn name_home(&mut self, document_id: DocumentId, fx: &mut Effects) {
        if self.homeless.contains(&document_id) || self.access(&document_id) != Access::Edit {
            return;
        }
        let Some(entry) = self.docs.get(&document_id) else { return };
        if entry.phase != Phase::Ready || home(&entry.doc).is_some() {
            return;
        }
        let relay = self.connections.values().find(|c| c.direction == Direction::Outgoing && c.peer_id.is_some() && c.only.is_none() && c.relay_key.is_some());
        let Some(key) = relay.and_then(|c| c.relay_key) else { return };
        match self.change(document_id, |doc| crate::home_relay::set_home(doc, key)) {
            Ok(((), more)) => fx.extend(more),
            Err(RepoError::Refused(_)) => {
                self.homeless.insert(document_id);
            }
            Err(_) => {}
        }
    }

    /// Offers the document to every ready connection we announce to.
    fn announce(&mut self, document_id: DocumentId, fx: &mut Effects) {
        self.name_home(document_id, fx);
        let targets: Vec<ConnId> = self.connections.keys().copied().filter(|c| self.ready_peer(*c).is_some() && self.announces_to(*c) && self.carries(*c, &document_id)).collect();
        for conn in targets {
            let entry = self.docs.get_mut(&document_id).expect("caller checked");
            if let std::collections::btree_map::Entry::Vacant(e) = entry.peers.entry(conn) {
                e.insert(PeerDoc::new());
                self.send_sync(document_id, conn, fx);
            }
        }
    }

    /// Sends the next Automerge sync message for the document to one connection, if there is one.
    fn send_sync(&mut self, document_id: DocumentId, conn: ConnId, fx: &mut Effects) {
        if let Some(entry) = self.docs.get_mut(&document_id)
            && entry.out.is_some()
        {
            entry.deferred.insert(conn);
            return;
        }
        if let Some(batch) = &mut self.batch
            && self.docs.get(&document_id).is_some_and(|e| e.phase == Phase::Ready)
        {
            batch.to_sync.insert((document_id, conn));
            return;
        }
        let Some(target_id) = self.ready_peer(conn) else { return };
        let sender_id = self.config.peer_id.clone();
        let entry = self.docs.get_mut(&document_id).expect("caller checked");
        let Some(peer) = entry.peers.get_mut(&conn) else { return };
        let sent_before = (!entry.signatures.is_empty()).then(|| peer.sync.sent_hashes.clone());
        let home = home(&entry.doc);
        if home.is_some() && (entry.admission.has_unforwarded(&peer.forwarded) || Self::has_untold_receipts(&mut entry.doc, &entry.signatures, peer)) {
            // Changes waiting for the home relay's receipt, and its receipts, go on even when
            // Automerge has nothing to say: it speaks when our heads differ from what it last told.
            peer.sync.last_sent_heads.clear();
        }
        let Some(mut message) = entry.doc.sync().generate_sync_message(&mut peer.sync) else { return };
        entry.admission.ask_for_missing(&mut entry.doc, &mut message.need);
        // Changes that wait for the home relay's receipt go on towards it, once to each peer.
        let (mut forwarded_write, mut forwarded_member) = (Vec::new(), Vec::new());
        if home.is_some() {
            let mut extra: Vec<Vec<u8>> = Vec::new();
            for (change, write, member) in entry.admission.awaiting_receipt() {
                if peer.forwarded.insert(change.hash()) {
                    extra.push(change.raw_bytes().to_vec());
                    forwarded_write.extend(*write);
                    forwarded_member.extend(*member);
                }
            }
            if !extra.is_empty() {
                let mut changes: Vec<Vec<u8>> = message.changes.iter().map(|c| c.to_vec()).collect();
                changes.extend(extra);
                message.changes = changes.into();
            }
        }
        let bare = message.changes.is_empty().then(|| (message.heads.clone(), peer.sync.their_heads.clone(), message.need.clone()));
        let data = message.encode();
        // The signatures that vouch for the changes this message carries travel with it: the
        // fewest that cover them, or, once the key has moved, every one (a change that moved the
        // key needs its own signature under the key before).
        // Member signatures cover each member's own chain (see `vouching`).
        let (signatures, member_signatures): (Vec<ChangeSignature>, Vec<MemberSignature>) = match &sent_before {
            Some(before) => {
                let sent: HashSet<ChangeHash> = peer.sync.sent_hashes.difference(before).copied().collect();
                let write = if key_has_moved(&entry.doc) {
                    sent.iter().filter_map(|hash| entry.signatures.get(hash)).collect()
                } else {
                    covering_signatures(&mut entry.doc, &sent, &entry.signatures)
                };
                // Likewise for member signatures once the take-part key moved under itself.
                let member = if participate_key_moved(&entry.doc) {
                    sent.iter().filter_map(|hash| entry.signatures.member(hash)).collect()
                } else {
                    covering_member_signatures(&mut entry.doc, &sent, &entry.signatures)
                };
                (write, member)
            }
            None => (Vec::new(), Vec::new()),
        };
        let (mut signatures, mut member_signatures) = (signatures, member_signatures);
        signatures.extend(forwarded_write);
        member_signatures.extend(forwarded_member);
        // The home relay's receipts: those covering the changes sent, and one for each head not
        // yet told to this peer (the peer may hold our changes already, without their receipt,
        // and need it to pass them on). The home relay itself gives them as it sends.
        let mut receipts: Vec<Receipt> = Vec::new();
        if let Some(home) = home {
            if let Some(relay) = self.relay_key.as_ref().filter(|key| key.public() == home) {
                for head in entry.doc.get_heads() {
                    if entry.signatures.receipt(&head).is_none() {
                        entry.signatures.insert_receipt(relay.receipt(head));
                    }
                }
            }
            if let Some(before) = &sent_before {
                let sent: HashSet<ChangeHash> = peer.sync.sent_hashes.difference(before).copied().collect();
                receipts = covering_receipts(&mut entry.doc, &sent, &entry.signatures);
            }
            for head in entry.doc.get_heads() {
                if let Some(receipt) = entry.signatures.receipt(&head)
                    && peer.receipts_told.insert(head)
                    && !receipts.contains(&receipt)
                {
                    receipts.push(receipt);
                }
            }
        }
        // Automerge answers every message while the two sides' heads differ, and in a homed space
        // they may differ for as long as each side holds back a change of the other's, waiting for
        // the home's receipt: the same bare message again tells the peer nothing, so it is not sent
        // (anything new, on either side, makes the next one differ).
        if bare.is_some() && signatures.is_empty() && member_signatures.is_empty() && receipts.is_empty() {
            if peer.last_bare == bare {
                return;
            }
            peer.last_bare = bare;
        } else {
            peer.last_bare = None;
        }
        let message = if entry.phase != Phase::Ready && peer.status == PeerDocStatus::Unknown {
            peer.status = PeerDocStatus::Asked;
            Message::Request { sender_id, target_id, document_id, data }
        } else {
            Message::Sync { sender_id, target_id, document_id, data, signatures, member_signatures, receipts }
        };
        fx.sends.push((conn, codec::encode(&message)));
    }

    /// For a document with no content: ask the peers we may ask, and once none of them can help,
    /// call it unavailable and tell whoever asked us.
    fn resolve_availability(&mut self, document_id: DocumentId, fx: &mut Effects) {
        let Some(entry) = self.docs.get(&document_id) else { return };
        if !matches!(entry.phase, Phase::Requesting | Phase::Unavailable) {
            return;
        }
        let askable: Vec<ConnId> = self
            .connections
            .keys()
            .copied()
            .filter(|c| self.ready_peer(*c).is_some() && self.announces_to(*c) && self.carries(*c, &document_id))
            .filter(|c| entry.peers.get(c).is_none_or(|p| p.status == PeerDocStatus::Unknown))
            .collect();
        for conn in askable {
            self.docs.get_mut(&document_id).expect("listed").peers.entry(conn).or_insert_with(PeerDoc::new);
            self.send_sync(document_id, conn, fx);
        }
        let entry = self.docs.get_mut(&document_id).expect("listed");
        let waiting = entry.peers.values().any(|p| matches!(p.status, PeerDocStatus::Asked | PeerDocStatus::Has));
        if waiting {
            entry.phase = Phase::Requesting;
            return;
        }
        let newly_unavailable = entry.phase != Phase::Unavailable;
        entry.phase = Phase::Unavailable;
        if newly_unavailable && entry.wanted {
            fx.events.push(RepoEvent::DocUnavailable { document_id });
        }
        let wanting: Vec<ConnId> = entry.peers.iter().filter(|(_, p)| p.status == PeerDocStatus::Wants).map(|(c, _)| *c).collect();
        for conn in wanting {
            let Some(target_id) = self.ready_peer(conn) else { continue };
            let message = Message::DocUnavailable { sender_id: self.config.peer_id.clone(), target_id, document_id };
            fx.sends.push((conn, codec::encode(&message)));
            let entry = self.docs.get_mut(&document_id).expect("listed");
            if let Some(peer) = entry.peers.get_mut(&conn) {
                peer.status = PeerDocStatus::Unavailable;
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn forward_ephemeral(&mut self, from: ConnId, document_id: DocumentId, sender_id: &str, session_id: &str, count: u64, data: &[u8], fx: &mut Effects) {
        // Who sent what is remembered for a bounded number of senders (a flood of made-up
        // senders costs bounded memory; forgetting one only lets a repeat through once).
        if self.ephemeral_seen.len() >= MAX_EPHEMERAL_SENDERS && !self.ephemeral_seen.contains_key(&(sender_id.to_owned(), session_id.to_owned())) {
            self.ephemeral_seen.clear();
        }
        let seen = self.ephemeral_seen.entry((sender_id.to_owned(), session_id.to_owned())).or_insert(0);
        if count <= *seen {
            return;
        }
        *seen = count;
        if let Some((count, reason)) = refusal_notice::decode(data) {
            fx.events.push(RepoEvent::RefusedByPeer { document_id, conn: from, count: count as usize, reason });
            return;
        }
        fx.events.push(RepoEvent::Ephemeral { document_id, sender_id: sender_id.to_owned(), data: data.to_vec() });
        let Some(entry) = self.docs.get(&document_id) else { return };
        for conn in entry.peers.keys().copied().filter(|c| *c != from) {
            let Some(target_id) = self.ready_peer(conn) else { continue };
            let message = Message::Ephemeral { sender_id: sender_id.to_owned(), target_id, document_id, session_id: session_id.to_owned(), count, data: data.to_vec() };
            fx.sends.push((conn, codec::encode(&message)));
        }
    }

    fn close(&mut self, conn: ConnId, reason: CloseReason, fx: &mut Effects) {
        if self.connections.contains_key(&conn) {
            fx.closes.push((conn, reason));
            self.forget_connection(conn, fx);
        }
    }

    fn forget_connection(&mut self, conn: ConnId, fx: &mut Effects) {
        let Some(connection) = self.connections.remove(&conn) else { return };
        if let Some(peer_id) = connection.peer_id {
            fx.events.push(RepoEvent::PeerDisconnected { conn, peer_id });
        }
        let mut affected = Vec::new();
        for (document_id, entry) in &mut self.docs {
            entry.pending.retain(|(c, _)| *c != conn);
            if entry.peers.remove(&conn).is_some() {
                affected.push(*document_id);
            }
        }
        affected.sort();
        for document_id in affected {
            self.resolve_availability(document_id, fx);
            // A document nobody has, nobody here wants and no peer is engaged in is dropped.
            let entry = &self.docs[&document_id];
            if entry.phase != Phase::Ready && entry.phase != Phase::Loading && !entry.wanted && entry.peers.is_empty() && entry.out.is_none() {
                self.docs.remove(&document_id);
            }
        }
    }

    /// The peer ID on a connection whose handshake is done.
    fn ready_peer(&self, conn: ConnId) -> Option<PeerId> {
        self.connections.get(&conn).and_then(|c| c.peer_id.clone())
    }

    /// Whether `conn` may carry the document (see [`Repo::connected_for`]).
    fn carries(&self, conn: ConnId, document_id: &DocumentId) -> bool {
        self.connections.get(&conn).is_some_and(|c| c.only.as_ref().is_none_or(|only| only.contains(document_id)))
    }

    fn announces_to(&self, conn: ConnId) -> bool {
        match self.connections.get(&conn).map(|c| c.direction) {
            Some(Direction::Incoming) => self.config.announce_to_incoming,
            Some(Direction::Outgoing) => self.config.announce_to_outgoing,
            None => false,
        }
    }
}
