//! Each document's fair share of the hub: one task serves every space, so a space flooded with
//! costly changes (a public take-part link in the wrong hands) must not delay the others.
//!
//! The hub times what handling each message costs and charges it to the message's document. A
//! document may spend [`SHARE`] of the hub's time, with bursts up to [`BURST`]; past that it is
//! *in debt*, and its messages wait (in arrival order) until it has paid its debt back — or until
//! the hub has nothing else to do, so a busy space on an otherwise quiet relay is not slowed. The
//! messages that wait are bounded in bytes; a connection whose message would pass the bound is
//! closed with "try again later" (its peer reconnects and syncs again; nothing it sent was
//! acknowledged, so nothing is lost).
//!
//! A document whose changes are being admitted on another thread (see the hub) is *busy*: its
//! messages wait, in order, until it is back, whatever its balance.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;

use linli_sync::{ConnId, DocumentId};
use tokio::time::Instant;

/// The part of the hub's time one document may use when others are waiting.
pub const SHARE: f64 = 0.25;
/// How much of the hub's time one document may use at once before it is in debt.
pub const BURST: Duration = Duration::from_millis(500);
/// Bytes of messages that may wait, over all documents.
pub const MAX_WAITING_BYTES: usize = 64 << 20;

/// One message that waits for its document's turn.
#[derive(Debug)]
pub struct Waiting {
    pub conn: ConnId,
    pub bytes: Vec<u8>,
}

/// What the hub does with a message now.
#[derive(Debug, PartialEq, Eq)]
pub enum Turn {
    /// Handle it now.
    Now,
    /// It waits behind its document's debt.
    Wait,
    /// Too much is waiting: close its connection.
    Overflow,
}

#[derive(Debug, Default)]
pub struct FairShare {
    /// Each document's balance in seconds of hub time (positive: credit), and when it was last
    /// brought up to date. Documents with a full balance are not kept.
    balances: HashMap<DocumentId, (f64, Instant)>,
    waiting: HashMap<DocumentId, VecDeque<Waiting>>,
    waiting_bytes: usize,
    /// Documents out of the repo, being admitted elsewhere.
    busy: HashSet<DocumentId>,
}

impl FairShare {
    fn balance(&self, document: &DocumentId, now: Instant) -> f64 {
        match self.balances.get(document) {
            Some((balance, at)) => (balance + now.saturating_duration_since(*at).as_secs_f64() * SHARE).min(BURST.as_secs_f64()),
            None => BURST.as_secs_f64(),
        }
    }

    fn in_debt(&self, document: &DocumentId, now: Instant) -> bool {
        self.balance(document, now) < 0.0
    }

    /// Whether a message about `document` is handled now. One that waits is kept here.
    pub fn admit(&mut self, document: DocumentId, conn: ConnId, bytes: Vec<u8>, now: Instant) -> (Turn, Option<Vec<u8>>) {
        if !self.waiting.contains_key(&document) && !self.busy.contains(&document) && !self.in_debt(&document, now) {
            return (Turn::Now, Some(bytes));
        }
        if self.waiting_bytes + bytes.len() > MAX_WAITING_BYTES {
            return (Turn::Overflow, None);
        }
        self.waiting_bytes += bytes.len();
        self.waiting.entry(document).or_default().push_back(Waiting { conn, bytes });
        (Turn::Wait, None)
    }

    /// Charges `spent` of the hub's time to `document`.
    pub fn charge(&mut self, document: DocumentId, spent: Duration, now: Instant) {
        let balance = self.balance(&document, now) - spent.as_secs_f64();
        if balance >= BURST.as_secs_f64() {
            self.balances.remove(&document);
        } else {
            self.balances.insert(document, (balance, now));
        }
    }

