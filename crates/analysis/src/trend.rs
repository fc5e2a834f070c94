//! Time series of counts in local calendar periods, with year-over-year comparison.
//!
//! Events are timestamps in seconds since the Unix epoch (UTC). Periods are half-open [start, end) and follow
//! the local calendar of a time zone: a day starts at local midnight, a week on Monday at local midnight (ISO
//! weeks), a month at local midnight of its 1st. Period boundaries are computed on civil dates and only then
//! converted to instants, so days around a daylight-saving change are 23 or 25 hours long, as they are on the
//! clock. Where local midnight does not exist (a zone that springs forward at midnight), the boundary is the
//! first instant of the day, jiff's "compatible" disambiguation (e.g. 01:00); a repeated midnight takes the
//! earlier one.

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use serde::{Serialize, Serializer};

use crate::etest::e_test;

/// The length of the periods of a time series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    /// Local calendar days.
    Day,
    /// ISO weeks, Monday to Sunday.
    Week,
    /// Calendar months.
    Month,
}

impl Interval {
    /// The start of the period that contains `date`.
    pub fn align(self, date: Date) -> Date {
        match self {
            Interval::Day => date,
            Interval::Week => {
                date.checked_sub(Span::new().days(date.weekday().to_monday_zero_offset())).unwrap_or(date)
            }
            Interval::Month => date.first_of_month(),
        }
    }

    /// The start of the next period, for a date that starts a period; `None` past the end of the calendar.
    fn next(self, start: Date) -> Option<Date> {
        let span = match self {
            Interval::Day => Span::new().days(1),
            Interval::Week => Span::new().days(7),
            Interval::Month => Span::new().months(1),
        };
        start.checked_add(span).ok()
    }

    /// The same calendar date one year earlier: a year back for days and months (29 February becomes the 28th),
    /// 52 weeks (364 days) back for weeks so that a week still starts on Monday.
    pub fn year_before(self, date: Date) -> Option<Date> {
        let span = match self {
            Interval::Day | Interval::Month => Span::new().years(1),
            Interval::Week => Span::new().days(364),
        };
        date.checked_sub(span).ok()
    }
}

/// The first instant of a local calendar date in `tz`, in seconds since the Unix epoch.
pub fn local_midnight(date: Date, tz: &TimeZone) -> Option<i64> {
    tz.to_timestamp(date.to_datetime(Time::midnight())).ok().map(Timestamp::as_second)
}

/// Civil-date boundaries of the periods covering the local days [from, to): the start of the period containing
/// `from`, every following period start, and finally the end of the period containing the day before `to`.
fn boundary_dates(from: Date, to: Date, interval: Interval) -> Vec<Date> {
    if from >= to {
        return Vec::new();
    }
    let mut d = interval.align(from);
    let mut out = vec![d];
    while d < to {
        match interval.next(d) {
            Some(n) => d = n,
            None => break,
        }
        out.push(d);
    }
    out
}

/// Period boundaries as instants (seconds since the epoch) for the local days [from, to) in `tz`.
///
/// The result holds the start of every period, followed by the end of the last one, so n periods give n + 1
/// values, strictly increasing, ready for [`count_in_bins`]. The first period is the one containing `from`
/// (so it may start before `from`: the Monday of its week, the 1st of its month) and the last is the one
/// containing the day before `to` (so it may end after `to`). Empty when `from >= to`.
pub fn period_starts(from: Date, to: Date, interval: Interval, tz: &TimeZone) -> Vec<i64> {
    boundary_dates(from, to, interval).into_iter().map_while(|d| local_midnight(d, tz)).collect()
}

/// Number of timestamps in [start, end), for timestamps sorted in ascending order.
pub fn count_between(sorted_times: &[i64], start: i64, end: i64) -> u64 {
    let a = sorted_times.partition_point(|&t| t < start);
    let b = sorted_times.partition_point(|&t| t < end);
    b.saturating_sub(a) as u64
}

