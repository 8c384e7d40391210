//! Periods of the indicators (`period=day|week|month`): the buckets a date range is cut into.
//! Weeks start on Monday; months are calendar months. Buckets are clipped to the range.

use chrono::{Datelike, Duration, Months, NaiveDate};

code_enum! {
    /// The length of one bucket of the indicators' flows.
    pub enum Period {
        Day = ("day", "日"),
        Week = ("week", "周"),
        Month = ("month", "月"),
    }
}

impl Period {
    /// The first day of the bucket that holds `d`.
    pub fn start_of(&self, d: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => d,
            Period::Week => d - Duration::days(i64::from(d.weekday().num_days_from_monday())),
            Period::Month => d.with_day(1).unwrap_or(d),
        }
    }

    fn next_start(&self, start: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => start + Duration::days(1),
            Period::Week => start + Duration::days(7),
            Period::Month => start
                .checked_add_months(Months::new(1))
                .unwrap_or(NaiveDate::MAX),
        }
    }

    /// The buckets covering `from..=to`, each `(first day, last day)`, clipped to the range.
    pub fn buckets(&self, from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
        let mut out = Vec::new();
        let mut start = self.start_of(from);
        while start <= to {
            let next = self.next_start(start);
            let last = next.pred_opt().unwrap_or(next).min(to);
            out.push((start.max(from), last));
            if next <= start {
                break;
            }
            start = next;
        }
        out
    }
}

/// The index of the bucket holding `d` (buckets as from [`Period::buckets`]), if any.
pub fn bucket_of(buckets: &[(NaiveDate, NaiveDate)], d: NaiveDate) -> Option<usize> {
    let i = buckets.partition_point(|(_, last)| *last < d);
    buckets.get(i).filter(|(first, _)| *first <= d).map(|_| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn indicators_periods_are_clipped_calendar_buckets() {
        let (from, to) = (d(2026, 10, 29), d(2026, 11, 27));
        assert_eq!(
            Period::Month.buckets(from, to),
            vec![(from, d(2026, 10, 31)), (d(2026, 11, 1), to)]
        );
        let weeks = Period::Week.buckets(from, to);
        assert_eq!(weeks.first(), Some(&(from, d(2026, 11, 1))));
        assert_eq!(weeks.get(1), Some(&(d(2026, 11, 2), d(2026, 11, 8))));
        assert_eq!(weeks.last(), Some(&(d(2026, 11, 23), to)));
        assert_eq!(weeks.len(), 5);
        assert_eq!(Period::Day.buckets(from, to).len(), 30);
        assert_eq!(Period::Day.buckets(to, to), vec![(to, to)]);
        assert!(Period::Day.buckets(to, from).is_empty());
    }

    #[test]
    fn indicators_periods_find_the_bucket_of_a_day() {
        let b = Period::Week.buckets(d(2026, 10, 29), d(2026, 11, 27));
        assert_eq!(bucket_of(&b, d(2026, 10, 29)), Some(0));
        assert_eq!(bucket_of(&b, d(2026, 11, 1)), Some(0));
        assert_eq!(bucket_of(&b, d(2026, 11, 2)), Some(1));
        assert_eq!(bucket_of(&b, d(2026, 11, 27)), Some(4));
        assert_eq!(bucket_of(&b, d(2026, 11, 28)), None);
        assert_eq!(bucket_of(&b, d(2026, 10, 28)), None);
    }
}
