//! The hub: one task that owns the sans-IO repo and runs its effects against the data folder and
//! the connections.
//!
//! Commands from all connections arrive on one channel and are handled in batches. For each batch
//! the storage writes run first (fsynced, in order); only when they all succeeded do the batch's
//! messages go out. So a change is on disk before any reply that carries it onward.
//!
//! Admitting a peer's changes (judging them by the space's rules and applying them) is the costly
//! part, tens of milliseconds on a large space. The repo hands it out (`Repo::admit_elsewhere`):
//! the document goes to a blocking thread with the message, and the hub goes on serving every
//! other document; the document's own messages wait until it is back. So a space flooded with
//! costly changes takes a thread, not the hub: another space's sync is not held up behind it.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use linli_sync::{AdmissionJob, ChunkKey, ChunkKind, CloseReason, ConnId, Direction, DocumentId, Effects, Repo, RepoEvent, StorageOp, codec};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::fair_share::{FairShare, Turn};
use crate::folder_store::FolderStore;
use crate::heads_log::HeadsLog;
use crate::idle_release::{IdleClock, Retention};
use crate::metrics::Metrics;

/// What a connection tells the hub.
#[derive(Debug)]
pub enum HubCommand {
    Opened {
        conn: ConnId,
        direction: Direction,
        outbox: Outbox,
    },
    Frame {
        conn: ConnId,
        bytes: Vec<u8>,
    },
    Closed {
        conn: ConnId,
    },
    /// Open a stored document (so that it is offered to peer relays).
    Open {
        document_id: DocumentId,
    },
}

/// The hub's way to one connection: a bounded queue of frames, and the close code to use when
/// the hub drops the queue.
#[derive(Debug, Clone)]
pub struct Outbox {
    pub frames: mpsc::Sender<Vec<u8>>,
    pub close_code: Arc<AtomicU16>,
}

/// WebSocket close codes (RFC 6455).
pub mod close_code {
    pub const NORMAL: u16 = 1000;
    pub const GOING_AWAY: u16 = 1001;
    pub const PROTOCOL_ERROR: u16 = 1002;
    pub const INVALID_DATA: u16 = 1007;
    pub const POLICY: u16 = 1008;
    pub const TOO_BIG: u16 = 1009;
    pub const INTERNAL_ERROR: u16 = 1011;
    pub const TRY_AGAIN_LATER: u16 = 1013;
}

fn code_for(reason: &CloseReason) -> u16 {
    match reason {
        CloseReason::Protocol(_) | CloseReason::UnsupportedVersion => close_code::PROTOCOL_ERROR,
        CloseReason::BadData(_) => close_code::INVALID_DATA,
        CloseReason::Replaced | CloseReason::RemoteError(_) => close_code::NORMAL,
    }
}

/// How far ahead of this relay's clock a cut may be asked for (a device's clock running ahead);
/// and how many asks one connection may have waiting.
const CUT_AHEAD_MAX_MS: u64 = 24 * 3_600_000;
const CUTS_WAITING_PER_CONNECTION: usize = 16;

/// Most commands handled before their effects run together.
const MAX_BATCH: usize = 256;

pub struct Hub {
    repo: Repo,
    store: FolderStore,
    outboxes: HashMap<ConnId, Outbox>,
    metrics: Arc<Metrics>,
    retention: Retention,
    idle: IdleClock,
    fair: FairShare,
    /// Connections to close once this batch's effects have run (too much of theirs waited).
    overflowed: Vec<ConnId>,
    /// Documents out of the repo, being admitted on blocking threads, with what it took.
    admitting: JoinSet<(AdmissionJob, Duration)>,
    /// Admissions waiting for a thread (at most [`admission_threads`] run at once); the one whose
    /// document is least in debt goes next.
    queued: VecDeque<AdmissionJob>,
    /// Each document's heads over time, to answer cut asks (`heads_log.rs`).
    heads_log: HeadsLog,
    /// Cut asks for a moment still to come on this relay's clock: answered once it has passed.
    cuts_due: Vec<(ConnId, DocumentId, u64)>,
}

