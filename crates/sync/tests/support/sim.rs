//! A deterministic simulated network: repos, in-memory storage, links, and frames in flight
//! that are delivered until the network is quiet. Each link keeps its frames in order (as a
//! WebSocket does); with a seed, the links take turns at random, and frames can be delivered
//! twice (`duplicate_one_in`) to check that repeats are harmless. Relays admit changes as the
//! real relay does, out of the repo (`Repo::admit_elsewhere`): each admission is a job that
//! finishes as one more step of the network, in turn with the frames (at random when shuffled),
//! so messages about a document keep arriving while it is out.
//!
//! `LINLI_SIM_TRACE=1` (with `--nocapture`) prints every sync message delivered: who to whom,
//! heads, `need`, and how many changes, signatures and receipts it carries.

use std::collections::{BTreeMap, VecDeque};

use linli_sync::automerge::AutoCommit;
use linli_sync::{AdmissionJob, ChunkKey, CloseReason, ConnId, Direction, DocumentId, Effects, PeerMetadata, Repo, RepoConfig, RepoEvent, StorageOp};

/// One simulated device or relay.
pub struct Node {
    pub repo: Repo,
    relay: bool,
    pub storage: BTreeMap<ChunkKey, Vec<u8>>,
    pub events: Vec<RepoEvent>,
    pub closed: Vec<(ConnId, CloseReason)>,
}

#[derive(Clone, Copy)]
struct Link {
    client: (usize, ConnId),
    server: (usize, ConnId),
}

/// Several nodes and the links between them.
pub struct Network {
    pub nodes: Vec<Node>,
    links: BTreeMap<u64, Link>,
    /// Frames in flight: (link, to the server side?, bytes), oldest first.
    queue: VecDeque<(u64, bool, Vec<u8>)>,
    /// Admissions out of their repo, with the node they came from, oldest first.
    jobs: VecDeque<(usize, AdmissionJob)>,
    next_conn: ConnId,
    rng: u64,
    shuffle: bool,
    /// When set, about one delivery in this many is repeated.
    pub duplicate_one_in: Option<u64>,
    /// Admissions stay out of their repo until this is cleared (see `finish_a_job`).
    pub hold_jobs: bool,
}

impl Network {
    pub fn new() -> Self {
        Network {
            nodes: Vec::new(),
            links: BTreeMap::new(),
            queue: VecDeque::new(),
            jobs: VecDeque::new(),
            next_conn: 1,
            rng: 1,
            shuffle: false,
            duplicate_one_in: None,
            hold_jobs: false,
        }
    }

    /// Lets links take turns in a seeded random order (each link still delivers in order).
    pub fn shuffled(seed: u64) -> Self {
        Network { rng: seed | 1, shuffle: true, ..Network::new() }
    }

    /// Adds a client device (it offers its documents to whatever it dials).
    pub fn add_device(&mut self, name: &str) -> usize {
        self.add(name, true)
    }

    /// Adds a relay (it serves documents only to peers that ask by ID).
    pub fn add_relay(&mut self, name: &str) -> usize {
        self.add(name, false)
    }

    fn add(&mut self, name: &str, announce_to_incoming: bool) -> usize {
        let config = RepoConfig {
            peer_id: name.to_owned(),
            metadata: PeerMetadata::default(),
            announce_to_incoming,
            announce_to_outgoing: true,
            session_id: format!("{name}-session"),
            persist: true,
            rules: Some(linli_core::participation::SpaceRules::shared()),
        };
        let mut repo = Repo::new(config);
        repo.admit_elsewhere(!announce_to_incoming);
        self.nodes.push(Node { repo, relay: !announce_to_incoming, storage: BTreeMap::new(), events: Vec::new(), closed: Vec::new() });
        self.nodes.len() - 1
    }

    /// `client` dials `server`; returns the link's ID.
    pub fn connect(&mut self, client: usize, server: usize) -> u64 {
        self.connect_for(client, server, None)
    }

    /// `client` dials `server` for the documents `only` alone (`None`: any).
    #[allow(dead_code, reason = "not every test file dials for some documents only")]
    pub fn connect_for(&mut self, client: usize, server: usize, only: Option<std::collections::HashSet<DocumentId>>) -> u64 {
        let (c, s) = (self.next_conn, self.next_conn + 1);
        self.next_conn += 2;
        let link = c;
        self.links.insert(link, Link { client: (client, c), server: (server, s) });
        let fx = self.nodes[server].repo.connected(s, Direction::Incoming);
        self.apply(server, fx);
        let fx = self.nodes[client].repo.connected_for(c, Direction::Outgoing, only);
        self.apply(client, fx);
        link
    }

    /// The client side's connection of a link, while the link is up.
    pub fn client_conn(&self, link: u64) -> Option<ConnId> {
        self.links.get(&link).map(|l| l.client.1)
    }

    /// Puts a frame of our own making in flight on a link, as a peer running other code would send
    /// it (`to_server`: from the client side to the server side).
    pub fn inject(&mut self, link: u64, to_server: bool, bytes: Vec<u8>) {
        self.queue.push_back((link, to_server, bytes));
    }

