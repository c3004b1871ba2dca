//! The space's rules as the relay applies them, plus one limit of its own: how fast new members
//! may join a space through one take-part link. A take-part link on a poster is public; without a
//! limit, one script could add thousands of fake members to a pledge in a minute. Joins past the
//! limit are refused with a clear reason (the resident's device says it and sends again later).
//! It does not stop one person with many devices signing many times, as paper does not.

use std::collections::HashMap;
use std::sync::Mutex;

use linli_core::participation::review_for_sync;
use linli_sync::automerge::AutoCommit;
use linli_sync::participate_key::participate_protection;
use linli_sync::{ChangeRules, DocumentId, Reviewed, Tier};
use tokio::time::Instant;

use crate::limits::RateLimiter;
use crate::metrics::Metrics;

/// Forgetting buckets: past this many spaces, the fullest are dropped (they refill anyway).
const MAX_BUCKETS: usize = 10_000;

pub(crate) struct LimitedRules {
    per_minute: f64,
    burst: f64,
    /// One bucket per (space, participate key): per take-part link.
    buckets: Mutex<HashMap<(DocumentId, Option<[u8; 32]>), RateLimiter>>,
    metrics: std::sync::Arc<Metrics>,
}

impl LimitedRules {
    pub fn new(per_minute: f64, metrics: std::sync::Arc<Metrics>) -> Self {
        LimitedRules { per_minute, burst: per_minute.max(1.0), buckets: Mutex::new(HashMap::new()), metrics }
    }
}

/// What a resident's device shows when the relay refuses their joining for now.
pub const TOO_MANY_JOINS: &str = "too many people joined this space through its take-part link in the last minute; this device keeps the change and sends it again shortly";

impl ChangeRules for LimitedRules {
    fn review(&self, document: &DocumentId, doc: &AutoCommit, changes: &[Reviewed<'_>]) -> Vec<Result<(), String>> {
        let verdicts = review_for_sync(document, doc, changes);
        let now = Instant::now();
        let link = (*document, participate_protection(doc));
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        verdicts
            .into_iter()
            .zip(changes)
            .map(|(verdict, change)| match verdict {
                Ok(admitted) if admitted.joins && change.tier == Tier::Participate => {
                    if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(&link) {
                        buckets.clear();
                    }
                    let bucket = buckets.entry(link).or_insert_with(|| RateLimiter::new(self.per_minute / 60.0, self.burst, now));
                    if bucket.allow(now) {
                        Ok(())
                    } else {
                        Metrics::add(&self.metrics.joins_limited, 1);
                        Err(TOO_MANY_JOINS.to_owned())
                    }
                }
                Ok(_) => Ok(()),
                Err(reason) => Err(reason),
            })
            .collect()
    }
}
