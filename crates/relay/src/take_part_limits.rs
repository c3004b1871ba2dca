//! The space's rules as the relay applies them, plus limits of its own on what one take-part link
//! brings in. A take-part link on a poster is public: without limits, one script could add
//! thousands of members to a pledge in a minute, or fill the relay's disk.
//!
//! - **Joins**: new members one space may gain through one take-part link, a minute and a day.
//!   Every member key a take-part link brings in joins first (the rules refuse a resident's
//!   change before their member entry), so each counts, whatever it writes next.
//! - **Volume**: changes, operations and bytes one member, and all the members of one take-part
//!   link together, may add to a space in a day. Operations count apart from bytes: a change of
//!   thousands of small writes is a few kilobytes, yet every peer then holds, reads and syncs
//!   each of them (a space grown by millions of them slows every resident's device).
//!
//! A member or link that has used up its day is refused *before* the rules judge the change (the
//! costly part), so sending more past the limit costs the relay next to nothing.
//!
//! Changes past a limit are refused *for now*, with a reason the resident's device shows; it keeps
//! the change and offers it again later. It does not stop one person with many devices signing
//! at a slow pace, as paper does not.

use std::collections::HashMap;
use std::sync::Mutex;

use linli_core::participation::review_for_sync;
use linli_sync::automerge::AutoCommit;
use linli_sync::take_part_key::take_part_protection;
use linli_sync::{ChangeRules, DocumentId, Reviewed, Tier};
use tokio::time::Instant;

use crate::limits::RateLimiter;
use crate::metrics::Metrics;

/// Forgetting buckets: past this many, all are dropped (they refill anyway).
const MAX_BUCKETS: usize = 50_000;
const DAY: f64 = 24.0 * 3_600.0;

/// What one take-part link and one member may bring in.
#[derive(Debug, Clone, Copy)]
pub struct TakePartLimits {
    /// New members a minute (as many at once).
    pub joins_per_minute: f64,
    /// New members a day.
    pub joins_per_day: f64,
    /// Changes one member may make a day, operations and bytes.
    pub member_changes_per_day: f64,
    pub member_operations_per_day: f64,
    pub member_bytes_per_day: f64,
    /// Changes all the members of one take-part link may make a day, operations and bytes.
    pub link_changes_per_day: f64,
    pub link_operations_per_day: f64,
    pub link_bytes_per_day: f64,
}

impl Default for TakePartLimits {
    fn default() -> Self {
        TakePartLimits {
            joins_per_minute: 60.0,
            joins_per_day: 2_000.0,
            member_changes_per_day: 500.0,
            // Two of the largest changes a resident may make (a request with a long description).
            member_operations_per_day: 30_000.0,
            member_bytes_per_day: 4_000_000.0,
            link_changes_per_day: 50_000.0,
            link_operations_per_day: 300_000.0,
            link_bytes_per_day: 200_000_000.0,
        }
    }
}

/// What the relay says when it holds a resident's change back (the device keeps it and sends it
/// again): linli-model's, so the resident's device can tell which and say it in their language.
pub use linli_core::held_back::{LINK_TOO_BUSY, TOO_MANY_JOINS, TOO_MANY_JOINS_TODAY, TOO_MUCH_TODAY};

/// The buckets of one take-part link (a space and its take-part key).
struct LinkBuckets {
    joins_minute: RateLimiter,
    joins_day: RateLimiter,
    changes: RateLimiter,
    operations: RateLimiter,
    bytes: RateLimiter,
}

/// The buckets of one member in one space.
struct MemberBuckets {
    changes: RateLimiter,
    operations: RateLimiter,
    bytes: RateLimiter,
}

pub(crate) struct LimitedRules {
    limits: TakePartLimits,
    links: Mutex<HashMap<(DocumentId, Option<[u8; 32]>), LinkBuckets>>,
    members: Mutex<HashMap<(DocumentId, [u8; 32]), MemberBuckets>>,
    metrics: std::sync::Arc<Metrics>,
}

impl LimitedRules {
    pub fn new(limits: TakePartLimits, metrics: std::sync::Arc<Metrics>) -> Self {
        LimitedRules { limits, links: Mutex::new(HashMap::new()), members: Mutex::new(HashMap::new()), metrics }
    }