/// Counts of sorted timestamps in the bins [edges[i], edges[i + 1]) (binary search; `edges.len() − 1` bins,
/// none when fewer than two edges). Edges must be non-decreasing; `sorted_times` ascending.
pub fn count_in_bins(sorted_times: &[i64], edges: &[i64]) -> Vec<u64> {
    let positions: Vec<usize> = edges.iter().map(|&e| sorted_times.partition_point(|&t| t < e)).collect();
    positions.windows(2).map(|w| w[1].saturating_sub(w[0]) as u64).collect()
}

/// [`count_in_bins`] for timestamps in any order (each timestamp is placed by binary search on the edges).
pub fn count_in_bins_unsorted(times: &[i64], edges: &[i64]) -> Vec<u64> {
    let mut counts = vec![0u64; edges.len().saturating_sub(1)];
    for &t in times {
        let k = edges.partition_point(|&e| e <= t);
        if k >= 1 && k < edges.len() {
            counts[k - 1] += 1;
        }
    }
    counts
}

/// Percentage change from `base` to `now`, `None` when `base` is 0.
pub fn change_pct(now: u64, base: u64) -> Option<f64> {
    (base > 0).then(|| (now as f64 - base as f64) / base as f64 * 100.0)
}

fn serialize_date<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(date)
}

/// One period of a [`Trend`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPeriod {
    /// Local calendar date the period starts on (ISO `YYYY-MM-DD` when serialised).
    #[serde(serialize_with = "serialize_date")]
    pub start_date: Date,
    /// Start instant, included (seconds since the epoch).
    pub start: i64,
    /// End instant, excluded.
    pub end: i64,
    /// Events in [start, end).
    pub count: u64,
    /// Start of the same period a year earlier (local dates shifted by a year; by 52 weeks for weeks).
    pub year_before_start: i64,
    /// End of the same period a year earlier, excluded.
    pub year_before_end: i64,
    /// Events in [year_before_start, year_before_end).
    pub count_year_before: u64,
    /// (count − count_year_before) / count_year_before × 100; `None` when the year before has no events.
    pub yoy_change_pct: Option<f64>,
    /// Whether the period has ended by the `as_of` instant given to [`trend`].
    pub complete: bool,
}

/// The latest complete period against the same period a year earlier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatestComparison {
    /// Index of the period in [`Trend::periods`].
    pub index: usize,
    /// Events in the period.
    pub count: u64,
    /// Events in the same period a year earlier.
    pub count_year_before: u64,
    /// Percentage change, `None` when the year before has no events.
    pub yoy_change_pct: Option<f64>,
    /// Poisson E-test p value (two-sided) for the year before vs this period, treating both as equal exposure.
    pub e_test_p: f64,
}

/// A time series of counts per local calendar period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// The period length.
    pub interval: Interval,
    /// The periods covering [from, to), in order.
    pub periods: Vec<TrendPeriod>,
    /// The last period that ended by `as_of`, compared with a year earlier; `None` if no period has ended.
    pub latest_complete: Option<LatestComparison>,
}

