//! Time as the model sees it: milliseconds since the Unix epoch, always passed in by the caller.

#[cfg(feature = "automerge")]
use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};
use serde::{Deserialize, Serialize};

/// Milliseconds since 1970-01-01T00:00:00Z (what JavaScript's `Date.now()` returns). Stored as an
/// Automerge integer; read from an integer, an unsigned integer or a float (JavaScript peers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The first moment of the month (UTC) this time is in: "this month" on screens.
    pub fn month_start(self) -> Timestamp {
        const DAY: i64 = 24 * 3_600_000;
        let days = self.0.div_euclid(DAY);
        // The civil date from days since the epoch (Howard Hinnant's `civil_from_days`), then
        // back to the first of its month.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day_of_month = doy - (153 * mp + 2) / 5;
        Timestamp((days - day_of_month) * DAY)
    }
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
