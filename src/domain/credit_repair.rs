//! L16: credit repair (信用修复). A listed party who has performed, or corrected the conduct, applies;
//! the enforcing court decides, with no statutory deadline (the service shows the days taken). A
//! grant deletes the listing early (L3, `early_deletion`) and issues a certificate.

use chrono::NaiveDate;

use super::{DomainError, ErrorCode, applicant::check_between};

code_enum! {
    /// Where an application for credit repair stands.
    pub enum CreditRepairStatus {
        UnderReview = ("under_review", "审查中"),
        Granted = ("granted", "准予信用修复"),
        Refused = ("refused", "不予信用修复"),
    }
}

code_enum! {
    /// The court's decision on an application for credit repair.
    pub enum RepairOutcome {
        Granted = ("granted", "准予信用修复"),
        Refused = ("refused", "不予信用修复"),
    }
}

impl RepairOutcome {
    /// The status a decision leads to.
    pub fn status(self) -> CreditRepairStatus {
        match self {
            Self::Granted => CreditRepairStatus::Granted,
            Self::Refused => CreditRepairStatus::Refused,
        }
    }
}

/// A decision is made neither in the future nor before the application was received
/// (`invalid_decided_on`); the answer is the days it took (no deadline binds it, L16).
pub fn check_decided_on(
    decided_on: NaiveDate,
    received_on: NaiveDate,
    today: NaiveDate,
) -> Result<i64, DomainError> {
    check_between(
        decided_on,
        received_on,
        today,
        ErrorCode::InvalidDecidedOn,
        "decided_on",
    )?;
    Ok(days_between(received_on, decided_on))
}

/// Calendar days from `from` to `to` (0 on the same day).
pub fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::applicant::check_received_on;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("a valid date")
    }

    #[test]
    fn codes_match_the_check_constraints() {
        let all: Vec<&str> = CreditRepairStatus::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(all.join(" "), "under_review granted refused");
        assert_eq!(RepairOutcome::Granted.status(), CreditRepairStatus::Granted);
        assert_eq!(RepairOutcome::Refused.status(), CreditRepairStatus::Refused);
    }

    #[test]
    fn l16_dates_in_the_future_or_before_their_event_are_refused() {
        let today = d(2026, 6, 30);
        let code = |r: Result<(), DomainError>| r.err().map(|e| e.code);
        assert_eq!(
            code(check_received_on(d(2026, 6, 1), d(2026, 5, 1), today)),
            None
        );
        assert_eq!(
            code(check_received_on(d(2026, 4, 30), d(2026, 5, 1), today)),
            Some(ErrorCode::InvalidReceivedOn)
        );
        assert_eq!(
            code(check_received_on(d(2026, 7, 1), d(2026, 5, 1), today)),
            Some(ErrorCode::InvalidReceivedOn)
        );
        assert_eq!(
            check_decided_on(d(2026, 6, 30), d(2026, 6, 1), today),
            Ok(29)
        );
        assert_eq!(check_decided_on(d(2026, 6, 1), d(2026, 6, 1), today), Ok(0));
        assert_eq!(
            check_decided_on(d(2026, 5, 31), d(2026, 6, 1), today)
                .err()
                .map(|e| e.code),
            Some(ErrorCode::InvalidDecidedOn)
        );
    }
}
