//! Response over time across linked spaces: for each of the last twelve weeks, how long the
//! requests raised that week waited to be claimed (the street's comparison chart draws it).

use crate::{SharedRequest, Timestamp, percentile};

/// A week, in milliseconds.
pub const WEEK_MS: i64 = 7 * 24 * 3_600_000;

/// How many weeks the chart shows.
pub const WEEKS_SHOWN: usize = 12;

/// For each of the [`WEEKS_SHOWN`] weeks up to the one holding `now` (oldest first): the median
/// hours (to a tenth) from raising to claiming of the requests raised that week, or `None` when
/// none of them was claimed. Weeks are counted from 1970-01-01 (a Thursday), in UTC.
///
/// ```
/// use linli_model::{SharedRequest, Timestamp, weekly_median_response_hours, WEEK_MS};
/// let hour = 3_600_000;
/// let raised = |at: i64, claimed: Option<i64>| SharedRequest {
///     title: "Light out".into(), category: "Repairs".into(), raised_at: Timestamp(at),
///     claimed_at: claimed.map(Timestamp), resolved_at: None, raised_by_name: String::new(),
/// };
/// let now = Timestamp(100 * WEEK_MS + 3 * hour); // three hours into a week
/// let requests = [raised(now.0 - hour, Some(now.0 + hour)), raised(now.0 - WEEK_MS, None)];
/// let weeks = weekly_median_response_hours(requests.iter(), now);
/// assert_eq!(weeks.len(), 12);
/// assert_eq!(weeks[11], Some(2.0), "this week: claimed two hours after it was raised");
/// assert_eq!(weeks[10], None, "last week's request was never claimed");
/// ```
pub fn weekly_median_response_hours<'a>(requests: impl Iterator<Item = &'a SharedRequest>, now: Timestamp) -> Vec<Option<f64>> {
    let this_week = now.0.div_euclid(WEEK_MS);
    let mut waits: Vec<Vec<i64>> = vec![Vec::new(); WEEKS_SHOWN];
    for request in requests {
        let ago = this_week - request.raised_at.0.div_euclid(WEEK_MS);
        if let (Ok(ago), Some(claimed)) = (usize::try_from(ago), request.claimed_at)
            && ago < WEEKS_SHOWN
        {
            waits[WEEKS_SHOWN - 1 - ago].push(claimed.0 - request.raised_at.0);
        }
    }
    waits
        .into_iter()
        .map(|mut week| {
            week.sort_unstable();
            percentile(&week, 50).map(|ms| (ms as f64 / 3_600_000.0 * 10.0).round() / 10.0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(raised: i64, claimed: Option<i64>) -> SharedRequest {
        SharedRequest {
            title: String::new(),
            category: String::new(),
            raised_at: Timestamp(raised),
            claimed_at: claimed.map(Timestamp),
            resolved_at: None,
            raised_by_name: String::new(),
        }
    }

    #[test]
    fn each_week_has_the_median_of_its_own_requests_and_older_or_future_ones_are_left_out() {
        let hour = 3_600_000;
        let now = Timestamp(200 * WEEK_MS + 3 * hour);
        let this_week = 200 * WEEK_MS;
        let requests = [
            // This week: 1 h, 3 h and 5 h: the median is 3 h.
            request(this_week, Some(this_week + hour)),
            request(this_week + hour, Some(this_week + 4 * hour)),
            request(this_week + 2 * hour, Some(this_week + 7 * hour)),
            // Eleven weeks ago (the oldest shown): 30 min, to a tenth of an hour.
            request(this_week - 11 * WEEK_MS, Some(this_week - 11 * WEEK_MS + hour / 2)),
            // Twelve weeks ago, and a request stamped in the future: not shown.
            request(this_week - 12 * WEEK_MS, Some(this_week - 12 * WEEK_MS + hour)),
            request(this_week + WEEK_MS, Some(this_week + WEEK_MS + hour)),
        ];
        let weeks = weekly_median_response_hours(requests.iter(), now);
        assert_eq!(weeks.len(), WEEKS_SHOWN);
        assert_eq!(weeks[WEEKS_SHOWN - 1], Some(3.0));
        assert_eq!(weeks[0], Some(0.5));
        assert!(weeks[1..WEEKS_SHOWN - 1].iter().all(Option::is_none), "{weeks:?}");
    }
}