    /// Cuts a link: frames in flight on it are lost.
    pub fn disconnect(&mut self, link: u64) {
        let Some(l) = self.links.remove(&link) else { return };
        self.queue.retain(|(id, _, _)| *id != link);
        let fx = self.nodes[l.client.0].repo.disconnected(l.client.1);
        self.apply(l.client.0, fx);
        let fx = self.nodes[l.server.0].repo.disconnected(l.server.1);
        self.apply(l.server.0, fx);
    }

    pub fn create(&mut self, node: usize, id: DocumentId, doc: AutoCommit) {
        let fx = self.nodes[node].repo.create(id, doc);
        self.apply(node, fx);
    }

    pub fn find(&mut self, node: usize, id: DocumentId) {
        let fx = self.nodes[node].repo.find(id);
        self.apply(node, fx);
    }

    pub fn change(&mut self, node: usize, id: DocumentId, edit: impl FnOnce(&mut AutoCommit)) {
        let ((), fx) = self.nodes[node].repo.change(id, edit).expect("document is open");
        self.apply(node, fx);
    }

    /// Forgets everything a node holds in memory and starts it again from its storage.
    pub fn restart(&mut self, node: usize) {
        let links: Vec<u64> = self.links.iter().filter(|(_, l)| l.client.0 == node || l.server.0 == node).map(|(id, _)| *id).collect();
        for link in links {
            self.disconnect(link);
        }
        let old = &self.nodes[node].repo;
        let config = RepoConfig {
            peer_id: old.peer_id().to_owned(),
            metadata: PeerMetadata::default(),
            announce_to_incoming: !self.nodes[node].relay,
            announce_to_outgoing: true,
            session_id: "restarted".into(),
            persist: true,
            rules: Some(linli_core::participation::SpaceRules::shared()),
        };
        self.nodes[node].repo = Repo::new(config);
        let relay = self.nodes[node].relay;
        self.nodes[node].repo.admit_elsewhere(relay);
        // What was out with the old repo is gone with it (none of it was stored).
        self.jobs.retain(|(n, _)| *n != node);
    }

    /// Runs the storage ops at once (in order), queues the sends, performs the closes.
    pub fn apply(&mut self, node: usize, fx: Effects) {
        let mut work = VecDeque::from([fx]);
        while let Some(fx) = work.pop_front() {
            for op in fx.storage {
                match op {
                    StorageOp::Put { key, data } => {
                        self.nodes[node].storage.insert(key, data);
                    }
                    StorageOp::Delete { key } => {
                        self.nodes[node].storage.remove(&key);
                    }
                    StorageOp::Load { document_id } => {
                        let chunks: Vec<_> = self.nodes[node].storage.iter().filter(|(k, _)| k.document_id == document_id).map(|(k, v)| (k.clone(), v.clone())).collect();
                        work.push_back(self.nodes[node].repo.loaded(document_id, chunks));
                    }
                }
            }
            for (conn, bytes) in fx.sends {
                if let Some((link, to_server)) = self.route(node, conn) {
                    self.queue.push_back((link, to_server, bytes));
                }
            }
            self.nodes[node].events.extend(fx.events);
            self.jobs.extend(fx.admissions.into_iter().map(|job| (node, job)));
            for (conn, reason) in fx.closes {
                self.nodes[node].closed.push((conn, reason));
                if let Some((link, _)) = self.route(node, conn) {
                    self.disconnect(link);
                }
            }
        }
    }

    fn route(&self, node: usize, conn: ConnId) -> Option<(u64, bool)> {
        self.links.iter().find_map(|(id, l)| {
            if l.client == (node, conn) {
                Some((*id, true))
            } else if l.server == (node, conn) {
                Some((*id, false))
            } else {
                None
            }
        })
    }

