//! The public item and the `listing.*` event data, pinned as JSON: the keys, the values and the
//! explicit nulls a client reads (docs/LAW.md L9–L10).

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::*;
use crate::{
    db::models::listing::ListingRow,
    domain::{
        grounds::Ground,
        id_number::check_char,
        listing_rules::{InitiatedBy, ListingStatus, Performance},
    },
};

const ID: &str = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

/// A valid ID number of a woman born on 1980-03-02 (sequence 104, even).
fn id_number() -> String {
    let body = "11010519800302104";
    format!("{body}{}", check_char(body).unwrap())
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn person() -> Listing {
    let id = id_number();
    Listing {
        row: ListingRow {
            id: ID.parse::<Uuid>().unwrap(),
            court_code: "110105".into(),
            case_number: "（2025）京0105执123号".into(),
            debtor_kind: PartyKind::Person,
            debtor_key: id.clone(),
            debtor_name: "张三".into(),
            name_folded: "张三".into(),
            id_number: Some(id.clone()),
            credit_code: None,
            debtor: json!({"kind": "person", "name": "张三", "id_number": id,
                "documents": [{"type": "passport", "number": "E12345678"}]}),
            associated_persons: json!([]),
            filed_on: date("2025-01-10"),
            basis_document_number: "（2024）京0105民初1号".into(),
            basis_issuer: "北京市朝阳区人民法院".into(),
            obligation: "支付货款人民币10000元".into(),
            performance: Performance::Partial,
            grounds: vec![Ground::ViolatesAssetReporting, Ground::AbleButRefuses],
            extension_years: 0,
            decided_on: date("2025-02-20"),
            grace_until: None,
            initiated_by: InitiatedBy::Court,
            status: ListingStatus::Active,
            version: 3,
            // 01:00 on 2025-03-02 in CST: the birthday, so 45 (44 on the UTC date)
            published_at: Some(at("2025-03-01T17:00:00Z")),
            expires_on: Some(date("2027-02-20")),
            restriction_id: None,
            removal: None,
            created_at: at("2025-02-20T08:00:00Z"),
            updated_at: at("2025-03-01T17:00:00Z"),
            decision: None,
            served_on: None,
            service_method: None,
        },
        court_name: "北京市朝阳区人民法院".into(),
        province: "北京市".into(),
    }
}

fn organisation(legal_representative: Value) -> Listing {
    let mut l = person();
    let r = &mut l.row;
    r.debtor_kind = PartyKind::Organization;
    r.debtor_key = "666007217".into();
    r.debtor_name = "北京某某贸易有限公司".into();
    r.name_folded = r.debtor_name.clone();
    r.id_number = None;
    r.credit_code = Some("91310110666007217T".into());
    r.debtor = json!({"kind": "organization", "name": "北京某某贸易有限公司",
        "credit_code": "91310110666007217T", "legal_representative": legal_representative});
    r.performance = Performance::None;
    r.grounds = vec![Ground::RefusesSettlement];
    l
}

/// The item as the public sees it, with what differs between a person and an organisation.
fn item(extra: Value) -> Value {
    let mut v = json!({
        "id": ID,
        "court_name": "北京市朝阳区人民法院",
        "province": "北京市",
        "case_number": "（2025）京0105执123号",
        "filed_on": "2025-01-10",
        "basis": {"document_number": "（2024）京0105民初1号", "issuer": "北京市朝阳区人民法院"},
        "obligation": "支付货款人民币10000元",
        "published_on": "2025-03-02",
    });
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

fn person_item() -> Value {
    let id = id_number();
    item(json!({
        "kind": "person",
        "name": "张三",
        "gender": "female",
        "age": 45,
        "legal_representative": null,
        "id_number_masked": format!("{}****{}", &id[..10], &id[14..]),
        "performance": "partial",
        "performance_label": "部分未履行",
        "grounds": [
            {"code": "violates_asset_reporting", "label": "违反财产报告制度"},
            {"code": "able_but_refuses", "label": "有履行能力而拒不履行生效法律文书确定义务"},
        ],
    }))
}

fn organisation_item(legal_representative: Value) -> Value {
    item(json!({
        "kind": "organization",
        "name": "北京某某贸易有限公司",
        "gender": null,
        "age": null,
        "legal_representative": legal_representative,
        "credit_code": "91310110666007217T",
        "performance": "none",
        "performance_label": "全部未履行",
        "grounds": [{"code": "refuses_settlement", "label": "无正当理由拒不履行执行和解协议"}],
    }))
}

fn json_of(v: impl serde::Serialize) -> Value {
    serde_json::to_value(v).unwrap()
}

#[test]
fn a_person_shows_the_masked_id_number_gender_and_age_on_the_cst_publication_date() {
    assert_eq!(json_of(public_item(&person())), person_item());
}

#[test]
fn an_unpublished_person_has_no_publication_date_and_so_no_age() {
    let mut l = person();
    l.row.published_at = None;
    let mut want = person_item();
    want["published_on"] = Value::Null;
    want["age"] = Value::Null;
    assert_eq!(json_of(public_item(&l)), want);
}

#[test]
fn an_organisation_shows_its_credit_code_and_legal_representative() {
    let rep = json!({"name": "王五", "id_number": id_number()});
    assert_eq!(
        json_of(public_item(&organisation(rep))),
        organisation_item(json!("王五"))
    );
    assert_eq!(
        json_of(public_item(&organisation(Value::Null))),
        organisation_item(Value::Null)
    );
}

#[test]
fn a_person_never_shows_a_legal_representative() {
    let mut l = person();
    l.row.debtor["legal_representative"] = json!({"name": "王五"});
    assert_eq!(json_of(public_item(&l)), person_item());
}

#[test]
fn event_data_is_the_public_item_with_id_version_status_and_reason() {
    let mut want = person_item();
    want["listing_id"] = json!(ID);
    want["version"] = json!(3);
    want["status"] = json!("active");
    assert_eq!(json_of(event_data(&person(), None)), want);

    let mut l = organisation(Value::Null);
    l.row.status = ListingStatus::Removed;
    let mut want = organisation_item(Value::Null);
    want["listing_id"] = json!(ID);
    want["version"] = json!(3);
    want["status"] = json!("removed");
    want["reason"] = json!("performed");
    assert_eq!(
        json_of(event_data(&l, Some(RemovalReason::Performed))),
        want
    );
}

#[test]
fn a_debtor_without_a_readable_id_number_shows_its_credit_code_or_nothing() {
    // Not written by the API, imports or the seed (a person needs a valid ID number, an
    // organisation a credit code), so only a row edited in the database: no gender, age or mask.
    let mut l = person();
    l.row.id_number = Some("110105198003021040".into());
    l.row.credit_code = Some("91310110666007217T".into());
    let mut want = person_item();
    want["gender"] = Value::Null;
    want["age"] = Value::Null;
    want.as_object_mut().unwrap().remove("id_number_masked");
    want["credit_code"] = json!("91310110666007217T");
    assert_eq!(json_of(public_item(&l)), want);

    l.row.id_number = None;
    l.row.credit_code = None;
    want.as_object_mut().unwrap().remove("credit_code");
    assert_eq!(json_of(public_item(&l)), want);
}

#[test]
fn the_public_item_reads_back_as_written() {
    // The web page reads search answers back from their (possibly cached) bytes.
    let rep = json!({"name": "王五", "id_number": id_number()});
    for l in [person(), organisation(rep), organisation(Value::Null)] {
        let v = json_of(public_item(&l));
        let back: PublicItem = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(json_of(back), v);
    }
}
