//! A space as read: its settings and collections, and what screens and kiosks derive from them
//! (current notices, open pledges, requests' response times…). Plain data: the page draws from
//! it, and linli-core reads it from the space's Automerge document.
//!
//! Layout of the document (root map): `schema`, `name`, `description`, `created_at`, `languages`,
//! `categories`, `kiosk`, `responsibilities`, `members`, `notices`, `pledges`, `boards`, `tasks`,
//! `consultations`, `bodies`, `meetings`, `moderation`, `links` (and, written by the sync layer, `write_key` and `participate_key`). Collections
//! are maps keyed by ID.

use std::collections::BTreeMap;

#[cfg(feature = "automerge")]
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::board::{RequestStats, request_stats};
use crate::lang::Names;
use crate::moderation::Moderation;
use crate::space_link::SpaceLink;
use crate::{Board, Body, Consultation, ConsultationStatus, Meeting, Member, Notice, Outcome, Pledge, Privacy, Sealed, Tally, Task, Timestamp};

/// The schema version this Linli writes. See "Schema versions" in ARCHITECTURE.md for the rules.
pub const SCHEMA_VERSION: u64 = 1;

/// A category of the space (what a notice or request is about).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Category {
    pub names: Names,
    pub position: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub archived: bool,
}

/// How the space's kiosks behave; changed from any phone, obeyed by every kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct KioskSettings {
    /// Category IDs shown (empty: all).
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub categories: Vec<String>,
    /// Seconds each slide stays on screen.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "default_rotation"))]
    pub rotation_seconds: u64,
    /// Language tags the kiosk cycles through (empty: the space's languages).
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub languages: Vec<String>,
    /// Whether open consultations and last week's decisions get slides.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "default_true"))]
    #[serde(default = "default_true")]
    pub consultations: bool,
    /// Whether the kiosk reads each urgent notice aloud once, when it first shows it (for lobbies
    /// where not everyone can read the screen). Off unless an organiser turns it on.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    #[serde(default)]
    pub read_urgent_aloud: bool,
}

pub fn default_true() -> bool {
    true
}

pub fn default_rotation() -> u64 {
    12
}

impl Default for KioskSettings {
    fn default() -> Self {
        KioskSettings { categories: Vec::new(), rotation_seconds: default_rotation(), languages: Vec::new(), consultations: true, read_urgent_aloud: false }
    }
}

/// Who answers requests in one category.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Responsibility {
    /// The team's name, e.g. "Property management" or "Volunteer team 3".
    pub team: String,
    /// Members of the team (member ID → true).
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub members: BTreeMap<String, bool>,
    /// The team's reading keys, by reader (64 hex digits): what its private requests are sealed
    /// to. The newest is the one to seal to; older ones still open what was sealed to them.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    #[serde(default)]
    pub keys: BTreeMap<String, TeamKey>,
}

/// One of a team's reading keys: its secret, sealed to each member of the team (as it was when
/// the key was made or a member added) and to the organisers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct TeamKey {
    pub since: Timestamp,
    pub secret: Sealed,
}

impl Responsibility {
    /// The reading key private requests of this category are sealed to now (the newest).
    pub fn current_key(&self) -> Option<&str> {
        self.keys.iter().max_by(|a, b| a.1.since.cmp(&b.1.since).then_with(|| a.0.cmp(b.0))).map(|(reader, _)| reader.as_str())
    }
}

/// Something in the document that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unreadable {
    /// Where it is, e.g. `notices/3f2a…` or `name`.
    pub path: String,
    pub reason: String,
}

