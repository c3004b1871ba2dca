//! Which documents the relay lets go of: those no connection has been engaged in for a while, and,
//! when idle documents together grow past a cap, the longest idle first. A released document is
//! loaded from the data folder again when a peer next asks for it, so memory follows what is in
//! use, not everything ever served.

use std::collections::HashMap;
use std::time::Duration;

use linli_sync::DocumentId;
use tokio::time::Instant;

/// How long documents stay in memory when nobody uses them.
#[derive(Debug, Clone)]
pub struct Retention {
    /// A document no connection has been engaged in for this long is released.
    pub release_idle_after: Duration,
    /// Idle documents held together (counted by their size in the data folder; Automerge holds a
    /// few times that in memory) beyond this are released at once, the longest idle first.
    pub idle_cap_bytes: usize,
}

impl Default for Retention {
    fn default() -> Self {
        Retention { release_idle_after: Duration::from_secs(300), idle_cap_bytes: 32 << 20 }
    }
}

impl Retention {
    /// How often to look for documents to release.
    pub fn sweep_every(&self) -> Duration {
        (self.release_idle_after / 4).clamp(Duration::from_millis(100), Duration::from_secs(30))
    }
}

/// Remembers since when each document has been idle.
#[derive(Debug, Default)]
pub struct IdleClock {
    idle_since: HashMap<DocumentId, Instant>,
}

impl IdleClock {
    /// Given the documents idle now (with their stored size), the ones to release.
    pub fn due(&mut self, retention: &Retention, idle: &[(DocumentId, usize)], now: Instant) -> Vec<DocumentId> {
        let mut still_idle: HashMap<DocumentId, Instant> = HashMap::with_capacity(idle.len());
        for (id, _) in idle {
            still_idle.insert(*id, self.idle_since.get(id).copied().unwrap_or(now));
        }
        self.idle_since = still_idle;
        let mut kept: Vec<(Instant, DocumentId, usize)> = Vec::new();
        let mut due = Vec::new();
        for (id, bytes) in idle {
            let since = self.idle_since[id];
            if now.saturating_duration_since(since) >= retention.release_idle_after {
                due.push(*id);
            } else {
                kept.push((since, *id, *bytes));
            }
        }
        kept.sort();
        let mut held: usize = kept.iter().map(|(_, _, bytes)| bytes).sum();
        for (_, id, bytes) in kept {
            if held <= retention.idle_cap_bytes {
                break;
            }
            held -= bytes;
            due.push(id);
        }
        for id in &due {
            self.idle_since.remove(id);
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(n: u8) -> DocumentId {
        DocumentId::from_bytes([n; 16])
    }

    #[test]
    fn a_document_is_released_once_idle_for_the_whole_time_and_not_before() {
        let retention = Retention { release_idle_after: Duration::from_secs(60), idle_cap_bytes: usize::MAX };
        let mut clock = IdleClock::default();
        let start = Instant::now();
        assert!(clock.due(&retention, &[(doc(1), 10)], start).is_empty());
        assert!(clock.due(&retention, &[(doc(1), 10)], start + Duration::from_secs(59)).is_empty());
        assert_eq!(clock.due(&retention, &[(doc(1), 10)], start + Duration::from_secs(60)), vec![doc(1)]);
    }

    #[test]
    fn being_used_again_starts_the_wait_afresh() {
        let retention = Retention { release_idle_after: Duration::from_secs(60), idle_cap_bytes: usize::MAX };
        let mut clock = IdleClock::default();
        let start = Instant::now();
        clock.due(&retention, &[(doc(1), 10)], start);
        // In use at 30 s (not in the idle list), idle again at 40 s.
        clock.due(&retention, &[], start + Duration::from_secs(30));
        clock.due(&retention, &[(doc(1), 10)], start + Duration::from_secs(40));
        assert!(clock.due(&retention, &[(doc(1), 10)], start + Duration::from_secs(70)).is_empty());
        assert_eq!(clock.due(&retention, &[(doc(1), 10)], start + Duration::from_secs(100)), vec![doc(1)]);
    }

    #[test]
    fn over_the_cap_the_longest_idle_go_first_until_the_rest_fits() {
        let retention = Retention { release_idle_after: Duration::from_secs(600), idle_cap_bytes: 250 };
        let mut clock = IdleClock::default();
        let start = Instant::now();
        clock.due(&retention, &[(doc(1), 100)], start);
        clock.due(&retention, &[(doc(1), 100), (doc(2), 100)], start + Duration::from_secs(1));
        let due = clock.due(&retention, &[(doc(1), 100), (doc(2), 100), (doc(3), 100)], start + Duration::from_secs(2));
        assert_eq!(due, vec![doc(1)], "300 bytes held against a cap of 250: the oldest idle one goes");
    }
}
