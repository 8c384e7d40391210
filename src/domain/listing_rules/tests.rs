//! Unit tests for docs/LAW.md L2–L8, L11.

use chrono::NaiveDate;

use super::*;
use crate::domain::grounds::Ground;
use crate::domain::id_number::check_char;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn g(list: &[Ground]) -> Grounds {
    Grounds::new(list.iter().copied()).unwrap()
}

fn id_born(yyyymmdd: &str) -> IdNumber {
    let body = format!("110105{yyyymmdd}001");
    IdNumber::parse(&format!("{body}{}", check_char(&body).unwrap())).unwrap()
}

#[test]
fn l2_fixed_term_is_two_years_plus_extension() {
    let fixed = g(&[Ground::ViolatesAssetReporting]);
    assert_eq!(expires_on(d(2026, 5, 1), &fixed, 0), Some(d(2028, 5, 1)));
    assert_eq!(expires_on(d(2026, 5, 1), &fixed, 3), Some(d(2031, 5, 1)));
    assert_eq!(expires_on(d(2024, 2, 29), &fixed, 0), Some(d(2026, 2, 28)));
    assert_eq!(expires_on(d(2024, 2, 29), &fixed, 2), Some(d(2028, 2, 29)));
}

#[test]
fn l2_ground_one_alone_never_expires() {
    assert_eq!(
        expires_on(d(2026, 5, 1), &g(&[Ground::AbleButRefuses]), 0),
        None
    );
    let mixed = g(&[Ground::AbleButRefuses, Ground::RefusesSettlement]);
    assert_eq!(expires_on(d(2026, 5, 1), &mixed, 1), Some(d(2029, 5, 1)));
}

#[test]
fn l2_extension_requires_aggravating_ground() {
    let plain = g(&[Ground::EvadesEnforcement]);
    assert_eq!(
        check_extension(&plain, 0, 1).unwrap_err().code,
        "extension_not_allowed"
    );
    let no_term = g(&[Ground::AbleButRefuses]);
    assert_eq!(
        check_extension(&no_term, 0, 1).unwrap_err().code,
        "extension_not_allowed"
    );
    let obstructs = g(&[Ground::ObstructsEnforcement]);
    assert_eq!(check_extension(&obstructs, 0, 2), Ok(2));
    let several = g(&[Ground::EvadesEnforcement, Ground::ViolatesAssetReporting]);
    assert_eq!(check_extension(&several, 1, 2), Ok(3));
}

#[test]
fn l2_extension_total_at_most_three_years() {
    let obstructs = g(&[Ground::ObstructsEnforcement]);
    assert_eq!(
        check_extension(&obstructs, 2, 2).unwrap_err().code,
        "extension_limit_exceeded"
    );
    assert_eq!(
        check_extension(&obstructs, 0, 4).unwrap_err().code,
        "extension_limit_exceeded"
    );
    assert_eq!(
        check_extension(&obstructs, 3, 1).unwrap_err().code,
        "extension_limit_exceeded"
    );
    assert_eq!(
        check_extension(&obstructs, 0, 0).unwrap_err().code,
        "invalid_value"
    );
}

#[test]
fn l2_initial_extension() {
    let obstructs = g(&[Ground::ObstructsEnforcement]);
    let plain = g(&[Ground::ViolatesConsumptionRestriction]);
    assert!(check_initial_extension(&plain, 0).is_ok());
    assert!(check_initial_extension(&g(&[Ground::AbleButRefuses]), 0).is_ok());
    assert!(check_initial_extension(&obstructs, 3).is_ok());
    assert_eq!(
        check_initial_extension(&plain, 1).unwrap_err().code,
        "extension_not_allowed"
    );
    assert_eq!(
        check_initial_extension(&obstructs, 4).unwrap_err().code,
        "extension_limit_exceeded"
    );
}

#[test]
fn l4_minor_cannot_be_listed() {
    let id = id_born("20080615");
    assert_eq!(
        check_not_minor(&id, d(2026, 6, 14)).unwrap_err().code,
        "minor_cannot_be_listed"
    );
    assert!(check_not_minor(&id, d(2026, 6, 15)).is_ok());
    assert!(
        check_not_minor(
            &IdNumber::parse("11010519491231002X").unwrap(),
            d(2026, 1, 1)
        )
        .is_ok()
    );
}

