//! Connections, the network's side: a connection opened (for every document or for some only),
//! a document carried over it, its frames received, and a connection closed and forgotten.

use super::{Connection, Direction, PeerDoc, Phase, Repo};
use crate::DocumentId;
use crate::codec;
use crate::codec::DecodeError;
use crate::effects::{CloseReason, ConnId, Effects, RepoEvent};
use crate::message::{Message, PROTOCOL_V1, PeerId};
use std::collections::HashSet;

impl Repo {
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

    pub(super) fn close(&mut self, conn: ConnId, reason: CloseReason, fx: &mut Effects) {
        if self.connections.contains_key(&conn) {
            fx.closes.push((conn, reason));
            self.forget_connection(conn, fx);
        }
    }

    pub(super) fn forget_connection(&mut self, conn: ConnId, fx: &mut Effects) {
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
    pub(super) fn ready_peer(&self, conn: ConnId) -> Option<PeerId> {
        self.connections.get(&conn).and_then(|c| c.peer_id.clone())
    }

    /// Whether `conn` may carry the document (see [`Repo::connected_for`]).
    pub(super) fn carries(&self, conn: ConnId, document_id: &DocumentId) -> bool {
        self.connections.get(&conn).is_some_and(|c| c.only.as_ref().is_none_or(|only| only.contains(document_id)))
    }

    pub(super) fn announces_to(&self, conn: ConnId) -> bool {
        match self.connections.get(&conn).map(|c| c.direction) {
            Some(Direction::Incoming) => self.config.announce_to_incoming,
            Some(Direction::Outgoing) => self.config.announce_to_outgoing,
            None => false,
        }
    }
}
