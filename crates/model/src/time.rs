//! Time as the model sees it: milliseconds since the Unix epoch, always passed in by the caller.

#[cfg(feature = "automerge")]
use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};
use serde::{Deserialize, Serialize};

/// Milliseconds since 1970-01-01T00:00:00Z (what JavaScript's `Date.now()` returns). Stored as an
/// Automerge integer; read from an integer, an unsigned integer or a float (JavaScript peers).
///
/// The model never reads a clock: the caller passes the time in.
///
/// ```
/// use linli_model::Timestamp;
///
/// let posted = Timestamp(1_795_892_400_000); // 2026-11-28T19:00Z
/// let a_day_later = Timestamp(posted.0 + 24 * 3_600_000);
/// assert!(posted < a_day_later);
///
/// // "This month" on screens starts on the first of the month, UTC.
/// assert_eq!(posted.month_start(), Timestamp(1_793_491_200_000)); // 2026-11-01T00:00Z
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The first moment of the month (UTC) this time is in: "this month" on screens.
    pub fn month_start(self) -> Timestamp {
        let days = self.0.div_euclid(DAY);
        let (_, _, day) = civil_from_days(days);
        Timestamp((days - (day - 1)) * DAY)
    }

    /// The time as ISO 8601 in UTC with milliseconds, as JavaScript's `toISOString` writes it
    /// (`2026-11-28T19:00:00.123Z`), for years 0 to 9999.
    pub fn to_iso(self) -> String {
        let (days, ms) = (self.0.div_euclid(DAY), self.0.rem_euclid(DAY));
        let (year, month, day) = civil_from_days(days);
        let (hours, minutes, seconds, millis) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1_000 % 60, ms % 1_000);
        format!("{year:04}-{month:02}-{day:02}T{hours:02}:{minutes:02}:{seconds:02}.{millis:03}Z")
    }
}

const DAY: i64 = 24 * 3_600_000;

/// The civil date (year, month 1–12, day 1–31) of a count of days since 1970-01-01 (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod month_tests {
    use super::Timestamp;

    #[test]
    fn the_month_starts_on_its_first_day() {
        // 2026-11-28T19:00Z → 2026-11-01; 2024-03-01 (after a leap day) → itself; 1970-01-15 → the epoch.
        assert_eq!(Timestamp(1_795_892_400_000).month_start(), Timestamp(1_793_491_200_000));
        assert_eq!(Timestamp(1_709_251_200_000).month_start(), Timestamp(1_709_251_200_000));
        assert_eq!(Timestamp(1_709_251_199_999).month_start(), Timestamp(1_706_745_600_000));
        assert_eq!(Timestamp(14 * 86_400_000).month_start(), Timestamp(0));
    }

    #[test]
    fn a_time_reads_as_javascript_writes_it() {
        assert_eq!(Timestamp(0).to_iso(), "1970-01-01T00:00:00.000Z");
        assert_eq!(Timestamp(1_795_892_400_123).to_iso(), "2026-11-28T19:00:00.123Z");
        // The leap day of 2024, its last millisecond; the last moment of 1999; before the epoch.
        assert_eq!(Timestamp(1_709_251_199_999).to_iso(), "2024-02-29T23:59:59.999Z");
        assert_eq!(Timestamp(946_684_799_000).to_iso(), "1999-12-31T23:59:59.000Z");
        assert_eq!(Timestamp(-1).to_iso(), "1969-12-31T23:59:59.999Z");
    }
}

#[cfg(feature = "automerge")]
impl Hydrate for Timestamp {
    fn hydrate_int(i: i64) -> Result<Self, HydrateError> {
        Ok(Timestamp(i))
    }

    fn hydrate_uint(u: u64) -> Result<Self, HydrateError> {
        i64::try_from(u).map(Timestamp).map_err(|_| HydrateError::unexpected("a time in milliseconds", format!("{u}")))
    }

    fn hydrate_f64(f: f64) -> Result<Self, HydrateError> {
        if f.is_finite() && f.abs() < 9.0e15 { Ok(Timestamp(f as i64)) } else { Err(HydrateError::unexpected("a time in milliseconds", format!("{f}"))) }
    }
}

#[cfg(feature = "automerge")]
impl Reconcile for Timestamp {
    type Key<'a> = autosurgeon::reconcile::NoKey;

    fn reconcile<R: Reconciler>(&self, reconciler: R) -> Result<(), R::Error> {
        self.0.reconcile(reconciler)
    }
}

#[cfg(all(test, feature = "automerge"))]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT};

    use super::*;

    #[test]
    fn reads_ints_uints_floats_and_optional_times() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "i", 5_i64).unwrap();
        doc.put(ROOT, "u", 6_u64).unwrap();
        doc.put(ROOT, "f", 7.0_f64).unwrap();
        doc.put(ROOT, "s", "no").unwrap();
        let read = |key: &str| autosurgeon::hydrate_prop::<_, Option<Timestamp>, _, _>(&doc, ROOT, key);
        assert_eq!(read("i").unwrap(), Some(Timestamp(5)));
        assert_eq!(read("u").unwrap(), Some(Timestamp(6)));
        assert_eq!(read("f").unwrap(), Some(Timestamp(7)));
        assert!(read("s").is_err());
        autosurgeon::reconcile_prop(&mut doc, ROOT, "n", Some(Timestamp(9))).unwrap();
        assert_eq!(autosurgeon::hydrate_prop::<_, Timestamp, _, _>(&doc, ROOT, "n").unwrap(), Timestamp(9));
    }
}
