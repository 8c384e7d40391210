//! `shixin import` and `shixin export` run as an operator runs them (the real binary) against a
//! fresh database: round trips, the per-line report and all-or-nothing. Events, what the public
//! search and the checks see afterwards, and courts: bulk_effects.rs.

use std::path::Path;
use std::process::{Command, Output};

use chrono::{Datelike, Duration, Months};
use serde_json::{Value, json};

use crate::{
    helpers::{TEST_SECRET, TestApp, make_id, org_listing, person_listing, spawn_app_with, today},
    public_helpers::{NO_LIMIT, named, remove},
};

fn redis_url() -> String {
    std::env::var("SHIXIN_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// `shixin <args>` on the database of `app`, not started yet.
pub(crate) fn command(app: &TestApp, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shixin"));
    c.args(args)
        .env("DATABASE_URL", &app.db_url)
        .env("REDIS_URL", redis_url())
        .env("SHIXIN_JWT_SECRET", TEST_SECRET);
    c
}

/// Runs `shixin <args>` on the database of `app`.
pub(crate) fn shixin(app: &TestApp, args: &[&str]) -> Output {
    command(app, args).output().unwrap()
}

pub(crate) fn ok(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "failed: {stderr}");
    String::from_utf8_lossy(&out.stdout).to_string()
}

pub(crate) async fn count(app: &TestApp, table: &str) -> i64 {
    app.scalar(&format!("SELECT count(*) AS n FROM {table}"))
        .await
}

/// The exported listings of `app`, by id, without what a load derives anew.
fn exported(app: &TestApp, dir: &Path) -> Vec<Value> {
    let file = dir.join("again.ndjson");
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
    let mut items: Vec<Value> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            let o = v.as_object_mut().unwrap();
            o.remove("restriction_id");
            o.remove("updated_at");
            v
        })
        .collect();
    items.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    items
}