/// How many admissions run at once: one per core, so that a flood of many spaces keeps the
/// threads (and the blocking pool the storage writes use) bounded.
fn admission_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()).max(2)
}

impl Hub {
    pub fn new(repo: Repo, store: FolderStore, metrics: Arc<Metrics>, retention: Retention) -> Self {
        Hub {
            repo,
            store: store.clone(),
            outboxes: HashMap::new(),
            metrics,
            retention,
            idle: IdleClock::default(),
            fair: FairShare::default(),
            overflowed: Vec::new(),
            admitting: JoinSet::new(),
            queued: VecDeque::new(),
            heads_log: HeadsLog::new(store.clone()),
            cuts_due: Vec::new(),
        }
    }

    /// Runs until every sender of `commands` is gone. Each batch's writes are durable before the
    /// next batch starts, so there is nothing left to flush when this returns. Between batches,
    /// documents nobody uses are released (see `idle_release.rs`). A document that has used more
    /// than its share of the hub waits for its turn while others go first (`fair_share.rs`).
    pub async fn run(mut self, mut commands: mpsc::Receiver<HubCommand>) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        let mut admitted = Vec::new();
        let mut sweep = tokio::time::interval(self.retention.sweep_every());
        sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        'serve: loop {
            if self.fair.has_waiting() {
                // Messages wait: take what has arrived without waiting for more.
                tokio::task::yield_now().await;
                while batch.len() < MAX_BATCH {
                    match commands.try_recv() {
                        Ok(command) => batch.push(command),
                        Err(mpsc::error::TryRecvError::Empty) => break,
                        Err(mpsc::error::TryRecvError::Disconnected) if batch.is_empty() => break 'serve,
                        Err(mpsc::error::TryRecvError::Disconnected) => break,
                    }
                }
            } else {
                let received = tokio::select! {
                    received = commands.recv_many(&mut batch, MAX_BATCH) => received,
                    Some(done) = self.admitting.join_next(), if !self.admitting.is_empty() => {
                        admitted.push(done);
                        usize::MAX
                    }
                    _ = sweep.tick() => {
                        self.release_idle_documents();
                        self.fair.tidy(tokio::time::Instant::now());
                        let fx = self.answer_cuts_due();
                        if !fx.is_empty() {
                            self.execute(fx, &[]).await;
                        }
                        continue;
                    }
                };
                if received == 0 {
                    break;
                }
            }
            while let Some(done) = self.admitting.try_join_next() {
                admitted.push(done);
            }
            let mut fx = Effects::default();
            let mut senders = Vec::new();
            let mut handled = 0;
            // Many messages about one document in a batch: store it and answer its peers once.
            self.repo.begin_batch();
            // Documents back from admission first: their messages waited the longest.
            for done in admitted.drain(..) {
                fx.extend(self.take_back(done));
            }
            // First what waited and whose turn it is, then what arrived.
            let now = tokio::time::Instant::now();
            while let Some((document, waiting)) = self.fair.next(now, false) {
                handled += 1;
                senders.push(waiting.conn);
                fx.extend(self.handle_frame(Some(document), waiting.conn, &waiting.bytes));
            }
            for command in batch.drain(..) {
                match command {
                    HubCommand::Frame { conn, bytes } => {
                        let document = codec::decode(&bytes).ok().and_then(|m| m.document_id());
                        let bytes = match document {
                            Some(document) => match self.fair.admit(document, conn, bytes, tokio::time::Instant::now()) {
                                (Turn::Now, Some(bytes)) => bytes,
                                (Turn::Overflow, _) => {
                                    Metrics::add(&self.metrics.slow_consumers_dropped, 1);
                                    tracing::warn!(conn, %document, "too many messages wait for busy spaces; closing the connection");
                                    self.overflowed.push(conn);
                                    continue;
                                }
                                _ => continue,
                            },
                            None => bytes,
                        };
                        handled += 1;
                        senders.push(conn);
                        fx.extend(self.handle_frame(document, conn, &bytes));
                    }
                    HubCommand::Closed { conn } => {
                        self.fair.forget(conn);
                        fx.extend(self.handle(HubCommand::Closed { conn }));
                    }
                    other => fx.extend(self.handle(other)),
                }
            }
            if handled == 0 && commands.is_empty() {
                // Nothing else to do: the document least in debt goes on.
                if let Some((document, waiting)) = self.fair.next(tokio::time::Instant::now(), true) {
                    senders.push(waiting.conn);
                    fx.extend(self.handle_frame(Some(document), waiting.conn, &waiting.bytes));
                }
            }
            // Storing and answering happen here, once a document: charged to each document too.
            #[allow(clippy::disallowed_methods, reason = "the relay runs natively")]
            let mut last = std::time::Instant::now();
            let fair = &mut self.fair;
            self.repo.end_batch_each(|document, done| {
                #[allow(clippy::disallowed_methods, reason = "the relay runs natively")]
                let now = std::time::Instant::now();
                fair.charge(document, now - last, tokio::time::Instant::now());
                last = now;
                fx.extend(done);
            });
            self.execute(fx, &senders).await;
            for conn in std::mem::take(&mut self.overflowed) {
                self.fair.forget(conn);
                self.close(conn, close_code::TRY_AGAIN_LATER).await;
            }
            self.metrics.documents_open.store(self.repo.document_count() as u64, Ordering::Relaxed);
            if self.fair.has_waiting() && commands.is_empty() {
                // Until a waiting document's turn comes, a command arrives or a document is back.
                if let Some(due) = self.fair.next_due(tokio::time::Instant::now()) {
                    tokio::select! {
                        received = commands.recv_many(&mut batch, MAX_BATCH) => if received == 0 { break },
                        Some(done) = self.admitting.join_next(), if !self.admitting.is_empty() => admitted.push(done),
                        _ = tokio::time::sleep_until(due) => {}
                    }
                }
            }
        }
        // Admissions still out finish (their changes are stored if admitted; none was
        // acknowledged yet, so none is lost either way).
        while let Some(done) = self.admitting.join_next().await {
            self.repo.begin_batch();
            let mut fx = self.take_back(done);
            fx.extend(self.repo.end_batch());
            self.execute(fx, &[]).await;
        }
        tracing::info!("hub stopped; every acknowledged change is on disk");
    }

    /// Sends the documents the repo handed out to be admitted to blocking threads.
    fn dispatch(&mut self, jobs: Vec<AdmissionJob>) {
        for job in jobs {
            self.fair.set_busy(job.document_id(), true);
            self.queued.push_back(job);
        }
        while self.admitting.len() < admission_threads()
            && let Some(next) = self.fair.first_to_admit(self.queued.iter().map(AdmissionJob::document_id), tokio::time::Instant::now())
        {
            let mut job = self.queued.remove(next).expect("an index into the queue");
            self.admitting.spawn_blocking(move || {
                #[allow(clippy::disallowed_methods, reason = "the relay runs natively")]
                let started = std::time::Instant::now();
                // (`run` contains Automerge's panics; this is for anything else.)
                let _ = linli_sync::contain(|| job.run());
                (job, started.elapsed())
            });
        }
    }

    /// A document back from admission: the repo takes it back, its time is charged to it, and
    /// its messages that waited may go on.
    fn take_back(&mut self, done: Result<(AdmissionJob, Duration), tokio::task::JoinError>) -> Effects {
        match done {
            Ok((job, spent)) => {
                let document = job.document_id();
                self.fair.set_busy(document, false);
                self.fair.charge(document, spent, tokio::time::Instant::now());
                let mut fx = self.repo.admitted(job);
                self.dispatch(std::mem::take(&mut fx.admissions));
                fx
            }
            Err(error) => {
                // Only if the runtime shut the thread down: the document stays out (and its
                // messages wait) until the relay restarts, when it loads from the data folder.
                tracing::error!(%error, "an admission thread did not finish");
                Effects::default()
            }
        }
    }

    /// Handles one message, timing it and charging the time to its document.
    fn handle_frame(&mut self, document: Option<DocumentId>, conn: ConnId, bytes: &[u8]) -> Effects {
        Metrics::add(&self.metrics.messages_in, 1);
        Metrics::add(&self.metrics.bytes_in, bytes.len() as u64);
        #[allow(clippy::disallowed_methods, reason = "the relay runs natively")]
        let started = std::time::Instant::now();
        let mut fx = self.repo.received(conn, bytes);
        self.dispatch(std::mem::take(&mut fx.admissions));
        if let Some(document) = document {
            self.fair.charge(document, started.elapsed(), tokio::time::Instant::now());
        }
        fx
    }

    /// Lets go of the documents that have been idle long enough (or that overflow the cap). Runs
    /// between batches, when every change is on disk.
    fn release_idle_documents(&mut self) {
        let idle = self.repo.idle_documents();
        let due = self.idle.due(&self.retention, &idle, tokio::time::Instant::now());
        let released = due.into_iter().filter(|id| self.repo.release(*id)).count();
        if released > 0 {
            Metrics::add(&self.metrics.documents_released, released as u64);
            self.metrics.documents_open.store(self.repo.document_count() as u64, Ordering::Relaxed);
            tracing::debug!(released, held = self.repo.document_count(), "released idle documents");
        }
    }

    fn handle(&mut self, command: HubCommand) -> Effects {
        match command {
            HubCommand::Opened { conn, direction, outbox } => {
                self.outboxes.insert(conn, outbox);
                self.repo.connected(conn, direction)
            }
            HubCommand::Frame { conn, bytes } => self.handle_frame(None, conn, &bytes),
            HubCommand::Closed { conn } => {
                self.outboxes.remove(&conn);
                self.repo.disconnected(conn)
            }
            HubCommand::Open { document_id } => self.repo.find(document_id),
        }
    }

    /// Storage first (loads feed back into the repo), then sends, then closes.
    async fn execute(&mut self, fx: Effects, senders: &[ConnId]) {
        let mut queue = VecDeque::from([fx]);
        let mut sends = Vec::new();
        let mut closes = Vec::new();
        let mut failed_docs = Vec::new();
        let mut moved = Vec::new();
        let mut cuts_asked = Vec::new();
        while let Some(mut fx) = queue.pop_front() {
            // (A document loaded with messages waiting for it may go out to be admitted.)
            self.dispatch(std::mem::take(&mut fx.admissions));
            let store = self.store.clone();
            let outcome = tokio::task::spawn_blocking(move || run_storage(&store, fx.storage)).await;
            let outcome = outcome.unwrap_or_else(|join| StorageOutcome { failed_writes: vec![(None, join.to_string())], loads: Vec::new() });
            for (document_id, error) in outcome.failed_writes {
                Metrics::add(&self.metrics.storage_errors, 1);
                tracing::error!(?document_id, %error, "write to the data folder failed; nothing of this batch is sent");
                failed_docs.extend(document_id);
            }
            for (document_id, chunks) in outcome.loads {
                queue.push_back(self.repo.loaded(document_id, chunks));
            }
            sends.extend(fx.sends);
            closes.extend(fx.closes);
            log_events(&fx.events, &self.metrics);
            for event in &fx.events {
                match event {
                    RepoEvent::DocReady { document_id } | RepoEvent::DocChanged { document_id } => moved.push(*document_id),
                    RepoEvent::CutAsked { conn, document_id, at } => cuts_asked.push((*conn, *document_id, *at)),
                    _ => {}
                }
            }
        }
        if !failed_docs.is_empty() {
            // Nothing that was not stored may be acknowledged: drop the replies, reload the
            // documents from disk and make the senders of this batch reconnect and resync.
            for document_id in failed_docs {
                let fx = self.repo.reload(document_id);
                Box::pin(self.execute(fx, &[])).await;
            }
            for conn in senders {
                self.close(*conn, close_code::INTERNAL_ERROR).await;
            }
            return;
        }
        // What was stored is in the heads log before it is acknowledged (`heads_log.rs`).
        let now = wall_clock_ms();
        for document_id in moved {
            let Some(heads) = self.repo.read_mut(&document_id, |doc| doc.get_heads()) else { continue };
            if let Err(error) = self.heads_log.note(document_id, now, &heads) {
                tracing::error!(%document_id, %error, "could not write the heads log; nothing of this batch is sent");
                Metrics::add(&self.metrics.storage_errors, 1);
                for conn in senders {
                    self.close(*conn, close_code::INTERNAL_ERROR).await;
                }
                return;
            }
        }
        for (conn, document_id, at) in cuts_asked {
            match cut_ask_due(&self.cuts_due, conn, at, now) {
                Some(due) => self.cuts_due.push((conn, document_id, due)),
                None => tracing::debug!(conn, %document_id, ?at, "cut ask dropped"),
            }
        }
        for (conn, frame) in sends {
            self.send(conn, frame).await;
        }
        let answers = self.answer_cuts_due();
        sends_now(self, answers).await;
        for (conn, reason) in closes {
            tracing::info!(conn, ?reason, "closing connection");
            if matches!(reason, CloseReason::Protocol(_) | CloseReason::BadData(_) | CloseReason::UnsupportedVersion) {
                Metrics::add(&self.metrics.protocol_errors, 1);
            }
            self.close(conn, code_for(&reason)).await;
        }
    }

    /// Answers the cut asks whose moment has passed on this relay's clock, from the heads log
    /// (those for a connection gone are dropped).
    fn answer_cuts_due(&mut self) -> Effects {
        let now = wall_clock_ms();
        let mut fx = Effects::default();
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.cuts_due).into_iter().partition(|(_, _, at)| *at <= now);
        self.cuts_due = later.into_iter().filter(|(conn, _, _)| self.outboxes.contains_key(conn)).collect();
        for (conn, document_id, at) in due {
            let heads = self.heads_log.held_at(&document_id, at).unwrap_or_else(|error| {
                tracing::error!(%document_id, %error, "could not read the heads log");
                None
            });
            fx.extend(self.repo.answer_cut(conn, document_id, at, heads));
        }
        fx
    }

    async fn send(&mut self, conn: ConnId, frame: Vec<u8>) {
        let Some(outbox) = self.outboxes.get(&conn) else { return };
        let size = frame.len() as u64;
        match outbox.frames.try_send(frame) {
            Ok(()) => {
                Metrics::add(&self.metrics.messages_out, 1);
                Metrics::add(&self.metrics.bytes_out, size);
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                // A peer that does not read is dropped, not buffered without bound.
                Metrics::add(&self.metrics.slow_consumers_dropped, 1);
                tracing::warn!(conn, "slow consumer: its outbox is full; disconnecting it");
                self.close(conn, close_code::TRY_AGAIN_LATER).await;
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }

    /// Drops a connection's outbox (its writer then closes the socket with `code`) and forgets it.
    async fn close(&mut self, conn: ConnId, code: u16) {
        if let Some(outbox) = self.outboxes.remove(&conn) {
            outbox.close_code.store(code, Ordering::Relaxed);
        }
        let fx = self.repo.disconnected(conn);
        if !fx.is_empty() {
            Box::pin(self.execute(fx, &[])).await;
        }
    }
}

/// When to answer a cut ask on `conn` for `at` (`None`: now), given the asks `waiting`: `None`
/// drops it unanswered. A moment further ahead than a clock can be wrong, or more asks waiting
/// than one device makes, are dropped, so that asks cannot pile up here.
fn cut_ask_due(waiting: &[(ConnId, DocumentId, u64)], conn: ConnId, at: Option<u64>, now: u64) -> Option<u64> {
    let at = at.unwrap_or(now);
    let on_this_connection = waiting.iter().filter(|(c, _, _)| *c == conn).count();
    (at <= now + CUT_AHEAD_MAX_MS && on_this_connection < CUTS_WAITING_PER_CONNECTION).then_some(at)
}

/// Sends what answering cut asks produced (nothing else comes of it).
async fn sends_now(hub: &mut Hub, fx: Effects) {
    for (conn, frame) in fx.sends {
        hub.send(conn, frame).await;
    }
}

/// The relay's clock, ms since 1970: the time cuts are asked and answered in.
fn wall_clock_ms() -> u64 {
    #[allow(clippy::disallowed_methods, reason = "the relay runs natively")]
    let now = std::time::SystemTime::now();
    now.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

fn log_events(events: &[RepoEvent], metrics: &Metrics) {
    for event in events {
        match event {
            RepoEvent::ChangesRefused { document_id, conn, count, reason } => {
                Metrics::add(&metrics.changes_refused, *count as u64);
                tracing::info!(%document_id, conn, count, reason, "refused changes to a protected space")
            }
            RepoEvent::UnreadableChunks { document_id, chunks } => {
                tracing::error!(%document_id, ?chunks, "stored chunks could not be read; they are kept untouched")
            }
            RepoEvent::PlantedSetAside { document_id } => {
                tracing::warn!(%document_id, "stored changes that do not descend from the first change this certified ID names were set aside")
            }
            other => tracing::debug!(?other),
        }
    }
}

struct StorageOutcome {
    failed_writes: Vec<(Option<DocumentId>, String)>,
    loads: Vec<(DocumentId, Vec<(ChunkKey, Vec<u8>)>)>,
}

/// Runs storage operations on a blocking thread: in order, except that the writes between two
/// loads run side by side (each is its own file and fsync), signature chunks before the chunks
/// whose changes they sign (a document whose signatures failed to write gets none of its other
/// chunks written), and the deletes of that stretch after all its writes, so a compaction never
/// deletes a chunk before its snapshot is durable, nor at all when one of the document's writes
/// failed.
fn run_storage(store: &FolderStore, ops: Vec<StorageOp>) -> StorageOutcome {
    let mut outcome = StorageOutcome { failed_writes: Vec::new(), loads: Vec::new() };
    let mut puts = Vec::new();
    let mut deletes = Vec::new();
    let flush = |puts: &mut Vec<(ChunkKey, Vec<u8>)>, deletes: &mut Vec<ChunkKey>, outcome: &mut StorageOutcome| {
        let (signatures, chunks): (Vec<_>, Vec<_>) = std::mem::take(puts).into_iter().partition(|(key, _)| matches!(key.kind, ChunkKind::Signatures | ChunkKind::MemberSignatures));
        let mut failed = write_all(store, signatures);
        let unsigned = failed_documents(&failed);
        let chunks = chunks.into_iter().filter(|(key, _)| !unsigned.contains(&key.document_id)).collect();
        failed.extend(write_all(store, chunks));
        let failed_docs = failed_documents(&failed);
        outcome.failed_writes.extend(failed);
        for key in deletes.drain(..).filter(|key| !failed_docs.contains(&key.document_id)) {
            // A chunk left behind is harmless (it is loaded and merged again); log only.
            if let Err(error) = store.delete(&key) {
                tracing::warn!(%key, %error, "could not delete a compacted chunk");
            }
        }
    };
    for op in ops {
        match op {
            StorageOp::Put { key, data } => puts.push((key, data)),
            StorageOp::Delete { key } => deletes.push(key),
            StorageOp::Load { document_id } => {
                flush(&mut puts, &mut deletes, &mut outcome);
                let chunks = store.load(&document_id).unwrap_or_else(|error| {
                    tracing::error!(%document_id, %error, "could not read the document's folder");
                    Vec::new()
                });
                outcome.loads.push((document_id, chunks));
            }
        }
    }
    flush(&mut puts, &mut deletes, &mut outcome);
    outcome
}

fn failed_documents(failures: &[(Option<DocumentId>, String)]) -> HashSet<DocumentId> {
    failures.iter().filter_map(|(document_id, _)| *document_id).collect()
}

/// Most chunk files written at the same time.
const PARALLEL_WRITES: usize = 16;

/// Writes chunks durably, several at once; returns the failures.
fn write_all(store: &FolderStore, puts: Vec<(ChunkKey, Vec<u8>)>) -> Vec<(Option<DocumentId>, String)> {
    let mut failures = Vec::new();
    if puts.len() == 1 {
        let (key, data) = &puts[0];
        if let Err(error) = store.put(key, data) {
            failures.push((Some(key.document_id), error.to_string()));
        }
        return failures;
    }
    for group in puts.chunks(PARALLEL_WRITES) {
        std::thread::scope(|scope| {
            let handles: Vec<_> = group.iter().map(|(key, data)| (key, scope.spawn(move || store.put(key, data)))).collect();
            for (key, handle) in handles {
                match handle.join() {
                    Ok(Ok(())) => {}
                    Ok(Err(error)) => failures.push((Some(key.document_id), error.to_string())),
                    Err(_) => failures.push((Some(key.document_id), "the writing thread panicked".into())),
                }
            }
        });
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A data folder where `kind`'s folder of a document cannot be made (a file stands in its way).
    fn chunk_file(dir: &tempfile::TempDir, key: &ChunkKey) -> std::path::PathBuf {
        let id = key.document_id.to_string();
        dir.path().join(&id[..2]).join(&id[2..]).join(key.kind.as_str()).join(&key.hash)
    }

    fn blocked(kind: ChunkKind, document_id: DocumentId) -> (tempfile::TempDir, FolderStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = FolderStore::open(dir.path()).unwrap();
        let id = document_id.to_string();
        let doc_dir = dir.path().join(&id[..2]).join(&id[2..]);
        std::fs::create_dir_all(&doc_dir).unwrap();
        std::fs::write(doc_dir.join(kind.as_str()), b"in the way").unwrap();
        (dir, store)
    }

    #[test]
    fn cut_asks_cannot_pile_up() {
        let (doc, now) = (DocumentId::from_bytes([5; 16]), 1_000_000_000);
        assert_eq!(cut_ask_due(&[], 1, None, now), Some(now), "now");
        assert_eq!(cut_ask_due(&[], 1, Some(5), now), Some(5), "a moment past");
        assert_eq!(cut_ask_due(&[], 1, Some(now + 60_000), now), Some(now + 60_000), "a clock a minute ahead");
        assert_eq!(cut_ask_due(&[], 1, Some(u64::MAX), now), None, "far ahead");
        let full = vec![(1, doc, now + 1); CUTS_WAITING_PER_CONNECTION];
        assert_eq!(cut_ask_due(&full, 1, Some(now + 1), now), None, "too many waiting on this connection");
        assert_eq!(cut_ask_due(&full, 2, Some(now + 1), now), Some(now + 1), "another connection still asks");
    }

    #[test]
    fn a_compaction_whose_snapshot_failed_to_write_deletes_nothing() {
        let id = DocumentId::from_bytes([3; 16]);
        let (dir, store) = blocked(ChunkKind::Snapshot, id);
        let old = ChunkKey::incremental(id, b"old change");
        store.put(&old, b"old change").unwrap();
        let ops = vec![StorageOp::Put { key: ChunkKey::snapshot(id, &[]), data: b"snapshot".to_vec() }, StorageOp::Delete { key: old.clone() }];
        let outcome = run_storage(&store, ops);
        assert_eq!(outcome.failed_writes.len(), 1);
        assert!(chunk_file(&dir, &old).is_file(), "the chunk the snapshot was to replace is kept");
    }

    #[test]
    fn changes_are_not_stored_when_their_signatures_could_not_be() {
        let id = DocumentId::from_bytes([4; 16]);
        let (dir, store) = blocked(ChunkKind::Signatures, id);
        let signatures = ChunkKey::from_parts(&id.to_string(), "signatures", &linli_sync::sha256_hex(b"sigs")).unwrap();
        let change = ChunkKey::incremental(id, b"a signed change");
        let ops = vec![StorageOp::Put { key: change.clone(), data: b"a signed change".to_vec() }, StorageOp::Put { key: signatures, data: b"sigs".to_vec() }];
        let outcome = run_storage(&store, ops);
        assert!(!outcome.failed_writes.is_empty());
        assert!(!chunk_file(&dir, &change).exists(), "no change is stored without its signature");
    }
}
