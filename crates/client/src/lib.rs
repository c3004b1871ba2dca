//! A native Linli client: a sans-IO repo with in-memory storage on a real WebSocket,
//! pumped by a background task like a real device. Tests, the load generator and tools use it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use linli_sync::automerge::{AutoCommit, ChangeHash};
use linli_sync::{ChunkKey, Direction, DocumentId, Effects, PeerMetadata, Repo, RepoConfig, RepoEvent, StorageOp};
use tokio::sync::{Notify, mpsc};
use tokio_tungstenite::tungstenite::Message;

const CONN: u64 = 1;

/// What the client knows; read it with [`Client::until`] and [`Client::with`].
pub struct State {
    pub repo: Repo,
    storage: BTreeMap<ChunkKey, Vec<u8>>,
    pub events: Vec<RepoEvent>,
    pub closed: bool,
    /// The heads the relay last reported for each document (from its sync messages): what it
    /// has acknowledged.
    pub relay_heads: BTreeMap<DocumentId, Vec<ChangeHash>>,
}

impl State {
    pub fn saw(&self, wanted: impl Fn(&RepoEvent) -> bool) -> bool {
        self.events.iter().any(wanted)
    }

    /// Runs storage at once and returns the frames to send.
    fn apply(&mut self, fx: Effects) -> Vec<Vec<u8>> {
        let mut frames = Vec::new();
        let mut queue = vec![fx];
        while let Some(fx) = queue.pop() {
            for op in fx.storage {
                match op {
                    StorageOp::Put { key, data } => {
                        self.storage.insert(key, data);
                    }
                    StorageOp::Delete { key } => {
                        self.storage.remove(&key);
                    }
                    StorageOp::Load { document_id } => {
                        let chunks = self.storage.iter().filter(|(k, _)| k.document_id == document_id).map(|(k, v)| (k.clone(), v.clone())).collect();
                        queue.push(self.repo.loaded(document_id, chunks));
                    }
                }
            }
            frames.extend(fx.sends.into_iter().map(|(_, frame)| frame));
            self.events.extend(fx.events);
        }
        frames
    }
}

/// Called (under the client's lock) whenever a peer's changes altered a document.
pub type ChangeHook = Box<dyn FnMut(DocumentId, &AutoCommit) + Send>;

pub struct Client {
    state: Arc<Mutex<State>>,
    changed: Arc<Notify>,
    outgoing: mpsc::UnboundedSender<Message>,
}

impl Client {
    /// Dials the relay and completes the handshake; panics if that fails (for tests).
    pub async fn connect(url: &str, name: &str) -> Self {
        Self::connect_with(url, name, true, None).await.expect("the relay accepts the WebSocket")
    }

    /// Dials the relay and completes the handshake, calling `on_change` for every change peers
    /// make to an open document. With `persist` false the client keeps no stored copy (and does
    /// no storage work), as a peer without storage.
    pub async fn connect_with(url: &str, name: &str, persist: bool, mut on_change: Option<ChangeHook>) -> Result<Self, String> {
        let (ws, _) = tokio_tungstenite::connect_async(url).await.map_err(|e| e.to_string())?;
        let (mut sink, mut stream) = ws.split();
        let repo = Repo::new(RepoConfig {
            peer_id: name.to_owned(),
            metadata: PeerMetadata::default(),
            announce_to_incoming: true,
            announce_to_outgoing: true,
            session_id: format!("{name}-session"),
            persist,
            rules: Some(linli_core::participation::SpaceRules::shared()),
        });
        let state = Arc::new(Mutex::new(State { repo, storage: BTreeMap::new(), events: Vec::new(), closed: false, relay_heads: BTreeMap::new() }));
        let changed = Arc::new(Notify::new());
        let (outgoing, mut to_send) = mpsc::unbounded_channel::<Message>();
        tokio::spawn(async move {
            while let Some(message) = to_send.recv().await {
                if sink.send(message).await.is_err() {
                    return;
                }
            }
        });
        let (reader_state, reader_changed, reader_out) = (state.clone(), changed.clone(), outgoing.clone());
        tokio::spawn(async move {
            loop {
                let frame = match stream.next().await {
                    Some(Ok(Message::Binary(bytes))) => Some(bytes),
                    Some(Ok(Message::Close(_))) => {
                        // Answer the relay's close frame, completing the closing handshake.
                        let _ = reader_out.send(Message::Close(None));
                        None
                    }
                    Some(Err(_)) | None => None,
                    Some(Ok(_)) => continue,
                };
                let frames = {
                    let mut state = reader_state.lock().unwrap();
                    match &frame {
                        Some(bytes) => {
                            if let Ok(linli_sync::Message::Sync { document_id, data, .. }) = linli_sync::codec::decode(bytes)
                                && let Ok(message) = linli_sync::automerge::sync::Message::decode(&data)
                            {
                                state.relay_heads.insert(document_id, message.heads);
                            }
                            let fx = state.repo.received(CONN, bytes);
                            let changed: Vec<DocumentId> = fx
                                .events
                                .iter()
                                .filter_map(|e| match e {
                                    RepoEvent::DocChanged { document_id } | RepoEvent::DocReady { document_id } => Some(*document_id),
                                    _ => None,
                                })
                                .collect();
                            let frames = state.apply(fx);
                            if let Some(hook) = on_change.as_mut() {
                                for id in changed {
                                    if let Some(doc) = state.repo.document(&id) {
                                        hook(id, doc);
                                    }
                                }
                            }
                            frames
                        }
                        None => {
                            state.closed = true;
                            let fx = state.repo.disconnected(CONN);
                            state.apply(fx)
                        }
                    }
                };
                frames.into_iter().for_each(|f| drop(reader_out.send(Message::Binary(f.into()))));
                reader_changed.notify_waiters();
                if frame.is_none() {
                    return;
                }
            }
        });
        let client = Client { state, changed, outgoing };
        client.act(|repo| repo.connected(CONN, Direction::Outgoing));
        if client.until_within(Duration::from_secs(10), |s| s.saw(|e| matches!(e, RepoEvent::PeerConnected { .. }))).await {
            Ok(client)
        } else {
            Err(format!("{url}: no handshake within 10 s"))
        }
    }