/// Listings of every kind through the API: a person with a passport, an organisation with R3
/// persons, a pending one (L11), a removed one (L3) and a revoked one (L7).
async fn varied_listings(app: &TestApp) -> Vec<Value> {
    let person = app
        .create_listing(&person_listing(&make_id("110105", "19800101", 11), 1))
        .await;
    let org = app
        .create_listing(&org_listing("91310110666007217T", 2))
        .await;
    let mut pending = person_listing(&make_id("110105", "19810101", 13), 3);
    let decided = today() - Duration::days(5);
    pending["decided_on"] = json!(decided.to_string());
    pending["grace_until"] = json!((decided + Months::new(1)).to_string());
    let pending = app.create_listing(&pending).await;
    let removed = app.create_listing(&named("李四", 4)).await;
    remove(app, removed["id"].as_str().unwrap(), 1).await;
    let revoked = app.create_listing(&named("王五", 5)).await;
    let r = app
        .post_if(
            &format!("/v1/listings/{}/removal", revoked["id"].as_str().unwrap()),
            &app.court("京0105"),
            1,
            &json!({"reason": "wrongful_listing", "note": "错误纳入"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    vec![person, org, pending, removed, revoked]
}

async fn round_trip(format: &str) {
    let a = spawn_app_with(&[NO_LIMIT]).await;
    varied_listings(&a).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("listings.{format}"));
    ok(&shixin(
        &a,
        &[
            "export",
            "listings",
            "--quiet",
            "-o",
            file.to_str().unwrap(),
        ],
    ));
    let b = spawn_app_with(&[NO_LIMIT]).await;
    let out = ok(&shixin(
        &b,
        &["import", "listings", file.to_str().unwrap(), "--quiet"],
    ));
    assert!(out.contains("5 listings imported"), "{out}");
    let before = exported(&a, dir.path());
    let after = exported(&b, dir.path());
    assert_eq!(before.len(), 5);
    assert_eq!(before.len(), after.len());
    for (x, y) in before.iter().zip(&after) {
        assert_eq!(
            x, y,
            "the same listing after a round trip through {format}:\n{x}\n{y}"
        );
    }
    // R1: the active ones carry an order with the R3 persons.
    assert_eq!(count(&b, "restrictions").await, 2);
    assert_eq!(count(&b, "restriction_subjects").await, 4);
    // One audit row for the import, and the chain holds.
    let audit = ok(&shixin(&b, &["audit", "verify"]));
    assert!(audit.contains("1 rows verified"), "{audit}");
}

#[tokio::test]
async fn bulk_export_import_round_trip_ndjson_gives_the_same_listings() {
    round_trip("ndjson").await;
}

#[tokio::test]
async fn bulk_export_import_round_trip_csv_gives_the_same_listings() {
    round_trip("csv").await;
    // A CSV file without the required columns is refused as a whole, naming them.
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("short.csv");
    std::fs::write(&file, "id,status,debtor_name\n,active,张三\n").unwrap();
    let out = shixin(
        &app,
        &["import", "listings", file.to_str().unwrap(), "--quiet"],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("lacks the columns debtor_kind, court_code"),
        "{stderr}"
    );
    assert_eq!(count(&app, "listings").await, 0);
}

/// L14: an NDJSON export carries the decision's signatory, and an import keeps it.
#[tokio::test]
async fn bulk_l14_ndjson_round_trip_keeps_the_decision() {
    let a = spawn_app_with(&[NO_LIMIT]).await;
    let mut body = person_listing(&make_id("110105", "19800101", 12), 1);
    body["decision"] = json!({"signed_by": "李院长"});
    a.create_listing(&body).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("listings.ndjson");
    let path = file.to_str().unwrap();
    ok(&shixin(&a, &["export", "listings", "--quiet", "-o", path]));
    let b = spawn_app_with(&[NO_LIMIT]).await;
    ok(&shixin(&b, &["import", "listings", path, "--quiet"]));
    let after = exported(&b, dir.path());
    assert_eq!(
        after[0]["decision"],
        json!({"signed_by": "李院长", "signed_on": body["decided_on"]})
    );
}

#[tokio::test]
async fn bulk_every_bad_line_is_reported_with_its_reason_and_nothing_is_imported() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let existing = app
        .create_listing(&person_listing(&make_id("110105", "19700101", 31), 900))
        .await;
    let good = |seq: u32| person_listing(&make_id("110105", "19800101", 100 + 2 * seq), seq);
    let mut bad_check = good(2);
    let valid_id = make_id("110105", "19800101", 104);
    let wrong = if valid_id.ends_with('0') { '1' } else { '0' };
    let bad_id = format!("{}{wrong}", &valid_id[..17]);
    bad_check["debtor"]["id_number"] = json!(bad_id);
    let mut minor = good(3);
    let minor_id = make_id("110105", &format!("{}0101", today().year() - 10), 7);
    minor["debtor"]["id_number"] = json!(minor_id);
    let mut unknown_court = good(4);
    unknown_court["court_code"] = json!("京0199");
    unknown_court["case_number"] = json!("（2025）京0199执4号");
    let mut bad_case = good(5);
    bad_case["case_number"] = json!("（2025）京0105民初5号");
    let mut no_grounds = good(6);
    no_grounds["grounds"] = json!([]);
    let mut extension = good(7);
    extension["extension_years"] = json!(2);
    let mut in_db = good(8);
    in_db["debtor"] = existing["debtor"].clone();
    in_db["case_number"] = existing["case_number"].clone();
    // L8: a creditor's application within 6 months of a removal on the creditor's request.
    let mut removed = named("钱孙", 20);
    removed["grounds"] = json!(["able_but_refuses"]);
    removed["decided_on"] = json!((today() - Duration::days(200)).to_string());
    removed["filed_on"] = json!((today() - Duration::days(260)).to_string());
    removed["status"] = json!("removed");
    let removed_at = format!("{}T02:00:00Z", today() - Duration::days(100));
    removed["removal"] =
        json!({"reason": "creditor_request", "note": null, "removed_at": removed_at});
    let mut relisted = named("钱孙", 20);
    relisted["initiated_by"] = json!("creditor_application");
    let lines = [
        good(1).to_string(),                 // 1 good
        bad_check.to_string(),               // 2 I1
        minor.to_string(),                   // 3 L4
        unknown_court.to_string(),           // 4 unknown court
        bad_case.to_string(),                // 5 I3
        no_grounds.to_string(),              // 6 L1
        extension.to_string(),               // 7 L2
        good(1).to_string(),                 // 8 twice in the file
        "{\"debtor\": \"张三\"".to_string(), // 9 not JSON
        in_db.to_string(),                   // 10 already in the database
        removed.to_string(),                 // 11 good
        relisted.to_string(),                // 12 L8
    ];
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.ndjson");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let report = dir.path().join("report.ndjson");
    let tables = ["listings", "restrictions", "persons", "events", "audit_log"];
    let mut before = Vec::new();
    for t in tables {
        before.push(count(&app, t).await);
    }
    let out = shixin(
        &app,
        &[
            "import",
            "listings",
            file.to_str().unwrap(),
            "--quiet",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    for expected in [
        "line 2: invalid_check_digit: debtor.id_number",
        "line 3: minor_cannot_be_listed: debtor.id_number",
        "line 4: unknown_court: court_code",
        "line 5: invalid_case_number: case_number",
        "line 6: grounds_required: grounds",
        "line 7: extension_not_allowed: extension_years",
        "line 8: listing_exists: case_number: an open listing of the same debtor in the same case as line 1",
        "line 9: invalid_json",
        "line 10: listing_exists: case_number",
        "line 12: relisting_barred: initiated_by",
        "10 bad lines",
    ] {
        assert!(
            stderr.contains(expected),
            "missing `{expected}` in:\n{stderr}"
        );
    }
    assert!(!stderr.contains("line 1:"), "{stderr}");
    let mut after = Vec::new();
    for t in tables {
        after.push(count(&app, t).await);
    }
    assert_eq!(before, after, "nothing was imported");
    // The report file has every problem; neither it nor stderr names a person or an ID number.
    let report = std::fs::read_to_string(&report).unwrap();
    assert_eq!(
        report.lines().count(),
        stderr.lines().filter(|l| l.starts_with("line ")).count()
    );
    let first: Value = serde_json::from_str(report.lines().next().unwrap()).unwrap();
    assert_eq!(first["line"], 2);
    assert_eq!(first["code"], "invalid_check_digit");
    for text in [&stderr, &report] {
        for secret in [
            &bad_id,
            &minor_id,
            existing["debtor"]["id_number"].as_str().unwrap(),
            "张三",
        ] {
            assert!(
                !text.contains(secret),
                "the report must not carry personal data: {text}"
            );
        }
        crate::public_helpers::scan(text);
    }
}