    fn next_random(&mut self) -> u64 {
        // xorshift64: deterministic for a seed.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }

    /// The links that exist now.
    pub fn links(&self) -> Vec<u64> {
        self.links.keys().copied().collect()
    }

    /// The frame [`Network::deliver_one`] delivers next on an unshuffled network.
    pub fn peek_first(&self) -> Option<Vec<u8>> {
        self.queue.front().map(|(_, _, bytes)| bytes.clone())
    }

    /// Delivers the oldest frame of one link (chosen at random when shuffled). Returns false
    /// when nothing is in flight.
    pub fn deliver_one(&mut self) -> bool {
        if self.finish_a_job() {
            return true;
        }
        if self.queue.is_empty() {
            return false;
        }
        let index = if self.shuffle {
            // Pick a link at random among those with frames in flight, then its oldest frame.
            let pick = self.next_random() as usize % self.queue.len();
            let (link, to_server, _) = self.queue[pick];
            self.queue.iter().position(|(l, t, _)| *l == link && *t == to_server).expect("the picked frame is there")
        } else {
            0
        };
        let repeat = self.duplicate_one_in.is_some_and(|n| self.next_random().is_multiple_of(n));
        let (link, to_server, bytes) = if repeat { self.queue[index].clone() } else { self.queue.remove(index).expect("index in range") };
        if let Some(l) = self.links.get(&link).copied() {
            let (node, conn) = if to_server { l.server } else { l.client };
            if std::env::var("LINLI_SIM_TRACE").is_ok() {
                let from = if to_server { l.client.0 } else { l.server.0 };
                if let Ok(linli_sync::Message::Sync { data, receipts, signatures, member_signatures, .. }) = linli_sync::codec::decode(&bytes)
                    && let Ok(m) = linli_sync::automerge::sync::Message::decode(&data)
                {
                    let short = |h: &[linli_sync::automerge::ChangeHash]| h.iter().map(|h| h.to_string()[..6].to_owned()).collect::<Vec<_>>();
                    eprintln!(
                        "{} -> {}: heads {:?} need {:?} changes {} sigs {} members {} receipts {:?}",
                        self.nodes[from].repo.peer_id(),
                        self.nodes[node].repo.peer_id(),
                        short(&m.heads),
                        short(&m.need),
                        m.changes.len(),
                        signatures.len(),
                        member_signatures.len(),
                        short(&receipts.iter().map(|r| r.hash).collect::<Vec<_>>())
                    );
                }
            }
            let fx = self.nodes[node].repo.received(conn, &bytes);
            self.apply(node, fx);
        }
        true
    }

    /// Delivers up to `max` frames bound for one node in one batch (as a busy relay's hub does:
    /// `begin_batch`, the frames, `end_batch`). Returns false when nothing is in flight.
    pub fn deliver_batch(&mut self, max: usize) -> bool {
        if self.finish_a_job() {
            return true;
        }
        if self.queue.is_empty() {
            return false;
        }
        let first = if self.shuffle { self.next_random() as usize % self.queue.len() } else { 0 };
        let node_of = |links: &BTreeMap<u64, Link>, (link, to_server): (u64, bool)| links.get(&link).map(|l| if to_server { l.server } else { l.client });
        let Some((node, _)) = node_of(&self.links, (self.queue[first].0, self.queue[first].1)) else {
            self.queue.remove(first);
            return true;
        };
        // The oldest frames bound for that node, in queue order (each link stays in order).
        let mut picked = Vec::new();
        let mut index = 0;
        while index < self.queue.len() && picked.len() < max {
            match node_of(&self.links, (self.queue[index].0, self.queue[index].1)) {
                Some((n, conn)) if n == node => {
                    let (_, _, bytes) = self.queue.remove(index).expect("in range");
                    picked.push((conn, bytes));
                }
                _ => index += 1,
            }
        }
        self.nodes[node].repo.begin_batch();
        let mut fx = linli_sync::Effects::default();
        for (conn, bytes) in picked {
            fx.extend(self.nodes[node].repo.received(conn, &bytes));
        }
        fx.extend(self.nodes[node].repo.end_batch());
        self.apply(node, fx);
        true
    }

    /// Finishes the oldest admission out of its repo, if it is its turn: on an unshuffled network
    /// at once, on a shuffled one at random among the frames in flight.
    fn finish_a_job(&mut self) -> bool {
        if self.jobs.is_empty() || self.hold_jobs {
            return false;
        }
        if self.shuffle && !self.queue.is_empty() && !self.next_random().is_multiple_of(self.queue.len() as u64 + 1) {
            return false;
        }
        let (node, mut job) = self.jobs.pop_front().expect("not empty");
        job.run();
        let fx = self.nodes[node].repo.admitted(job);
        self.apply(node, fx);
        true
    }

    /// Finishes every admission `node` has out (so that its documents can be read now).
    #[allow(dead_code, reason = "not every test file reads a relay's copy mid-flight")]
    pub fn finish_jobs_of(&mut self, node: usize) {
        while let Some(at) = self.jobs.iter().position(|(n, _)| *n == node) {
            let (_, mut job) = self.jobs.remove(at).expect("in range");
            job.run();
            let fx = self.nodes[node].repo.admitted(job);
            self.apply(node, fx);
        }
    }

    /// How many admissions are out of their repo.
    #[allow(dead_code, reason = "not every test file holds admissions out")]
    pub fn jobs_out(&self) -> usize {
        self.jobs.len()
    }

    /// Finishes every admission out of its repo.
    #[allow(dead_code, reason = "not every test file counts frames one by one")]
    pub fn finish_jobs(&mut self) {
        for node in 0..self.nodes.len() {
            self.finish_jobs_of(node);
        }
    }

    /// Delivers frames until none are in flight. Returns how many were delivered.
    pub fn run_until_quiet(&mut self) -> usize {
        let mut delivered = 0;
        while self.deliver_one() {
            delivered += 1;
            assert!(delivered < 200_000, "the network never went quiet");
        }
        delivered
    }
}

impl Node {
    pub fn saw(&self, wanted: impl Fn(&RepoEvent) -> bool) -> bool {
        self.events.iter().any(wanted)
    }
}
