//! What the sans-IO repo asks its driver to do: store, send, close, and tell the application.

use crate::storage_key::ChunkKey;
use crate::{DocumentId, PeerId};

/// A connection as the driver numbers it (one WebSocket, one tab channel, …).
pub type ConnId = u64;

/// One storage request. The driver runs them in order.
#[derive(Debug, Clone, PartialEq)]
pub enum StorageOp {
    /// Read every chunk stored for the document and hand them to [`crate::Repo::loaded`].
    Load { document_id: DocumentId },
    /// Write a chunk durably (a file: write, fsync, rename).
    Put { key: ChunkKey, data: Vec<u8> },
    /// Remove a chunk; removing a missing chunk is not an error.
    Delete { key: ChunkKey },
}

/// Why the repo closes a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseReason {
    /// The peer broke the protocol (bad CBOR, a message before the handshake, …).
    Protocol(String),
    /// The peer offered no protocol version this repo speaks.
    UnsupportedVersion,
    /// The same peer joined again on another connection.
    Replaced,
    /// The peer's data made Automerge fail or panic; nothing of it was stored.
    BadData(String),
    /// The remote side sent an `error` message.
    RemoteError(String),
}

/// Something the application may want to react to.
#[derive(Debug, Clone, PartialEq)]
pub enum RepoEvent {
    /// A handshake completed.
    PeerConnected { conn: ConnId, peer_id: PeerId },
    /// A connection that had completed its handshake is gone.
    PeerDisconnected { conn: ConnId, peer_id: PeerId },
    /// A document has content now: loaded from storage or first received from a peer.
    DocReady { document_id: DocumentId },
    /// A peer's changes altered a document.
    DocChanged { document_id: DocumentId },
    /// Nobody reachable has the document (yet); it stays wanted and arrives if a peer brings it.
    DocUnavailable { document_id: DocumentId },
    /// Stored chunks that could not be read; they were left in storage untouched.
    UnreadableChunks { document_id: DocumentId, chunks: Vec<crate::UnreadableChunk> },
    /// Stored changes under a certified ID that do not descend from the first change the ID
    /// certifies (a copy planted before such IDs were checked) were set aside when it loaded.
    PlantedSetAside { document_id: DocumentId },
    /// A peer sent changes to a protected document that this repo refused: without a valid
    /// signature (a view link, a stopped link), or breaking the document's rules. They were not
    /// applied or stored; the connection stays open for reading. `reason` is the first one's.
    ChangesRefused { document_id: DocumentId, conn: ConnId, count: usize, reason: String },
    /// A peer refused changes this repo sent it, and said why (see `refusal_notice`).
    RefusedByPeer { document_id: DocumentId, conn: ConnId, count: usize, reason: String },
    /// An ephemeral message arrived (and was forwarded to the document's other peers).
    Ephemeral { document_id: DocumentId, sender_id: PeerId, data: Vec<u8> },
    /// A peer asked this relay what its copy held at `at` (`None`: now); answer with
    /// [`crate::Repo::answer_cut`] (see `home_cut`).
    CutAsked { conn: ConnId, document_id: DocumentId, at: Option<u64> },
    /// The home relay answered a cut asked with [`crate::Repo::ask_cut`] (`asked`: the moment
    /// asked for): its signed cut at `at`, checked, or `None` when it cannot say.
    CutGiven { document_id: DocumentId, asked: Option<u64>, at: u64, cut: Option<crate::Cut> },
}

/// Everything one call into the repo produced.
///
/// **Driver contract**: run `storage` in order and wait until every write is durable before any of
/// `sends` leaves; this is how "persist before you acknowledge" holds. Then send, then close.
#[derive(Debug, Default)]
pub struct Effects {
    pub storage: Vec<StorageOp>,
    pub sends: Vec<(ConnId, Vec<u8>)>,
    pub closes: Vec<(ConnId, CloseReason)>,
    pub events: Vec<RepoEvent>,
    /// Documents handed out to be admitted elsewhere (only in a repo told to:
    /// [`crate::Repo::admit_elsewhere`]). Run each and give it back to [`crate::Repo::admitted`].
    pub admissions: Vec<crate::AdmissionJob>,
}

impl Effects {
    pub fn is_empty(&self) -> bool {
        self.storage.is_empty() && self.sends.is_empty() && self.closes.is_empty() && self.events.is_empty() && self.admissions.is_empty()
    }

    /// Appends `other`, keeping each list in order.
    pub fn extend(&mut self, other: Effects) {
        self.storage.extend(other.storage);
        self.sends.extend(other.sends);
        self.closes.extend(other.closes);
        self.events.extend(other.events);
        self.admissions.extend(other.admissions);
    }
}
