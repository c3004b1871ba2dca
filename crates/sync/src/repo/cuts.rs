//! Asking the home relay for a cut, and answering as one (see `home_cut`).
//!
//! A device asks with [`Repo::ask_cut`]; the ask waits until a connection to the document's home
//! relay is ready, goes out once per connection, and is kept until a valid answer comes
//! ([`RepoEvent::CutGiven`]). A relay repo reports each ask ([`RepoEvent::CutAsked`]); its driver
//! looks in its heads log and answers with [`Repo::answer_cut`].

use automerge::ChangeHash;

use super::Repo;
use crate::DocumentId;
use crate::codec;
use crate::effects::{ConnId, Effects, RepoEvent};
use crate::home_relay::home;
use crate::message::Message;

/// One cut asked for and not yet answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CutAsked {
    pub document_id: DocumentId,
    /// The moment (ms, the relay's clock); `None`: now.
    pub at: Option<u64>,
    /// The connection it went out on, while that connection lasts.
    pub sent_on: Option<ConnId>,
}

impl Repo {
    /// Asks the document's home relay what its copy held at `at` (`None`: now), as soon as a
    /// connection to it is ready. The answer comes as [`RepoEvent::CutGiven`]. Asking again for
    /// what is being asked does nothing.
    pub fn ask_cut(&mut self, document_id: DocumentId, at: Option<u64>) -> Effects {
        let mut fx = Effects::default();
        if !self.cut_asks.iter().any(|a| a.document_id == document_id && a.at == at) {
            self.cut_asks.push(CutAsked { document_id, at, sent_on: None });
        }
        self.send_cut_asks(&mut fx);
        fx
    }

    /// Whether a cut of the document is being asked for.
    pub fn asking_cut(&self, document_id: &DocumentId) -> bool {
        self.cut_asks.iter().any(|a| a.document_id == *document_id)
    }

    /// Answers a cut ask (a relay's driver, from its heads log): `heads` is what this relay's copy
    /// held at `at`, or `None` when its log does not reach back that far. Does nothing in a repo
    /// that is no relay.
    pub fn answer_cut(&mut self, conn: ConnId, document_id: DocumentId, at: u64, heads: Option<Vec<ChangeHash>>) -> Effects {
        let mut fx = Effects::default();
        let (Some(key), Some(target_id)) = (self.relay_key.as_ref(), self.ready_peer(conn)) else { return fx };
        let cut = heads.map(|heads| key.cut(&document_id, at, heads));
        let answer = Message::CutAnswer { sender_id: self.config.peer_id.clone(), target_id, document_id, at, cut };
        fx.sends.push((conn, codec::encode(&answer)));
        fx
    }

    /// Sends each waiting ask on a ready connection to its document's home relay.
    pub(super) fn send_cut_asks(&mut self, fx: &mut Effects) {
        for index in 0..self.cut_asks.len() {
            let ask = &self.cut_asks[index];
            if ask.sent_on.is_some_and(|conn| self.connections.contains_key(&conn)) {
                continue;
            }
            let Some(home) = self.docs.get(&ask.document_id).and_then(|entry| home(&entry.doc)) else { continue };
            let relay = self.connections.iter().find(|(_, c)| c.peer_id.is_some() && c.relay_key == Some(home)).map(|(conn, c)| (*conn, c.peer_id.clone()));
            let Some((conn, Some(target_id))) = relay else { continue };
            let message = Message::CutAsk { sender_id: self.config.peer_id.clone(), target_id, document_id: ask.document_id, at: ask.at };
            fx.sends.push((conn, codec::encode(&message)));
            self.cut_asks[index].sent_on = Some(conn);
        }
    }

    /// A cut message from a ready peer: an ask (a relay reports it) or an answer (taken only from
    /// the document's home relay, and only signed by it).
    pub(super) fn receive_cut_message(&mut self, conn: ConnId, message: Message, fx: &mut Effects) {
        match message {
            Message::CutAsk { document_id, at, .. } if self.relay_key.is_some() => {
                fx.events.push(RepoEvent::CutAsked { conn, document_id, at });
            }
            Message::CutAnswer { document_id, at, cut, .. } => {
                let Some(home) = self.docs.get(&document_id).and_then(|entry| home(&entry.doc)) else { return };
                let from_home = self.connections.get(&conn).is_some_and(|c| c.relay_key == Some(home));
                if !from_home || cut.as_ref().is_some_and(|cut| cut.at != at || !cut.is_valid_under(&home, &document_id)) {
                    return;
                }
                let asked = self.cut_asks.iter().position(|a| a.document_id == document_id && a.at == Some(at));
                let asked = asked.or_else(|| self.cut_asks.iter().position(|a| a.document_id == document_id && a.at.is_none() && a.sent_on == Some(conn)));
                let Some(asked) = asked else { return };
                let asked = self.cut_asks.remove(asked);
                fx.events.push(RepoEvent::CutGiven { document_id, asked: asked.at, at, cut });
            }
            _ => {}
        }
    }
}
