//! Property tests for the identifiers (I1, I2, I4) and masking (L10).

use chrono::NaiveDate;
use proptest::prelude::*;

use super::credit_code::{CreditCode, USCC_CHARSET, org_check_char, uscc_check_char};
use super::id_number::{IdNumber, check_char};
use super::name::fold_name;

/// A birth date between 1900-01-01 and 2020-12-31.
fn birth_date() -> impl Strategy<Value = NaiveDate> {
    date_from_1900(44_194)
}

/// A date in the `days` days from 1900-01-01.
fn date_from_1900(days: i64) -> impl Strategy<Value = NaiveDate> {
    (0..days).prop_map(|n| NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(n))
}

/// 17 digits: region, the birth date, sequence.
fn body17() -> impl Strategy<Value = String> {
    ("[0-9]{6}", birth_date(), "[0-9]{3}")
        .prop_map(|(region, date, seq)| format!("{region}{}{seq}", date.format("%Y%m%d")))
}

fn uscc_body() -> impl Strategy<Value = String> {
    let charset: Vec<char> = USCC_CHARSET.chars().collect();
    proptest::collection::vec(proptest::sample::select(charset), 17)
        .prop_map(|v| v.into_iter().collect())
}

/// Name-like text: simplified and traditional characters, Latin, spaces and middle dots.
fn name_text() -> impl Strategy<Value = String> {
    let parts = proptest::sample::select(vec![
        "张", "張", "三", "劉", "刘", "德", "華", "华", "买", "提", "艾", "力", "a", "B", "ｊ",
        "Ｑ", "é", " ", "　", "\t", "·", "•", "‧", "・", "･", "1", "２",
    ]);
    proptest::collection::vec(parts, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn i1_valid_numbers_parse_and_round_trip(body in body17()) {
        let check = check_char(&body).unwrap();
        let s = format!("{body}{check}");
        let id = IdNumber::parse(&s).unwrap();
        prop_assert_eq!(id.as_str(), s.as_str());
        prop_assert_eq!(IdNumber::parse(&s.to_lowercase()).unwrap(), id.clone());
        prop_assert_eq!(IdNumber::parse(id.as_str()).unwrap(), id);
    }

    #[test]
    fn i1_changed_check_char_is_invalid_check_digit(body in body17(), k in 1usize..11) {
        let chars = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
        let check = check_char(&body).unwrap();
        let pos = chars.iter().position(|c| *c == check).unwrap();
        let wrong = chars[(pos + k) % 11];
        let err = IdNumber::parse(&format!("{body}{wrong}")).unwrap_err();
        prop_assert_eq!(err.code, "invalid_check_digit");
    }

    #[test]
    fn i1_legacy_15_converts_to_parseable_18(
        region in "[0-9]{6}", date in date_from_1900(36_524), seq in "[0-9]{3}",
    ) {
        let legacy = format!("{region}{}{seq}", date.format("%y%m%d"));
        let id = IdNumber::parse(&legacy).unwrap();
        let body = format!("{region}{}{seq}", date.format("%Y%m%d"));
        let expected = format!("{body}{}", check_char(&body).unwrap());
        prop_assert_eq!(id.as_str(), expected.as_str());
        prop_assert_eq!(IdNumber::parse(&expected).unwrap(), id.clone());
        prop_assert_eq!(id.birth_date(), date);
    }

    #[test]
    fn l10_masked_never_contains_birth_month_day(body in body17()) {
        let id = IdNumber::parse(&format!("{body}{}", check_char(&body).unwrap())).unwrap();
        let masked = id.masked();
        prop_assert_eq!(masked.len(), 18);
        prop_assert_eq!(&masked[10..14], "****");
        // The month-day only shows up where the visible parts coincidentally repeat it.
        let month_day = &id.as_str()[10..14];
        if masked.contains(month_day) {
            prop_assert!(masked[..10].contains(month_day) || &masked[14..] == month_day);
        }
        prop_assert_eq!(&masked[..10], &id.as_str()[..10]);
        prop_assert_eq!(&masked[14..], &id.as_str()[14..]);
    }

    #[test]
    fn i2_computed_check_parses_and_changed_check_fails(body in uscc_body(), k in 1usize..31) {
        let check = uscc_check_char(&body).unwrap();
        let code = CreditCode::parse(&format!("{body}{check}")).unwrap();
        prop_assert_eq!(code.org_code(), &body[8..17]);
        let charset: Vec<char> = USCC_CHARSET.chars().collect();
        let pos = charset.iter().position(|c| *c == check).unwrap();
        let wrong = charset[(pos + k) % 31];
        let err = CreditCode::parse(&format!("{body}{wrong}")).unwrap_err();
        prop_assert_eq!(err.code, "invalid_credit_code");
    }

    #[test]
    fn i2_legacy_org_code_with_computed_check_parses(body in "[0-9A-Z]{8}") {
        let check = org_check_char(&body).unwrap();
        let code = CreditCode::parse(&format!("{}-{check}", body.to_lowercase())).unwrap();
        prop_assert!(code.is_legacy_org_code());
        prop_assert_eq!(code.org_code(), format!("{body}{check}"));
    }

    #[test]
    fn i4_fold_name_is_idempotent(s in name_text()) {
        let once = fold_name(&s);
        prop_assert_eq!(fold_name(&once), once);
    }

    #[test]
    fn i4_fold_name_is_idempotent_on_any_text(s in "\\PC{0,12}") {
        let once = fold_name(&s);
        prop_assert_eq!(fold_name(&once), once);
    }

    #[test]
    fn i4_fold_name_ignores_inserted_whitespace(
        s in name_text(),
        at in any::<proptest::sample::Index>(),
        ws in "[ \t\u{3000}\n]{1,3}",
    ) {
        let chars: Vec<char> = s.chars().collect();
        let i = at.index(chars.len() + 1);
        let spaced: String = chars[..i]
            .iter()
            .copied()
            .chain(ws.chars())
            .chain(chars[i..].iter().copied())
            .collect();
        prop_assert_eq!(fold_name(&spaced), fold_name(&s));
    }
}
