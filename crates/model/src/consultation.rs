//! Consultations (民主協商): a question residents decide together — they discuss, vote (in the app,
//! or on paper that an organiser counts in), and the result is derived from the document, never
//! typed in.
//!
//! How a consultation closes, so that no device's clock can re-open it: `closes_at` is when voting
//! is planned to end; the consultation is **closed** once an organiser's device, seeing that time
//! pass on its own clock (or an organiser pressing "close now"), records a [`Closing`] naming the
//! document's heads at that moment. From then on every replica counts exactly the votes and paper
//! counts the document held at those heads, whatever its own clock says and whatever arrives
//! later. Until then the counts shown are provisional. Two organisers closing at once: Automerge
//! keeps one of the two closings (the same one on every replica) and that one is counted.

use std::collections::BTreeMap;

#[cfg(feature = "automerge")]
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::comment::{Comment, comments_in_order};

/// The options of a yes/no consultation, by ID (screens name them in the reader's language).
pub const YES: &str = "yes";
pub const NO: &str = "no";
pub const ABSTAIN: &str = "abstain";

/// One option of a consultation, under `options/<option id>`. An option once offered stays: one
/// taken away is archived (no new vote chooses it; votes cast for it keep counting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct VoteOption {
    /// The option's text (empty for yes / no / abstain: screens name those).
    pub label: String,
    pub position: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    #[serde(default)]
    pub archived: bool,
}

/// One member's current vote, under `votes/<member id>`: rewritten whole when they change it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Vote {
    /// The options chosen (option ID → true).
    pub choices: BTreeMap<String, bool>,
    pub at: Timestamp,
}

/// A count from a paper ballot box or a show of hands, entered by an organiser, under
/// `paper/<entry id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct PaperCount {
    /// Votes per option ID.
    pub counts: BTreeMap<String, u64>,
    /// People who voted (ballots, or hands raised at all).
    pub voters: u64,
    pub recorded_by: String,
    pub recorded_at: Timestamp,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub note: String,
}

/// The record that closed a consultation: what it counts is the document at `heads`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Closing {
    /// The closing device's clock when it closed (shown, never used to count).
    pub at: Timestamp,
    /// The organiser (hex member ID).
    pub by: String,
    /// What is counted (hex change hashes): the home relay's copy at `home_at`, or (in a space
    /// with no home relay) the closing device's copy when it closed.
    pub heads: Vec<String>,
    /// The moment (the home relay's clock) `heads` are the home's copy at: the closing time, or
    /// when an organiser closed early. Absent: closed from the closing device's own copy.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    #[serde(default)]
    pub home_at: Option<Timestamp>,
    /// The home relay's signature of that cut (hex; see `linli_sync::home_cut`), so that every
    /// replica can check the heads are what the home held.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    #[serde(default)]
    pub home_signature: String,
}

/// A share of votes: `num / den` (two thirds is 2 / 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Threshold {
    pub num: u64,
    pub den: u64,
}

/// What a decision led to: an item made from it (`kind`: `task`, `pledge` or `notice`), under
/// `follow_ups/<item id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct FollowUp {
    pub kind: String,
    pub at: Timestamp,
}

/// A consultation as stored under `consultations/<id>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Consultation {
    pub question: String,
    /// Markdown, shown sanitised like a notice's body.
    #[cfg_attr(feature = "automerge", autosurgeon(with = "crate::text_field"))]
    pub background: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub author: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub created_at: Timestamp,
    /// Yes / no / abstain (options `yes`, `no`, `abstain`); otherwise a list of choices.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub yes_no: bool,
    pub options: BTreeMap<String, VoteOption>,
    /// How many options one vote may choose (1: a single choice).
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "one"))]
    pub max_choices: u64,
    pub opens_at: Timestamp,
    pub closes_at: Timestamp,
    /// The fewest voters (in the app and on paper) for the result to stand; 0: no quorum.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub quorum: u64,
    /// The share of votes cast (abstentions left out) an answer needs; absent: more than half.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub threshold: Option<Threshold>,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub votes: BTreeMap<String, Vote>,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub paper: BTreeMap<String, PaperCount>,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub comments: BTreeMap<String, Comment>,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub closed: Option<Closing>,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub follow_ups: BTreeMap<String, FollowUp>,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub archived: bool,
}

