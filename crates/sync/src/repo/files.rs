//! A document as a `.linli` file: exported with its signatures, and imported without
//! overwriting anything, its changes judged by the signatures the file carries.

use super::{Imported, Phase, Repo, RepoError};
use crate::DocumentId;
use crate::admission::{Admission, Judge, Offered, admit};
use crate::contain::contain;
use crate::effects::{Effects, RepoEvent};
use crate::home_relay::home;
use crate::member_key::MemberKey;
use crate::space_file::SpaceFile;
use crate::vouching::covering_receipts;
use automerge::{AutoCommit, ChangeHash, sync};
use std::collections::HashSet;

impl Repo {
    /// The document as one file with every signature this repo holds for it (see `space_file`):
    /// carried by hand, it is admitted elsewhere like changes from the network.
    pub fn export_file(&mut self, document_id: &DocumentId) -> Option<Vec<u8>> {
        let entry = self.held_mut(document_id).filter(|e| e.phase == Phase::Ready)?;
        // The fewest of the home relay's receipts this peer holds that cover what they can.
        let all: HashSet<ChangeHash> = entry.doc.get_changes(&[]).iter().map(|c| c.hash()).collect();
        let receipts = if home(&entry.doc).is_some() { covering_receipts(&mut entry.doc, &all, &entry.signatures) } else { Vec::new() };
        let file = SpaceFile { document: entry.doc.save(), signatures: entry.signatures.all(), member_signatures: entry.signatures.all_members(), receipts };
        Some(file.encode())
    }

    /// Takes in a file of the same document (a `.linli` file from a USB stick): its changes are
    /// judged as a peer's would be, on the signatures the file carries, so anyone (a view link's
    /// holder too) may carry changes by hand. A file of another document is refused. The effects
    /// come back either way (a file that makes Automerge panic reloads the document).
    pub fn import_file(&mut self, document_id: DocumentId, bytes: &[u8]) -> (Result<Imported, RepoError>, Effects) {
        let mut fx = Effects::default();
        let file = match SpaceFile::decode(bytes) {
            Ok(file) => file,
            Err(error) => return (Err(RepoError::BadFile(error)), fx),
        };
        let rules = self.config.rules.clone();
        let judge = Judge { document_id, rules: rules.as_ref().map(|r| r.0.as_ref()), relay: self.relay_key.as_ref(), me: self.keys.member().map(MemberKey::public) };
        let Some(entry) = self.docs.get_mut(&document_id).filter(|e| e.phase == Phase::Ready && e.out.is_none()) else {
            return (Err(RepoError::NotOpen(document_id)), fx);
        };
        let before = entry.doc.get_heads();
        let outcome = contain(|| -> Result<Imported, RepoError> {
            let strict = automerge::LoadOptions::new().on_partial_load(automerge::OnPartialLoad::Error);
            let mut incoming = AutoCommit::load_with_options(&file.document, strict).map_err(|e| RepoError::BadFile(format!("the file's document is unreadable: {e}")))?;
            let all = incoming.get_changes(&[]);
            let roots = |changes: &[automerge::Change]| -> Vec<ChangeHash> { changes.iter().filter(|c| c.deps().is_empty()).map(|c| c.hash()).collect() };
            let ours = roots(&entry.doc.get_changes(&[]));
            // (A copy with nothing yet takes any file: it may be how the space first arrives.)
            if !ours.is_empty() && !roots(&all).iter().any(|root| ours.contains(root)) {
                return Err(RepoError::DifferentDocument);
            }
            let new: Vec<automerge::Change> = all.into_iter().filter(|c| entry.doc.get_change_meta_by_hash(&c.hash()).is_none()).collect();
            let count = new.len();
            let message = sync::Message {
                heads: Vec::new(),
                need: Vec::new(),
                have: Vec::new(),
                changes: new.iter().map(|c| c.raw_bytes().to_vec()).collect::<Vec<_>>().into(),
                flags: None,
                version: sync::MessageVersion::V1,
            };
            let offered = Offered { write: &file.signatures, member: &file.member_signatures, receipts: &file.receipts };
            match admit(&mut entry.doc, message, offered, &mut entry.signatures, &mut entry.admission, judge).map_err(RepoError::BadFile)? {
                Admission::Open(_) => {
                    entry.doc.apply_changes(new).map_err(|e| RepoError::BadFile(e.to_string()))?;
                    Ok(Imported { new_changes: count, ..Imported::default() })
                }
                Admission::Checked { refused, .. } => {
                    let taken = new.iter().filter(|c| entry.doc.get_change_meta_by_hash(&c.hash()).is_some()).count();
                    let waiting = count.saturating_sub(taken + refused.len());
                    Ok(Imported { new_changes: taken, refused: refused.len(), reason: refused.first().map(|r| r.reason.clone()), waiting })
                }
            }
        });
        let imported = match outcome {
            Ok(result) => result,
            Err(panic) => {
                self.poison(document_id, &mut fx);
                Err(RepoError::BadFile(format!("the file made Automerge fail ({panic}); nothing of it was kept")))
            }
        };
        let entry = self.docs.get_mut(&document_id).expect("checked above");
        let changed = entry.phase == Phase::Ready && entry.doc.get_heads() != before;
        if changed {
            fx.events.push(RepoEvent::DocChanged { document_id });
            self.after_change(document_id, &mut fx);
            self.announce(document_id, &mut fx);
        }
        (imported, fx)
    }
}