    /// The next waiting message whose document has paid its debt back; with `idle` (nothing
    /// else to do), the next of the document least in debt.
    pub fn next(&mut self, now: Instant, idle: bool) -> Option<(DocumentId, Waiting)> {
        let document = self
            .waiting
            .keys()
            .filter(|d| !self.busy.contains(d))
            .map(|d| (*d, self.balance(d, now)))
            .filter(|(_, balance)| idle || *balance >= 0.0)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(d, _)| d)?;
        let queue = self.waiting.get_mut(&document).expect("a waiting document");
        let message = queue.pop_front().expect("queues are never empty");
        if queue.is_empty() {
            self.waiting.remove(&document);
        }
        self.waiting_bytes -= message.bytes.len();
        Some((document, message))
    }

    /// Which of the admissions waiting for a thread (their documents, in the order they were
    /// queued) goes next: the one whose document is least in debt, the earliest of equals. A
    /// flood of costly changes in several spaces then takes threads only when no honest space's
    /// admission waits for one.
    pub fn first_to_admit(&self, queued: impl IntoIterator<Item = DocumentId>, now: Instant) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for (index, document) in queued.into_iter().enumerate() {
            let balance = self.balance(&document, now);
            if best.is_none_or(|(_, top)| balance > top) {
                best = Some((index, balance));
            }
        }
        best.map(|(index, _)| index)
    }

    /// Whether messages wait that could be handled (their document is not busy).
    pub fn has_waiting(&self) -> bool {
        self.waiting.keys().any(|d| !self.busy.contains(d))
    }

    /// The document is out of the repo (`true`) or back (`false`).
    pub fn set_busy(&mut self, document: DocumentId, busy: bool) {
        if busy {
            self.busy.insert(document);
        } else {
            self.busy.remove(&document);
        }
    }

    /// When the first document in debt with waiting messages will have paid it back.
    pub fn next_due(&self, now: Instant) -> Option<Instant> {
        self.waiting.keys().filter(|d| !self.busy.contains(d)).map(|d| now + Duration::from_secs_f64((-self.balance(d, now)).max(0.0) / SHARE)).min()
    }

    /// Forgets what a closed connection left waiting.
    pub fn forget(&mut self, conn: ConnId) {
        let mut freed = 0;
        self.waiting.retain(|_, queue| {
            queue.retain(|m| {
                let keep = m.conn != conn;
                if !keep {
                    freed += m.bytes.len();
                }
                keep
            });
            !queue.is_empty()
        });
        self.waiting_bytes -= freed;
    }

    /// Forgets balances that have refilled (so the map holds only documents recently busy).
    pub fn tidy(&mut self, now: Instant) {
        let full = BURST.as_secs_f64();
        let refilled: Vec<DocumentId> = self.balances.keys().filter(|d| self.balance(d, now) >= full).copied().collect();
        for document in refilled {
            self.balances.remove(&document);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUSY: DocumentId = DocumentId::from_bytes([1; 16]);
    const QUIET: DocumentId = DocumentId::from_bytes([2; 16]);

    #[test]
    fn a_document_in_debt_waits_while_another_goes_first() {
        let (mut fair, start) = (FairShare::default(), Instant::now());
        assert_eq!(fair.admit(BUSY, 1, vec![1], start).0, Turn::Now);
        fair.charge(BUSY, Duration::from_secs(1), start);
        assert_eq!(fair.admit(BUSY, 1, vec![2], start).0, Turn::Wait, "in debt: it waits");
        assert_eq!(fair.admit(QUIET, 2, vec![3], start).0, Turn::Now, "another document does not");
        assert!(fair.next(start, false).is_none(), "nothing is due while the debt lasts");
        let due = fair.next_due(start).expect("a due time");
        assert_eq!(due.duration_since(start), Duration::from_secs_f64(0.5 / SHARE));
        let (document, waiting) = fair.next(due, false).expect("due once paid back");
        assert_eq!((document, waiting.bytes), (BUSY, vec![2]));
        assert!(!fair.has_waiting());
    }

    #[test]
    fn with_nothing_else_to_do_the_hub_serves_a_document_in_debt() {
        let (mut fair, start) = (FairShare::default(), Instant::now());
        fair.charge(BUSY, Duration::from_secs(3), start);
        assert_eq!(fair.admit(BUSY, 1, vec![1], start).0, Turn::Wait);
        assert!(fair.next(start, false).is_none());
        assert_eq!(fair.next(start, true).map(|(d, _)| d), Some(BUSY));
    }

    #[test]
    fn messages_of_a_document_that_waits_keep_their_order() {
        let (mut fair, start) = (FairShare::default(), Instant::now());
        fair.charge(BUSY, Duration::from_secs(1), start);
        for n in 0..3 {
            fair.admit(BUSY, 1, vec![n], start);
        }
        let later = start + Duration::from_secs(60);
        assert_eq!(fair.admit(BUSY, 1, vec![3], later).0, Turn::Wait, "behind those already waiting, even out of debt");
        let order: Vec<u8> = std::iter::from_fn(|| fair.next(later, false)).map(|(_, w)| w.bytes[0]).collect();
        assert_eq!(order, vec![0, 1, 2, 3]);
    }

    #[test]
    fn what_waits_is_bounded_and_a_closed_connection_leaves_nothing_behind() {
        let (mut fair, start) = (FairShare::default(), Instant::now());
        fair.charge(BUSY, Duration::from_secs(1), start);
        let big = MAX_WAITING_BYTES / 2;
        assert_eq!(fair.admit(BUSY, 1, vec![0; big], start).0, Turn::Wait);
        assert_eq!(fair.admit(BUSY, 2, vec![0; big], start).0, Turn::Wait);
        assert_eq!(fair.admit(BUSY, 3, vec![0; 1], start).0, Turn::Overflow);
        fair.forget(1);
        assert_eq!(fair.admit(BUSY, 3, vec![0; 1], start).0, Turn::Wait, "room again once connection 1 is gone");
        fair.forget(2);
        fair.forget(3);
        assert!(!fair.has_waiting());
        assert_eq!(fair.waiting_bytes, 0);
    }

    #[test]
    fn messages_of_a_busy_document_wait_in_order_until_it_is_back() {
        let (mut fair, start) = (FairShare::default(), Instant::now());
        fair.set_busy(BUSY, true);
        assert_eq!(fair.admit(BUSY, 1, vec![1], start).0, Turn::Wait, "busy, though not in debt");
        assert_eq!(fair.admit(QUIET, 2, vec![2], start).0, Turn::Now);
        assert!(!fair.has_waiting(), "nothing that could run waits");
        assert!(fair.next(start, true).is_none(), "not even with nothing else to do");
        assert!(fair.next_due(start).is_none());
        fair.set_busy(BUSY, false);
        assert_eq!(fair.admit(BUSY, 1, vec![3], start).0, Turn::Wait, "behind the one waiting");
        let order: Vec<u8> = std::iter::from_fn(|| fair.next(start, false)).map(|(_, w)| w.bytes[0]).collect();
        assert_eq!(order, vec![1, 3]);
    }

    #[test]
    fn the_admission_of_the_document_least_in_debt_takes_the_next_thread() {
        let (mut fair, start) = (FairShare::default(), Instant::now());
        const OTHER_BUSY: DocumentId = DocumentId::from_bytes([3; 16]);
        fair.charge(BUSY, Duration::from_secs(2), start);
        fair.charge(OTHER_BUSY, Duration::from_secs(1), start);
        assert_eq!(fair.first_to_admit([BUSY, OTHER_BUSY, QUIET], start), Some(2), "the honest space first, though queued last");
        assert_eq!(fair.first_to_admit([BUSY, OTHER_BUSY], start), Some(1), "then the one less in debt");
        assert_eq!(fair.first_to_admit([QUIET, DocumentId::from_bytes([4; 16])], start), Some(0), "equals in their order");
        assert_eq!(fair.first_to_admit([], start), None);
    }

    #[test]
    fn balances_of_documents_no_longer_busy_are_forgotten() {
        let (mut fair, start) = (FairShare::default(), Instant::now());
        fair.charge(BUSY, Duration::from_millis(100), start);
        fair.tidy(start);
        assert_eq!(fair.balances.len(), 1);
        fair.tidy(start + Duration::from_secs(10));
        assert!(fair.balances.is_empty());
    }
}