#[test]
fn l11_grace_period_one_to_three_months() {
    let decided = d(2026, 5, 1);
    let today = d(2026, 5, 2);
    assert!(check_grace(decided, d(2026, 6, 1), today).is_ok());
    assert!(check_grace(decided, d(2026, 8, 1), today).is_ok());
    for bad in [d(2026, 5, 31), d(2026, 8, 2), d(2026, 5, 1)] {
        assert_eq!(
            check_grace(decided, bad, today).unwrap_err().code,
            "invalid_grace_period"
        );
    }
    // Not in the past.
    assert_eq!(
        check_grace(decided, d(2026, 6, 1), d(2026, 6, 2))
            .unwrap_err()
            .code,
        "invalid_grace_period"
    );
    assert!(check_grace(decided, d(2026, 6, 2), d(2026, 6, 2)).is_ok());
    // Month ends clamp: 31 Jan + 1 month = 28 Feb.
    assert!(check_grace(d(2026, 1, 31), d(2026, 2, 28), d(2026, 1, 31)).is_ok());
}

#[test]
fn decided_on_not_in_the_future() {
    assert!(check_decided_on(d(2026, 5, 1), d(2026, 5, 1)).is_ok());
    assert_eq!(
        check_decided_on(d(2026, 5, 2), d(2026, 5, 1))
            .unwrap_err()
            .code,
        "invalid_decided_on"
    );
}

#[test]
fn l6_l5_reasons_not_applicable_to_fixed_term() {
    for r in RemovalReason::ALL {
        let fixed = r.check_applicable(true);
        let open = r.check_applicable(false);
        match r {
            RemovalReason::EarlyDeletion | RemovalReason::WrongfulListing => {
                assert!(fixed.is_ok() && open.is_ok());
            }
            RemovalReason::TermExpired => {
                assert_eq!(fixed.unwrap_err().code, "reason_not_applicable");
                assert_eq!(open.unwrap_err().code, "reason_not_applicable");
            }
            _ => {
                assert!(r.is_l5_event());
                assert_eq!(fixed.unwrap_err().code, "reason_not_applicable");
                assert!(open.is_ok());
            }
        }
    }
}

#[test]
fn l7_wrongful_listing_is_revocation() {
    assert!(RemovalReason::WrongfulListing.is_revocation());
    assert_eq!(
        RemovalReason::WrongfulListing.resulting_status(),
        ListingStatus::Revoked
    );
    assert_eq!(
        RemovalReason::TermExpired.resulting_status(),
        ListingStatus::Expired
    );
    assert_eq!(
        RemovalReason::Performed.resulting_status(),
        ListingStatus::Removed
    );
    assert!(!RemovalReason::EarlyDeletion.is_revocation());
}

#[test]
fn l8_relisting_barred_for_six_months() {
    let removed = d(2026, 1, 15);
    assert!(relisting_barred(removed, d(2026, 7, 14)));
    assert!(!relisting_barred(removed, d(2026, 7, 15)));
    assert!(relisting_barred(d(2025, 8, 31), d(2026, 2, 27)));
    assert!(!relisting_barred(d(2025, 8, 31), d(2026, 2, 28)));
}

#[test]
fn l9_codes_round_trip() {
    for r in RemovalReason::ALL {
        assert_eq!(RemovalReason::parse(r.code()).unwrap(), r);
        assert_eq!(serde_json::to_value(r).unwrap(), r.code());
    }
    assert_eq!(RemovalReason::ALL.len(), 10);
    assert_eq!(Performance::None.code(), "none");
    assert_eq!(Performance::Partial.label(), "部分未履行");
    assert_eq!(Performance::None.label(), "全部未履行");
    assert_eq!(Performance::parse("all").unwrap_err().code, "invalid_value");
    for s in ListingStatus::ALL {
        assert_eq!(ListingStatus::parse(s.code()).unwrap(), s);
    }
    assert!(ListingStatus::Active.is_public() && !ListingStatus::Pending.is_public());
    assert_eq!(
        InitiatedBy::parse("creditor_application").unwrap(),
        InitiatedBy::CreditorApplication
    );
    assert_eq!(InitiatedBy::Court.code(), "court");
    assert_eq!(InitiatedBy::parse("x").unwrap_err().code, "invalid_value");
}
