//! A space's meetings read from the space: when a task counts as done, where a meeting's action
//! items stand, and the meetings in the order the screens list them.

use crate::{ActionState, Body, Meeting, Space, Task, Timestamp};

impl Space {
    /// Whether a task is done: a request once resolved, another task in its board's last column.
    /// `Some(time)` says when (a request's resolution, else the task's last change).
    pub fn done_at(&self, task: &Task) -> Option<Timestamp> {
        match &task.request {
            Some(request) => request.resolved_at,
            None => {
                let board = self.boards.get(&task.board)?;
                let (last, _) = board.columns_in_order().into_iter().rfind(|(_, c)| !c.archived)?;
                (last == task.column).then_some(task.updated_at)
            }
        }
    }

    /// Where an action item stands at `now`.
    pub fn action_state(&self, task_id: &str, now: Timestamp) -> ActionState {
        let Some(task) = self.tasks.get(task_id).filter(|t| !t.archived) else { return ActionState::Dropped };
        match (self.done_at(task), task.due) {
            (Some(done), Some(due)) if done > due => ActionState::DoneLate,
            (Some(_), _) => ActionState::Done,
            (None, Some(due)) if now > due => ActionState::Overdue,
            (None, _) => ActionState::Open,
        }
    }

    /// Meetings that are not archived, the next one first, then past ones (latest first).
    pub fn meetings_in_order(&self, now: Timestamp) -> Vec<(&str, &Meeting)> {
        const HOURS_3: i64 = 3 * 3_600_000;
        let mut list: Vec<_> = self.meetings.iter().filter(|(_, m)| !m.archived).map(|(id, m)| (id.as_str(), m)).collect();
        // A meeting counts as coming until three hours after it starts.
        let coming = |m: &Meeting| m.starts_at.0 + HOURS_3 >= now.0;
        list.sort_by(|a, b| {
            coming(b.1).cmp(&coming(a.1)).then_with(|| if coming(a.1) { a.1.starts_at.cmp(&b.1.starts_at) } else { b.1.starts_at.cmp(&a.1.starts_at) }).then_with(|| a.0.cmp(b.0))
        });
        list
    }

    /// The next meeting (starting, or started less than three hours ago).
    pub fn next_meeting(&self, now: Timestamp) -> Option<(&str, &Meeting)> {
        self.meetings_in_order(now).into_iter().next().filter(|(_, m)| m.starts_at.0 + 3 * 3_600_000 >= now.0)
    }

    /// The meeting held last before `id` (not archived, with action items or not): the one
    /// whose action items `id` starts with, "what became of last time".
    pub fn previous_meeting(&self, id: &str) -> Option<(&str, &Meeting)> {
        let this = self.meetings.get(id)?;
        self.meetings
            .iter()
            .filter(|(other, m)| !m.archived && other.as_str() != id && (m.starts_at, other.as_str()) < (this.starts_at, id))
            .max_by(|a, b| (a.1.starts_at, a.0).cmp(&(b.1.starts_at, b.0)))
            .map(|(other, m)| (other.as_str(), m))
    }

    /// Bodies that are not archived, in order.
    pub fn bodies_in_order(&self) -> Vec<(&str, &Body)> {
        let mut bodies: Vec<_> = self.bodies.iter().filter(|(_, b)| !b.archived).map(|(id, b)| (id.as_str(), b)).collect();
        bodies.sort_by(|a, b| a.1.position.cmp(&b.1.position).then_with(|| a.0.cmp(b.0)));
        bodies
    }

    /// Of all meetings' action items with a due date that has come: how many were done by it.
    pub fn actions_done_on_time(&self, now: Timestamp) -> (u64, u64) {
        let mut due = 0;
        let mut on_time = 0;
        for meeting in self.meetings.values().filter(|m| !m.archived) {
            for task_id in meeting.actions.keys() {
                let Some(task) = self.tasks.get(task_id) else { continue };
                if task.due.is_none_or(|d| d > now) {
                    continue;
                }
                due += 1;
                on_time += u64::from(self.action_state(task_id, now) == ActionState::Done);
            }
        }
        (on_time, due)
    }
}