/// Everything in a space, read from its document. Screens and kiosks render from this.
///
/// linli-core reads one from a space's document (`Space::hydrate`); the queries below only read
/// what is already here. A space with nothing in it yet:
///
/// ```
/// use linli_model::{Space, Timestamp};
///
/// let space = Space { name: "Sanfang Qixiang".into(), ..Space::default() };
/// let now = Timestamp(1_700_000_000_000);
///
/// // No notices to list or to show on a kiosk, no open requests, no one to name.
/// assert!(space.current_notices().is_empty());
/// assert!(space.active_notices(now).is_empty());
/// assert!(space.open_requests().is_empty());
/// assert_eq!(space.request_stats().total, 0);
/// assert_eq!(space.member_name("0101010101010101"), None);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Space {
    pub schema: u64,
    /// Default: empty (shown as an unnamed space).
    pub name: String,
    pub description: String,
    pub created_at: Timestamp,
    /// Language tags offered; default: all three.
    pub languages: Vec<String>,
    pub categories: BTreeMap<String, Category>,
    pub kiosk: KioskSettings,
    /// By category ID.
    pub responsibilities: BTreeMap<String, Responsibility>,
    pub members: BTreeMap<String, Member>,
    pub notices: BTreeMap<String, Notice>,
    pub pledges: BTreeMap<String, Pledge>,
    pub boards: BTreeMap<String, Board>,
    pub tasks: BTreeMap<String, Task>,
    pub consultations: BTreeMap<String, Consultation>,
    /// What each closed consultation counts: its votes and paper counts as the document held them
    /// when it closed (read by linli-core at the closing's heads; see `consultation.rs`).
    pub tallies: BTreeMap<String, Tally>,
    /// The bodies that meet (residents' committee, owners' committee…), by ID.
    pub bodies: BTreeMap<String, Body>,
    pub meetings: BTreeMap<String, Meeting>,
    /// Organisers' moderation decisions, by member ID. Hidden members' contributions are left
    /// out of every collection above as read (see `moderation.rs`).
    pub moderation: BTreeMap<String, Moderation>,
    /// Links to other spaces, by link document ID (see `space_link.rs`).
    #[serde(default)]
    pub links: BTreeMap<String, SpaceLink>,
    /// What could not be read (and was left out).
    pub unreadable: Vec<Unreadable>,
    /// The private parts of the space (`tasks/<id>`, `tasks/<id>/comments/<id>`) and whether
    /// this device could read them (filled by the engine, never read from the document).
    #[serde(default)]
    pub private: BTreeMap<String, Privacy>,
}

impl Space {
    /// Notices to show at `now`: inside their window and not expired; urgent first, then pinned,
    /// then the most recently shown.
    pub fn active_notices(&self, now: Timestamp) -> Vec<(&str, &Notice)> {
        let mut notices: Vec<_> = self.notices.iter().filter(|(_, n)| n.is_active(now)).map(|(id, n)| (id.as_str(), n)).collect();
        notices.sort_by(|a, b| (b.1.urgent, b.1.pinned, b.1.shown_since()).cmp(&(a.1.urgent, a.1.pinned, a.1.shown_since())).then_with(|| a.0.cmp(b.0)));
        notices
    }

    /// Notices that are not archived (whatever their window), newest first.
    pub fn current_notices(&self) -> Vec<(&str, &Notice)> {
        let mut notices: Vec<_> = self.notices.iter().filter(|(_, n)| !n.archived).map(|(id, n)| (id.as_str(), n)).collect();
        notices.sort_by(|a, b| b.1.created_at.cmp(&a.1.created_at).then_with(|| a.0.cmp(b.0)));
        notices
    }

    /// Whether the private part at `path` (`tasks/<id>`, `tasks/<id>/comments/<id>`) was read on
    /// this device (`None`: it is not private).
    pub fn privacy(&self, path: &str) -> Option<Privacy> {
        self.private.get(path).copied()
    }

    /// Categories that are not archived, in order.
    pub fn categories_in_order(&self) -> Vec<(&str, &Category)> {
        let mut categories: Vec<_> = self.categories.iter().filter(|(_, c)| !c.archived).map(|(id, c)| (id.as_str(), c)).collect();
        categories.sort_by(|a, b| a.1.position.cmp(&b.1.position).then_with(|| a.0.cmp(b.0)));
        categories
    }

    /// Boards that are not archived, in order.
    pub fn boards_in_order(&self) -> Vec<(&str, &Board)> {
        let mut boards: Vec<_> = self.boards.iter().filter(|(_, b)| !b.archived).map(|(id, b)| (id.as_str(), b)).collect();
        boards.sort_by(|a, b| a.1.position.cmp(&b.1.position).then_with(|| a.0.cmp(b.0)));
        boards
    }

    /// Where a new task can go: each board in order with its name and its first column, as
    /// (board, name, column). A board without columns takes no task.
    pub fn boards_for_new_tasks(&self) -> Vec<(String, String, String)> {
        self.boards_in_order().into_iter().filter_map(|(id, b)| Some((id.to_owned(), b.name.clone(), b.columns_in_order().first()?.0.to_owned()))).collect()
    }

