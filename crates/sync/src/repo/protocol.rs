//! The protocol's messages as they arrive: the handshake, a document's sync, request and
//! unavailable messages, changes admitted or refused, and the sync messages and announcements
//! sent in answer.

use super::{Direction, DocEntry, PeerDoc, PeerDocStatus, Phase, Repo, RepoError};
use crate::DocumentId;
use crate::admission::{Judge, Offered};
use crate::admission_job::{AdmissionJob, Applied, Held};
use crate::capability::{ChangeSignature, key_has_moved};
use crate::codec;
use crate::contain::contain;
use crate::effects::{CloseReason, ConnId, Effects, RepoEvent, StorageOp};
use crate::home_relay::{Receipt, home};
use crate::keyring::Access;
use crate::member_key::{MemberKey, MemberSignature};
use crate::message::{Message, PROTOCOL_V1, PeerId};
use crate::refusal_notice;
use crate::signature_book::SignatureBook;
use crate::take_part_key::participate_key_moved;
use crate::vouching::{covering_member_signatures, covering_receipts, covering_signatures};
use automerge::sync::SyncDoc;
use automerge::{AutoCommit, ChangeHash, sync};
use std::collections::HashSet;

impl Repo {
    pub(super) fn handle_message(&mut self, conn: ConnId, message: Message, fx: &mut Effects) {
        let connection = &self.connections[&conn];
        match (&message, connection.direction, &connection.peer_id) {
            (Message::Join { sender_id, supported_protocol_versions, .. }, Direction::Incoming, None) => {
                let speaks_v1 = supported_protocol_versions.as_ref().is_none_or(|v| v.iter().any(|v| v == PROTOCOL_V1));
                if !speaks_v1 {
                    let error = Message::Error { sender_id: self.config.peer_id.clone(), target_id: Some(sender_id.clone()), message: "unsupported protocol version".into() };
                    fx.sends.push((conn, codec::encode(&error)));
                    self.close(conn, CloseReason::UnsupportedVersion, fx);
                    return;
                }
                let earlier: Vec<ConnId> =
                    self.connections.iter().filter(|(other, c)| **other != conn && c.peer_id.as_deref() == Some(sender_id)).map(|(other, _)| *other).collect();
                for other in earlier {
                    self.close(other, CloseReason::Replaced, fx);
                }
                let peer = Message::Peer {
                    sender_id: self.config.peer_id.clone(),
                    target_id: sender_id.clone(),
                    peer_metadata: self.config.metadata.clone(),
                    selected_protocol_version: PROTOCOL_V1.into(),
                };
                fx.sends.push((conn, codec::encode(&peer)));
                self.peer_ready(conn, sender_id.clone(), fx);
            }
            (Message::Peer { sender_id, peer_metadata, .. }, Direction::Outgoing, None) => {
                let relay_key = peer_metadata.relay_key;
                if let Some(connection) = self.connections.get_mut(&conn) {
                    connection.relay_key = relay_key;
                }
                self.peer_ready(conn, sender_id.clone(), fx);
                if relay_key.is_some() {
                    let mut ids: Vec<DocumentId> = self.docs.keys().copied().collect();
                    ids.sort();
                    for document_id in ids {
                        self.name_home(document_id, fx);
                    }
                }
            }
            (Message::Error { message, .. }, _, _) => {
                self.close(conn, CloseReason::RemoteError(message.clone()), fx);
            }
            (Message::Leave { .. }, _, _) => {}
            (_, _, None) => {
                self.close(conn, CloseReason::Protocol(format!("`{}` before the handshake", message.type_name())), fx);
            }
            (Message::Join { .. } | Message::Peer { .. }, _, Some(_)) => {}
            (_, _, Some(peer_id)) => {
                // A message must come from the peer that joined on this connection, except an
                // ephemeral one: relays pass those on under their original sender.
                if message.sender_id() == peer_id || matches!(message, Message::Ephemeral { .. }) {
                    self.handle_doc_message(conn, message, fx);
                }
            }
        }
    }

