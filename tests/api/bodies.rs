//! Valid request bodies and identifiers that the tests build on (computed independently of the
//! service's own code).

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{Value, json};

/// A valid resident ID number (I1), computed independently of the service's own code.
pub fn make_id(region: &str, birth: &str, seq: u32) -> String {
    let body = format!("{region}{birth}{seq:03}");
    let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(w)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    let check = "10X98765432"
        .chars()
        .nth((sum % 11) as usize)
        .unwrap_or('0');
    format!("{body}{check}")
}

pub fn today() -> NaiveDate {
    shixin::domain::today_cst()
}

/// A valid person listing of the court 京0105, decided 30 days ago, with a fixed term.
pub fn person_listing(id_number: &str, case_seq: u32) -> Value {
    let decided = today() - Duration::days(30);
    let filed = decided - Duration::days(60);
    json!({
        "debtor": {"kind": "person", "name": "张三", "id_number": id_number,
                   "documents": [{"type": "passport", "number": "E12345678"}]},
        "associated_persons": [],
        "court_code": "京0105",
        "case_number": format!("（{}）京0105执{case_seq}号", filed.year()),
        "filed_on": filed.to_string(),
        "basis": {"document_number": "（2025）京0105民初5678号", "issuer": "北京市朝阳区人民法院"},
        "obligation": "支付货款人民币100000元及利息",
        "performance": "none",
        "grounds": ["violates_asset_reporting"],
        "extension_years": 0,
        "decided_on": decided.to_string(),
        "grace_until": null,
        "initiated_by": "court"
    })
}

/// A valid organisation listing of the court 京0105 with a legal representative and an actual controller.
pub fn org_listing(credit_code: &str, case_seq: u32) -> Value {
    let mut v = person_listing("11010519491231002X", case_seq);
    v["debtor"] = json!({"kind": "organization", "name": "北京某某贸易有限公司", "credit_code": credit_code,
        "legal_representative": {"name": "王五", "id_number": make_id("110105", "19700101", 11)}});
    v["associated_persons"] = json!([{"role": "actual_controller", "name": "赵六",
        "id_number": make_id("110105", "19650505", 21)}]);
    v
}

/// A valid standalone restriction order body for the court 京0105.
pub fn order_body(id_number: &str, case_seq: u32) -> Value {
    json!({
        "debtor": {"kind": "person", "name": "李四", "id_number": id_number,
                   "documents": [{"type": "passport", "number": "G7654321"}]},
        "court_code": "京0105",
        "case_number": format!("（{}）京0105执{case_seq}号", today().year()),
        "issued_on": today().to_string(),
    })
}
