//! Unit tests of the working-day calendar (L5), with cases worked out by hand from the notices.

use chrono::{Datelike, NaiveDate, Weekday};

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn calendar_tables_are_well_formed() {
    for t in YEARS {
        for ((fm, fd), (tm, td)) in t.holidays {
            let from = d(t.year, *fm, *fd);
            let to = d(t.year, *tm, *td);
            assert!(from <= to, "{} {from} {to}", t.source);
        }
        for (m, day) in t.workdays {
            let w = d(t.year, *m, *day);
            assert!(
                matches!(w.weekday(), Weekday::Sat | Weekday::Sun),
                "{w} is an exchanged working day, so a weekend day ({})",
                t.source
            );
            assert!(is_working_day(w), "{w}");
        }
    }
}

#[test]
fn calendar_counts_the_working_days_of_each_year() {
    let count = |y: i32| {
        (0..366)
            .filter_map(|i| d(y, 1, 1).checked_add_days(chrono::Days::new(i)))
            .filter(|x| x.year() == y && is_working_day(*x))
            .count()
    };
    // 2024: 262 weekdays − 19 weekday holidays + 8 exchanged days; 2025 and 2026: 261 − 18 + 5 and
    // 261 − 19 + 6.
    assert_eq!(count(2024), 251);
    assert_eq!(count(2025), 248);
    assert_eq!(count(2026), 248);
}

#[test]
fn calendar_national_day_golden_week() {
    // 2024: 10月1日至7日 off, 9月29日 (Sun) and 10月12日 (Sat) worked.
    assert!(!is_working_day(d(2024, 10, 1)));
    assert!(!is_working_day(d(2024, 10, 7)));
    assert!(is_working_day(d(2024, 9, 29)));
    assert!(is_working_day(d(2024, 10, 12)));
    assert_eq!(add_working_days(d(2024, 9, 30), 3), d(2024, 10, 10));
    assert_eq!(add_working_days(d(2024, 9, 27), 3), d(2024, 10, 8));
    assert_eq!(add_working_days(d(2024, 10, 11), 3), d(2024, 10, 15));
    // 2025: 国庆节、中秋节 together, 10月1日至8日, 9月28日 and 10月11日 worked.
    assert!(!is_working_day(d(2025, 10, 8)));
    assert_eq!(add_working_days(d(2025, 9, 30), 3), d(2025, 10, 11));
    // 2026: 中秋节 9月25日至27日, 国庆节 10月1日至7日, 9月20日 and 10月10日 worked.
    assert_eq!(add_working_days(d(2026, 9, 23), 3), d(2026, 9, 29));
    assert_eq!(add_working_days(d(2026, 9, 29), 3), d(2026, 10, 9));
    assert_eq!(add_working_days(d(2026, 10, 9), 3), d(2026, 10, 13));
    assert_eq!(add_working_days(d(2026, 9, 18), 1), d(2026, 9, 20));
}

#[test]
fn calendar_spring_festival() {
    // 2024: 除夕 (2月9日) is a working day; 2月10日至17日 off; 2月4日 and 2月18日 (Sundays) worked.
    assert!(is_working_day(d(2024, 2, 9)));
    assert!(!is_working_day(d(2024, 2, 10)));
    assert!(is_working_day(d(2024, 2, 18)));
    assert_eq!(add_working_days(d(2024, 2, 8), 3), d(2024, 2, 19));
    // 2025: 1月28日 (除夕) 至2月4日 off; 1月26日 and 2月8日 worked.
    assert!(!is_working_day(d(2025, 1, 28)));
    assert_eq!(add_working_days(d(2025, 1, 24), 3), d(2025, 2, 5));
    assert_eq!(add_working_days(d(2025, 2, 6), 3), d(2025, 2, 10));
    // 2026: 2月15日至23日 off; 2月14日 and 2月28日 (Saturdays) worked.
    assert_eq!(add_working_days(d(2026, 2, 12), 3), d(2026, 2, 24));
    assert!(is_working_day(d(2026, 2, 28)));
    assert!(!is_working_day(d(2026, 2, 23)));
}

#[test]
fn calendar_working_days_between_counts_after_the_start_up_to_the_end() {
    assert_eq!(working_days_between(d(2024, 9, 30), d(2024, 10, 10)), 3);
    assert_eq!(working_days_between(d(2024, 9, 30), d(2024, 10, 11)), 4);
    assert_eq!(working_days_between(d(2025, 1, 27), d(2025, 2, 5)), 1);
    assert_eq!(working_days_between(d(2026, 1, 1), d(2026, 1, 4)), 1);
    assert_eq!(working_days_between(d(2026, 3, 2), d(2026, 3, 2)), 0);
    assert_eq!(working_days_between(d(2026, 3, 5), d(2026, 3, 2)), 0);
    for start in [
        d(2024, 2, 8),
        d(2025, 9, 30),
        d(2026, 2, 12),
        d(2026, 11, 27),
    ] {
        for n in 0..12 {
            assert_eq!(working_days_between(start, add_working_days(start, n)), n);
        }
    }
}

#[test]
fn calendar_l5_removal_deadline_is_three_working_days() {
    // An event on Friday 2026-11-20: due Wednesday 2026-11-25; Thursday is late.
    assert_eq!(removal_due_on(d(2026, 11, 20)), d(2026, 11, 25));
    assert!(!removed_late(d(2026, 11, 20), d(2026, 11, 25)));
    assert!(removed_late(d(2026, 11, 20), d(2026, 11, 26)));
    // Over the golden week eleven calendar days are still in time.
    assert!(!removed_late(d(2026, 9, 29), d(2026, 10, 9)));
    assert!(!removed_late(d(2026, 11, 20), d(2026, 11, 20)));
}

#[test]
fn calendar_outside_the_tables_falls_back_to_monday_to_friday() {
    assert!(!is_covered(d(2027, 1, 1)));
    assert!(!is_covered(d(2023, 10, 2)));
    assert!(is_covered(d(2026, 12, 31)));
    // 2027-01-01 is a Friday: without a notice it counts as a working day.
    assert!(is_working_day(d(2027, 1, 1)));
    assert!(!is_working_day(d(2027, 1, 2)));
    assert_eq!(add_working_days(d(2026, 12, 30), 3), d(2027, 1, 4));
}
