//! L13: a listed party's correction application and its reconsideration by the next higher court.
//! The vocabularies (grounds, status, outcome, means of service) and the rules on their dates; the
//! periods themselves are [`super::remedy_period::RemedyPeriod`].

use chrono::NaiveDate;

use super::{DomainError, ErrorCode, applicant::check_between, remedy_period::RemedyPeriod};

code_enum! {
    /// L13 (Arts. 11 (1)–(3)): why the listed party applies.
    pub enum CorrectionGround {
        ShouldNotBeListed = ("should_not_be_listed", "不应当被纳入失信被执行人名单"),
        InaccurateInformation = ("inaccurate_information", "记载和公布的失信信息不准确"),
        ShouldHaveBeenDeleted = ("should_have_been_deleted", "失信情形已消除"),
    }
}

code_enum! {
    /// Where an application stands: under review by the enforcing court, corrected (by it or on
    /// reconsideration), rejected (reconsideration may follow), in reconsideration at the next
    /// higher court, or rejected again there.
    pub enum CorrectionStatus {
        UnderReview = ("under_review", "审查中"),
        Corrected = ("corrected", "已纠正"),
        Rejected = ("rejected", "已驳回"),
        InReconsideration = ("in_reconsideration", "复议中"),
        RejectionUpheld = ("rejection_upheld", "复议维持驳回"),
    }
}

impl CorrectionStatus {
    /// Under review or in reconsideration: a step is due (one such application per listing).
    pub fn is_open(&self) -> bool {
        matches!(self, Self::UnderReview | Self::InReconsideration)
    }
}

code_enum! {
    /// A decision on an application or on its reconsideration: the reasons hold (`upheld`, the
    /// listing is corrected) or they do not (`rejected`).
    pub enum Outcome {
        Upheld = ("upheld", "理由成立"),
        Rejected = ("rejected", "理由不成立"),
    }
}

code_enum! {
    /// How a rejection was served (Civil Procedure Law: direct, by post, electronic, public notice).
    pub enum ServiceMethod {
        Direct = ("direct", "直接送达"),
        Post = ("post", "邮寄送达"),
        Electronic = ("electronic", "电子送达"),
        PublicNotice = ("public_notice", "公告送达"),
    }
}

/// Which decision: the enforcing court's review, or the next higher court's reconsideration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Review,
    Reconsideration,
}

impl Stage {
    /// The status a decision of this stage requires.
    pub fn open_status(self) -> CorrectionStatus {
        match self {
            Stage::Review => CorrectionStatus::UnderReview,
            Stage::Reconsideration => CorrectionStatus::InReconsideration,
        }
    }

    /// The period within which this stage's decision is due.
    pub fn period(self) -> RemedyPeriod {
        match self {
            Stage::Review => RemedyPeriod::Review,
            Stage::Reconsideration => RemedyPeriod::ReconsiderationReview,
        }
    }

    /// The status a decision of this stage leads to.
    pub fn status_after(self, outcome: Outcome) -> CorrectionStatus {
        match (self, outcome) {
            (_, Outcome::Upheld) => CorrectionStatus::Corrected,
            (Stage::Review, Outcome::Rejected) => CorrectionStatus::Rejected,
            (Stage::Reconsideration, Outcome::Rejected) => CorrectionStatus::RejectionUpheld,
        }
    }
}

/// A decision is made neither in the future nor before what it decides was received
/// (`invalid_decided_on`); after its due date it is accepted and late (the answer of this call).
pub fn check_decided_on(
    stage: Stage,
    decided_on: NaiveDate,
    received_on: NaiveDate,
    today: NaiveDate,
) -> Result<bool, DomainError> {
    check_between(
        decided_on,
        received_on,
        today,
        ErrorCode::InvalidDecidedOn,
        "decided_on",
    )?;
    Ok(stage.period().is_late(received_on, decided_on))
}

/// A rejection is served neither in the future nor before it was decided (`invalid_served_on`).
pub fn check_served_on(
    served_on: NaiveDate,
    decided_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), DomainError> {
    check_between(
        served_on,
        decided_on,
        today,
        ErrorCode::InvalidServedOn,
        "served_on",
    )
}

/// A reconsideration is received after the rejection was served, not in the future
/// (`invalid_received_on`) and within 10 days of the service (`reconsideration_out_of_time`).
pub fn check_reconsideration_received_on(
    received_on: NaiveDate,
    served_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), DomainError> {
    check_between(
        received_on,
        served_on,
        today,
        ErrorCode::InvalidReceivedOn,
        "received_on",
    )?;
    let deadline = RemedyPeriod::ReconsiderationApplication.due_on(served_on);
    if received_on > deadline {
        return Err(DomainError::new(
            ErrorCode::ReconsiderationOutOfTime,
            format!("the time to apply for reconsideration ended on {deadline} (L13)"),
        ));
    }
    Ok(())
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
        let all = |v: Vec<&str>| v.join(" ");
        assert_eq!(
            all(CorrectionStatus::ALL.iter().map(|s| s.code()).collect()),
            "under_review corrected rejected in_reconsideration rejection_upheld"
        );
        assert_eq!(
            all(CorrectionGround::ALL.iter().map(|s| s.code()).collect()),
            "should_not_be_listed inaccurate_information should_have_been_deleted"
        );
        assert_eq!(
            all(ServiceMethod::ALL.iter().map(|s| s.code()).collect()),
            "direct post electronic public_notice"
        );
    }

    #[test]
    fn l13_decisions_lead_to_their_status() {
        use CorrectionStatus as S;
        assert_eq!(Stage::Review.status_after(Outcome::Upheld), S::Corrected);
        assert_eq!(Stage::Review.status_after(Outcome::Rejected), S::Rejected);
        let r = Stage::Reconsideration;
        assert_eq!(r.status_after(Outcome::Upheld), S::Corrected);
        assert_eq!(r.status_after(Outcome::Rejected), S::RejectionUpheld);
        assert!(S::UnderReview.is_open() && S::InReconsideration.is_open());
        assert!(!S::Rejected.is_open() && !S::Corrected.is_open());
    }

    #[test]
    fn l13_dates_in_the_future_or_before_their_event_are_refused() {
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
            code(check_served_on(d(2026, 7, 1), d(2026, 6, 1), today)),
            Some(ErrorCode::InvalidServedOn)
        );
        let late = check_decided_on(Stage::Review, d(2026, 6, 30), d(2026, 6, 1), today);
        assert_eq!(late, Ok(true));
        let on_time = check_decided_on(Stage::Review, d(2026, 6, 16), d(2026, 6, 1), today);
        assert_eq!(on_time, Ok(false));
        let early = check_decided_on(Stage::Review, d(2026, 5, 31), d(2026, 6, 1), today);
        assert_eq!(
            early.err().map(|e| e.code),
            Some(ErrorCode::InvalidDecidedOn)
        );
    }

    #[test]
    fn l13_reconsideration_is_out_of_time_after_ten_days() {
        // Served on Monday 2026-06-01: the 10th day is Thursday 2026-06-11.
        let today = d(2026, 6, 30);
        assert!(check_reconsideration_received_on(d(2026, 6, 11), d(2026, 6, 1), today).is_ok());
        assert_eq!(
            check_reconsideration_received_on(d(2026, 6, 12), d(2026, 6, 1), today)
                .err()
                .map(|e| e.code),
            Some(ErrorCode::ReconsiderationOutOfTime)
        );
    }
}
