//! Consultations: opening one, voting, paper counts, closing it (what it counts is fixed then) and
//! the follow-ups of a decision. See `linli_model::Consultation` for the closing rule.

use std::collections::BTreeMap;

use automerge::ObjType;
use automerge::transaction::Transactable;
use autosurgeon::reconcile_prop;

use crate::position::between;
use crate::{
    ABSTAIN, Closing, Consultation, ConsultationDraft, Editor, FollowUp, ItemId, NO, NoticeDraft, PaperCount, PledgeDraft, SpaceError, TaskDraft, Timestamp, Vote, VoteOption, YES,
};

/// The options a draft asks for, by ID, in order.
fn options_of(draft: &ConsultationDraft) -> Result<BTreeMap<String, VoteOption>, SpaceError> {
    let labelled: Vec<(String, String)> = if draft.yes_no {
        [YES, NO, ABSTAIN].iter().map(|id| ((*id).to_owned(), String::new())).collect()
    } else {
        draft.options.iter().map(|(id, label)| (id.clone(), label.trim().to_owned())).filter(|(_, label)| !label.is_empty()).collect()
    };
    if labelled.len() < 2 {
        return Err(SpaceError::Invalid(crate::Invalid::NeedsTwoOptions));
    }
    let mut options = BTreeMap::new();
    let mut position: Option<String> = None;
    for (i, (id, label)) in labelled.into_iter().enumerate() {
        if ItemId::parse(&id).is_none() && ![YES, NO, ABSTAIN].contains(&id.as_str()) {
            return Err(SpaceError::Invalid(crate::Invalid::NotAnOptionId));
        }
        let next = between(position.as_deref(), None, i as u64);
        position = Some(next.clone());
        if options.insert(id, VoteOption { label, position: next, archived: false }).is_some() {
            return Err(SpaceError::Invalid(crate::Invalid::TwoOptionsSameId));
        }
    }
    Ok(options)
}

fn check(draft: &ConsultationDraft, now: Timestamp) -> Result<Timestamp, SpaceError> {
    let opens_at = draft.opens_at.unwrap_or(now);
    if draft.closes_at <= opens_at {
        return Err(SpaceError::Invalid(crate::Invalid::ClosesAfterOpens));
    }
    if let Some(t) = draft.threshold
        && (t.den == 0 || t.num == 0 || t.num > t.den)
    {
        return Err(SpaceError::Invalid(crate::Invalid::ThresholdShare));
    }
    Ok(opens_at)
}

