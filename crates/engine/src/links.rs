//! The direct (WebRTC) links the page carries for the engine: the page numbers them, the repo
//! knows them as connections.

use std::cell::RefCell;
use std::collections::HashMap;

use linli_sync::ConnId;
use linli_view::LinkId;

/// Link ↔ connection, both ways.
#[derive(Default)]
pub struct Links {
    by_link: RefCell<HashMap<LinkId, ConnId>>,
    by_conn: RefCell<HashMap<ConnId, LinkId>>,
}

impl Links {
    pub fn opened(&self, link: LinkId, conn: ConnId) {
        self.by_link.borrow_mut().insert(link, conn);
        self.by_conn.borrow_mut().insert(conn, link);
    }

    /// The connection of an open link.
    pub fn conn(&self, link: LinkId) -> Option<ConnId> {
        self.by_link.borrow().get(&link).copied()
    }

    /// Forgets a link; returns the connection it was.
    pub fn closed(&self, link: LinkId) -> Option<ConnId> {
        let conn = self.by_link.borrow_mut().remove(&link)?;
        self.by_conn.borrow_mut().remove(&conn);
        Some(conn)
    }

    /// The link behind a connection, if it is one.
    pub fn link(&self, conn: ConnId) -> Option<LinkId> {
        self.by_conn.borrow().get(&conn).copied()
    }

    pub fn owns(&self, conn: ConnId) -> bool {
        self.by_conn.borrow().contains_key(&conn)
    }

    /// Every open link: its connection and its number.
    pub fn connections(&self) -> Vec<(ConnId, LinkId)> {
        self.by_conn.borrow().iter().map(|(conn, link)| (*conn, *link)).collect()
    }
}
