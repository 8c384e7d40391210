//! L14 in bulk files: `shixin export` writes the decision (`decision_signed_by`,
//! `decision_signed_on` in CSV) and its service (`served_on`, `service_method`), and
//! `shixin import` reads them back, checking the service with the rules of
//! `POST /v1/listings/{id}/service`; an old CSV file without these columns still imports.

use chrono::{Duration, NaiveDate};
use serde_json::{Value, json};

use crate::{
    bulk::{ok, shixin},
    helpers::{TestApp, make_id, person_listing, spawn_app_with, today},
    public_helpers::{NO_LIMIT, named},
};

const L14_COLUMNS: &str = "decision_signed_by,decision_signed_on,served_on,service_method";

fn decided(v: &Value) -> NaiveDate {
    v["decided_on"].as_str().unwrap().parse().unwrap()
}

fn day(v: &Value, days: i64) -> String {
    (decided(v) + Duration::days(days)).to_string()
}

async fn serve(app: &TestApp, listing: &Value, served_on: &str, method: &str) {
    let id = listing["id"].as_str().unwrap();
    let r = app
        .post_if(
            &format!("/v1/listings/{id}/service"),
            &app.court("京0105"),
            listing["version"].as_i64().unwrap(),
            &json!({"served_on": served_on, "method": method}),
        )
        .await;
    assert_eq!(r.status(), 200);
}

/// The decision and service of the listings 甲一, 乙二 and 丙三 of `app`, as it exports them.
async fn l14_fields(app: &TestApp) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let text = export(app, &dir.path().join("fields.ndjson")).await;
    let all: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    ["甲一", "乙二", "丙三"]
        .iter()
        .map(|name| {
            let l = all.iter().find(|l| l["debtor"]["name"] == *name).unwrap();
            json!({"decision": l["decision"], "served_on": l["served_on"],
                "service_method": l["service_method"]})
        })
        .collect()
}

/// A listing signed a day after its decision and served by public notice, one served directly
/// without a recorded signatory, and one not served.
async fn served_listings(app: &TestApp) -> Vec<Value> {
    let mut body = named("甲一", 1);
    body["decision"] = json!({"signed_by": "李院长", "signed_on": day(&body, 1)});
    let signed = app.create_listing(&body).await;
    serve(app, &signed, &day(&body, 2), "public_notice").await;
    let other = named("乙二", 2);
    let unsigned = app.create_listing(&other).await;
    serve(app, &unsigned, &day(&other, 0), "direct").await;
    app.create_listing(&named("丙三", 3)).await;
    let fields = l14_fields(app).await;
    assert_eq!(
        fields[0],
        json!({"decision": {"signed_by": "李院长", "signed_on": day(&body, 1)},
            "served_on": day(&body, 2), "service_method": "public_notice"})
    );
    fields
}

async fn export(app: &TestApp, file: &std::path::Path) -> String {
    ok(&shixin(
        app,
        &[
            "export",
            "listings",
            "--quiet",
            "-o",
            file.to_str().unwrap(),
        ],
    ));
    std::fs::read_to_string(file).unwrap()
}

async fn round_trip(format: &str) -> String {
    let a = spawn_app_with(&[NO_LIMIT]).await;
    let before = served_listings(&a).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("listings.{format}"));
    let text = export(&a, &file).await;
    let b = spawn_app_with(&[NO_LIMIT]).await;
    let out = ok(&shixin(
        &b,
        &["import", "listings", file.to_str().unwrap(), "--quiet"],
    ));
    assert!(out.contains("3 listings imported"), "{out}");
    assert_eq!(l14_fields(&b).await, before, "{format}");
    text
}

#[tokio::test]
async fn l14_csv_import_keeps_decision_and_service() {
    let text = round_trip("csv").await;
    let header = text.lines().next().unwrap();
    assert!(
        header.contains(&format!(
            ",debtor_student,{L14_COLUMNS},debtor_official_status,"
        )),
        "new columns go after the older ones: {header}"
    );
}

#[tokio::test]
async fn l14_ndjson_import_keeps_decision_and_service() {
    round_trip("ndjson").await;
}

#[tokio::test]
async fn l14_old_csv_without_decision_columns_still_imports() {
    let a = spawn_app_with(&[NO_LIMIT]).await;
    served_listings(&a).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("listings.csv");
    export(&a, &file).await;
    // The file as an export wrote it before L14: the L14 columns and all after them cut off.
    let mut r = csv::Reader::from_path(&file).unwrap();
    let mut w = csv::Writer::from_path(dir.path().join("old.csv")).unwrap();
    let header = r.headers().unwrap().clone();
    let keep = header
        .iter()
        .position(|c| c == "decision_signed_by")
        .unwrap();
    assert_eq!(
        header
            .iter()
            .skip(keep)
            .take(4)
            .collect::<Vec<_>>()
            .join(","),
        L14_COLUMNS
    );
    w.write_record(header.iter().take(keep)).unwrap();
    for rec in r.records() {
        w.write_record(rec.unwrap().iter().take(keep)).unwrap();
    }
    w.flush().unwrap();
    let old = dir.path().join("old.csv");
    let b = spawn_app_with(&[NO_LIMIT]).await;
    let out = ok(&shixin(
        &b,
        &["import", "listings", old.to_str().unwrap(), "--quiet"],
    ));
    assert!(out.contains("3 listings imported"), "{out}");
    let none = json!({"decision": null, "served_on": null, "service_method": null});
    assert_eq!(l14_fields(&b).await, vec![none.clone(), none.clone(), none]);
}