    pub(super) fn peer_ready(&mut self, conn: ConnId, peer_id: PeerId, fx: &mut Effects) {
        if let Some(connection) = self.connections.get_mut(&conn) {
            connection.peer_id = Some(peer_id.clone());
        }
        fx.events.push(RepoEvent::PeerConnected { conn, peer_id });
        self.send_cut_asks(fx);
        if !self.announces_to(conn) {
            return;
        }
        let mut ids: Vec<DocumentId> = self.docs.keys().copied().filter(|d| self.carries(conn, d)).collect();
        ids.sort();
        for document_id in ids {
            match self.docs[&document_id].phase {
                Phase::Ready => {
                    self.docs.get_mut(&document_id).expect("listed").peers.entry(conn).or_insert_with(PeerDoc::new);
                    self.send_sync(document_id, conn, fx);
                }
                Phase::Requesting | Phase::Unavailable => self.resolve_availability(document_id, fx),
                Phase::Loading => {}
            }
        }
    }

    pub(super) fn handle_doc_message(&mut self, conn: ConnId, message: Message, fx: &mut Effects) {
        let Some(document_id) = message.document_id() else { return };
        if !self.connections.contains_key(&conn) || !self.carries(conn, &document_id) {
            return;
        }
        if let Message::Ephemeral { sender_id, session_id, count, data, .. } = &message {
            self.forward_ephemeral(conn, document_id, sender_id, session_id, *count, data, fx);
            return;
        }
        if let Message::CutAsk { .. } | Message::CutAnswer { .. } = message {
            return self.receive_cut_message(conn, message, fx);
        }
        if let Message::RemoteSubscriptionChange { .. } | Message::RemoteHeadsChanged { .. } = message {
            // Heads gossip is optional in the protocol and off by default: not used here.
            return;
        }
        let entry = match self.docs.get_mut(&document_id) {
            Some(entry) => entry,
            None => {
                self.docs.insert(document_id, DocEntry::loading());
                fx.storage.push(StorageOp::Load { document_id });
                self.docs.get_mut(&document_id).expect("just inserted")
            }
        };
        if entry.phase == Phase::Loading || entry.out.is_some() {
            entry.pending.push((conn, message));
            return;
        }
        match message {
            Message::Request { data, .. } => self.receive_sync(conn, document_id, &data, Offered { write: &[], member: &[], receipts: &[] }, true, fx),
            Message::Sync { data, signatures, member_signatures, receipts, .. } => {
                self.receive_sync(conn, document_id, &data, Offered { write: &signatures, member: &member_signatures, receipts: &receipts }, false, fx)
            }
            Message::DocUnavailable { .. } => {
                if let Some(peer) = entry.peers.get_mut(&conn) {
                    peer.status = PeerDocStatus::Unavailable;
                }
                self.resolve_availability(document_id, fx);
            }
            _ => {}
        }
    }

    pub(super) fn receive_sync(&mut self, conn: ConnId, document_id: DocumentId, data: &[u8], offered: Offered<'_>, is_request: bool, fx: &mut Effects) {
        let message = match contain(|| sync::Message::decode(data)) {
            Ok(Ok(message)) => message,
            Ok(Err(error)) => return self.close(conn, CloseReason::BadData(error.to_string()), fx),
            Err(panic) => return self.close(conn, CloseReason::BadData(panic.to_string()), fx),
        };
        let rules = self.config.rules.clone();
        let judge = Judge { document_id, rules: rules.as_ref().map(|r| r.0.as_ref()), relay: self.relay_key.as_ref(), me: self.keys.member().map(MemberKey::public) };
        // An answer to this peer may be waiting for the end of the batch. Automerge, seeing a
        // message whose heads equal ours, records those heads as told to the peer, and the
        // waiting answer would then be dropped: the peer would never hear that we hold the
        // changes it sent earlier in the batch. What we told it stays as it was until we answer.
        let answer_waiting = self.batch.as_ref().is_some_and(|b| b.to_sync.contains(&(document_id, conn)));
        let entry = self.docs.get_mut(&document_id).expect("caller checked");
        let peer = entry.peers.entry(conn).or_insert_with(PeerDoc::new);
        let told_before = answer_waiting.then(|| peer.sync.last_sent_heads.clone());
        if is_request {
            peer.status = PeerDocStatus::Wants;
        }
        if !message.heads.is_empty() {
            peer.status = PeerDocStatus::Has;
        }
        if !message.changes.is_empty() && self.admit_elsewhere {
            // The costly part goes out with the document; `admitted` finishes what follows.
            self.tickets += 1;
            let job = AdmissionJob {
                ticket: self.tickets,
                document_id,
                conn,
                doc: std::mem::take(&mut entry.doc),
                peer: std::mem::replace(&mut peer.sync, sync::State::new()),
                signatures: std::mem::take(&mut entry.signatures),
                remembered: std::mem::take(&mut entry.admission),
                message: Some(message),
                write: offered.write.to_vec(),
                member: offered.member.to_vec(),
                receipts: offered.receipts.to_vec(),
                relay: self.relay_key.clone(),
                me: self.keys.member().map(MemberKey::public),
                rules: self.config.rules.clone(),
                told_before,
                applied: None,
            };
            entry.out = Some(self.tickets);
            fx.admissions.push(job);
            return;
        }
        let held = Held { doc: &mut entry.doc, peer: &mut peer.sync, signatures: &mut entry.signatures, remembered: &mut entry.admission };
        let applied = crate::admission_job::apply(held, message, offered, judge);
        if let Some(told) = told_before {
            peer.sync.last_sent_heads = told;
        }
        self.finish_sync(conn, document_id, applied, fx);
    }

