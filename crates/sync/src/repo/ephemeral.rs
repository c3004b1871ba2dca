//! Ephemeral messages (automerge-repo's `ephemeral`): an application payload broadcast to a
//! document's peers (with a proof that the sender may take part, where it can give one), and
//! forwarded once per sender, session and count.

use super::{MAX_EPHEMERAL_SENDERS, Phase, Repo};
use crate::DocumentId;
use crate::capability::protection;
use crate::codec;
use crate::effects::{ConnId, Effects, RepoEvent};
use crate::message::Message;
use crate::refusal_notice;

impl Repo {
    /// Sends `payload` like [`Repo::broadcast_ephemeral`], with a proof that this repo may take
    /// part in the document if it holds (or can open) the document's take-part key
    /// ([`crate::link_proof`]).
    pub fn broadcast_proven_ephemeral(&mut self, document_id: DocumentId, payload: Vec<u8>) -> Effects {
        let data = match self.take_part_key(&document_id) {
            Some(key) => crate::link_proof::prove(&document_id, &key, &payload),
            None => payload,
        };
        self.broadcast_ephemeral(document_id, data)
    }

    /// What an ephemeral message received about a document carries, and whether its sender
    /// proved they may take part in it ([`crate::link_proof`]).
    /// In an open document (no write key) anyone may take part: nothing needs proving.
    pub fn open_ephemeral(&self, document_id: &DocumentId, data: &[u8]) -> crate::link_proof::Opened {
        let entry = self.held(document_id);
        let take_part = entry.and_then(|entry| crate::take_part_key::take_part_protection(&entry.doc));
        let mut opened = crate::link_proof::open(document_id, take_part, data);
        opened.proven |= entry.is_some_and(|entry| entry.phase == Phase::Ready && protection(&entry.doc).is_none());
        opened
    }

    /// Sends an application payload about a document to every peer engaged in it.
    pub fn broadcast_ephemeral(&mut self, document_id: DocumentId, data: Vec<u8>) -> Effects {
        let mut fx = Effects::default();
        let Some(entry) = self.docs.get(&document_id) else { return fx };
        self.ephemeral_count += 1;
        for conn in entry.peers.keys() {
            let Some(target_id) = self.ready_peer(*conn) else { continue };
            let message = Message::Ephemeral {
                sender_id: self.config.peer_id.clone(),
                target_id,
                document_id,
                session_id: self.config.session_id.clone(),
                count: self.ephemeral_count,
                data: data.clone(),
            };
            fx.sends.push((*conn, codec::encode(&message)));
        }
        fx
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn forward_ephemeral(&mut self, from: ConnId, document_id: DocumentId, sender_id: &str, session_id: &str, count: u64, data: &[u8], fx: &mut Effects) {
        // Who sent what is remembered for a bounded number of senders (a flood of made-up
        // senders costs bounded memory; forgetting one only lets a repeat through once).
        if self.ephemeral_seen.len() >= MAX_EPHEMERAL_SENDERS && !self.ephemeral_seen.contains_key(&(sender_id.to_owned(), session_id.to_owned())) {
            self.ephemeral_seen.clear();
        }
        let seen = self.ephemeral_seen.entry((sender_id.to_owned(), session_id.to_owned())).or_insert(0);
        if count <= *seen {
            return;
        }
        *seen = count;
        if let Some((count, reason)) = refusal_notice::decode(data) {
            fx.events.push(RepoEvent::RefusedByPeer { document_id, conn: from, count: count as usize, reason });
            return;
        }
        fx.events.push(RepoEvent::Ephemeral { document_id, sender_id: sender_id.to_owned(), data: data.to_vec() });
        let Some(entry) = self.docs.get(&document_id) else { return };
        for conn in entry.peers.keys().copied().filter(|c| *c != from) {
            let Some(target_id) = self.ready_peer(conn) else { continue };
            let message = Message::Ephemeral { sender_id: sender_id.to_owned(), target_id, document_id, session_id: session_id.to_owned(), count, data: data.to_vec() };
            fx.sends.push((conn, codec::encode(&message)));
        }
    }
}
