//! Which transport carries each of the repo's connections: a relay socket (and the relays
//! waiting out a backoff before the next dial), another tab, or a direct connection the page
//! carries (WebRTC, numbered by the page).

use std::collections::HashMap;

use linli_sync::ConnId;
use linli_view::DirectId;

/// A relay socket as the core knows it.
#[derive(Debug, Clone)]
pub(crate) struct Socket {
    /// The address it was dialled with.
    pub url: String,
    pub open: bool,
    /// Dials in a row that ended without the socket opening (sets the next backoff).
    pub failures: u32,
}

/// What carries a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Carrier {
    Socket,
    Tab(String),
    Direct(DirectId),
}

#[derive(Debug, Default)]
pub(crate) struct Connections {
    last: ConnId,
    pub sockets: HashMap<ConnId, Socket>,
    /// Relays waiting to be dialled again: address → the attempt it will be.
    pub waiting: HashMap<String, u32>,
    tabs: HashMap<ConnId, String>,
    tab_conns: HashMap<String, ConnId>,
    directs: HashMap<ConnId, DirectId>,
    direct_conns: HashMap<DirectId, ConnId>,
}

impl Connections {
    /// A connection number never used before.
    pub fn next(&mut self) -> ConnId {
        self.last += 1;
        self.last
    }

    pub fn carrier(&self, conn: ConnId) -> Option<Carrier> {
        if let Some(id) = self.directs.get(&conn) {
            return Some(Carrier::Direct(*id));
        }
        if let Some(tab) = self.tabs.get(&conn) {
            return Some(Carrier::Tab(tab.clone()));
        }
        self.sockets.contains_key(&conn).then_some(Carrier::Socket)
    }

    /// Whether `conn` reaches a relay (not another tab or a direct connection).
    pub fn is_relay(&self, conn: ConnId) -> bool {
        !self.tabs.contains_key(&conn) && !self.directs.contains_key(&conn)
    }

    pub fn tab_opened(&mut self, tab: &str) -> ConnId {
        let conn = self.next();
        self.tab_conns.insert(tab.to_owned(), conn);
        self.tabs.insert(conn, tab.to_owned());
        conn
    }

    pub fn tab_conn(&self, tab: &str) -> Option<ConnId> {
        self.tab_conns.get(tab).copied()
    }

    /// Forgets the tab behind `conn`.
    pub fn tab_closed(&mut self, conn: ConnId) {
        if let Some(tab) = self.tabs.remove(&conn) {
            self.tab_conns.remove(&tab);
        }
    }

    /// The other tabs connected now: connection and the tab's name.
    pub fn tabs(&self) -> Vec<(ConnId, String)> {
        self.tabs.iter().map(|(conn, tab)| (*conn, tab.clone())).collect()
    }

    pub fn direct_opened(&mut self, id: DirectId) -> ConnId {
        let conn = self.next();
        self.direct_conns.insert(id, conn);
        self.directs.insert(conn, id);
        conn
    }

    pub fn direct_conn(&self, id: DirectId) -> Option<ConnId> {
        self.direct_conns.get(&id).copied()
    }

    /// Forgets a direct connection; returns the connection it was.
    pub fn direct_closed(&mut self, id: DirectId) -> Option<ConnId> {
        let conn = self.direct_conns.remove(&id)?;
        self.directs.remove(&conn);
        Some(conn)
    }

    /// Every open direct connection: its connection and its number.
    pub fn directs(&self) -> Vec<(ConnId, DirectId)> {
        self.directs.iter().map(|(conn, id)| (*conn, *id)).collect()
    }

    /// The connections of sockets dialled to `url`.
    pub fn sockets_to(&self, url: &str) -> Vec<ConnId> {
        self.sockets.iter().filter(|(_, s)| s.url == url).map(|(conn, _)| *conn).collect()
    }
}