/// Imports `file` into `app`: it fails (exit 2), nothing is imported, and stderr is returned.
async fn refused(app: &TestApp, file: &std::path::Path) -> String {
    let out = shixin(
        app,
        &["import", "listings", file.to_str().unwrap(), "--quiet"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(app.scalar("SELECT count(*) AS n FROM listings").await, 0);
    stderr
}

fn assert_lines(stderr: &str, expected: &[&str]) {
    for e in expected {
        assert!(stderr.contains(e), "missing `{e}` in:\n{stderr}");
    }
    assert!(!stderr.contains("line 1:"), "{stderr}");
    assert!(!stderr.contains("fax"), "no value of the file: {stderr}");
}

#[tokio::test]
async fn l14_import_refuses_service_before_signing() {
    let line = |seq: u32, decision: Value, served_on: Value, method: Value| {
        let mut b = named("周八", seq);
        if !decision.is_null() {
            b["decision"] = decision;
        }
        b["served_on"] = served_on;
        b["service_method"] = method;
        b.to_string()
    };
    let d = |days: i64| {
        json!(day(
            &person_listing(&make_id("110105", "19800101", 1), 1),
            days
        ))
    };
    let signed = |days: i64| json!({"signed_by": "李院长", "signed_on": d(days)});
    let future = json!((today() + Duration::days(1)).to_string());
    let lines = [
        line(1, signed(2), d(3), json!("post")),          // 1 good
        line(2, signed(5), d(3), json!("post")),          // 2 before the signing
        line(3, Value::Null, d(-1), json!("direct")),     // 3 before the decision
        line(4, Value::Null, future, json!("direct")),    // 4 in the future
        line(5, Value::Null, d(1), Value::Null),          // 5 no method
        line(6, Value::Null, Value::Null, json!("post")), // 6 no date
        line(7, Value::Null, d(1), json!("fax")),         // 7 not a method
        line(8, Value::Null, json!("2026-13-01"), json!("post")), // 8 not a date
    ];
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.ndjson");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let stderr = refused(&app, &file).await;
    assert_lines(
        &stderr,
        &[
            "line 2: invalid_served_on: served_on",
            "line 3: invalid_served_on: served_on",
            "line 4: invalid_served_on: served_on",
            "line 5: invalid_value: service_method",
            "line 6: invalid_value: served_on",
            "line 7: invalid_value: service_method",
            "line 8: invalid_date: served_on",
            "7 bad lines",
        ],
    );
}

#[tokio::test]
async fn l14_csv_import_refuses_service_before_signing_line_by_line() {
    let b = person_listing(&make_id("110105", "19800101", 1), 1);
    let row = |seq: u32, name: &str, id: &str, signed_by: &str, signed: i64, served: i64| {
        format!(
            "person,{name},{id},京0105,（{y}）京0105执{seq}号,{filed},（2025）京0105民初5678号,\
             北京市朝阳区人民法院,支付货款,none,violates_asset_reporting,{decided},{signed_by},{},{},post",
            day(&b, signed),
            day(&b, served),
            y = decided(&b).format("%Y"),
            filed = b["filed_on"].as_str().unwrap(),
            decided = b["decided_on"].as_str().unwrap(),
        )
    };
    let csv = [
        format!(
            "debtor_kind,debtor_name,debtor_id_number,court_code,case_number,filed_on,\
             basis_document_number,basis_issuer,obligation,performance,grounds,decided_on,{L14_COLUMNS}"
        ),
        row(
            1,
            "吴九",
            &make_id("110105", "19800101", 41),
            "李院长",
            1,
            2,
        ), // line 2 good
        row(
            2,
            "郑十",
            &make_id("110105", "19800101", 43),
            "李院长",
            4,
            2,
        ), // line 3 before signing
        row(3, "王一", &make_id("110105", "19800101", 45), "", 1, 2), // line 4 no signatory
    ];
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.csv");
    std::fs::write(&file, csv.join("\n")).unwrap();
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let stderr = refused(&app, &file).await;
    assert_lines(
        &stderr,
        &[
            "line 3: invalid_served_on: served_on",
            "line 4: invalid_value: decision.signed_by",
            "2 bad lines",
        ],
    );
    assert!(!stderr.contains("line 2:"), "{stderr}");
}
