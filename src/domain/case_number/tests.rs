//! Unit tests for docs/LAW.md I3 case numbers.

use super::*;

fn court(s: &str) -> CourtCode {
    CourtCode::parse(s).unwrap()
}

fn err_code(s: &str) -> &'static str {
    CaseNumber::parse(s).unwrap_err().code.as_str()
}

#[test]
fn i3_accepts_example_enforcement_numbers() {
    for (s, text, year, c, t, seq) in [
        (
            "（2024）京0105执1234号",
            "（2024）京0105执1234号",
            2024,
            "京0105",
            "执",
            1234,
        ),
        (
            "(2024)京0105执恢12号",
            "（2024）京0105执恢12号",
            2024,
            "京0105",
            "执恢",
            12,
        ),
        (
            "（2026）最高法执监3号",
            "（2026）最高法执监3号",
            2026,
            "最高法",
            "执监",
            3,
        ),
        (
            "（2025）粤03执保7号",
            "（2025）粤03执保7号",
            2025,
            "粤03",
            "执保",
            7,
        ),
    ] {
        let n = CaseNumber::parse_enforcement(s).unwrap();
        assert_eq!(n.as_str(), text);
        assert_eq!(n.year(), year);
        assert_eq!(n.court(), Some(&court(c)));
        assert_eq!(n.case_type(), t);
        assert_eq!(n.seq(), seq);
        assert!(n.is_enforcement() && !n.is_legacy());
        assert!(n.belongs_to(&court(c)));
    }
}

#[test]
fn i3_strips_spaces_and_normalises_brackets() {
    let n = CaseNumber::parse(" ( 2024 ) 京 0105　执 1234 号 ").unwrap();
    assert_eq!(n.as_str(), "（2024）京0105执1234号");
    assert_eq!(n, CaseNumber::parse("（2024）京0105执1234号").unwrap());
    assert_eq!(
        serde_json::to_string(&n).unwrap(),
        "\"（2024）京0105执1234号\""
    );
}

#[test]
fn i3_all_enforcement_types_and_high_court_numbers() {
    for t in ENFORCEMENT_TYPES {
        let n = CaseNumber::parse_enforcement(&format!("（2024）京{t}5号")).unwrap();
        assert_eq!(n.case_type(), t);
        assert_eq!(n.court(), Some(&court("京")));
    }
}

#[test]
fn i3_non_enforcement_types_parse_but_are_not_enforcement() {
    let n = CaseNumber::parse("（2025）京0105民初5678号").unwrap();
    assert_eq!(n.case_type(), "民初");
    assert!(!n.is_enforcement());
    assert_eq!(
        CaseNumber::parse_enforcement("（2025）京0105民初5678号")
            .unwrap_err()
            .code,
        "invalid_case_number"
    );
    let n = CaseNumber::parse("（2019）最高法知民终1号").unwrap();
    assert_eq!((n.special_trial(), n.case_type()), (Some('知'), "民终"));
    let n = CaseNumber::parse("（2020）沪74民初1号").unwrap();
    assert_eq!((n.special_trial(), n.case_type()), (None, "民初"));
    let n = CaseNumber::parse("（2021）京73知执1号").unwrap();
    assert_eq!((n.special_trial(), n.case_type()), (Some('知'), "执"));
    assert!(n.is_enforcement());
}

#[test]
fn i3_rejects_pre_2016_and_malformed_numbers() {
    for s in [
        "(2014)丰法民执字第00326号",
        "（2015）京0105执1号",
        "（2999）京0105执1号",
        "（2024）京0105执0号",
        "（2024）京0105执12345678号",
        "（2024）京010执1号",
        "（2024）京01055执1号",
        "（2024）港0105执1号",
        "（2024）京0105执1",
        "（2024）京0105执1号号",
        "（2024）京01051234号",
        "（2024）京0105执保全一二1号",
        "2024京0105执1号",
        "（24）京0105执1号",
        "",
    ] {
        assert_eq!(err_code(s), "invalid_case_number", "{s}");
    }
}

#[test]
fn i3_legacy_numbers_only_via_parse_legacy() {
    let n = CaseNumber::parse_legacy("(2014)丰法民执字第00326号").unwrap();
    assert_eq!(n.as_str(), "（2014）丰法民执字第00326号");
    assert_eq!(
        (n.year(), n.court(), n.seq(), n.case_type()),
        (2014, None, 326, "")
    );
    assert!(n.is_legacy() && n.is_enforcement());
    assert!(!n.belongs_to(&court("京")));
    let modern = CaseNumber::parse_legacy("（2024）京0105执1234号").unwrap();
    assert_eq!(modern.court(), Some(&court("京0105")));
    for s in [
        "(1979)京法执字第1号",
        "(2014)号",
        "(2014)丰法民执字第00326",
        "丰法民执字第1号",
    ] {
        assert_eq!(
            CaseNumber::parse_legacy(s).unwrap_err().code,
            "invalid_case_number",
            "{s}"
        );
    }
}