    /// Says goodbye: sends the WebSocket close frame, and the relay closes the connection.
    /// (Dropping a client leaves its socket open until the relay's idle timeout.)
    pub fn close(self) {
        let _ = self.outgoing.send(Message::Close(None));
    }

    /// Calls into the repo and runs what it produced.
    fn act(&self, call: impl FnOnce(&mut Repo) -> Effects) {
        let frames = {
            let mut state = self.state.lock().unwrap();
            let fx = call(&mut state.repo);
            state.apply(fx)
        };
        frames.into_iter().for_each(|f| drop(self.outgoing.send(Message::Binary(f.into()))));
    }

    /// Holds the write key of a protected document: this client's changes to it are signed.
    pub fn hold_write_key(&self, id: DocumentId, key: linli_sync::WriteKey) {
        self.state.lock().unwrap().repo.hold_write_key(id, key);
    }

    /// Holds a member key: this client's changes with the member's actor are signed with it.
    pub fn hold_member_key(&self, key: linli_sync::MemberKey) {
        self.state.lock().unwrap().repo.hold_member_key(key);
    }

    /// Holds the take-part key of a protected document (a take-part link).
    pub fn hold_take_part_key(&self, id: DocumentId, key: linli_sync::TakePartKey) {
        self.state.lock().unwrap().repo.hold_take_part_key(id, key);
    }

    /// Changes a document, or says why this client's repo refused to.
    pub fn try_change(&self, id: DocumentId, edit: impl FnOnce(&mut AutoCommit)) -> Result<(), linli_sync::RepoError> {
        let mut outcome = Ok(());
        self.act(|repo| match repo.change(id, edit) {
            Ok(((), fx)) => fx,
            Err(error) => {
                outcome = Err(error);
                Effects::default()
            }
        });
        outcome
    }

    pub fn create(&self, id: DocumentId, doc: AutoCommit) {
        self.act(|repo| repo.create(id, doc));
    }

    pub fn find(&self, id: DocumentId) {
        self.act(|repo| repo.find(id));
    }

    pub fn change(&self, id: DocumentId, edit: impl FnOnce(&mut AutoCommit)) {
        self.act(|repo| repo.change(id, edit).unwrap().1);
    }

    /// Asks the document's home relay what its copy held at `at` (`None`: now); the answer
    /// arrives as [`RepoEvent::CutGiven`].
    pub fn ask_cut(&self, id: DocumentId, at: Option<u64>) {
        self.act(|repo| repo.ask_cut(id, at));
    }

    /// Sends an application payload about a document to the relay.
    pub fn ephemeral(&self, id: DocumentId, data: Vec<u8>) {
        self.act(|repo| repo.broadcast_ephemeral(id, data));
    }

    /// Sends raw bytes, bypassing the repo (for malformed-input tests).
    pub fn send_raw(&self, bytes: Vec<u8>) {
        let _ = self.outgoing.send(Message::Binary(bytes.into()));
    }

    pub fn with<R>(&self, read: impl FnOnce(&State) -> R) -> R {
        read(&self.state.lock().unwrap())
    }

    /// Waits until `done` holds; panics after 10 s (for tests).
    pub async fn until(&self, done: impl Fn(&State) -> bool) {
        assert!(self.until_within(Duration::from_secs(10), done).await, "condition reached within 10 s");
    }

    /// Waits until the relay has acknowledged everything this client holds of document `id` (its
    /// heads, as the relay last told them), at most `limit`; says whether it did.
    pub async fn acknowledged_within(&self, id: DocumentId, limit: Duration) -> bool {
        let heads = self.with(|s| s.repo.document(&id).map(|d| d.clone().get_heads()).unwrap_or_default());
        self.until_within(limit, move |s| s.relay_heads.get(&id).is_some_and(|h| *h == heads)).await
    }

    /// Waits until `done` holds, at most `limit`; says whether it held.
    pub async fn until_within(&self, limit: Duration, done: impl Fn(&State) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let notified = self.changed.notified();
            if self.with(&done) {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.with(&done);
            }
        }
    }
}
