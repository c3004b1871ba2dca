//! What goes into the engine core and what comes out: the whole contract between it and the
//! worker that runs it.

use linli_sync::{ChunkKey, ConnId, DocumentId, StorageOp};
use linli_view::side_channels::TabMessage;
use linli_view::{FromEngine, ToEngine};

/// Something that happened, for the core to act on.
#[derive(Debug)]
pub enum Input {
    /// A message of the page's.
    Page(ToEngine),
    /// A relay socket the core asked for ([`Output::Dial`]) opened, sent a frame, closed, or
    /// could not be made at all.
    SocketOpened(ConnId),
    SocketFrame(ConnId, Vec<u8>),
    SocketClosed(ConnId),
    DialFailed(ConnId),
    /// A message on the tab channel.
    Tab(TabMessage),
    /// Storage read a document's chunks ([`StorageOp::Load`]); nothing if it has none or
    /// storage is unavailable.
    Loaded {
        document: DocumentId,
        chunks: Vec<(ChunkKey, Vec<u8>)>,
    },
    /// One storage write ([`StorageOp::Put`] or [`StorageOp::Delete`]) is durable (a failed
    /// delete too: it loses nothing).
    Saved,
    /// A [`StorageOp::Put`] of this document's failed (said in the console): storage may lack
    /// it, and the chunks after it would not load without it.
    SaveFailed(DocumentId),
    /// A timer the core set ran out.
    Wake(Wake),
}

/// What a timer is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wake {
    /// Dial a relay again (if it is still waiting for this attempt).
    Redial { url: String, attempt: u32 },
    /// Offer a space's changes again to peers that refused some for now (a relay's limit).
    OfferAgain(DocumentId),
    /// An acceptance of an invitation has waited long enough for its link's document.
    AcceptExpired { link: DocumentId, request: u64, relay: String },
    /// Keep a space's view for the page's next visit.
    KeepView(DocumentId),
    /// Write a document whose write failed to storage again, whole.
    StoreAgain(DocumentId),
}

/// Something for the worker to do. [`Output::Work`] runs in the order given, each step
/// finished before the next starts, so a chunk is durable before any frame that carries it
/// leaves; everything else happens at once.
#[derive(Debug)]
pub enum Output {
    /// Tell the page.
    Page(FromEngine),
    /// Open a WebSocket to a relay; its events come back as inputs about `conn`.
    Dial {
        conn: ConnId,
        url: String,
    },
    /// Post on the tab channel now (a greeting; sync frames go as [`Work::TabSend`]).
    Tab(TabMessage),
    Work(Work),
    /// Wake the core with `wake` in `after_ms`.
    Timer {
        after_ms: u32,
        wake: Wake,
    },
    /// Keep a space's view (a `linli_view::snapshot`) in the kept-views database.
    KeepView {
        space: DocumentId,
        bytes: Vec<u8>,
    },
    Log(Log),
}

/// A step of the ordered work.
#[derive(Debug)]
pub enum Work {
    /// Read or write storage; a load answers with [`Input::Loaded`], a write with [`Input::Saved`]
    /// or [`Input::SaveFailed`]. After a failed put, the worker skips that document's deletes
    /// until one of its puts succeeds (a compaction deletes only once its snapshot is durable).
    Storage(StorageOp),
    SocketSend {
        conn: ConnId,
        bytes: Vec<u8>,
    },
    SocketClose {
        conn: ConnId,
    },
    TabSend(TabMessage),
    /// A message for the page that must wait its turn: a frame for a direct connection the page
    /// carries, or its closing.
    Page(FromEngine),
}

/// A line for the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Log {
    Error(String),
    Warn(String),
}
