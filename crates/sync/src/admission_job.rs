//! Admitting a peer's changes to one document away from the repo: the costly part of a sync
//! message (judging its changes, applying them, checking they can be saved), lifted out with the
//! document so that a driver can run it on another thread while the repo goes on serving every
//! other document.
//!
//! A relay serves many spaces from one repo. Admitting one change can take tens of milliseconds
//! on a large space (BENCHMARKS.md); done in the repo's own turn, a flood of such changes to one
//! space would hold up every other space's sync behind it. With [`crate::Repo::admit_elsewhere`]
//! the repo hands the document out in an [`AdmissionJob`] instead: the driver runs
//! [`AdmissionJob::run`] where it likes and gives the job back to [`crate::Repo::admitted`].
//! While the document is out, messages about it wait in the repo (in arrival order) and nothing
//! reads it; a document reloaded or released meanwhile ignores the job when it comes back (none
//! of the job's changes were stored, so none were acknowledged: the peer sends them again).

use automerge::sync::{self, SyncDoc};
use automerge::{AutoCommit, ChangeHash};

use crate::DocumentId;
use crate::admission::{Admission, Judge, Offered, Refused, Remembered, admit};
use crate::capability::ChangeSignature;
use crate::contain::contain;
use crate::effects::ConnId;
use crate::home_relay::{Receipt, RelayKey};
use crate::member_key::MemberSignature;
use crate::rules::Rules;
use crate::signature_book::SignatureBook;

/// What admitting one message did to the document: applied (or the error that stopped it; a
/// panic is an error too) and the changes refused by the rules.
#[derive(Debug)]
pub(crate) struct Applied {
    /// `Ok(Ok(()))`: taken in; `Ok(Err(_))`: Automerge refused the message; `Err(_)`: it panicked
    /// (the document must be loaded again).
    pub outcome: Result<Result<(), String>, String>,
    pub refused: Vec<Refused>,
    /// The document's heads before.
    pub before: Vec<ChangeHash>,
    /// The message carried changes.
    pub carried_changes: bool,
}

/// The document's parts that admission changes.
pub(crate) struct Held<'a> {
    pub doc: &'a mut AutoCommit,
    pub peer: &'a mut sync::State,
    pub signatures: &'a mut SignatureBook,
    pub remembered: &'a mut Remembered,
}

/// Admits a sync message's changes under the document's rules and hands the rest to Automerge.
pub(crate) fn apply(held: Held<'_>, message: sync::Message, offered: Offered<'_>, judge: Judge<'_>) -> Applied {
    let Held { doc, peer, signatures, remembered } = held;
    let before = doc.get_heads();
    let carried_changes = !message.changes.is_empty();
    let mut refused = Vec::new();
    let outcome = contain(|| match admit(doc, message, offered, signatures, remembered, judge) {
        Ok(Admission::Open(message)) => doc.sync().receive_sync_message(peer, message).map_err(|e| e.to_string()),
        Ok(Admission::Checked { rest, refused: these }) => {
            refused = these;
            // The admitted changes are in already and `rest` carries none, so Automerge would
            // take this for a message that leaves us level and skip our answer; the peer then
            // never hears that we have its changes. As for any message with changes, answer.
            let last_sent = peer.last_sent_heads.clone();
            let received = doc.sync().receive_sync_message(peer, rest).map_err(|e| e.to_string());
            if carried_changes {
                peer.last_sent_heads = last_sent;
            }
            received
        }
        Err(error) => Err(error),
    })
    .and_then(|received| {
        // Automerge takes in some changes it cannot then save (an operation naming as its
        // predecessor one elsewhere in the document panics in `save_after`): saving the new
        // changes here, where the peer that sent them is known, refuses them as bad data
        // instead of failing later, in the store, for every peer.
        if received.is_ok() && doc.get_heads() != before {
            contain(|| doc.save_after(&before))?;
        }
        Ok(received)
    })
    .map_err(|panic| panic.to_string());
    Applied { outcome, refused, before, carried_changes }
}

/// One document's admission of one peer's sync message, out of the repo. Run it anywhere (it is
/// `Send`), then give it back to the repo it came from.
pub struct AdmissionJob {
    pub(crate) ticket: u64,
    pub(crate) document_id: DocumentId,
    pub(crate) conn: ConnId,
    pub(crate) doc: AutoCommit,
    pub(crate) peer: sync::State,
    pub(crate) signatures: SignatureBook,
    pub(crate) remembered: Remembered,
    pub(crate) message: Option<sync::Message>,
    pub(crate) write: Vec<ChangeSignature>,
    pub(crate) member: Vec<MemberSignature>,
    pub(crate) receipts: Vec<Receipt>,
    pub(crate) relay: Option<RelayKey>,
    pub(crate) me: Option<[u8; 32]>,
    pub(crate) rules: Option<Rules>,
    /// What the peer had been told before, to restore once answered (see `Repo::receive_sync`).
    pub(crate) told_before: Option<Vec<ChangeHash>>,
    /// Set by [`AdmissionJob::run`]; `None` if it never ran to the end.
    pub(crate) applied: Option<Applied>,
}

impl AdmissionJob {
    /// The document this job holds.
    pub fn document_id(&self) -> DocumentId {
        self.document_id
    }

    /// Does the work. Never panics (a panic inside is contained and reported back to the repo,
    /// which then loads the document again from storage).
    pub fn run(&mut self) {
        let Some(message) = self.message.take() else { return };
        let judge = Judge { document_id: self.document_id, rules: self.rules.as_ref().map(|r| r.0.as_ref()), relay: self.relay.as_ref(), me: self.me };
        let offered = Offered { write: &self.write, member: &self.member, receipts: &self.receipts };
        let held = Held { doc: &mut self.doc, peer: &mut self.peer, signatures: &mut self.signatures, remembered: &mut self.remembered };
        let applied = apply(held, message, offered, judge);
        self.applied = Some(applied);
    }
}

impl std::fmt::Debug for AdmissionJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdmissionJob").field("document_id", &self.document_id).field("conn", &self.conn).field("ran", &self.applied.is_some()).finish()
    }
}

/// A driver may run a job on any thread.
const _: fn() = || {
    fn runs_anywhere<T: Send + 'static>() {}
    runs_anywhere::<AdmissionJob>();
};
