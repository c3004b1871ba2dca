//! Meetings and the bodies that meet: scheduling, the agenda and its decisions, attendance,
//! minutes, and action items that become tasks on a board (all an organiser's).

use std::collections::BTreeMap;

use automerge::transaction::Transactable;

use crate::position::between;
use crate::{ActionItem, AgendaItem, Body, Editor, ItemId, Meeting, MeetingDraft, MemberId, Names, SpaceError, TaskDraft};

/// What an agenda item may link to: a consultation, a task or request, a pledge.
fn check_link(link: &str) -> Result<(), SpaceError> {
    match link.split_once('/') {
        Some(("consultations" | "tasks" | "pledges", id)) if ItemId::parse(id).is_some() => Ok(()),
        _ => Err(SpaceError::Invalid(crate::Invalid::AgendaLinkKind)),
    }
}

impl Editor<'_> {
    /// Adds a body to the space's list (e.g. "Owners' committee").
    pub fn add_body(&mut self, id: &ItemId, names: Names) -> Result<(), SpaceError> {
        if names.values().all(|n| n.trim().is_empty()) {
            return Err(SpaceError::Invalid(crate::Invalid::BodyNeedsName));
        }
        let map = self.collection("bodies")?;
        let last = self.current_space()?.bodies_in_order().last().map(|(_, b)| b.position.clone());
        let body = Body { names, position: between(last.as_deref(), None, self.entropy()), archived: false };
        self.put_new_item(&map, "body", id.as_str(), &body)?;
        self.commit("body.add");
        Ok(())
    }

    /// Renames a body in the languages given.
    pub fn rename_body(&mut self, id: &ItemId, names: Names) -> Result<(), SpaceError> {
        let (map, mut body) = self.item::<Body>("bodies", "body", id.as_str())?;
        body.names.extend(names);
        self.put_item(&map, id.as_str(), &body)?;
        self.commit("body.rename");
        Ok(())
    }

    /// Archives a body (meetings that invited it keep saying so) or brings it back.
    pub fn set_body_archived(&mut self, id: &ItemId, archived: bool) -> Result<(), SpaceError> {
        let (map, mut body) = self.item::<Body>("bodies", "body", id.as_str())?;
        body.archived = archived;
        self.put_item(&map, id.as_str(), &body)?;
        self.commit(if archived { "body.archive" } else { "body.unarchive" });
        Ok(())
    }

    /// Schedules a meeting.
    pub fn schedule_meeting(&mut self, id: &ItemId, draft: MeetingDraft) -> Result<(), SpaceError> {
        let title = super::required(&draft.title, crate::Invalid::MeetingNeedsTitle)?;
        let meeting = Meeting {
            title,
            starts_at: draft.starts_at,
            place: draft.place.trim().to_owned(),
            bodies: draft.bodies.iter().map(|b| (b.clone(), true)).collect(),
            agenda: BTreeMap::new(),
            attendees: BTreeMap::new(),
            others: 0,
            minutes: String::new(),
            actions: BTreeMap::new(),
            author: self.me(),
            created_at: self.author.now,
            archived: false,
        };
        let map = self.collection("meetings")?;
        self.put_new_item(&map, "meeting", id.as_str(), &meeting)?;
        self.commit("meeting.schedule");
        Ok(())
    }

    /// Changes a meeting's title, time, place and invited bodies.
    pub fn edit_meeting(&mut self, id: &ItemId, draft: MeetingDraft) -> Result<(), SpaceError> {
        let title = super::required(&draft.title, crate::Invalid::MeetingNeedsTitle)?;
        let (map, mut meeting) = self.item::<Meeting>("meetings", "meeting", id.as_str())?;
        meeting.title = title;
        meeting.starts_at = draft.starts_at;
        meeting.place = draft.place.trim().to_owned();
        meeting.bodies = draft.bodies.iter().map(|b| (b.clone(), true)).collect();
        self.put_item(&map, id.as_str(), &meeting)?;
        self.commit("meeting.edit");
        Ok(())
    }

    /// Adds an item at the end of a meeting's agenda, linking what it is about.
    pub fn add_agenda_item(&mut self, meeting: &ItemId, item: &ItemId, title: &str, links: &[String]) -> Result<(), SpaceError> {
        let title = super::required(title, crate::Invalid::AgendaItemNeedsTitle)?;
        links.iter().try_for_each(|l| check_link(l))?;
        let (map, current) = self.item::<Meeting>("meetings", "meeting", meeting.as_str())?;
        let last = current.agenda_in_order().last().map(|(_, a)| a.position.clone());
        let agenda = self.nested_map(&map, meeting.as_str(), "agenda")?;
        let entry =
            AgendaItem { title, position: between(last.as_deref(), None, self.entropy()), links: links.iter().map(|l| (l.clone(), true)).collect(), decision: String::new() };
        self.put_new_item(&agenda, "agenda item", item.as_str(), &entry)?;
        self.commit("meeting.agenda");
        Ok(())
    }

    /// Records what the meeting decided on an agenda item.
    pub fn set_agenda_decision(&mut self, meeting: &ItemId, item: &ItemId, decision: &str) -> Result<(), SpaceError> {
        let (map, current) = self.item::<Meeting>("meetings", "meeting", meeting.as_str())?;
        let Some(mut entry) = current.agenda.get(item.as_str()).cloned() else {
            return Err(SpaceError::NotFound { kind: "agenda item", id: item.to_string() });
        };
        entry.decision = decision.trim().to_owned();
        let agenda = self.nested_map(&map, meeting.as_str(), "agenda")?;
        self.put_item(&agenda, item.as_str(), &entry)?;
        self.commit("meeting.decision");
        Ok(())
    }

    /// Marks a member present (or not).
    pub fn set_attendance(&mut self, meeting: &ItemId, member: &str, present: bool) -> Result<(), SpaceError> {
        if MemberId::parse(member).is_none() {
            return Err(SpaceError::Invalid(crate::Invalid::NotAMemberId));
        }
        let (map, _) = self.item::<Meeting>("meetings", "meeting", meeting.as_str())?;
        let attendees = self.nested_map(&map, meeting.as_str(), "attendees")?;
        if present {
            self.doc.put(&attendees, member, true)?;
        } else {
            self.doc.delete(&attendees, member)?;
        }
        self.commit("meeting.attendance");
        Ok(())
    }

    /// Sets how many people came who are not members of the space.
    pub fn set_other_attendees(&mut self, meeting: &ItemId, others: u64) -> Result<(), SpaceError> {
        let (map, mut current) = self.item::<Meeting>("meetings", "meeting", meeting.as_str())?;
        current.others = others;
        self.put_item(&map, meeting.as_str(), &current)?;
        self.commit("meeting.others");
        Ok(())
    }

    /// Writes the minutes (by the smallest splice: two note-takers keep each other's words).
    pub fn set_minutes(&mut self, meeting: &ItemId, minutes: &str) -> Result<(), SpaceError> {
        let (map, mut current) = self.item::<Meeting>("meetings", "meeting", meeting.as_str())?;
        current.minutes = minutes.to_owned();
        self.put_item(&map, meeting.as_str(), &current)?;
        self.commit("meeting.minutes");
        Ok(())
    }

    /// An action item: a task at the end of a board column, assigned to `owner` (if given) with its
    /// due date, linked from the meeting (and its agenda item) in the same change.
    #[allow(clippy::too_many_arguments)]
    pub fn add_action_item(&mut self, meeting: &ItemId, agenda_item: &str, id: &ItemId, board: &ItemId, column: &ItemId, draft: TaskDraft, owner: &str) -> Result<(), SpaceError> {
        let (map, current) = self.item::<Meeting>("meetings", "meeting", meeting.as_str())?;
        if !agenda_item.is_empty() && !current.agenda.contains_key(agenda_item) {
            return Err(SpaceError::NotFound { kind: "agenda item", id: agenda_item.to_owned() });
        }
        let mut task = self.new_task(board, column, draft, None, crate::Place::End)?;
        if !owner.is_empty() {
            if MemberId::parse(owner).is_none() {
                return Err(SpaceError::Invalid(crate::Invalid::NotAMemberId));
            }
            task.assignees.insert(owner.to_owned(), true);
        }
        let tasks = self.collection("tasks")?;
        self.put_new_item(&tasks, "task", id.as_str(), &task)?;
        let actions = self.nested_map(&map, meeting.as_str(), "actions")?;
        let action = ActionItem { agenda_item: agenda_item.to_owned(), at: self.author.now };
        self.put_new_item(&actions, "action item", id.as_str(), &action)?;
        self.commit("meeting.action");
        Ok(())
    }

    /// Archives a meeting or brings it back.
    pub fn set_meeting_archived(&mut self, id: &ItemId, archived: bool) -> Result<(), SpaceError> {
        let (map, mut meeting) = self.item::<Meeting>("meetings", "meeting", id.as_str())?;
        meeting.archived = archived;
        self.put_item(&map, id.as_str(), &meeting)?;
        self.commit(if archived { "meeting.archive" } else { "meeting.unarchive" });
        Ok(())
    }
}
