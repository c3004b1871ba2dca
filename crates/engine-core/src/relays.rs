//! Relay sockets, decided here and opened by the worker: dial, hand frames to the repo, dial
//! again with a growing backoff when a socket closes, at once when the network comes back, and
//! keep the page's relay badge (online, offline, last heard) true.

use linli_sync::{ConnId, Direction};
use linli_view::{FromEngine, RelayStatus};

use crate::connections::Socket;
use crate::engine_core::EngineCore;
use crate::io::{Output, Wake};

/// Longest wait between two attempts to reach a relay.
pub(crate) const MAX_BACKOFF_MS: u32 = 30_000;
/// How often the page hears that a relay is still talking.
pub(crate) const HEARD_EVERY_MS: i64 = 5_000;

/// How long to wait before dial number `attempt` (1 after the first close) of a relay.
pub(crate) fn backoff_ms(attempt: u32) -> u32 {
    (500u32 << attempt.min(6)).min(MAX_BACKOFF_MS)
}

impl EngineCore {
    /// Dials `url` (the `attempt`-th time in a row).
    pub(crate) fn dial(&mut self, url: String, attempt: u32) {
        let conn = self.connections.next();
        self.connections.sockets.insert(conn, Socket { url: url.clone(), open: false, failures: attempt });
        self.emit(Output::Dial { conn, url });
    }

    pub(crate) fn socket_opened(&mut self, conn: ConnId) {
        let Some(socket) = self.connections.sockets.get_mut(&conn) else { return };
        socket.open = true;
        socket.failures = 0;
        let url = socket.url.clone();
        // A relay dialled only for linked spaces carries their links' documents alone.
        let only = self.relay_scope(&url);
        let fx = self.repo.connected_for(conn, Direction::Outgoing, only);
        self.apply(fx);
    }

    pub(crate) fn socket_frame(&mut self, conn: ConnId, bytes: &[u8]) {
        if !self.connections.sockets.contains_key(&conn) {
            return;
        }
        self.heard_from_relay();
        let fx = self.repo.received(conn, bytes);
        self.apply(fx);
    }

    /// A socket closed: the repo forgets the connection, the badge follows, and the relay is
    /// dialled again after a backoff.
    pub(crate) fn socket_closed(&mut self, conn: ConnId) {
        let Some(socket) = self.connections.sockets.remove(&conn) else { return };
        let fx = self.repo.disconnected(conn);
        self.apply(fx);
        // Offline only when no relay is left: a socket to a wrong address (a bad invitation's
        // relay, say) says nothing about this space's own relay.
        self.recount_relays();
        let attempt = socket.failures + 1;
        self.connections.waiting.insert(socket.url.clone(), attempt);
        self.emit(Output::Timer { after_ms: backoff_ms(attempt), wake: Wake::Redial { url: socket.url, attempt } });
    }

    /// The socket could not even be made (an address the browser refuses; the worker said why in
    /// the console): forgotten, not retried.
    pub(crate) fn dial_failed(&mut self, conn: ConnId) {
        self.connections.sockets.remove(&conn);
    }

    /// A backoff ran out: dial again, unless the relay was dialled since (the network came back).
    pub(crate) fn redial(&mut self, url: String, attempt: u32) {
        if self.connections.waiting.get(&url) == Some(&attempt) {
            self.connections.waiting.remove(&url);
            self.dial(url, attempt);
        }
    }

    /// Follows the browser's idea of the network (the page tells it): when it comes back,
    /// relays waiting out a backoff are dialled at once; when it goes, the badge says so without
    /// waiting for a timeout.
    pub(crate) fn network_changed(&mut self, online: bool) {
        if !online {
            return self.relay_status(RelayStatus::Offline);
        }
        // A socket that stayed open while the browser was offline is a relay connected now.
        self.recount_relays();
        let mut waiting: Vec<(String, u32)> = self.connections.waiting.drain().collect();
        waiting.sort();
        for (url, attempt) in waiting {
            self.dial(url, attempt);
        }
    }

    /// The badge: online while any relay is connected.
    pub(crate) fn recount_relays(&mut self) {
        let online = self.repo.peers().iter().any(|(conn, _)| self.connections.is_relay(*conn));
        self.relay_status(if online { RelayStatus::Online } else { RelayStatus::Offline });
    }

    /// Tells the page the relay badge, if it changed.
    pub(crate) fn relay_status(&mut self, status: RelayStatus) {
        if std::mem::replace(&mut self.relay_status, status) != status {
            self.emit(Output::Page(FromEngine::Relays { status, last_heard: None }));
        }
    }

    /// A relay sent something: the page hears it (at most every few seconds).
    fn heard_from_relay(&mut self) {
        let now = self.now.0;
        if self.last_heard_told.is_none_or(|told| now - told >= HEARD_EVERY_MS) {
            self.last_heard_told = Some(now);
            self.emit(Output::Page(FromEngine::Relays { status: self.relay_status, last_heard: Some(self.now) }));
        }
    }
}
