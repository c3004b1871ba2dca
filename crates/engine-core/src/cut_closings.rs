//! Closing consultations at the home relay's cut, on an organiser's device: the close waits for
//! the home's word of what it held at the closing time (see `linli_sync::home_cut`), and for this
//! copy to hold those changes, so a device that was offline at the deadline never closes from
//! its out-of-date copy. In a space with no home relay, or when the home cannot say (it held the
//! space only since later), the device closes from its own copy as before.

use linli_core::{Editor, ItemId, SpaceError, Timestamp};
use linli_sync::{DocumentId, RepoEvent};
use linli_view::EngineError;

use crate::engine_core::EngineCore;
use crate::engine_errors::{from_repo, from_space};
use crate::state::Deferred;

impl EngineCore {
    /// Closes a consultation: at the home relay's cut if the space has a home, asked for now (the
    /// close happens when the answer comes); otherwise from this copy at once.
    pub(crate) fn close_consultation(&mut self, space: DocumentId, item: ItemId) -> Result<(), EngineError> {
        let homed = self.repo.document(&space).and_then(linli_sync::home_relay::home).is_some();
        if !homed {
            return self.close_from_this_copy(space, &item);
        }
        let closes_at = self.spaces.get(&space).and_then(|s| s.consultations.get(item.as_str()).map(|c| c.closes_at));
        let closes_at = closes_at.ok_or(EngineError::ItemNotFound)?;
        let now = self.author().now;
        // After the closing time: what the home held then. Before it (an organiser closing
        // early): what it holds now.
        let at = (now >= closes_at).then_some(closes_at.0.max(0) as u64);
        let closings = &mut self.cut_closings;
        if !closings.asked.iter().any(|(s, a, i)| *s == space && *a == at && *i == item) {
            closings.asked.push((space, at, item));
        }
        let fx = self.repo.ask_cut(space, at);
        self.apply(fx);
        Ok(())
    }

    pub(crate) fn close_from_this_copy(&mut self, space: DocumentId, item: &ItemId) -> Result<(), EngineError> {
        let author = self.author();
        match self.repo.change(space, |doc| Editor::new(doc, &author).close_consultation(item)) {
            Ok((outcome, fx)) => {
                self.apply(fx);
                self.publish(space);
                outcome.map_err(from_space)
            }
            Err(error) => Err(from_repo(error)),
        }
    }

    /// The home answered: the closings that waited for it go ahead (once the current input's
    /// other work is done).
    pub(crate) fn cut_given(&mut self, event: RepoEvent) {
        let RepoEvent::CutGiven { document_id, asked, cut, .. } = event else { return };
        let closings = &mut self.cut_closings;
        let (now, later): (Vec<_>, Vec<_>) = closings.asked.drain(..).partition(|(s, a, _)| *s == document_id && *a == asked);
        closings.asked = later;
        let mut from_copy = Vec::new();
        for (space, _, item) in now {
            match &cut {
                Some(cut) => closings.given.push((space, item, cut.clone())),
                None => from_copy.push(item),
            }
        }
        for item in from_copy {
            self.defer(Deferred::CloseFromThisCopy(document_id, item));
        }
        self.defer(Deferred::CloseAtGivenCuts(document_id));
    }

    /// Closes the consultations whose cut's changes this copy now holds (called when the space
    /// changes, too).
    pub(crate) fn close_at_given_cuts(&mut self, space: DocumentId) {
        let waiting: Vec<_> = self.cut_closings.given.iter().filter(|(s, _, _)| *s == space).cloned().collect();
        for (_, item, cut) in waiting {
            let author = self.author();
            let outcome = self.repo.change(space, |doc| Editor::new(doc, &author).close_consultation_at_home_cut(&item, &cut.heads, Timestamp(cut.at as i64), &cut.signature));
            let done = match outcome {
                Ok((result, fx)) => {
                    self.apply(fx);
                    self.publish(space);
                    // Not yet every change the home held: wait for them.
                    !matches!(result, Err(SpaceError::Invalid(linli_core::Invalid::MissingVotes)))
                }
                Err(_) => false,
            };
            if done {
                self.cut_closings.given.retain(|(s, i, _)| !(*s == space && *i == item));
            }
        }
    }

    /// Whether cuts wait for their changes in this space.
    pub(crate) fn waits_for_cut_changes(&self, space: &DocumentId) -> bool {
        self.cut_closings.given.iter().any(|(s, _, _)| s == space)
    }
}