    /// What follows admitting a sync message's changes: say what was refused, close on bad data,
    /// and tell the peers what changed (or answer the sender).
    pub(super) fn finish_sync(&mut self, conn: ConnId, document_id: DocumentId, applied: Applied, fx: &mut Effects) {
        let Applied { outcome: applied, refused, before, carried_changes } = applied;
        let Some(entry) = self.docs.get_mut(&document_id) else { return };
        let after = entry.doc.get_heads();
        let peer_wants = entry.peers.get(&conn).is_some_and(|peer| peer.status == PeerDocStatus::Wants);
        // Whether the peer shares our history: its heads are in our copy, or the heads it last
        // synced with us at are, or a change it passed on that we refuse builds on ours (it made
        // changes of its own since, and passed on, beside them, others' changes we refuse: we
        // must answer to hear of its own).
        let (their_heads, their_last_sync): (Vec<ChangeHash>, Vec<ChangeHash>) = entry
            .peers
            .get(&conn)
            .map(|peer| {
                let heads = peer.sync.their_heads.clone().unwrap_or_default();
                let last_sync = peer.sync.their_have.iter().flatten().flat_map(|have| have.last_sync.iter().copied()).collect();
                (heads, last_sync)
            })
            .unwrap_or_default();
        let shares_history = their_heads.iter().chain(&their_last_sync).any(|head| entry.doc.get_change_meta_by_hash(head).is_some())
            || refused.iter().any(|r| entry.admission.refused_builds_on(&mut entry.doc, &r.change));
        let phase = entry.phase;
        if let Some(first) = refused.first() {
            let reason = first.reason.clone();
            fx.events.push(RepoEvent::ChangesRefused { document_id, conn, count: refused.len(), reason: reason.clone() });
            self.tell_refused(conn, document_id, refused.len(), &reason, fx);
        }
        match applied {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                self.close(conn, CloseReason::BadData(error), fx);
                // Changes admitted before the error are in the document but not stored: start
                // again from storage, which holds everything acknowledged.
                if after != before {
                    self.poison(document_id, fx);
                }
                return;
            }
            Err(panic) => {
                self.close(conn, CloseReason::BadData(panic.to_string()), fx);
                return self.poison(document_id, fx);
            }
        }
        if after != before {
            self.docs.get_mut(&document_id).expect("caller checked").phase = Phase::Ready;
            let event = if before.is_empty() { RepoEvent::DocReady { document_id } } else { RepoEvent::DocChanged { document_id } };
            fx.events.push(event);
            self.after_change(document_id, fx);
            self.announce(document_id, fx);
            return;
        }
        // Answer, unless the peer wants what we do not have: then it hears `doc-unavailable`
        // (or the document, should it arrive later). A message with changes we refused, from a
        // peer whose heads are none of ours, gets no answer (the refusal notice went): our heads,
        // unchanged, would tell a peer that holds another document under this ID that we lost
        // ours, and Automerge would have it send the same changes again, for ever. A peer whose
        // heads we hold is answered: it may have passed on others' changes it holds back (in a
        // space with a home relay), and it needs our heads to hear of what we have and it lacks.
        let all_refused = carried_changes && !refused.is_empty() && !shares_history;
        if (phase == Phase::Ready || !peer_wants) && !all_refused {
            self.send_sync(document_id, conn, fx);
        }
        self.forward_awaiting(document_id, conn, fx);
        if phase != Phase::Ready {
            self.resolve_availability(document_id, fx);
        }
    }

    /// Passes changes that wait for the home relay's receipt on to the other peers of the
    /// document that have not had them (towards the home, which may be reached only through
    /// them), and the home's receipts for our heads to the peers not yet told (a receipt may
    /// arrive for a change we hold already, and a peer may be waiting for it).
    pub(super) fn forward_awaiting(&mut self, document_id: DocumentId, except: ConnId, fx: &mut Effects) {
        let Some(entry) = self.docs.get_mut(&document_id) else { return };
        if entry.phase != Phase::Ready || home(&entry.doc).is_none() {
            return;
        }
        let (doc, signatures, admission) = (&mut entry.doc, &entry.signatures, &entry.admission);
        let targets: Vec<ConnId> = entry
            .peers
            .iter()
            .filter(|(conn, peer)| **conn != except && (admission.has_unforwarded(&peer.forwarded) || Self::has_untold_receipts(doc, signatures, peer)))
            .map(|(conn, _)| *conn)
            .collect();
        for conn in targets {
            self.send_sync(document_id, conn, fx);
        }
    }

    /// Whether we hold a home receipt for one of our heads that `peer` was not given.
    pub(super) fn has_untold_receipts(doc: &mut AutoCommit, signatures: &SignatureBook, peer: &PeerDoc) -> bool {
        doc.get_heads().iter().any(|head| !peer.receipts_told.contains(head) && signatures.receipt(head).is_some())
    }

    /// Tells the peer on `conn` that some of its changes were refused, and why, in an ephemeral
    /// message (`refusal_notice`): protocol "1" has no error that leaves a connection open, and
    /// the device that made a change should say what became of it.
    pub(super) fn tell_refused(&mut self, conn: ConnId, document_id: DocumentId, count: usize, reason: &str, fx: &mut Effects) {
        let Some(target_id) = self.ready_peer(conn) else { return };
        self.ephemeral_count += 1;
        let message = Message::Ephemeral {
            sender_id: self.config.peer_id.clone(),
            target_id,
            document_id,
            session_id: self.config.session_id.clone(),
            count: self.ephemeral_count,
            data: refusal_notice::encode(count, reason),
        };
        fx.sends.push((conn, codec::encode(&message)));
    }

    /// Names the relay we dialled the document's home relay (`home_relay`), if this repo holds
    /// the document's write key, the document names none yet, and that relay announced its key
    /// and carries every document (the device's own relay, not another space's it dialled for a
    /// link): an organiser's device does this for every space it brings to a Linli relay, the
    /// first time, so that a take-part link's holder cannot split the space (see `home_relay`).
    pub(super) fn name_home(&mut self, document_id: DocumentId, fx: &mut Effects) {
        if self.homeless.contains(&document_id) || self.access(&document_id) != Access::Edit {
            return;
        }
        let Some(entry) = self.docs.get(&document_id) else { return };
        if entry.phase != Phase::Ready || home(&entry.doc).is_some() {
            return;
        }
        let relay = self.connections.values().find(|c| c.direction == Direction::Outgoing && c.peer_id.is_some() && c.only.is_none() && c.relay_key.is_some());
        let Some(key) = relay.and_then(|c| c.relay_key) else { return };
        match self.change(document_id, |doc| crate::home_relay::set_home(doc, key)) {
            Ok(((), more)) => fx.extend(more),
            Err(RepoError::Refused(_)) => {
                self.homeless.insert(document_id);
            }
            Err(_) => {}
        }
    }

    /// Offers the document to every ready connection we announce to.
    pub(super) fn announce(&mut self, document_id: DocumentId, fx: &mut Effects) {
        self.name_home(document_id, fx);
        let targets: Vec<ConnId> = self.connections.keys().copied().filter(|c| self.ready_peer(*c).is_some() && self.announces_to(*c) && self.carries(*c, &document_id)).collect();
        for conn in targets {
            let entry = self.docs.get_mut(&document_id).expect("caller checked");
            if let std::collections::btree_map::Entry::Vacant(e) = entry.peers.entry(conn) {
                e.insert(PeerDoc::new());
                self.send_sync(document_id, conn, fx);
            }
        }
    }

    /// Sends the next Automerge sync message for the document to one connection, if there is one.
    pub(super) fn send_sync(&mut self, document_id: DocumentId, conn: ConnId, fx: &mut Effects) {
        if let Some(entry) = self.docs.get_mut(&document_id)
            && entry.out.is_some()
        {
            entry.deferred.insert(conn);
            return;
        }
        if let Some(batch) = &mut self.batch
            && self.docs.get(&document_id).is_some_and(|e| e.phase == Phase::Ready)
        {
            batch.to_sync.insert((document_id, conn));
            return;
        }
        let Some(target_id) = self.ready_peer(conn) else { return };
        let sender_id = self.config.peer_id.clone();
        let entry = self.docs.get_mut(&document_id).expect("caller checked");
        let Some(peer) = entry.peers.get_mut(&conn) else { return };
        let sent_before = (!entry.signatures.is_empty()).then(|| peer.sync.sent_hashes.clone());
        let home = home(&entry.doc);
        if home.is_some() && (entry.admission.has_unforwarded(&peer.forwarded) || Self::has_untold_receipts(&mut entry.doc, &entry.signatures, peer)) {
            // Changes waiting for the home relay's receipt, and its receipts, go on even when
            // Automerge has nothing to say: it speaks when our heads differ from what it last told.
            peer.sync.last_sent_heads.clear();
        }
        let Some(mut message) = entry.doc.sync().generate_sync_message(&mut peer.sync) else { return };
        entry.admission.ask_for_missing(&mut entry.doc, &mut message.need);
        // Changes that wait for the home relay's receipt go on towards it, once to each peer.
        let (mut forwarded_write, mut forwarded_member) = (Vec::new(), Vec::new());
        if home.is_some() {
            let mut extra: Vec<Vec<u8>> = Vec::new();
            for (change, write, member) in entry.admission.awaiting_receipt() {
                if peer.forwarded.insert(change.hash()) {
                    extra.push(change.raw_bytes().to_vec());
                    forwarded_write.extend(*write);
                    forwarded_member.extend(*member);
                }
            }
            if !extra.is_empty() {
                let mut changes: Vec<Vec<u8>> = message.changes.iter().map(|c| c.to_vec()).collect();
                changes.extend(extra);
                message.changes = changes.into();
            }
        }
        let bare = message.changes.is_empty().then(|| (message.heads.clone(), peer.sync.their_heads.clone(), message.need.clone()));
        let data = message.encode();
        // The signatures that vouch for the changes this message carries travel with it: the
        // fewest that cover them, or, once the key has moved, every one (a change that moved the
        // key needs its own signature under the key before).
        // Member signatures cover each member's own chain (see `vouching`).
        let (signatures, member_signatures): (Vec<ChangeSignature>, Vec<MemberSignature>) = match &sent_before {
            Some(before) => {
                let sent: HashSet<ChangeHash> = peer.sync.sent_hashes.difference(before).copied().collect();
                let write = if key_has_moved(&entry.doc) {
                    sent.iter().filter_map(|hash| entry.signatures.get(hash)).collect()
                } else {
                    covering_signatures(&mut entry.doc, &sent, &entry.signatures)
                };
                // Likewise for member signatures once the take-part key moved under itself.
                let member = if participate_key_moved(&entry.doc) {
                    sent.iter().filter_map(|hash| entry.signatures.member(hash)).collect()
                } else {
                    covering_member_signatures(&mut entry.doc, &sent, &entry.signatures)
                };
                (write, member)
            }
            None => (Vec::new(), Vec::new()),
        };
        let (mut signatures, mut member_signatures) = (signatures, member_signatures);
        signatures.extend(forwarded_write);
        member_signatures.extend(forwarded_member);
        // The home relay's receipts: those covering the changes sent, and one for each head not
        // yet told to this peer (the peer may hold our changes already, without their receipt,
        // and need it to pass them on). The home relay itself gives them as it sends.
        let mut receipts: Vec<Receipt> = Vec::new();
        if let Some(home) = home {
            if let Some(relay) = self.relay_key.as_ref().filter(|key| key.public() == home) {
                for head in entry.doc.get_heads() {
                    if entry.signatures.receipt(&head).is_none() {
                        entry.signatures.insert_receipt(relay.receipt(head));
                    }
                }
            }
            if let Some(before) = &sent_before {
                let sent: HashSet<ChangeHash> = peer.sync.sent_hashes.difference(before).copied().collect();
                receipts = covering_receipts(&mut entry.doc, &sent, &entry.signatures);
            }
            for head in entry.doc.get_heads() {
                if let Some(receipt) = entry.signatures.receipt(&head)
                    && peer.receipts_told.insert(head)
                    && !receipts.contains(&receipt)
                {
                    receipts.push(receipt);
                }
            }
        }
        // Automerge answers every message while the two sides' heads differ, and in a homed space
        // they may differ for as long as each side holds back a change of the other's, waiting for
        // the home's receipt: the same bare message again tells the peer nothing, so it is not sent
        // (anything new, on either side, makes the next one differ).
        if bare.is_some() && signatures.is_empty() && member_signatures.is_empty() && receipts.is_empty() {
            if peer.last_bare == bare {
                return;
            }
            peer.last_bare = bare;
        } else {
            peer.last_bare = None;
        }
        let message = if entry.phase != Phase::Ready && peer.status == PeerDocStatus::Unknown {
            peer.status = PeerDocStatus::Asked;
            Message::Request { sender_id, target_id, document_id, data }
        } else {
            Message::Sync { sender_id, target_id, document_id, data, signatures, member_signatures, receipts }
        };
        fx.sends.push((conn, codec::encode(&message)));
    }

    /// For a document with no content: ask the peers we may ask, and once none of them can help,
    /// call it unavailable and tell whoever asked us.
    pub(super) fn resolve_availability(&mut self, document_id: DocumentId, fx: &mut Effects) {
        let Some(entry) = self.docs.get(&document_id) else { return };
        if !matches!(entry.phase, Phase::Requesting | Phase::Unavailable) {
            return;
        }
        let askable: Vec<ConnId> = self
            .connections
            .keys()
            .copied()
            .filter(|c| self.ready_peer(*c).is_some() && self.announces_to(*c) && self.carries(*c, &document_id))
            .filter(|c| entry.peers.get(c).is_none_or(|p| p.status == PeerDocStatus::Unknown))
            .collect();
        for conn in askable {
            self.docs.get_mut(&document_id).expect("listed").peers.entry(conn).or_insert_with(PeerDoc::new);
            self.send_sync(document_id, conn, fx);
        }
        let entry = self.docs.get_mut(&document_id).expect("listed");
        let waiting = entry.peers.values().any(|p| matches!(p.status, PeerDocStatus::Asked | PeerDocStatus::Has));
        if waiting {
            entry.phase = Phase::Requesting;
            return;
        }
        let newly_unavailable = entry.phase != Phase::Unavailable;
        entry.phase = Phase::Unavailable;
        if newly_unavailable && entry.wanted {
            fx.events.push(RepoEvent::DocUnavailable { document_id });
        }
        let wanting: Vec<ConnId> = entry.peers.iter().filter(|(_, p)| p.status == PeerDocStatus::Wants).map(|(c, _)| *c).collect();
        for conn in wanting {
            let Some(target_id) = self.ready_peer(conn) else { continue };
            let message = Message::DocUnavailable { sender_id: self.config.peer_id.clone(), target_id, document_id };
            fx.sends.push((conn, codec::encode(&message)));
            let entry = self.docs.get_mut(&document_id).expect("listed");
            if let Some(peer) = entry.peers.get_mut(&conn) {
                peer.status = PeerDocStatus::Unavailable;
            }
        }
    }
}
