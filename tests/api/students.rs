//! Students in campus-loan disputes (docs/LAW.md L17): a listing or a standalone
//! order of a full-time student in a campus-loan dispute is 422 `student_campus_loan` unless the
//! court states `student.override_reason`; the reason is kept, audited, shown to the court and to no
//! one else. Bulk files carry `debtor.student` (docs/BULK.md).

use serde_json::{Value, json};

use crate::bulk::{ok, shixin};
use crate::helpers::{
    TestApp, events, json, make_id, order_body, org_listing, person_listing, spawn_app,
};
use crate::public_helpers::{public_get, q};

const REASON: &str = "债务人以助学名义多次借贷并转移财产，法院认为确有必要纳入";

fn id(seq: u32) -> String {
    make_id("110105", "20000101", 500 + 2 * seq + 1)
}

fn student(reason: Option<&str>) -> Value {
    match reason {
        Some(r) => json!({"full_time": true, "campus_loan": true, "override_reason": r}),
        None => json!({"full_time": true, "campus_loan": true}),
    }
}

fn student_listing(seq: u32, reason: Option<&str>) -> Value {
    let mut body = person_listing(&id(seq), seq);
    body["debtor"]["student"] = student(reason);
    body
}

fn assert_student_refused(s: u16, v: &Value) {
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["errors"][0]["field"], "debtor.student", "{v}");
    assert_eq!(v["errors"][0]["code"], "student_campus_loan", "{v}");
}

#[tokio::test]
async fn l17_a_campus_loan_student_is_not_listed_without_a_reason() {
    let app = spawn_app().await;
    let court = app.court("京0105");
    for reason in [None, Some(""), Some("   ")] {
        let (s, v) = json(
            app.post("/v1/listings", &court, &student_listing(1, reason))
                .await,
        )
        .await;
        assert_student_refused(s, &v);
    }
    assert_eq!(app.scalar("SELECT count(*) AS n FROM listings").await, 0);
    // Not both conditions: no reason needed.
    for (seq, s) in [
        (2, json!({"full_time": false, "campus_loan": true})),
        (3, json!({"full_time": true, "campus_loan": false})),
    ] {
        let mut body = person_listing(&id(seq), seq);
        body["debtor"]["student"] = s;
        let (st, v) = json(app.post("/v1/listings", &court, &body).await).await;
        assert_eq!(st, 201, "{v}");
    }
    // An organisation is no student.
    let mut body = org_listing("91310110666007217T", 4);
    body["debtor"]["student"] = student(Some(REASON));
    let (s, v) = json(app.post("/v1/listings", &court, &body).await).await;
    assert_eq!(
        (s, v["errors"][0]["field"].as_str()),
        (422, Some("debtor.student")),
        "{v}"
    );
}

#[tokio::test]
async fn l17_with_the_courts_reason_the_listing_is_kept_audited_and_not_public() {
    let app = spawn_app().await;
    let v = app.create_listing(&student_listing(5, Some(REASON))).await;
    assert_eq!(v["debtor"]["student"]["override_reason"], REASON);
    assert_eq!(v["debtor"]["student"]["campus_loan"], true);
    let lid = v["id"].as_str().unwrap();
    let court = app.court("京0105");
    let got = app.get_json(&format!("/v1/listings/{lid}"), &court).await;
    assert_eq!(got["debtor"]["student"], v["debtor"]["student"]);
    let history = app
        .get_json(&format!("/v1/listings/{lid}/history"), &court)
        .await;
    let text = history.to_string();
    assert!(
        text.contains(REASON),
        "the reason is in the listing's history: {history}"
    );
    // The public view and the events say nothing of it.
    let (s, p) = public_get(&app, &format!("/v1/public/listings/{lid}")).await;
    assert_eq!(s, 200, "{p}");
    assert!(
        !p.to_string().contains(REASON) && !p.to_string().contains("student"),
        "{p}"
    );
    let (_, p) = public_get(
        &app,
        &format!("/v1/public/listings?name={}&id_number={}", q("张三"), id(5)),
    )
    .await;
    assert!(
        !p.to_string().contains(REASON) && !p.to_string().contains("student"),
        "{p}"
    );
    for (t, data) in events(&app).await {
        assert!(
            !data.to_string().contains(REASON),
            "event {t} carries the reason"
        );
    }
    // Its order (R1) shows it to the court, not in its events.
    let oid = v["restriction_id"].as_str().unwrap();
    let order = app
        .get_json(&format!("/v1/restrictions/{oid}"), &court)
        .await;
    assert_eq!(order["student"]["override_reason"], REASON);
}