#[cfg(feature = "automerge")]
fn one() -> u64 {
    1
}

/// What the votes and paper counts a consultation closed with (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tally {
    pub votes: BTreeMap<String, Vote>,
    pub paper: BTreeMap<String, PaperCount>,
}

/// Where a consultation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConsultationStatus {
    /// Voting has not begun (by this device's clock).
    Upcoming,
    Open,
    /// Its closing time has passed on this device's clock; an organiser's device has not closed
    /// it yet, so counts are provisional.
    Closing,
    /// Closed: the result is final.
    Closed,
}

/// What the result says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    /// Fewer voters than the quorum.
    NoQuorum,
    /// Yes / no: adopted.
    Adopted,
    /// Yes / no: not adopted; a list: no option reached the threshold.
    Rejected,
    /// A list: the options chosen (as many as a vote may choose, most votes first).
    Chosen(Vec<String>),
    /// A list: these options are level where the chosen ones end.
    Tie(Vec<String>),
}

/// A consultation's result, derived from the votes and paper counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// Votes per option, in the app and on paper together.
    pub counts: BTreeMap<String, u64>,
    /// Members whose vote counted.
    pub online_voters: u64,
    /// People counted on paper.
    pub paper_voters: u64,
    pub quorum_met: bool,
    pub decision: Decision,
}

impl Outcome {
    /// Everyone who voted.
    pub fn voters(&self) -> u64 {
        self.online_voters + self.paper_voters
    }
}

/// Why a vote is not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidVote {
    NoChoice,
    UnknownOption,
    TooManyChoices,
}

impl Consultation {
    pub fn status(&self, now: Timestamp) -> ConsultationStatus {
        if self.closed.is_some() {
            ConsultationStatus::Closed
        } else if now < self.opens_at {
            ConsultationStatus::Upcoming
        } else if now < self.closes_at {
            ConsultationStatus::Open
        } else {
            ConsultationStatus::Closing
        }
    }

    /// The options in order (those archived too: votes for them count).
    pub fn options_in_order(&self) -> Vec<(&str, &VoteOption)> {
        let mut options: Vec<_> = self.options.iter().map(|(id, o)| (id.as_str(), o)).collect();
        options.sort_by(|a, b| a.1.position.cmp(&b.1.position).then_with(|| a.0.cmp(b.0)));
        options
    }

    /// The options a vote may choose now, in order (archived ones left out).
    pub fn open_options_in_order(&self) -> Vec<(&str, &VoteOption)> {
        self.options_in_order().into_iter().filter(|(_, o)| !o.archived).collect()
    }

    /// How many options one vote may choose (a yes / no consultation: one).
    pub fn choices_allowed(&self) -> u64 {
        if self.yes_no { 1 } else { self.max_choices.clamp(1, self.options.len().max(1) as u64) }
    }