    /// The tasks of one column of a board that are not archived, in order.
    pub fn column_tasks(&self, board: &str, column: &str) -> Vec<(&str, &Task)> {
        let mut tasks: Vec<_> = self.tasks.iter().filter(|(_, t)| !t.archived && t.board == board && t.column == column).map(|(id, t)| (id.as_str(), t)).collect();
        tasks.sort_by(|a, b| a.1.position.cmp(&b.1.position).then_with(|| a.0.cmp(b.0)));
        tasks
    }

    /// Tasks whose column is not a column of their board any more (e.g. removed while a neighbour
    /// moved a card into it). Screens show them in the board's first column so none is lost.
    pub fn orphan_tasks(&self, board: &str) -> Vec<(&str, &Task)> {
        let Some(b) = self.boards.get(board) else { return Vec::new() };
        self.tasks.iter().filter(|(_, t)| !t.archived && t.board == board && b.columns.get(&t.column).is_none_or(|c| c.archived)).map(|(id, t)| (id.as_str(), t)).collect()
    }

    /// Pledges open for signing at `now`, newest first.
    pub fn open_pledges(&self, now: Timestamp) -> Vec<(&str, &Pledge)> {
        let mut pledges: Vec<_> = self.pledges.iter().filter(|(_, p)| p.is_open_for_signing(now)).map(|(id, p)| (id.as_str(), p)).collect();
        pledges.sort_by(|a, b| b.1.created_at.cmp(&a.1.created_at).then_with(|| a.0.cmp(b.0)));
        pledges
    }

    /// Response-time statistics over every resident request in the space.
    pub fn request_stats(&self) -> RequestStats {
        request_stats(self.tasks.values())
    }

    /// Requests not yet resolved, oldest first.
    pub fn open_requests(&self) -> Vec<(&str, &Task)> {
        let mut open: Vec<_> =
            self.tasks.iter().filter(|(_, t)| !t.archived && t.request.as_ref().is_some_and(|r| r.resolved_at.is_none())).map(|(id, t)| (id.as_str(), t)).collect();
        open.sort_by_key(|(id, t)| (t.request.as_ref().map(|r| r.raised_at), *id));
        open
    }

    /// Consultations that are not archived: open ones first (closing soonest first), then
    /// upcoming, then closed (most recently closing first).
    pub fn consultations_in_order(&self, now: Timestamp) -> Vec<(&str, &Consultation)> {
        let rank = |c: &Consultation| match c.status(now) {
            ConsultationStatus::Open => 0,
            ConsultationStatus::Closing => 1,
            ConsultationStatus::Upcoming => 2,
            ConsultationStatus::Closed => 3,
        };
        let mut list: Vec<_> = self.consultations.iter().filter(|(_, c)| !c.archived).map(|(id, c)| (id.as_str(), c)).collect();
        list.sort_by(|a, b| {
            let order = rank(a.1).cmp(&rank(b.1));
            let by_time = if rank(a.1) == 3 { b.1.closes_at.cmp(&a.1.closes_at) } else { a.1.closes_at.cmp(&b.1.closes_at) };
            order.then(by_time).then_with(|| a.0.cmp(b.0))
        });
        list
    }

    /// A consultation's result: final once it closed (its tally), provisional before (the votes
    /// and paper counts so far).
    pub fn outcome(&self, id: &str) -> Option<Outcome> {
        let consultation = self.consultations.get(id)?;
        Some(match (&consultation.closed, self.tallies.get(id)) {
            (Some(_), Some(tally)) => consultation.outcome(tally),
            (Some(_), None) => consultation.outcome(&Tally::default()),
            (None, _) => consultation.outcome(&Tally { votes: consultation.votes.clone(), paper: consultation.paper.clone() }),
        })
    }

    /// The display name of a member, if known.
    pub fn member_name(&self, member: &str) -> Option<&str> {
        self.members.get(member).map(|m| m.name.as_str())
    }

    /// How a member is shown: their name, else `#` and the first six digits of their ID.
    pub fn member_label(&self, member: &str) -> String {
        self.member_name(member).map(str::to_owned).unwrap_or_else(|| format!("#{}", member.chars().take(6).collect::<String>()))
    }
}

/// The three languages, as tags.
pub fn all_languages() -> Vec<String> {
    crate::Lang::ALL.iter().map(|l| l.tag().to_owned()).collect()
}
