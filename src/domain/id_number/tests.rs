//! Unit tests for docs/LAW.md I1 and L10.

use chrono::NaiveDate;

use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn err_code(s: &str) -> &'static str {
    IdNumber::parse(s).unwrap_err().code.as_str()
}

#[test]
fn i1_accepts_domain_vectors() {
    for v in [
        "11010519491231002X",
        "440524188001010014",
        "34052419800101001X",
    ] {
        assert_eq!(IdNumber::parse(v).unwrap().as_str(), v);
    }
}

#[test]
fn i1_accepts_birth_year_1880() {
    let id = IdNumber::parse("440524188001010014").unwrap();
    assert_eq!(id.birth_date(), date(1880, 1, 1));
}

#[test]
fn i1_accepts_lowercase_x_and_fullwidth_digits() {
    let id = IdNumber::parse("　１１０１０５１９４９１２３１００２ｘ ").unwrap();
    assert_eq!(id.as_str(), "11010519491231002X");
    assert_eq!(
        IdNumber::parse(" 11010519491231002x").unwrap().as_str(),
        "11010519491231002X"
    );
}

#[test]
fn i1_rejects_wrong_check_character() {
    assert_eq!(err_code("110105194912310021"), "invalid_check_digit");
    assert_eq!(
        err_code("34052419800101001X".replace('X', "0").as_str()),
        "invalid_check_digit"
    );
}

#[test]
fn i1_rejects_bad_length_and_characters() {
    for s in [
        "",
        "1101051949123100",
        "11010519491231002XX",
        "1101051949123100AX",
        "11010519491231002Y",
    ] {
        assert_eq!(err_code(s), "invalid_id_number", "{s}");
    }
    assert_eq!(
        err_code("１１０１０５１９４９１２３１００２Ｘ１"),
        "invalid_id_number"
    );
}

#[test]
fn i1_rejects_impossible_and_future_birth_dates() {
    // 1949-02-30 does not exist; check char computed so only the date is wrong.
    let body = "11010519490230002";
    let s = format!("{body}{}", check_char(body).unwrap());
    assert_eq!(err_code(&s), "invalid_id_number");
    let body = "11010529990101002";
    let s = format!("{body}{}", check_char(body).unwrap());
    assert_eq!(err_code(&s), "invalid_id_number");
    let body = "11010517990101002";
    let s = format!("{body}{}", check_char(body).unwrap());
    assert_eq!(err_code(&s), "invalid_id_number");
}

#[test]
fn i1_legacy_15_digits_convert_to_18() {
    let id = IdNumber::parse("110105491231002").unwrap();
    assert_eq!(id.as_str(), "11010519491231002X");
    assert_eq!(id, IdNumber::parse("11010519491231002X").unwrap());
    assert_eq!(err_code("110105490230002"), "invalid_id_number");
}

#[test]
fn i1_gender_from_sequence_digit() {
    assert_eq!(
        IdNumber::parse("11010519491231002X").unwrap().gender(),
        Gender::Female
    );
    assert_eq!(
        IdNumber::parse("34052419800101001X").unwrap().gender(),
        Gender::Male
    );
    assert_eq!(Gender::Male.as_str(), "male");
    assert_eq!(
        serde_json::to_string(&Gender::Female).unwrap(),
        "\"female\""
    );
}

#[test]
fn i1_age_in_whole_years() {
    let id = IdNumber::parse("11010519491231002X").unwrap();
    assert_eq!(id.age_on(date(1967, 12, 30)), 17);
    assert_eq!(id.age_on(date(1967, 12, 31)), 18);
    assert_eq!(id.age_on(date(1940, 1, 1)), 0);
}

#[test]
fn l10_masked_shows_first_10_and_last_4() {
    let id = IdNumber::parse("11010519491231002X").unwrap();
    assert_eq!(id.masked(), "1101051949****002X");
    // The L10 example.
    let id = IdNumber::parse("342301196401183224").unwrap();
    assert_eq!(id.masked(), "3423011964****3224");
}

#[test]
fn i1_debug_is_redacted_and_serialize_is_full() {
    let id = IdNumber::parse("11010519491231002X").unwrap();
    assert_eq!(format!("{id:?}"), "IdNumber(<redacted>)");
    assert_eq!(
        serde_json::to_string(&id).unwrap(),
        "\"11010519491231002X\""
    );
}