    /// Whether `choices` is a vote this consultation counts.
    pub fn check_vote<'a>(&self, choices: impl IntoIterator<Item = &'a str>) -> Result<(), InvalidVote> {
        let mut count = 0;
        for choice in choices {
            if !self.options.contains_key(choice) {
                return Err(InvalidVote::UnknownOption);
            }
            count += 1;
        }
        match count {
            0 => Err(InvalidVote::NoChoice),
            n if n > self.choices_allowed() => Err(InvalidVote::TooManyChoices),
            _ => Ok(()),
        }
    }

    /// Whether `choices` is a vote that may be cast now: one this consultation counts, choosing
    /// no archived option.
    pub fn check_new_vote<'a>(&self, choices: impl IntoIterator<Item = &'a str> + Clone) -> Result<(), InvalidVote> {
        if choices.clone().into_iter().any(|choice| self.options.get(choice).is_some_and(|o| o.archived)) {
            return Err(InvalidVote::UnknownOption);
        }
        self.check_vote(choices)
    }

    /// Comments oldest first.
    pub fn comments_in_order(&self) -> Vec<(&str, &Comment)> {
        comments_in_order(&self.comments)
    }

    /// The result from `tally` (the closed tally, or the current votes while still open). Votes
    /// that are not valid (an unknown option, too many choices) and paper counts that do not add
    /// up (more votes for an option than voters) are left out.
    pub fn outcome(&self, tally: &Tally) -> Outcome {
        let mut counts: BTreeMap<String, u64> = self.options.keys().map(|id| (id.clone(), 0)).collect();
        let mut online_voters = 0;
        for vote in tally.votes.values() {
            let chosen = || vote.choices.iter().filter(|(_, on)| **on).map(|(id, _)| id.as_str());
            if self.check_vote(chosen()).is_err() {
                continue;
            }
            online_voters += 1;
            for id in chosen() {
                *counts.entry(id.to_owned()).or_default() += 1;
            }
        }
        let mut paper_voters = 0;
        for paper in tally.paper.values() {
            let adds_up = paper.counts.iter().all(|(id, n)| self.options.contains_key(id) && *n <= paper.voters)
                && paper.counts.values().sum::<u64>() <= paper.voters.saturating_mul(self.choices_allowed());
            if !adds_up {
                continue;
            }
            paper_voters += paper.voters;
            for (id, n) in &paper.counts {
                *counts.entry(id.clone()).or_default() += n;
            }
        }
        let voters = online_voters + paper_voters;
        let quorum_met = voters > 0 && voters >= self.quorum;
        let decision = if !quorum_met {
            Decision::NoQuorum
        } else if self.yes_no {
            self.yes_no_decision(&counts)
        } else {
            self.list_decision(&counts, voters)
        };
        Outcome { counts, online_voters, paper_voters, quorum_met, decision }
    }

    /// Yes / no: adopted when yes has more than half of the votes cast (abstentions left out), or
    /// the threshold's share of them when one is set (and always more yes than no).
    fn yes_no_decision(&self, counts: &BTreeMap<String, u64>) -> Decision {
        let count = |id: &str| counts.get(id).copied().unwrap_or(0);
        let (yes, no) = (count(YES), count(NO));
        let cast = yes + no;
        let reached = match self.threshold {
            Some(Threshold { num, den }) if den > 0 => yes.saturating_mul(den) >= num.saturating_mul(cast),
            _ => true,
        };
        if yes > no && reached { Decision::Adopted } else { Decision::Rejected }
    }

    /// A list: the options with the most votes, as many as a vote may choose; a tie where the
    /// chosen ones end is a tie. With a threshold, an option needs that share of the voters.
    fn list_decision(&self, counts: &BTreeMap<String, u64>, voters: u64) -> Decision {
        let reaches = |n: u64| match self.threshold {
            Some(Threshold { num, den }) if den > 0 => n.saturating_mul(den) >= num.saturating_mul(voters),
            _ => true,
        };
        let mut ranked: Vec<(&str, u64)> =
            self.options_in_order().into_iter().map(|(id, _)| (id, counts.get(id).copied().unwrap_or(0))).filter(|(_, n)| *n > 0 && reaches(*n)).collect();
        ranked.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        let seats = self.choices_allowed() as usize;
        if ranked.is_empty() {
            return Decision::Rejected;
        }
        if ranked.len() > seats && ranked[seats].1 == ranked[seats - 1].1 {
            let level = ranked[seats - 1].1;
            return Decision::Tie(ranked.iter().filter(|(_, n)| *n == level).map(|(id, _)| (*id).to_owned()).collect());
        }
        Decision::Chosen(ranked.into_iter().take(seats).map(|(id, _)| id.to_owned()).collect())
    }
}