    /// Whether the relay takes one admitted resident's change now.
    fn take(&self, document: &DocumentId, doc: &AutoCommit, change: &Reviewed<'_>, joins: bool, now: Instant) -> Result<(), &'static str> {
        let l = &self.limits;
        let bytes = change.change.raw_bytes().len() as f64;
        let operations = change.change.len() as f64;
        let mut links = self.links.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let key = (*document, take_part_protection(doc));
        if links.len() >= MAX_BUCKETS && !links.contains_key(&key) {
            links.clear();
        }
        let link = links.entry(key).or_insert_with(|| LinkBuckets {
            joins_minute: RateLimiter::new(l.joins_per_minute / 60.0, l.joins_per_minute.max(1.0), now),
            joins_day: RateLimiter::new(l.joins_per_day / DAY, l.joins_per_day.max(1.0), now),
            changes: RateLimiter::new(l.link_changes_per_day / DAY, l.link_changes_per_day.max(1.0), now),
            operations: RateLimiter::new(l.link_operations_per_day / DAY, l.link_operations_per_day.max(1.0), now),
            bytes: RateLimiter::new(l.link_bytes_per_day / DAY, l.link_bytes_per_day.max(1.0), now),
        });
        if joins {
            if !link.joins_minute.allow(now) {
                Metrics::add(&self.metrics.joins_limited, 1);
                return Err(TOO_MANY_JOINS);
            }
            if !link.joins_day.allow(now) {
                Metrics::add(&self.metrics.joins_limited, 1);
                return Err(TOO_MANY_JOINS_TODAY);
            }
        }
        if !(link.changes.would_allow(now, 1.0) && link.operations.would_allow(now, operations) && link.bytes.would_allow(now, bytes)) {
            Metrics::add(&self.metrics.volume_limited, 1);
            return Err(LINK_TOO_BUSY);
        }
        drop(links);
        let Some(member) = change.member else { return Ok(()) };
        let mut members = self.members.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if members.len() >= MAX_BUCKETS && !members.contains_key(&(*document, member)) {
            members.clear();
        }
        let buckets = members.entry((*document, member)).or_insert_with(|| MemberBuckets {
            changes: RateLimiter::new(l.member_changes_per_day / DAY, l.member_changes_per_day.max(1.0), now),
            operations: RateLimiter::new(l.member_operations_per_day / DAY, l.member_operations_per_day.max(1.0), now),
            bytes: RateLimiter::new(l.member_bytes_per_day / DAY, l.member_bytes_per_day.max(1.0), now),
        });
        if !(buckets.changes.would_allow(now, 1.0) && buckets.operations.would_allow(now, operations) && buckets.bytes.would_allow(now, bytes)) {
            Metrics::add(&self.metrics.volume_limited, 1);
            return Err(TOO_MUCH_TODAY);
        }
        buckets.changes.allow_n(now, 1.0);
        buckets.operations.allow_n(now, operations);
        buckets.bytes.allow_n(now, bytes);
        drop(members);
        let mut links = self.links.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(link) = links.get_mut(&key) {
            link.changes.allow_n(now, 1.0);
            link.operations.allow_n(now, operations);
            link.bytes.allow_n(now, bytes);
        }
        Ok(())
    }

    /// Why a resident's change cannot be taken today whatever the rules say, if so: its member or
    /// its link has used up the day. Checked before the rules, whose judging is the costly part,
    /// so that a link past its limits costs the relay next to nothing.
    fn past_the_day(&self, document: &DocumentId, doc: &AutoCommit, change: &Reviewed<'_>, now: Instant) -> Option<&'static str> {
        let bytes = change.change.raw_bytes().len() as f64;
        let operations = change.change.len() as f64;
        let links = self.links.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(link) = links.get(&(*document, take_part_protection(doc)))
            && !(link.changes.would_allow(now, 1.0) && link.operations.would_allow(now, operations) && link.bytes.would_allow(now, bytes))
        {
            return Some(LINK_TOO_BUSY);
        }
        drop(links);
        let members = self.members.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let buckets = members.get(&(*document, change.member?))?;
        (!(buckets.changes.would_allow(now, 1.0) && buckets.operations.would_allow(now, operations) && buckets.bytes.would_allow(now, bytes))).then_some(TOO_MUCH_TODAY)
    }
}

impl ChangeRules for LimitedRules {
    fn review(&self, document: &DocumentId, doc: &AutoCommit, changes: &[Reviewed<'_>]) -> Vec<Result<(), String>> {
        let now = Instant::now();
        let early: Vec<Option<&'static str>> =
            changes.iter().map(|change| if change.tier == Tier::TakePart { self.past_the_day(document, doc, change, now) } else { None }).collect();
        if early.iter().any(Option::is_some) {
            Metrics::add(&self.metrics.volume_limited, early.iter().flatten().count() as u64);
        }
        // The rules judge the rest (a change that builds on one refused here is refused by them).
        let judged: Vec<Reviewed<'_>> = changes.iter().zip(&early).filter(|(_, e)| e.is_none()).map(|(c, _)| *c).collect();
        let mut verdicts = review_for_sync(document, doc, &judged).into_iter();
        changes
            .iter()
            .zip(early)
            .map(|(change, early)| {
                if let Some(reason) = early {
                    return Err(reason.to_owned());
                }
                match verdicts.next().expect("a verdict for each change judged") {
                    Ok(admitted) if change.tier == Tier::TakePart => self.take(document, doc, change, admitted.joins, now).map_err(str::to_owned),
                    Ok(_) => Ok(()),
                    Err(reason) => Err(reason),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use linli_sync::automerge::transaction::Transactable;
    use linli_sync::automerge::{Change, ROOT};

    use super::*;

    fn a_change(n: u64) -> Change {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "n", n).unwrap();
        doc.commit();
        doc.get_last_local_change().unwrap().clone()
    }

    fn limited(limits: TakePartLimits) -> (LimitedRules, Arc<Metrics>) {
        let metrics = Arc::new(Metrics::default());
        (LimitedRules::new(limits, metrics.clone()), metrics)
    }

    const GENEROUS: TakePartLimits = TakePartLimits {
        joins_per_minute: 1e9,
        joins_per_day: 1e9,
        member_changes_per_day: 1e9,
        member_operations_per_day: 1e12,
        member_bytes_per_day: 1e12,
        link_changes_per_day: 1e9,
        link_operations_per_day: 1e12,
        link_bytes_per_day: 1e12,
    };

    #[test]
    fn each_member_and_the_link_as_a_whole_bring_in_so_many_changes_a_day() {
        let (rules, metrics) = limited(TakePartLimits { member_changes_per_day: 3.0, link_changes_per_day: 5.0, ..GENEROUS });
        let (space, doc, start) = (DocumentId::from_bytes([1; 16]), AutoCommit::new(), Instant::now());
        let change = a_change(1);
        let by = |member: u8| Reviewed { change: &change, tier: Tier::TakePart, member: Some([member; 32]) };
        for _ in 0..3 {
            assert_eq!(rules.take(&space, &doc, &by(1), false, start), Ok(()));
        }
        assert_eq!(rules.take(&space, &doc, &by(1), false, start), Err(TOO_MUCH_TODAY));
        // Another member still may, until the link's day is used up (a refused change used none of it).
        assert_eq!(rules.take(&space, &doc, &by(2), false, start), Ok(()));
        assert_eq!(rules.take(&space, &doc, &by(3), false, start), Ok(()));
        assert_eq!(rules.take(&space, &doc, &by(4), false, start), Err(LINK_TOO_BUSY));
        // Another space's link is not this one.
        assert_eq!(rules.take(&DocumentId::from_bytes([2; 16]), &doc, &by(3), false, start), Ok(()));
        assert_eq!(metrics.volume_limited.load(std::sync::atomic::Ordering::Relaxed), 2);
        // A day later, the first member may again.
        assert_eq!(rules.take(&space, &doc, &by(1), false, start + Duration::from_secs(86_400)), Ok(()));
    }

    #[test]
    fn a_member_brings_in_so_many_bytes_a_day() {
        let change = a_change(1);
        let size = change.raw_bytes().len() as f64;
        let (rules, _) = limited(TakePartLimits { member_bytes_per_day: 2.5 * size, ..GENEROUS });
        let (space, doc, start) = (DocumentId::from_bytes([1; 16]), AutoCommit::new(), Instant::now());
        let by = Reviewed { change: &change, tier: Tier::TakePart, member: Some([1; 32]) };
        assert_eq!(rules.take(&space, &doc, &by, false, start), Ok(()));
        assert_eq!(rules.take(&space, &doc, &by, false, start), Ok(()));
        assert_eq!(rules.take(&space, &doc, &by, false, start), Err(TOO_MUCH_TODAY));
    }

    #[test]
    fn a_member_and_a_link_bring_in_so_many_operations_a_day_however_small_their_bytes() {
        let mut doc = AutoCommit::new();
        for n in 0..100 {
            doc.put(ROOT, "name", n).unwrap();
        }
        doc.commit();
        let many = doc.get_last_local_change().unwrap().clone();
        assert_eq!(many.len(), 100);
        assert!(many.raw_bytes().len() < 1_000, "a hundred small writes are a few hundred bytes");
        let (rules, _) = limited(TakePartLimits { member_operations_per_day: 250.0, link_operations_per_day: 450.0, ..GENEROUS });
        let (space, plain, start) = (DocumentId::from_bytes([1; 16]), AutoCommit::new(), Instant::now());
        let by = |member: u8| Reviewed { change: &many, tier: Tier::TakePart, member: Some([member; 32]) };
        assert_eq!(rules.take(&space, &plain, &by(1), false, start), Ok(()));
        assert_eq!(rules.take(&space, &plain, &by(1), false, start), Ok(()));
        assert_eq!(rules.take(&space, &plain, &by(1), false, start), Err(TOO_MUCH_TODAY));
        assert_eq!(rules.take(&space, &plain, &by(2), false, start), Ok(()));
        assert_eq!(rules.take(&space, &plain, &by(2), false, start), Ok(()));
        assert_eq!(rules.take(&space, &plain, &by(3), false, start), Err(LINK_TOO_BUSY));
        assert_eq!(rules.past_the_day(&space, &plain, &by(3), start), Some(LINK_TOO_BUSY), "and from then on before the rules judge");
    }

    #[test]
    fn joins_are_limited_a_minute_and_a_day() {
        let (rules, metrics) = limited(TakePartLimits { joins_per_minute: 2.0, joins_per_day: 3.0, ..GENEROUS });
        let (space, doc, start) = (DocumentId::from_bytes([1; 16]), AutoCommit::new(), Instant::now());
        let change = a_change(1);
        let joining = |member: u8| Reviewed { change: &change, tier: Tier::TakePart, member: Some([member; 32]) };
        assert_eq!(rules.take(&space, &doc, &joining(1), true, start), Ok(()));
        assert_eq!(rules.take(&space, &doc, &joining(2), true, start), Ok(()));
        assert_eq!(rules.take(&space, &doc, &joining(3), true, start), Err(TOO_MANY_JOINS));
        let later = start + Duration::from_secs(61);
        assert_eq!(rules.take(&space, &doc, &joining(3), true, later), Ok(()));
        assert_eq!(rules.take(&space, &doc, &joining(4), true, later + Duration::from_secs(61)), Err(TOO_MANY_JOINS_TODAY));
        // A member already in takes part as before.
        assert_eq!(rules.take(&space, &doc, &joining(1), false, later + Duration::from_secs(61)), Ok(()));
        assert_eq!(metrics.joins_limited.load(std::sync::atomic::Ordering::Relaxed), 2);
    }

    #[test]
    fn a_member_past_the_day_is_refused_before_the_rules_judge_and_others_are_judged_as_before() {
        let (rules, metrics) = limited(TakePartLimits { member_changes_per_day: 1.0, ..GENEROUS });
        let (space, doc, start) = (DocumentId::from_bytes([1; 16]), AutoCommit::new(), Instant::now());
        let change = a_change(1);
        let by = |member: u8| Reviewed { change: &change, tier: Tier::TakePart, member: Some([member; 32]) };
        assert_eq!(rules.past_the_day(&space, &doc, &by(1), start), None, "a member not yet seen");
        assert_eq!(rules.take(&space, &doc, &by(1), false, start), Ok(()));
        assert_eq!(rules.past_the_day(&space, &doc, &by(1), start), Some(TOO_MUCH_TODAY));
        let before = metrics.volume_limited.load(std::sync::atomic::Ordering::Relaxed);
        let verdicts = rules.review(&space, &doc, &[by(1), by(2)]);
        assert_eq!(verdicts[0], Err(TOO_MUCH_TODAY.to_owned()), "refused for the day, whatever the rules would say");
        assert_eq!(verdicts[1], review_for_sync(&space, &doc, &[by(2)]).remove(0).map(|_| ()), "the other member's change gets the rules' verdict");
        assert_eq!(metrics.volume_limited.load(std::sync::atomic::Ordering::Relaxed), before + 1);
    }
}
