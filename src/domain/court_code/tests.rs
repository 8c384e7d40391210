//! Unit tests for docs/LAW.md I3 court codes.

use super::*;

fn code(s: &str) -> CourtCode {
    CourtCode::parse(s).unwrap()
}

#[test]
fn i3_accepts_all_court_code_shapes() {
    for (s, level) in [
        ("最高法", CourtLevel::Supreme),
        ("京", CourtLevel::High),
        ("军", CourtLevel::High),
        ("兵", CourtLevel::High),
        ("京01", CourtLevel::Intermediate),
        ("粤03", CourtLevel::Intermediate),
        ("京0105", CourtLevel::Basic),
        (" 新2301 ", CourtLevel::Basic),
    ] {
        let c = code(s);
        assert_eq!(c.as_str(), s.trim());
        assert_eq!(c.level(), level, "{s}");
    }
}

#[test]
fn i3_rejects_malformed_court_codes() {
    for s in [
        "",
        "最高",
        "京1",
        "京012",
        "京01055",
        "港",
        "京０１",
        "京ab",
        "最高法01",
        "京京",
    ] {
        assert_eq!(
            CourtCode::parse(s).unwrap_err().code,
            "invalid_court_code",
            "{s}"
        );
    }
}

#[test]
fn i3_default_parent_walks_up_the_hierarchy() {
    assert_eq!(code("京0105").default_parent(), Some(code("京01")));
    assert_eq!(code("京01").default_parent(), Some(code("京")));
    assert_eq!(code("京").default_parent(), Some(code("最高法")));
    assert_eq!(code("最高法").default_parent(), None);
}

#[test]
fn l7_ancestor_covers_lower_courts() {
    assert!(code("京").is_same_or_ancestor_of(&code("京0105")));
    assert!(code("最高法").is_same_or_ancestor_of(&code("粤0305")));
    assert!(code("京0105").is_same_or_ancestor_of(&code("京0105")));
    assert!(!code("京02").is_same_or_ancestor_of(&code("京0105")));
    assert!(!code("京0105").is_same_or_ancestor_of(&code("京01")));
}

#[test]
fn i3_province_names_and_high_courts() {
    assert_eq!(code("京0105").province_abbrev(), Some('京'));
    assert_eq!(code("最高法").province_abbrev(), None);
    assert_eq!(province_name('京'), Some("北京市"));
    assert_eq!(province_name('内'), Some("内蒙古自治区"));
    assert_eq!(province_name('粤'), Some("广东省"));
    assert_eq!(province_name('新'), Some("新疆维吾尔自治区"));
    assert_eq!(province_name('兵'), Some("新疆生产建设兵团"));
    assert_eq!(province_name('军'), Some("中国人民解放军"));
    assert_eq!(province_name('港'), None);
    assert_eq!(high_court_name('京'), Some("北京市高级人民法院"));
    assert_eq!(high_court_name('军'), Some("中国人民解放军军事法院"));
    assert_eq!(
        high_court_name('兵'),
        Some("新疆维吾尔自治区高级人民法院生产建设兵团分院")
    );
    for a in HIGH_COURT_ABBREVS {
        assert!(
            province_name(a).is_some() && high_court_name(a).is_some(),
            "{a}"
        );
        assert_eq!(code(&a.to_string()).level(), CourtLevel::High);
    }
}

#[test]
fn court_level_codes_round_trip() {
    for l in CourtLevel::ALL {
        assert_eq!(CourtLevel::parse(l.as_str()).unwrap(), l);
        assert_eq!(
            serde_json::to_string(&l).unwrap(),
            format!("\"{}\"", l.as_str())
        );
    }
    assert_eq!(CourtLevel::Special.as_str(), "special");
    assert_eq!(
        CourtLevel::parse("county").unwrap_err().code,
        "invalid_value"
    );
}

#[test]
fn i3_court_code_serializes_as_string() {
    assert_eq!(
        serde_json::to_string(&code("京0105")).unwrap(),
        "\"京0105\""
    );
    assert_eq!(code("京0105").to_string(), "京0105");
}
