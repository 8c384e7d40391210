//! L13's periods, counted as the Civil Procedure Law counts them (Art. 85): a period in days starts
//! on the day after its event, so its last day is the event's date plus the number of days; when
//! that last day is not a working day (a weekend day off or a statutory holiday of the State
//! Council's calendar, [`super::calendar`]), the period ends on the next working day. A weekend day
//! worked in exchange (调休) is a working day, so a period may end on a Saturday.
//!
//! The three periods of a correction application (L13):
//! - the enforcing court reviews it within 15 days of receiving it (`review_due_on`);
//! - the applicant may apply for reconsideration within 10 days of the rejection's service
//!   (`reconsideration_deadline`);
//! - the next higher court decides the reconsideration within 15 days of receiving it
//!   (`reconsideration.due_on`).
//!
//! A decision after its due date is accepted (the law binds the court, not the applicant) and
//! flagged late; an application for reconsideration after its deadline is out of time.

use chrono::{Duration, NaiveDate};

use super::calendar::is_working_day;

/// One of L13's periods in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemedyPeriod {
    /// The enforcing court's review of a correction application: 15 days from receipt.
    Review,
    /// The applicant's time to apply for reconsideration: 10 days from the rejection's service.
    ReconsiderationApplication,
    /// The next higher court's decision on a reconsideration: 15 days from receipt.
    ReconsiderationReview,
}

impl RemedyPeriod {
    /// The period's length in days.
    pub const fn days(self) -> u32 {
        match self {
            RemedyPeriod::Review | RemedyPeriod::ReconsiderationReview => 15,
            RemedyPeriod::ReconsiderationApplication => 10,
        }
    }

    /// The last day of the period that starts the day after `event_on` (module comment).
    pub fn due_on(self, event_on: NaiveDate) -> NaiveDate {
        let mut last = event_on + Duration::days(i64::from(self.days()));
        while !is_working_day(last) {
            last += Duration::days(1);
        }
        last
    }

    /// Whether `done_on` falls after the period's last day.
    pub fn is_late(self, event_on: NaiveDate, done_on: NaiveDate) -> bool {
        done_on > self.due_on(event_on)
    }
}

#[cfg(test)]
mod tests;