/// Counts per period for the local days [from, to) in `tz` (see [`period_starts`] for the periods), each with
/// the count of the same period a year earlier and the year-over-year change, plus an E-test for the latest
/// period that ended by `as_of` (seconds since the epoch).
///
/// `times` may be in any order. They must cover the year before `from` as well for the year-before counts to
/// mean anything: the periods carry `year_before_start`/`year_before_end` so callers can check coverage. The
/// E-test treats a period and its year-before counterpart as equal exposure, which holds to within a day for
/// months (28 vs 29 February) and exactly for days and weeks.
pub fn trend(times: &[i64], from: Date, to: Date, interval: Interval, tz: &TimeZone, as_of: i64) -> Trend {
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    let dates = boundary_dates(from, to, interval);
    let mut periods = Vec::with_capacity(dates.len().saturating_sub(1));
    for w in dates.windows(2) {
        let bounds = (
            local_midnight(w[0], tz),
            local_midnight(w[1], tz),
            interval.year_before(w[0]).and_then(|d| local_midnight(d, tz)),
            interval.year_before(w[1]).and_then(|d| local_midnight(d, tz)),
        );
        let (Some(start), Some(end), Some(yb_start), Some(yb_end)) = bounds else { break };
        let count = count_between(&sorted, start, end);
        let count_year_before = count_between(&sorted, yb_start, yb_end);
        periods.push(TrendPeriod {
            start_date: w[0],
            start,
            end,
            count,
            year_before_start: yb_start,
            year_before_end: yb_end,
            count_year_before,
            yoy_change_pct: change_pct(count, count_year_before),
            complete: end <= as_of,
        });
    }
    let latest_complete = periods.iter().rposition(|p| p.complete).map(|index| {
        let p = &periods[index];
        LatestComparison {
            index,
            count: p.count,
            count_year_before: p.count_year_before,
            yoy_change_pct: p.yoy_change_pct,
            e_test_p: e_test(p.count_year_before, p.count),
        }
    });
    Trend { interval, periods, latest_complete }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn ts(s: &str) -> i64 {
        s.parse::<Timestamp>().unwrap().as_second()
    }

    fn tz(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    #[test]
    fn months_start_at_local_midnight_across_dst() {
        let london = tz("Europe/London");
        let got = period_starts(date(2024, 1, 15), date(2024, 4, 10), Interval::Month, &london);
        let want: Vec<i64> = [
            "2024-01-01T00:00:00Z",
            "2024-02-01T00:00:00Z",
            "2024-03-01T00:00:00Z",
            "2024-04-01T00:00:00+01:00",
            "2024-05-01T00:00:00+01:00",
        ]
        .iter()
        .map(|s| ts(s))
        .collect();
        assert_eq!(got, want);
        // `to` on a period start does not add the next period.
        assert_eq!(period_starts(date(2024, 1, 1), date(2024, 3, 1), Interval::Month, &london).len(), 3);
        assert!(period_starts(date(2024, 3, 1), date(2024, 3, 1), Interval::Month, &london).is_empty());
    }

    #[test]
    fn weeks_start_on_monday() {
        let london = tz("Europe/London");
        // Wednesday 27 March 2024; clocks go forward on Sunday 31 March.
        let got = period_starts(date(2024, 3, 27), date(2024, 4, 2), Interval::Week, &london);
        assert_eq!(
            got,
            vec![ts("2024-03-25T00:00:00Z"), ts("2024-04-01T00:00:00+01:00"), ts("2024-04-08T00:00:00+01:00")]
        );
        assert_eq!(got[1] - got[0], 7 * 86_400 - 3_600);
        assert_eq!(Interval::Week.align(date(2024, 3, 31)), date(2024, 3, 25));
        assert_eq!(Interval::Week.align(date(2024, 3, 25)), date(2024, 3, 25));
    }

    #[test]
    fn days_where_midnight_does_not_exist() {
        // Chile springs forward at midnight: 8 September 2024 starts at 01:00 local time.
        let santiago = tz("America/Santiago");
        let got = period_starts(date(2024, 9, 7), date(2024, 9, 10), Interval::Day, &santiago);
        assert_eq!(
            got,
            vec![
                ts("2024-09-07T00:00:00-04:00"),
                ts("2024-09-08T01:00:00-03:00"),
                ts("2024-09-09T00:00:00-03:00"),
                ts("2024-09-10T00:00:00-03:00")
            ]
        );
        // New York falls back: 3 November 2024 is 25 hours long.
        let ny = tz("America/New_York");
        let got = period_starts(date(2024, 11, 3), date(2024, 11, 4), Interval::Day, &ny);
        assert_eq!(got[1] - got[0], 25 * 3_600);
    }

    #[test]
    fn year_before() {
        assert_eq!(Interval::Day.year_before(date(2024, 2, 29)), Some(date(2023, 2, 28)));
        assert_eq!(Interval::Month.year_before(date(2024, 3, 1)), Some(date(2023, 3, 1)));
        let w = Interval::Week.year_before(date(2024, 3, 25)).unwrap();
        assert_eq!((w, w.weekday()), (date(2023, 3, 27), jiff::civil::Weekday::Monday));
    }

    #[test]
    fn monthly_trend_with_year_over_year() {
        let utc = TimeZone::UTC;
        // Two events a day through 2023, three a day from 2024 on, until 10 March 2024.
        let mut times = Vec::new();
        let mut d = date(2023, 1, 1);
        while d < date(2024, 3, 10) {
            let per_day = if d.year() == 2023 { 2 } else { 3 };
            let start = local_midnight(d, &utc).unwrap();
            times.extend((0..per_day).map(|k| start + 3_600 * (k + 1)));
            d = d.tomorrow().unwrap();
        }
        times.reverse(); // any order
        let as_of = ts("2024-03-10T00:00:00Z");
        let t = trend(&times, date(2024, 1, 1), date(2024, 3, 10), Interval::Month, &utc, as_of);
        let counts: Vec<(u64, u64, bool)> =
            t.periods.iter().map(|p| (p.count, p.count_year_before, p.complete)).collect();
        assert_eq!(counts, vec![(93, 62, true), (87, 56, true), (27, 62, false)]);
        assert_eq!(t.periods[0].yoy_change_pct, Some(50.0));
        assert_eq!(t.periods[0].start_date, date(2024, 1, 1));
        let latest = t.latest_complete.unwrap();
        assert_eq!((latest.index, latest.count, latest.count_year_before), (1, 87, 56));
        assert!((latest.e_test_p - e_test(56, 87)).abs() < 1e-15 && latest.e_test_p < 0.05);
        // Nothing ended yet: no comparison. No events a year before: no percentage.
        let t = trend(&times, date(2023, 1, 1), date(2023, 2, 1), Interval::Month, &utc, 0);
        assert_eq!(t.latest_complete, None);
        assert_eq!(t.periods[0].yoy_change_pct, None);
        let json = serde_json::to_value(&t.periods[0]).unwrap();
        assert_eq!(json["start_date"], "2023-01-01");
        assert_eq!(serde_json::to_value(Interval::Week).unwrap(), "week");
    }

    #[test]
    fn bins_edge_cases() {
        assert!(count_in_bins(&[1, 2], &[]).is_empty());
        assert!(count_in_bins(&[1, 2], &[5]).is_empty());
        assert_eq!(count_in_bins(&[0, 5, 5, 9, 10], &[0, 5, 10]), vec![1, 3]);
        assert_eq!(count_in_bins_unsorted(&[10, 5, 0, 9, 5, -1], &[0, 5, 10]), vec![1, 3]);
        assert_eq!(count_between(&[0, 5, 5, 9, 10], 5, 10), 3);
        assert_eq!(change_pct(5, 0), None);
        assert_eq!(change_pct(5, 10), Some(-50.0));
    }

    proptest! {
        #[test]
        fn counts_are_conserved(
            mut times in prop::collection::vec(-1_000i64..1_000, 0..200),
            mut edges in prop::collection::vec(-1_200i64..1_200, 2..20),
        ) {
            edges.sort_unstable();
            edges.dedup();
            prop_assume!(edges.len() >= 2);
            let unsorted = count_in_bins_unsorted(&times, &edges);
            times.sort_unstable();
            let sorted = count_in_bins(&times, &edges);
            prop_assert_eq!(&sorted, &unsorted);
            let (first, last) = (edges[0], edges[edges.len() - 1]);
            let inside = times.iter().filter(|&&t| first <= t && t < last).count() as u64;
            prop_assert_eq!(sorted.iter().sum::<u64>(), inside);
        }

        #[test]
        fn periods_tile_the_range(offset in 0i64..3000, len in 1i64..400, which in 0usize..3) {
            let interval = [Interval::Day, Interval::Week, Interval::Month][which];
            let from = date(2020, 1, 1).checked_add(Span::new().days(offset)).unwrap();
            let to = from.checked_add(Span::new().days(len)).unwrap();
            let ny = tz("America/New_York");
            let edges = period_starts(from, to, interval, &ny);
            prop_assert!(edges.len() >= 2);
            prop_assert!(edges.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(edges[0] <= local_midnight(from, &ny).unwrap());
            prop_assert!(edges[edges.len() - 1] >= local_midnight(to, &ny).unwrap());
            prop_assert!(edges[edges.len() - 2] < local_midnight(to, &ny).unwrap());
        }
    }
}
