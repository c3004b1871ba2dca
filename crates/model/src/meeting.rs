//! Meetings (居民會議, 聯席會議): when and where, which of the space's bodies are invited, the
//! agenda (items may link to consultations, requests and pledges), who came, the minutes, the
//! decision per agenda item, and action items — tasks on a board with an owner and a due date,
//! whose state the meeting page shows live ("what became of last time").

use std::collections::BTreeMap;

#[cfg(feature = "automerge")]
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::lang::Names;

/// A body that takes part in the neighbourhood's decisions (residents' committee, owners'
/// committee, property company, volunteers…), under `bodies/<id>`: the space's own list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Body {
    pub names: Names,
    pub position: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub archived: bool,
}

/// One item of a meeting's agenda, under `agenda/<item id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct AgendaItem {
    pub title: String,
    pub position: String,
    /// What it is about: `consultations/<id>`, `tasks/<id>` (a request), `pledges/<id>` → true.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub links: BTreeMap<String, bool>,
    /// What the meeting decided on it (empty: nothing yet).
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub decision: String,
}

/// An action item: a task made at the meeting, under `actions/<task id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct ActionItem {
    /// The agenda item it came from (empty: the meeting as a whole).
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub agenda_item: String,
    pub at: Timestamp,
}

/// A meeting as stored under `meetings/<id>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Meeting {
    pub title: String,
    pub starts_at: Timestamp,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub place: String,
    /// Body IDs invited → true.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub bodies: BTreeMap<String, bool>,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub agenda: BTreeMap<String, AgendaItem>,
    /// Members present → true.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub attendees: BTreeMap<String, bool>,
    /// People present who are not members of the space.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub others: u64,
    /// Markdown, kept as collaborative text (two note-takers at once both keep their words).
    #[cfg_attr(feature = "automerge", autosurgeon(with = "crate::text_field"))]
    pub minutes: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub actions: BTreeMap<String, ActionItem>,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub author: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub archived: bool,
}

/// Where an action item stands, from its task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionState {
    /// Not done, and not past its due date (or it has none).
    Open,
    /// Not done, and past its due date.
    Overdue,
    /// Done by its due date (or it had none).
    Done,
    /// Done, after its due date.
    DoneLate,
    /// Its task is gone or archived.
    Dropped,
}

impl Meeting {
    /// The agenda in order.
    pub fn agenda_in_order(&self) -> Vec<(&str, &AgendaItem)> {
        let mut items: Vec<_> = self.agenda.iter().map(|(id, a)| (id.as_str(), a)).collect();
        items.sort_by(|a, b| a.1.position.cmp(&b.1.position).then_with(|| a.0.cmp(b.0)));
        items
    }

    /// Everyone present: members and others.
    pub fn attendance(&self) -> u64 {
        self.attendees.values().filter(|present| **present).count() as u64 + self.others
    }
}

/// What an organiser fills in to schedule or edit a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MeetingDraft {
    pub title: String,
    pub starts_at: Timestamp,
    pub place: String,
    /// Body IDs invited.
    pub bodies: Vec<String>,
}
