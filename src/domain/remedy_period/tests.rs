//! L13 counting, with cases worked out by hand from the State Council's 2026 holiday notice
//! (元旦 1月1–3日, 1月4日 (Sunday) worked; 春节 2月15–23日, 2月14日 and 2月28日 (Saturdays) worked;
//! 国庆节 10月1–7日, 10月10日 (Saturday) worked).

use chrono::{Datelike, NaiveDate, Weekday};

use super::RemedyPeriod::{self, *};

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

fn due(p: RemedyPeriod, m: u32, day: u32) -> NaiveDate {
    p.due_on(d(m, day))
}

#[test]
fn l13_a_plain_period_ends_on_the_event_day_plus_its_days() {
    // Received Monday 2 March: day 1 is 3 March, day 15 is Tuesday 17 March, a working day.
    assert_eq!(due(Review, 3, 2), d(3, 17));
    assert_eq!(due(ReconsiderationReview, 3, 2), d(3, 17));
    // Served Monday 9 March: day 10 is Thursday 19 March.
    assert_eq!(due(ReconsiderationApplication, 3, 9), d(3, 19));
}

#[test]
fn l13_a_period_ending_on_a_saturday_ends_on_the_next_monday() {
    assert_eq!(d(3, 21).weekday(), Weekday::Sat);
    assert_eq!(due(Review, 3, 6), d(3, 23));
    // Ending on a Sunday: the Monday too.
    assert_eq!(due(ReconsiderationApplication, 3, 12), d(3, 23));
}

#[test]
fn l13_a_period_ending_on_a_holiday_ends_after_the_holiday() {
    // Day 15 is 1 October (国庆节, off until 7 October): the period ends on Thursday 8 October.
    assert_eq!(due(Review, 9, 16), d(10, 8));
    // Day 10 is Sunday 15 February, inside 春节 (15–23 February): Tuesday 24 February.
    assert_eq!(due(ReconsiderationApplication, 2, 5), d(2, 24));
    // Day 15 is 2 January (元旦, off 1–3 January), and 4 January is a Sunday worked: it ends there.
    assert_eq!(
        NaiveDate::from_ymd_opt(2025, 12, 18).map(|e| Review.due_on(e)),
        Some(d(1, 4))
    );
}

#[test]
fn l13_a_period_ending_on_a_weekend_working_day_ends_that_day() {
    // Saturday 28 February is worked in exchange for 春节: a period ending on it ends there.
    assert_eq!(d(2, 28).weekday(), Weekday::Sat);
    assert_eq!(due(Review, 2, 13), d(2, 28));
    // Saturday 14 February likewise.
    assert_eq!(due(ReconsiderationApplication, 2, 4), d(2, 14));
}

#[test]
fn l13_a_decision_after_the_last_day_is_late_and_on_it_is_not() {
    let received = d(9, 16);
    assert!(!Review.is_late(received, d(10, 8)), "on the last day");
    assert!(!Review.is_late(received, d(10, 1)), "during the holiday");
    assert!(Review.is_late(received, d(10, 9)), "the day after");
}

#[test]
fn l13_periods_in_days() {
    assert_eq!(
        [Review, ReconsiderationApplication, ReconsiderationReview].map(RemedyPeriod::days),
        [15, 10, 15]
    );
}