#[tokio::test]
async fn l17_a_standalone_order_follows_the_same_rule() {
    let app = spawn_app().await;
    let court = app.court("京0105");
    let mut body = order_body(&id(6), 6);
    body["debtor"]["student"] = student(None);
    let (s, v) = json(app.post("/v1/restrictions", &court, &body).await).await;
    assert_student_refused(s, &v);
    body["debtor"]["student"] = student(Some(REASON));
    let (s, v) = json(app.post("/v1/restrictions", &court, &body).await).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["student"]["override_reason"], REASON);
    let oid = v["id"].as_str().unwrap();
    let audit = app
        .get_json(
            &format!("/v1/audit?entity_type=restriction&entity_id={oid}"),
            &app.admin(),
        )
        .await;
    assert_eq!(
        audit["items"][0]["after"]["student"]["override_reason"], REASON,
        "{audit}"
    );
    for (t, data) in events(&app).await {
        assert!(
            !data.to_string().contains(REASON),
            "event {t} carries the reason"
        );
    }
    // A carrier's check answers the order as usual, without the reason.
    let (_, token) = app.subscriber_token("airline").await;
    let (_, c) = app
        .check(&token, &json!({"subjects": [{"id_number": id(6)}]}))
        .await;
    assert_eq!(c["results"][0]["decision"], "deny", "{c}");
    assert!(!c.to_string().contains(REASON));
}

async fn patch(app: &TestApp, lid: &str, version: i64, body: &Value) -> (u16, Value) {
    json(
        app.patch(
            &format!("/v1/listings/{lid}"),
            &app.court("京0105"),
            version,
            body,
        )
        .await,
    )
    .await
}

#[tokio::test]
async fn l17_a_patch_follows_the_same_rule() {
    let app = spawn_app().await;
    let v = app.create_listing(&person_listing(&id(7), 7)).await;
    let lid = v["id"].as_str().unwrap();
    let (s, e) = patch(&app, lid, 1, &json!({"debtor": {"student": student(None)}})).await;
    assert_student_refused(s, &e);
    let (s, e) = patch(
        &app,
        lid,
        1,
        &json!({"debtor": {"student": student(Some(REASON))}}),
    )
    .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["debtor"]["student"]["override_reason"], REASON);
    // Taking the reason away again is refused; the stored reason stays.
    let (s, e) = patch(
        &app,
        lid,
        2,
        &json!({"debtor": {"student": {"override_reason": null}}}),
    )
    .await;
    assert_student_refused(s, &e);
    let got = app
        .get_json(&format!("/v1/listings/{lid}"), &app.court("京0105"))
        .await;
    assert_eq!(got["debtor"]["student"]["override_reason"], REASON);
    let history = app
        .get_json(&format!("/v1/listings/{lid}/history"), &app.court("京0105"))
        .await;
    assert!(history.to_string().contains(REASON), "{history}");
}

#[tokio::test]
async fn l17_bulk_export_and_import_carry_the_student_marker() {
    let a = spawn_app().await;
    a.create_listing(&student_listing(8, Some(REASON))).await;
    let dir = tempfile::tempdir().unwrap();
    for format in ["csv", "ndjson"] {
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
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains(REASON), "{format}: {text}");
        if format == "csv" {
            let header = text.lines().next().unwrap();
            assert!(
                header.contains(",debtor_student,decision_signed_by,"),
                "the L14 columns follow it: {header}"
            );
        }
        let b = spawn_app().await;
        ok(&shixin(
            &b,
            &["import", "listings", file.to_str().unwrap(), "--quiet"],
        ));
        let reason = b
            .scalar(&format!(
                "SELECT count(*) AS n FROM listings WHERE debtor->'student'->>'override_reason' = '{REASON}'"
            ))
            .await;
        assert_eq!(reason, 1, "{format}");
    }
    // A file line of a campus-loan student without a reason is refused with the code.
    let csv = std::fs::read_to_string(dir.path().join("listings.csv")).unwrap();
    let bad = csv.replace(REASON, "");
    let file = dir.path().join("bad.csv");
    std::fs::write(&file, bad).unwrap();
    let b = spawn_app().await;
    let out = shixin(
        &b,
        &["import", "listings", file.to_str().unwrap(), "--quiet"],
    );
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("student_campus_loan"), "{said}");
    assert_eq!(b.scalar("SELECT count(*) AS n FROM listings").await, 0);
}
