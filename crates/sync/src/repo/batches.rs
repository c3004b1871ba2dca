//! Batches: while one is open, a document that changes is stored, and its peers sent sync
//! messages, once at the batch's end instead of once per message (a busy relay's way).

use super::{Batch, Phase, Repo};
use crate::DocumentId;
use crate::effects::Effects;

impl Repo {
    /// Starts a batch: until [`Repo::end_batch`], a document that changes is stored, and its
    /// peers are sent sync messages, once for the whole batch instead of once per message. A busy
    /// relay handles many messages for the same document at a time this way.
    pub fn begin_batch(&mut self) {
        self.batch.get_or_insert_with(Batch::default);
    }

    /// Ends the batch: stores the documents that changed and sends the sync messages due.
    pub fn end_batch(&mut self) -> Effects {
        let mut fx = Effects::default();
        self.end_batch_each(|_, done| fx.extend(done));
        fx
    }

    /// [`Repo::end_batch`] one document at a time: `each` gets each document's effects as soon
    /// as they are made (so a caller can tell what each document's part of the batch cost).
    pub fn end_batch_each(&mut self, mut each: impl FnMut(DocumentId, Effects)) {
        let Some(batch) = self.batch.take() else { return };
        let documents: std::collections::BTreeSet<DocumentId> = batch.to_save.iter().copied().chain(batch.to_sync.iter().map(|(d, _)| *d)).collect();
        let mut to_sync = batch.to_sync.into_iter().peekable();
        for document_id in documents {
            let mut fx = Effects::default();
            let ready = |repo: &Self| repo.docs.get(&document_id).is_some_and(|e| e.phase == Phase::Ready);
            let out = |repo: &Self| repo.docs.get(&document_id).is_some_and(|e| e.out.is_some());
            if batch.to_save.contains(&document_id) && ready(self) {
                if out(self) {
                    self.docs.get_mut(&document_id).expect("out").store_on_return = true;
                } else {
                    self.store(document_id, &mut fx);
                }
            }
            while let Some((_, conn)) = to_sync.next_if(|(d, _)| *d == document_id) {
                // (A document out waits to send until it is back.)
                if ready(self) || out(self) {
                    self.send_sync(document_id, conn, &mut fx);
                }
            }
            each(document_id, fx);
        }
    }
}