/// What an organiser fills in to open or edit a consultation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConsultationDraft {
    pub question: String,
    pub background: String,
    pub yes_no: bool,
    /// A list's options in order, by ID (ignored for yes / no).
    pub options: Vec<(String, String)>,
    pub max_choices: u64,
    /// Absent: at once.
    pub opens_at: Option<Timestamp>,
    pub closes_at: Timestamp,
    pub quorum: u64,
    pub threshold: Option<Threshold>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yes_no(quorum: u64, threshold: Option<Threshold>) -> Consultation {
        let options =
            [YES, NO, ABSTAIN].iter().enumerate().map(|(i, id)| ((*id).to_owned(), VoteOption { label: String::new(), position: format!("{i}"), archived: false })).collect();
        Consultation {
            question: "Paint the gate green?".into(),
            background: String::new(),
            author: String::new(),
            created_at: Timestamp(0),
            yes_no: true,
            options,
            max_choices: 1,
            opens_at: Timestamp(0),
            closes_at: Timestamp(100),
            quorum,
            threshold,
            votes: BTreeMap::new(),
            paper: BTreeMap::new(),
            comments: BTreeMap::new(),
            closed: None,
            follow_ups: BTreeMap::new(),
            archived: false,
        }
    }

    fn list(options: &[&str], max_choices: u64) -> Consultation {
        let mut c = yes_no(0, None);
        c.yes_no = false;
        c.max_choices = max_choices;
        c.options = options.iter().enumerate().map(|(i, id)| ((*id).to_owned(), VoteOption { label: id.to_uppercase(), position: format!("{i}"), archived: false })).collect();
        c
    }

    fn votes(choices: &[&[&str]]) -> Tally {
        let votes = choices
            .iter()
            .enumerate()
            .map(|(i, chosen)| (format!("m{i}"), Vote { choices: chosen.iter().map(|c| ((*c).to_owned(), true)).collect(), at: Timestamp(i as i64) }))
            .collect();
        Tally { votes, paper: BTreeMap::new() }
    }

    fn paper(tally: &mut Tally, counts: &[(&str, u64)], voters: u64) {
        let entry = PaperCount {
            counts: counts.iter().map(|(id, n)| ((*id).to_owned(), *n)).collect(),
            voters,
            recorded_by: String::new(),
            recorded_at: Timestamp(0),
            note: String::new(),
        };
        tally.paper.insert(format!("p{}", tally.paper.len()), entry);
    }

    #[test]
    fn yes_no_needs_more_yes_than_no_and_abstentions_only_count_for_the_quorum() {
        let c = yes_no(0, None);
        assert_eq!(c.outcome(&votes(&[&[YES], &[YES], &[NO], &[ABSTAIN]])).decision, Decision::Adopted);
        assert_eq!(c.outcome(&votes(&[&[YES], &[NO]])).decision, Decision::Rejected, "a tie is not adopted");
        assert_eq!(c.outcome(&votes(&[&[YES], &[ABSTAIN], &[ABSTAIN], &[ABSTAIN]])).decision, Decision::Adopted);
        let outcome = c.outcome(&votes(&[&[ABSTAIN]]));
        assert_eq!((outcome.online_voters, outcome.decision), (1, Decision::Rejected));
        assert_eq!(c.outcome(&Tally::default()).decision, Decision::NoQuorum, "nobody voted");
    }

    #[test]
    fn quorum_counts_everyone_who_voted_in_the_app_and_on_paper() {
        let c = yes_no(5, None);
        let mut tally = votes(&[&[YES], &[YES], &[ABSTAIN]]);
        assert_eq!(c.outcome(&tally).decision, Decision::NoQuorum);
        paper(&mut tally, &[(YES, 1), (NO, 1)], 2);
        let outcome = c.outcome(&tally);
        assert_eq!((outcome.voters(), outcome.quorum_met, outcome.decision), (5, true, Decision::Adopted));
        assert_eq!(outcome.counts[YES], 3);
    }

    #[test]
    fn a_two_thirds_threshold_is_of_votes_cast() {
        let c = yes_no(0, Some(Threshold { num: 2, den: 3 }));
        assert_eq!(c.outcome(&votes(&[&[YES], &[YES], &[NO], &[ABSTAIN], &[ABSTAIN]])).decision, Decision::Adopted, "2 of 3 cast");
        assert_eq!(c.outcome(&votes(&[&[YES], &[YES], &[YES], &[NO], &[NO]])).decision, Decision::Rejected, "3 of 5 is under two thirds");
    }

    #[test]
    fn invalid_votes_and_paper_that_does_not_add_up_are_left_out() {
        let c = yes_no(0, None);
        let mut tally = votes(&[&[YES, NO], &["maybe"], &[], &[NO]]);
        paper(&mut tally, &[(YES, 5)], 3);
        paper(&mut tally, &[("maybe", 1)], 1);
        let outcome = c.outcome(&tally);
        assert_eq!((outcome.online_voters, outcome.paper_voters, outcome.decision), (1, 0, Decision::Rejected));
        assert_eq!(c.check_vote([YES, NO]), Err(InvalidVote::TooManyChoices));
        assert_eq!(c.check_vote(["maybe"]), Err(InvalidVote::UnknownOption));
        assert_eq!(c.check_vote([]), Err(InvalidVote::NoChoice));
    }

    #[test]
    fn a_list_chooses_the_most_voted_as_many_as_a_vote_may_choose_and_says_when_it_is_a_tie() {
        let single = list(&["a", "b", "c"], 1);
        assert_eq!(single.outcome(&votes(&[&["a"], &["b"], &["a"]])).decision, Decision::Chosen(vec!["a".into()]));
        assert_eq!(single.outcome(&votes(&[&["a"], &["b"]])).decision, Decision::Tie(vec!["a".into(), "b".into()]));
        let two = list(&["a", "b", "c"], 2);
        let tally = votes(&[&["a", "b"], &["b", "c"], &["b"], &["a"]]);
        let outcome = two.outcome(&tally);
        assert_eq!(outcome.decision, Decision::Chosen(vec!["b".into(), "a".into()]));
        assert_eq!((outcome.counts["a"], outcome.counts["b"], outcome.counts["c"]), (2, 3, 1));
        assert_eq!(two.outcome(&votes(&[&["a", "b", "c"]])).online_voters, 0, "three choices where two are allowed");
        let two_level = two.outcome(&votes(&[&["a", "b"], &["c"], &["b", "c"], &["a"]]));
        assert_eq!(two_level.decision, Decision::Tie(vec!["a".into(), "b".into(), "c".into()]));
    }

    #[test]
    fn a_list_threshold_is_a_share_of_the_voters() {
        let mut c = list(&["a", "b", "c"], 1);
        c.threshold = Some(Threshold { num: 1, den: 2 });
        assert_eq!(c.outcome(&votes(&[&["a"], &["b"], &["c"], &["a"]])).decision, Decision::Chosen(vec!["a".into()]), "2 of 4 is half");
        assert_eq!(c.outcome(&votes(&[&["a"], &["b"], &["c"]])).decision, Decision::Rejected);
    }

    #[test]
    fn status_follows_the_clock_until_a_closing_is_recorded_and_not_after() {
        let mut c = yes_no(0, None);
        c.opens_at = Timestamp(10);
        assert_eq!(c.status(Timestamp(5)), ConsultationStatus::Upcoming);
        assert_eq!(c.status(Timestamp(50)), ConsultationStatus::Open);
        assert_eq!(c.status(Timestamp(100)), ConsultationStatus::Closing);
        c.closed = Some(Closing { at: Timestamp(101), by: String::new(), heads: Vec::new(), home_at: None, home_signature: String::new() });
        assert_eq!(c.status(Timestamp(50)), ConsultationStatus::Closed, "a slow clock does not re-open it");
    }
}
