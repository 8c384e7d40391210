//! Working days in mainland China (L5: a listing is deleted "within 3 working days" of its removal
//! event; L6 applies the same measure to expiries in the indicators).
//!
//! A working day is Monday to Friday, except the statutory public holidays, plus the weekend days
//! worked in exchange (调休). The holidays and exchanged days of each year are those of the State
//! Council General Office notice for that year (国务院办公厅关于 YYYY 年部分节假日安排的通知), written
//! below as data, one table per year, with the notice named. **Outside the years in [`YEARS`] the
//! calendar falls back to Monday–Friday** (no holidays known): [`is_covered`] tells, and the
//! indicators say so in their answer. Add a year's table when its notice is published (usually in
//! November of the year before).

use crate::domain::ErrorCode;
use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::DomainError;

/// The L5 deadline: a removal is due within this many working days after its event.
pub const REMOVAL_DEADLINE_WORKING_DAYS: u32 = 3;

/// A day of the year: (month, day).
type MonthDay = (u32, u32);

/// One year's notice: the days off (inclusive ranges, month and day) and the weekend days worked.
pub struct YearTable {
    pub year: i32,
    pub source: &'static str,
    holidays: &'static [(MonthDay, MonthDay)],
    workdays: &'static [MonthDay],
}

/// 国务院办公厅关于2024年部分节假日安排的通知 (国办发明电〔2023〕7号, 2023-10-25).
const Y2024: YearTable = YearTable {
    year: 2024,
    source: "国办发明电〔2023〕7号 (2023-10-25)",
    holidays: &[
        ((1, 1), (1, 1)),   // 元旦
        ((2, 10), (2, 17)), // 春节 (除夕 2月9日 is a working day; the notice only encourages leave)
        ((4, 4), (4, 6)),   // 清明节
        ((5, 1), (5, 5)),   // 劳动节
        ((6, 10), (6, 10)), // 端午节
        ((9, 15), (9, 17)), // 中秋节
        ((10, 1), (10, 7)), // 国庆节
    ],
    workdays: &[
        (2, 4),
        (2, 18),
        (4, 7),
        (4, 28),
        (5, 11),
        (9, 14),
        (9, 29),
        (10, 12),
    ],
};

/// 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, 2024-11-12), the first under the
/// 2024 revision of 全国年节及纪念日放假办法 (除夕 and 5月2日 became holidays).
const Y2025: YearTable = YearTable {
    year: 2025,
    source: "国办发明电〔2024〕12号 (2024-11-12)",
    holidays: &[
        ((1, 1), (1, 1)),   // 元旦
        ((1, 28), (2, 4)),  // 春节
        ((4, 4), (4, 6)),   // 清明节
        ((5, 1), (5, 5)),   // 劳动节
        ((5, 31), (6, 2)),  // 端午节
        ((10, 1), (10, 8)), // 国庆节、中秋节
    ],
    workdays: &[(1, 26), (2, 8), (4, 27), (9, 28), (10, 11)],
};

/// 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04).
const Y2026: YearTable = YearTable {
    year: 2026,
    source: "国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)",
    holidays: &[
        ((1, 1), (1, 3)),   // 元旦
        ((2, 15), (2, 23)), // 春节
        ((4, 4), (4, 6)),   // 清明节
        ((5, 1), (5, 5)),   // 劳动节
        ((6, 19), (6, 21)), // 端午节
        ((9, 25), (9, 27)), // 中秋节
        ((10, 1), (10, 7)), // 国庆节
    ],
    workdays: &[(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)],
};

/// The years whose notice is in the table.
pub const YEARS: [&YearTable; 3] = [&Y2024, &Y2025, &Y2026];

fn table(year: i32) -> Option<&'static YearTable> {
    YEARS.iter().copied().find(|t| t.year == year)
}

/// Whether `d` falls in a year whose holiday notice is known (otherwise Monday–Friday is assumed).
pub fn is_covered(d: NaiveDate) -> bool {
    table(d.year()).is_some()
}

/// Whether `d` is a working day: a statutory holiday is not, an exchanged weekend day is; else Mon–Fri.
pub fn is_working_day(d: NaiveDate) -> bool {
    if let Some(t) = table(d.year()) {
        let md = (d.month(), d.day());
        if t.holidays
            .iter()
            .any(|(from, to)| (*from..=*to).contains(&md))
        {
            return false;
        }
        if t.workdays.contains(&md) {
            return true;
        }
    }
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The `n`-th working day after `d` (`d` itself is not counted; `n = 0` gives `d`).
pub fn add_working_days(d: NaiveDate, n: u32) -> NaiveDate {
    let mut day = d;
    let mut left = n;
    while left > 0 {
        day += Duration::days(1);
        if is_working_day(day) {
            left -= 1;
        }
    }
    day
}

/// How many working days fall after `from` up to and including `to` (0 when `to <= from`).
pub fn working_days_between(from: NaiveDate, to: NaiveDate) -> u32 {
    let mut n = 0;
    let mut day = from;
    while day < to {
        day += Duration::days(1);
        if is_working_day(day) {
            n += 1;
        }
    }
    n
}

/// L5: the last day on which a listing may be deleted after its removal event.
pub fn removal_due_on(event_on: NaiveDate) -> NaiveDate {
    add_working_days(event_on, REMOVAL_DEADLINE_WORKING_DAYS)
}

/// L5, L6: removed more than 3 working days after the event.
pub fn removed_late(event_on: NaiveDate, removed_on: NaiveDate) -> bool {
    removed_on > removal_due_on(event_on)
}

/// L5: the date of a removal event (CST) is not in the future and not before the listing decision;
/// otherwise `invalid_event_on`.
pub fn check_event_on(
    event_on: NaiveDate,
    decided_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), DomainError> {
    if event_on > today {
        return Err(DomainError::new(
            ErrorCode::InvalidEventOn,
            "event_on is in the future",
        ));
    }
    if event_on < decided_on {
        return Err(DomainError::new(
            ErrorCode::InvalidEventOn,
            "event_on is before the listing decision (decided_on)",
        ));
    }
    Ok(())
}

/// The date in China Standard Time of a UTC timestamp (legal dates are CST dates).
pub fn cst_date(t: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    (t + chrono::Duration::hours(8)).date_naive()
}

#[cfg(test)]
mod tests;