impl Editor<'_> {
    /// Opens a consultation (an organiser's).
    pub fn create_consultation(&mut self, id: &ItemId, draft: ConsultationDraft) -> Result<(), SpaceError> {
        let question = super::required(&draft.question, crate::Invalid::ConsultationNeedsQuestion)?;
        let opens_at = check(&draft, self.author.now)?;
        let options = options_of(&draft)?;
        let consultation = Consultation {
            question,
            background: draft.background.clone(),
            author: self.me(),
            created_at: self.author.now,
            yes_no: draft.yes_no,
            max_choices: if draft.yes_no { 1 } else { draft.max_choices.clamp(1, options.len() as u64) },
            options,
            opens_at,
            closes_at: draft.closes_at,
            quorum: draft.quorum,
            threshold: draft.threshold,
            votes: BTreeMap::new(),
            paper: BTreeMap::new(),
            comments: BTreeMap::new(),
            closed: None,
            follow_ups: BTreeMap::new(),
            archived: false,
        };
        let map = self.collection("consultations")?;
        self.put_new_item(&map, "consultation", id.as_str(), &consultation)?;
        self.commit("consultation.create");
        Ok(())
    }

    /// Edits a consultation before it closes. Whether it is yes / no and how many options a vote
    /// may choose are fixed when it opens; options can be added and relabelled, and one taken
    /// away is archived (votes for it keep counting) — and once anyone has voted (in the app or on
    /// paper) the options are fixed: a vote must keep its meaning.
    pub fn edit_consultation(&mut self, id: &ItemId, draft: ConsultationDraft) -> Result<(), SpaceError> {
        let question = super::required(&draft.question, crate::Invalid::ConsultationNeedsQuestion)?;
        let (map, mut consultation) = self.item::<Consultation>("consultations", "consultation", id.as_str())?;
        if consultation.closed.is_some() {
            return Err(SpaceError::Invalid(crate::Invalid::ConsultationClosed));
        }
        let opens_at = check(&ConsultationDraft { opens_at: Some(draft.opens_at.unwrap_or(consultation.opens_at)), ..draft.clone() }, self.author.now)?;
        let options = options_of(&draft)?;
        let voted = !consultation.votes.is_empty() || !consultation.paper.is_empty();
        let max_choices = if draft.yes_no { 1 } else { draft.max_choices.clamp(1, options.len() as u64) };
        if draft.yes_no != consultation.yes_no || max_choices != consultation.max_choices {
            return Err(SpaceError::Invalid(crate::Invalid::ConsultationShapeFixed));
        }
        let open: BTreeMap<&String, &String> = consultation.options.iter().filter(|(_, o)| !o.archived).map(|(id, o)| (id, &o.label)).collect();
        let same_labels = open.len() == options.len() && options.iter().all(|(id, o)| open.get(id).is_some_and(|label| **label == o.label));
        if voted && !same_labels {
            return Err(SpaceError::Invalid(crate::Invalid::OptionsFixed));
        }
        if !voted {
            for (id, option) in consultation.options.iter_mut() {
                option.archived = !options.contains_key(id);
            }
            for (id, option) in options {
                match consultation.options.get_mut(&id) {
                    Some(kept) => (kept.label, kept.position, kept.archived) = (option.label, option.position, false),
                    None => {
                        consultation.options.insert(id, option);
                    }
                }
            }
        }
        consultation.question = question;
        consultation.background = draft.background.clone();
        consultation.opens_at = opens_at;
        consultation.closes_at = draft.closes_at;
        consultation.quorum = draft.quorum;
        consultation.threshold = draft.threshold;
        self.put_item(&map, id.as_str(), &consultation)?;
        self.commit("consultation.edit");
        Ok(())
    }

    /// Casts the author's vote, replacing any earlier one whole (only the last vote counts).
    pub fn vote(&mut self, id: &ItemId, choices: &[String]) -> Result<(), SpaceError> {
        let (map, consultation) = self.item::<Consultation>("consultations", "consultation", id.as_str())?;
        if consultation.closed.is_some() || consultation.archived {
            return Err(SpaceError::Invalid(crate::Invalid::ConsultationClosed));
        }
        if consultation.status(self.author.now) != crate::ConsultationStatus::Open {
            return Err(SpaceError::Invalid(crate::Invalid::ConsultationNotOpen));
        }
        consultation.check_new_vote(choices.iter().map(String::as_str)).map_err(|invalid| {
            SpaceError::Invalid(match invalid {
                crate::InvalidVote::NoChoice => crate::Invalid::ChooseAnOption,
                crate::InvalidVote::UnknownOption => crate::Invalid::NotAnOption,
                crate::InvalidVote::TooManyChoices => crate::Invalid::TooManyChoices,
            })
        })?;
        let votes = self.nested_map(&map, id.as_str(), "votes")?;
        let vote = Vote { choices: choices.iter().map(|c| (c.clone(), true)).collect(), at: self.author.now };
        let me = self.me();
        // A new object each time: two devices of one member voting at once leave two whole votes,
        // of which Automerge keeps the same one everywhere (never a mix of both).
        self.doc.put_object(&votes, me.as_str(), ObjType::Map)?;
        reconcile_prop(self.doc, &votes, me.as_str(), &vote)?;
        self.commit("consultation.vote");
        Ok(())
    }

    /// Enters a count from a paper ballot box or a show of hands (before the consultation closes).
    pub fn record_paper_votes(&mut self, id: &ItemId, entry: &ItemId, counts: &BTreeMap<String, u64>, voters: u64, note: &str) -> Result<(), SpaceError> {
        let (map, consultation) = self.item::<Consultation>("consultations", "consultation", id.as_str())?;
        if consultation.closed.is_some() {
            return Err(SpaceError::Invalid(crate::Invalid::ConsultationClosed));
        }
        if voters == 0 {
            return Err(SpaceError::Invalid(crate::Invalid::EnterVoters));
        }
        if counts.keys().any(|option| !consultation.options.contains_key(option)) {
            return Err(SpaceError::Invalid(crate::Invalid::NotAnOption));
        }
        if counts.values().any(|n| *n > voters) || counts.values().sum::<u64>() > voters.saturating_mul(consultation.choices_allowed()) {
            return Err(SpaceError::Invalid(crate::Invalid::MoreVotesThanVoters));
        }
        let paper = self.nested_map(&map, id.as_str(), "paper")?;
        let counts = counts.iter().filter(|(_, n)| **n > 0).map(|(k, n)| (k.clone(), *n)).collect();
        let record = PaperCount { counts, voters, recorded_by: self.me(), recorded_at: self.author.now, note: note.trim().to_owned() };
        self.put_new_item(&paper, "paper count", entry.as_str(), &record)?;
        self.commit("consultation.paper");
        Ok(())
    }

    /// Closes a consultation from this copy: from now on every replica counts what this document
    /// holds now. For a space with no home relay (one that does have a home is closed with the
    /// home's cut: [`Editor::close_consultation_at_home_cut`]). An organiser's device does this
    /// when it sees the closing time pass, or an organiser closes it early. It stays closed.
    pub fn close_consultation(&mut self, id: &ItemId) -> Result<(), SpaceError> {
        let heads = self.doc.get_heads().iter().map(ToString::to_string).collect();
        self.record_closing(id, Closing { at: self.author.now, by: self.me(), heads, home_at: None, home_signature: String::new() })
    }

    /// Closes a consultation at the home relay's cut: every replica counts what the home held at
    /// `home_at` (`heads`, signed by the home: `signature`). This copy must hold those changes.
    pub fn close_consultation_at_home_cut(&mut self, id: &ItemId, heads: &[automerge::ChangeHash], home_at: Timestamp, signature: &[u8]) -> Result<(), SpaceError> {
        if heads.iter().any(|h| self.doc.get_change_by_hash(h).is_none()) {
            return Err(SpaceError::Invalid(crate::Invalid::MissingVotes));
        }
        let heads = heads.iter().map(ToString::to_string).collect();
        let home_signature = signature.iter().map(|b| format!("{b:02x}")).collect();
        self.record_closing(id, Closing { at: self.author.now, by: self.me(), heads, home_at: Some(home_at), home_signature })
    }

    fn record_closing(&mut self, id: &ItemId, closing: Closing) -> Result<(), SpaceError> {
        let (map, consultation) = self.item::<Consultation>("consultations", "consultation", id.as_str())?;
        if consultation.closed.is_some() {
            return Err(SpaceError::Invalid(crate::Invalid::ConsultationClosedAlready));
        }
        let item = match automerge::ReadDoc::get(&*self.doc, &map, id.as_str())? {
            Some((automerge::Value::Object(ObjType::Map), item)) => item,
            _ => return Err(SpaceError::NotFound { kind: "consultation", id: id.to_string() }),
        };
        reconcile_prop(self.doc, &item, "closed", Some(&closing))?;
        self.commit("consultation.close");
        Ok(())
    }

    /// Comments on a consultation as the author.
    pub fn comment_on_consultation(&mut self, id: &ItemId, comment_id: &ItemId, text: &str) -> Result<(), SpaceError> {
        let text = super::required(text, crate::Invalid::CommentNeedsText)?;
        let (map, _) = self.item::<Consultation>("consultations", "consultation", id.as_str())?;
        let comments = self.nested_map(&map, id.as_str(), "comments")?;
        let comment = crate::Comment { author: self.me(), at: self.author.now, text, sealed: None };
        self.put_new_item(&comments, "comment", comment_id.as_str(), &comment)?;
        self.commit("consultation.comment");
        Ok(())
    }

    /// Archives or restores a consultation.
    pub fn set_consultation_archived(&mut self, id: &ItemId, archived: bool) -> Result<(), SpaceError> {
        let (map, mut consultation) = self.item::<Consultation>("consultations", "consultation", id.as_str())?;
        consultation.archived = archived;
        self.put_item(&map, id.as_str(), &consultation)?;
        self.commit(if archived { "consultation.archive" } else { "consultation.unarchive" });
        Ok(())
    }

    /// A decision's follow-up: a task on a board, in the same change as its link.
    pub fn follow_up_with_task(&mut self, consultation: &ItemId, id: &ItemId, board: &ItemId, column: &ItemId, draft: TaskDraft) -> Result<(), SpaceError> {
        self.follow_up(consultation, id, "task", |editor| {
            let task = editor.new_task(board, column, draft, None, crate::Place::End)?;
            let map = editor.collection("tasks")?;
            editor.put_new_item(&map, "task", id.as_str(), &task)
        })
    }

    /// A decision's follow-up: a notice announcing it.
    pub fn follow_up_with_notice(&mut self, consultation: &ItemId, id: &ItemId, draft: NoticeDraft) -> Result<(), SpaceError> {
        self.follow_up(consultation, id, "notice", |editor| editor.put_new_notice(id, draft))
    }

    /// A decision's follow-up: a pledge residents sign.
    pub fn follow_up_with_pledge(&mut self, consultation: &ItemId, id: &ItemId, draft: PledgeDraft) -> Result<(), SpaceError> {
        self.follow_up(consultation, id, "pledge", |editor| editor.put_new_pledge(id, draft))
    }

    fn follow_up(&mut self, consultation: &ItemId, id: &ItemId, kind: &str, make: impl FnOnce(&mut Self) -> Result<(), SpaceError>) -> Result<(), SpaceError> {
        let (map, _) = self.item::<Consultation>("consultations", "consultation", consultation.as_str())?;
        let follow_ups = self.nested_map(&map, consultation.as_str(), "follow_ups")?;
        make(self)?;
        let follow_up = FollowUp { kind: kind.to_owned(), at: self.author.now };
        self.put_new_item(&follow_ups, "follow-up", id.as_str(), &follow_up)?;
        self.commit("consultation.follow_up");
        Ok(())
    }
}
