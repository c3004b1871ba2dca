//! The messages of the automerge-repo protocol "1", as plain Rust values.

use crate::DocumentId;
use crate::capability::ChangeSignature;
use crate::home_cut::Cut;
use crate::home_relay::Receipt;
use crate::member_key::MemberSignature;

/// A peer's ID on the wire, e.g. `peer-3kd9…` or `storage-server-host`.
pub type PeerId = String;

/// The only protocol version there is.
pub const PROTOCOL_V1: &str = "1";

/// What a peer says about itself in `join` and `peer`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeerMetadata {
    /// A stable ID of the peer's storage, if it keeps one.
    pub storage_id: Option<String>,
    /// An ephemeral peer keeps nothing, so others need not remember its sync state.
    pub is_ephemeral: bool,
    /// A Linli relay's own key (`linliRelayKey`), which gives receipts for the spaces that name
    /// it their home relay (see `home_relay`). Other peers leave it out; automerge-repo peers
    /// skip it.
    pub relay_key: Option<[u8; 32]>,
}

/// One heads entry of `remote-heads-changed`: what a storage holds of a document, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteHeads {
    pub storage_id: String,
    pub heads: Vec<String>,
    pub timestamp: f64,
}

/// One protocol message; one WebSocket binary frame carries exactly one, encoded as a CBOR map.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Client → server: the first message on a new connection.
    Join {
        sender_id: PeerId,
        peer_metadata: PeerMetadata,
        /// `None` when the field is absent, which means version "1".
        supported_protocol_versions: Option<Vec<String>>,
    },
    /// Server → client: the answer to `join`.
    Peer { sender_id: PeerId, target_id: PeerId, peer_metadata: PeerMetadata, selected_protocol_version: String },
    /// Either way: a fatal problem, after which the connection closes.
    Error { sender_id: PeerId, target_id: Option<PeerId>, message: String },
    /// Obsolete goodbye, still sent by old peers: accepted and ignored.
    Leave { sender_id: PeerId },
    /// The first Automerge sync message from a peer that has nothing of the document.
    Request { sender_id: PeerId, target_id: PeerId, document_id: DocumentId, data: Vec<u8> },
    /// An Automerge sync message. Linli adds `changeSignatures`, `memberSignatures` and
    /// `homeReceipts` (extra CBOR fields that JavaScript peers ignore): the write-key and member
    /// signatures that vouch for the changes it carries, for protected documents, and the home
    /// relay's receipts for them (`home_relay`).
    Sync {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        data: Vec<u8>,
        signatures: Vec<ChangeSignature>,
        member_signatures: Vec<MemberSignature>,
        receipts: Vec<Receipt>,
    },
    /// The answer to a request that nobody can serve.
    DocUnavailable { sender_id: PeerId, target_id: PeerId, document_id: DocumentId },
    /// An application payload (CBOR) about a document, e.g. presence; relays forward it unchanged.
    Ephemeral { sender_id: PeerId, target_id: PeerId, document_id: DocumentId, session_id: String, count: u64, data: Vec<u8> },
    /// Subscribe to (or stop) heads announcements about the given storage IDs.
    RemoteSubscriptionChange { sender_id: PeerId, target_id: PeerId, add: Vec<String>, remove: Vec<String> },
    /// Heads a storage holds of a document.
    RemoteHeadsChanged { sender_id: PeerId, target_id: PeerId, document_id: DocumentId, new_heads: Vec<RemoteHeads> },
    /// Linli, to a Linli relay only (`linli-cut-ask`): "what did your copy hold at `at`?"
    /// (`None`: now). See `home_cut`.
    CutAsk { sender_id: PeerId, target_id: PeerId, document_id: DocumentId, at: Option<u64> },
    /// A Linli relay's answer (`linli-cut`): its signed cut at `at`, or `None` when its log does
    /// not reach back that far (it held the document only since later).
    CutAnswer { sender_id: PeerId, target_id: PeerId, document_id: DocumentId, at: u64, cut: Option<Cut> },
}

impl Message {
    /// The wire name of the message's type.
    pub fn type_name(&self) -> &'static str {
        match self {
            Message::Join { .. } => "join",
            Message::Peer { .. } => "peer",
            Message::Error { .. } => "error",
            Message::Leave { .. } => "leave",
            Message::Request { .. } => "request",
            Message::Sync { .. } => "sync",
            Message::DocUnavailable { .. } => "doc-unavailable",
            Message::Ephemeral { .. } => "ephemeral",
            Message::RemoteSubscriptionChange { .. } => "remote-subscription-change",
            Message::RemoteHeadsChanged { .. } => "remote-heads-changed",
            Message::CutAsk { .. } => "linli-cut-ask",
            Message::CutAnswer { .. } => "linli-cut",
        }
    }

    pub fn sender_id(&self) -> &str {
        match self {
            Message::Join { sender_id, .. }
            | Message::Peer { sender_id, .. }
            | Message::Error { sender_id, .. }
            | Message::Leave { sender_id }
            | Message::Request { sender_id, .. }
            | Message::Sync { sender_id, .. }
            | Message::DocUnavailable { sender_id, .. }
            | Message::Ephemeral { sender_id, .. }
            | Message::RemoteSubscriptionChange { sender_id, .. }
            | Message::RemoteHeadsChanged { sender_id, .. }
            | Message::CutAsk { sender_id, .. }
            | Message::CutAnswer { sender_id, .. } => sender_id,
        }
    }

    /// The document the message is about, if any.
    pub fn document_id(&self) -> Option<DocumentId> {
        match self {
            Message::Request { document_id, .. }
            | Message::Sync { document_id, .. }
            | Message::DocUnavailable { document_id, .. }
            | Message::Ephemeral { document_id, .. }
            | Message::RemoteHeadsChanged { document_id, .. }
            | Message::CutAsk { document_id, .. }
            | Message::CutAnswer { document_id, .. } => Some(*document_id),
            _ => None,
        }
    }
}
