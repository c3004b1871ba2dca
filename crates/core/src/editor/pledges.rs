//! Starting pledges, signing and withdrawing, and entering paper signatures.

use std::collections::BTreeMap;

use crate::{Editor, ItemId, Pledge, PledgeDraft, SpaceError};
use crate::{PaperSignatures, Signature};

fn check(draft: &PledgeDraft) -> Result<(), SpaceError> {
    if let Some(n) = draft.binding_at
        && (n == 0 || (draft.goal > 0 && n > draft.goal))
    {
        return Err(SpaceError::Invalid(crate::Invalid::ConditionRange));
    }
    Ok(())
}

impl Editor<'_> {
    /// Starts a pledge.
    pub fn create_pledge(&mut self, id: &ItemId, draft: PledgeDraft) -> Result<(), SpaceError> {
        self.put_new_pledge(id, draft)?;
        self.commit("pledge.create");
        Ok(())
    }

    /// Writes a new pledge, leaving the change open (a decision's follow-up adds to it).
    pub(crate) fn put_new_pledge(&mut self, id: &ItemId, draft: PledgeDraft) -> Result<(), SpaceError> {
        let title = super::required(&draft.title, crate::Invalid::PledgeNeedsTitle)?;
        check(&draft)?;
        let map = self.collection("pledges")?;
        let pledge = Pledge {
            title,
            text: draft.text.clone(),
            author: self.me(),
            created_at: self.author.now,
            deadline: draft.deadline,
            goal: draft.goal,
            binding_at: draft.binding_at,
            signatures: BTreeMap::new(),
            paper: BTreeMap::new(),
            archived: false,
        };
        self.put_new_item(&map, "pledge", id.as_str(), &pledge)
    }

    /// Edits a pledge's wording, deadline, goal and condition (signatures are untouched).
    pub fn edit_pledge(&mut self, id: &ItemId, draft: PledgeDraft) -> Result<(), SpaceError> {
        let title = super::required(&draft.title, crate::Invalid::PledgeNeedsTitle)?;
        check(&draft)?;
        let (map, mut pledge) = self.item::<Pledge>("pledges", "pledge", id.as_str())?;
        pledge.title = title;
        pledge.text = draft.text.clone();
        pledge.deadline = draft.deadline;
        pledge.goal = draft.goal;
        pledge.binding_at = draft.binding_at;
        self.put_item(&map, id.as_str(), &pledge)?;
        self.commit("pledge.edit");
        Ok(())
    }

    /// Signs a pledge as the author, with the name to show. Signing again after withdrawing
    /// counts again.
    pub fn sign_pledge(&mut self, id: &ItemId, name: &str) -> Result<(), SpaceError> {
        let name = super::required(name, crate::Invalid::SignatureNeedsName)?;
        let (map, pledge) = self.item::<Pledge>("pledges", "pledge", id.as_str())?;
        if !pledge.is_open_for_signing(self.author.now) {
            return Err(SpaceError::ClosedForSigning);
        }
        let signatures = self.nested_map(&map, id.as_str(), "signatures")?;
        let signature = Signature { name, signed_at: self.author.now, withdrawn_at: None };
        let me = self.me();
        self.put_item(&signatures, &me, &signature)?;
        self.commit("pledge.sign");
        Ok(())
    }

    /// Withdraws the author's signature (it stays on record, marked withdrawn).
    pub fn withdraw_signature(&mut self, id: &ItemId) -> Result<(), SpaceError> {
        let (map, pledge) = self.item::<Pledge>("pledges", "pledge", id.as_str())?;
        let me = self.me();
        let Some(mut signature) = pledge.signatures.get(&me).cloned() else {
            return Err(SpaceError::NotFound { kind: "signature of yours on pledge", id: id.to_string() });
        };
        signature.withdrawn_at = Some(self.author.now);
        let signatures = self.nested_map(&map, id.as_str(), "signatures")?;
        self.put_item(&signatures, &me, &signature)?;
        self.commit("pledge.withdraw");
        Ok(())
    }

    /// Enters signatures collected on paper (a coordinator's entry; several entries add up).
    pub fn record_paper_signatures(&mut self, id: &ItemId, entry: &ItemId, count: u64, note: &str) -> Result<(), SpaceError> {
        if count == 0 {
            return Err(SpaceError::Invalid(crate::Invalid::EnterPaperSignatures));
        }
        let (map, _) = self.item::<Pledge>("pledges", "pledge", id.as_str())?;
        let paper = self.nested_map(&map, id.as_str(), "paper")?;
        let record = PaperSignatures { count, recorded_by: self.me(), recorded_at: self.author.now, note: note.trim().to_owned() };
        self.put_item(&paper, entry.as_str(), &record)?;
        self.commit("pledge.paper");
        Ok(())
    }

    /// Archives or restores a pledge.
    pub fn set_pledge_archived(&mut self, id: &ItemId, archived: bool) -> Result<(), SpaceError> {
        let (map, mut pledge) = self.item::<Pledge>("pledges", "pledge", id.as_str())?;
        pledge.archived = archived;
        self.put_item(&map, id.as_str(), &pledge)?;
        self.commit(if archived { "pledge.archive" } else { "pledge.unarchive" });
        Ok(())
    }
}
