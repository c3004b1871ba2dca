//! How a space's neighbourhood takes part, as the participation screen charts it: signatures
//! over time, tasks done per week, response times of requests, turnout per consultation.

use crate::{Space, Timestamp};

const DAY: i64 = 24 * 60 * 60 * 1000;
const WEEK: i64 = 7 * DAY;

impl Space {
    /// Signatures that count (online and paper), added up day by day from the first one.
    pub fn signatures_by_day(&self) -> Vec<(Timestamp, u64)> {
        let mut events: Vec<(i64, u64)> = Vec::new();
        for pledge in self.pledges.values() {
            events.extend(pledge.signatures.values().filter(|s| s.withdrawn_at.is_none()).map(|s| (s.signed_at.0, 1)));
            events.extend(pledge.paper.values().map(|p| (p.recorded_at.0, p.count)));
        }
        events.sort();
        let mut days: Vec<(Timestamp, u64)> = Vec::new();
        let mut total = 0;
        for (at, n) in events {
            total += n;
            let day = at.div_euclid(DAY) * DAY;
            match days.last_mut() {
                Some((d, count)) if d.0 == day => *count = total,
                _ => days.push((Timestamp(day), total)),
            }
        }
        days
    }

    /// Tasks finished per week (the last 8 weeks with any): resolved requests by when they were
    /// resolved, other tasks in their board's last column by their last change.
    pub fn tasks_done_by_week(&self) -> Vec<(Timestamp, u64)> {
        let mut weeks: std::collections::BTreeMap<i64, u64> = Default::default();
        for task in self.tasks.values().filter(|t| !t.archived) {
            let done_at = match &task.request {
                Some(r) => r.resolved_at,
                None => {
                    let last_column = self.boards.get(&task.board).and_then(|b| b.columns_in_order().last().map(|(id, _)| (*id).to_owned()));
                    (last_column.as_deref() == Some(task.column.as_str())).then_some(task.updated_at)
                }
            };
            if let Some(at) = done_at {
                *weeks.entry(at.0.div_euclid(WEEK) * WEEK).or_default() += 1;
            }
        }
        let all: Vec<_> = weeks.into_iter().map(|(w, n)| (Timestamp(w), n)).collect();
        all[all.len().saturating_sub(8)..].to_vec()
    }

    /// Response times of the latest 20 answered requests, oldest first.
    pub fn response_times(&self) -> Vec<(Timestamp, i64)> {
        let mut times: Vec<_> = self.tasks.values().filter_map(|t| t.request.as_ref()).filter_map(|r| Some((r.raised_at, r.response_time()?))).collect();
        times.sort();
        times[times.len().saturating_sub(20)..].to_vec()
    }

    /// Turnout (everyone who voted, in the app and on paper) of the latest 12 consultations that have
    /// opened, by when they close.
    pub fn turnout_by_consultation(&self) -> Vec<(Timestamp, String, u64)> {
        let mut rows: Vec<_> =
            self.consultations.iter().filter(|(_, c)| !c.archived).filter_map(|(id, c)| Some((c.closes_at, c.question.clone(), self.outcome(id)?.voters()))).collect();
        rows.sort_by_key(|a| a.0);
        rows[rows.len().saturating_sub(12)..].to_vec()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::{PaperSignatures, Pledge, Signature, Space, Timestamp};

    const HOUR: i64 = 3_600_000;

    fn signature(at: i64, withdrawn: bool) -> Signature {
        Signature { name: String::new(), signed_at: Timestamp(at), withdrawn_at: withdrawn.then_some(Timestamp(at + HOUR)) }
    }

    #[test]
    fn signatures_add_up_day_by_day_with_paper_ones_and_without_withdrawn_ones() {
        let signatures: BTreeMap<String, Signature> =
            [("a".into(), signature(DAY + HOUR, false)), ("b".into(), signature(DAY + 2 * HOUR, true)), ("c".into(), signature(3 * DAY, false))].into();
        let paper = [("p".to_owned(), PaperSignatures { count: 5, recorded_by: String::new(), recorded_at: Timestamp(DAY + 3 * HOUR), note: String::new() })].into();
        let pledge = Pledge {
            title: String::new(),
            text: String::new(),
            author: String::new(),
            created_at: Timestamp(0),
            deadline: None,
            goal: 10,
            binding_at: None,
            signatures,
            paper,
            archived: false,
        };
        let mut space = Space::default();
        space.pledges.insert("x".into(), pledge);
        assert_eq!(space.signatures_by_day(), vec![(Timestamp(DAY), 6), (Timestamp(3 * DAY), 7)]);
    }

    use super::DAY;
}
