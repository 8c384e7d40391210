//! Credit repair (L16): an application received by the enforcing court, decided with no statutory
//! deadline (the days taken are shown); a grant deletes the listing early (L3, `early_deletion`) in
//! the same transaction, with its events and its order lifted or kept, and issues a certificate.
//! Refusals and the decision's codes: credit_repair_decisions.rs; two decisions at once and replays:
//! credit_repair_races.rs; the certificate itself:
//! credit_repair_certificates.rs.

use chrono::Duration;
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, json, make_id, person_listing, spawn_app, spawn_app_with, today},
    listings_change::event_types,
    public_helpers::{NO_LIMIT, remove, search_ids},
};

/// A published listing of 京0105 (decided 30 days ago, its order imposed) of the applicant of
/// [`application`], in case `seq`; its id.
pub(crate) async fn listing(app: &TestApp, seq: u32) -> String {
    let v = app
        .create_listing(&person_listing(&make_id("110105", "19800101", 500), seq))
        .await;
    v["id"].as_str().unwrap().to_string()
}

pub(crate) fn days_ago(n: i64) -> String {
    (today() - Duration::days(n)).to_string()
}

pub(crate) fn application(received_on: &str) -> Value {
    json!({"applicant": {"name": "张三", "id_number": make_id("110105", "19800101", 500)},
        "statement": "已全部履行生效法律文书确定的义务", "received_on": received_on})
}

/// Applies for credit repair of `listing` as 京0105: (status, body).
pub(crate) async fn apply(app: &TestApp, listing: &str, received_on: &str) -> (u16, Value) {
    let path = format!("/v1/listings/{listing}/credit-repair");
    json(
        app.post(&path, &app.court("京0105"), &application(received_on))
            .await,
    )
    .await
}

/// An application received 10 days ago; its id.
pub(crate) async fn applied(app: &TestApp, listing: &str) -> String {
    let (s, v) = apply(app, listing, &days_ago(10)).await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_str().unwrap().to_string()
}

pub(crate) async fn decide(app: &TestApp, id: &str, version: i64, body: &Value) -> (u16, Value) {
    let path = format!("/v1/credit-repairs/{id}/decision");
    json(
        app.post_if(&path, &app.court("京0105"), version, body)
            .await,
    )
    .await
}

pub(crate) fn granted(keep_restriction: bool) -> Value {
    json!({"outcome": "granted", "reasons": "已履行完毕，准予信用修复", "decided_on": today().to_string(),
        "keep_restriction": keep_restriction})
}

pub(crate) async fn listing_json(app: &TestApp, id: &str) -> Value {
    app.get_json(&format!("/v1/listings/{id}"), &app.court("京0105"))
        .await
}

#[tokio::test]
async fn l16_an_application_is_under_review_shows_the_days_taken_and_is_listed() {
    let app = spawn_app().await;
    let l = listing(&app, 1).await;
    let events = event_types(&app).await;
    let r = app
        .post(
            &format!("/v1/listings/{l}/credit-repair"),
            &app.court("京0105"),
            &application(&days_ago(10)),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["etag"], "\"1\"");
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let v: Value = r.json().await.unwrap();
    let id = v["id"].as_str().unwrap();
    assert_eq!(location, format!("/v1/credit-repairs/{id}"));
    assert_eq!(
        (
            &v["listing_id"],
            &v["court_code"],
            &v["status"],
            &v["version"]
        ),
        (
            &json!(l),
            &json!("京0105"),
            &json!("under_review"),
            &json!(1)
        )
    );
    assert_eq!(v["received_on"], days_ago(10));
    // No deadline (L16): the days taken so far.
    assert_eq!(v["days_taken"], 10);
    assert_eq!(
        (&v["decision"], &v["certificate"]),
        (&json!(null), &json!(null))
    );
    let got = app
        .get_json(&format!("/v1/credit-repairs/{id}"), &app.court("京0105"))
        .await;
    assert_eq!(got, v);
    let list = |q: &'static str| {
        let app = &app;
        async move {
            app.get_json(&format!("/v1/credit-repairs{q}"), &app.court("京0105"))
                .await
        }
    };
    assert_eq!(list("").await["items"][0]["id"], json!(id));
    assert_eq!(
        list("?court_code=京0105&status=under_review").await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(list("?status=granted").await["items"], json!([]));
    let of_listing = app
        .get_json(
            &format!("/v1/listings/{l}/credit-repairs"),
            &app.court("京0105"),
        )
        .await;
    assert_eq!(of_listing["items"][0], v);
    let (s, _) = json(
        app.get(
            "/v1/credit-repairs?status=nonsense",
            Some(&app.court("京0105")),
        )
        .await,
    )
    .await;
    assert_eq!(s, 400);
    // The application alone changes nothing of the listing.
    assert_eq!(listing_json(&app, &l).await["status"], "active");
    assert_eq!(event_types(&app).await, events);
    // Another court sees none of it.
    let (s, v) = json(
        app.get(
            &format!("/v1/credit-repairs/{id}"),
            Some(&app.court("京0106")),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (403, Some("court_not_in_scope")));
}

#[tokio::test]
async fn l16_an_application_is_refused_with_its_codes() {
    let app = spawn_app().await;
    let l = listing(&app, 2).await;
    let tomorrow = (today() + Duration::days(1)).to_string();
    let (s, v) = apply(&app, &l, &tomorrow).await;
    assert_eq!(
        (s, v["errors"][0]["code"].as_str()),
        (422, Some("invalid_received_on")),
        "{v}"
    );
    assert_eq!(v["errors"][0]["field"], "received_on");
    // Before the listing was decided (30 days ago).
    let (s, v) = apply(&app, &l, &days_ago(31)).await;
    assert_eq!(
        (s, v["errors"][0]["code"].as_str()),
        (422, Some("invalid_received_on")),
        "{v}"
    );
    // Someone else than the listed debtor (L16: the debtor applies).
    let mut other = application(&days_ago(3));
    other["applicant"]["id_number"] = json!(make_id("110105", "19800101", 999));
    let path = format!("/v1/listings/{l}/credit-repair");
    let (s, v) = json(app.post(&path, &app.court("京0105"), &other).await).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("applicant_not_listed_party")),
        "{v}"
    );
    let mut bad = application(&days_ago(3));
    bad["applicant"]["id_number"] = json!("110105198013015001");
    let (s, v) = json(
        app.post(
            &format!("/v1/listings/{l}/credit-repair"),
            &app.court("京0105"),
            &bad,
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, v["errors"][0]["field"].as_str()),
        (422, Some("applicant.id_number")),
        "{v}"
    );
    let (s, v) = json(
        app.post(
            &format!("/v1/listings/{l}/credit-repair"),
            &app.court("京0106"),
            &application(&days_ago(3)),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (403, Some("court_not_in_scope")));
    applied(&app, &l).await;
    let (s, v) = apply(&app, &l, &days_ago(2)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("credit_repair_open")),
        "{v}"
    );
    // An ended listing has nothing to repair.
    let ended = listing(&app, 3).await;
    remove(&app, &ended, 1).await;
    let (s, v) = apply(&app, &ended, &days_ago(3)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("listing_not_active")),
        "{v}"
    );
    let unknown = uuid::Uuid::new_v4();
    let (s, _) = apply(&app, &unknown.to_string(), &days_ago(3)).await;
    assert_eq!(s, 404);
    assert_eq!(
        app.scalar("SELECT count(*) AS n FROM credit_repairs").await,
        1
    );
}

#[tokio::test]
async fn l16_a_grant_deletes_the_listing_early_lifts_its_order_and_issues_a_certificate() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let l = listing(&app, 4).await;
    let order = listing_json(&app, &l).await["restriction_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(search_ids(&app, "张三").await, vec![l.clone()]);
    let id = applied(&app, &l).await;
    let r = app
        .post_if(
            &format!("/v1/credit-repairs/{id}/decision"),
            &app.court("京0105"),
            1,
            &granted(false),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"2\"");
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (&v["status"], &v["version"]),
        (&json!("granted"), &json!(2)),
        "{v}"
    );
    assert_eq!(v["decision"]["outcome"], "granted");
    assert_eq!(
        (&v["decision"]["days_to_decide"], &v["days_taken"]),
        (&json!(10), &json!(10))
    );
    assert_eq!(v["decision"]["listing_version"], 2);
    let cert = v["certificate"]["id"].as_str().unwrap();
    assert_eq!(v["certificate"]["url"], format!("/certificates/{cert}"));
    // The listing is deleted early, its order lifted, with the usual events.
    let after = listing_json(&app, &l).await;
    assert_eq!(
        (
            after["status"].as_str(),
            after["removal"]["reason"].as_str()
        ),
        (Some("removed"), Some("early_deletion"))
    );
    assert_eq!(after["removal"]["keep_restriction"], false);
    let o = app
        .get_json(&format!("/v1/restrictions/{order}"), &app.court("京0105"))
        .await;
    assert_eq!(o["status"], "lifted", "{o}");
    let events = crate::helpers::events(&app).await;
    let types: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        types,
        [
            "listing.published",
            "restriction.imposed",
            "listing.removed",
            "restriction.lifted"
        ]
    );
    assert_eq!(events[2].1["reason"], "early_deletion");
    assert!(search_ids(&app, "张三").await.is_empty());
    // One certificate, public.
    assert_eq!(
        app.scalar("SELECT count(*) AS n FROM certificates").await,
        1
    );
    let (s, c) = json(
        app.get(&format!("/v1/public/certificates/{cert}"), None)
            .await,
    )
    .await;
    assert_eq!(
        (s, &c["listing_id"], &c["reason"]),
        (200, &json!(l), &json!("early_deletion"))
    );
    // Decided: a second decision is refused.
    let (s, v) = decide(&app, &id, 2, &granted(false)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("credit_repair_not_under_review"))
    );
    // The hash-chained audit trail holds the application, the decision and the removal.
    let steps = format!(
        "SELECT count(*) AS n FROM audit_log WHERE entity_type = 'credit_repair' AND entity_id = '{id}'"
    );
    assert_eq!(app.scalar(&steps).await, 2);
    let removal = format!(
        "SELECT count(*) AS n FROM audit_log WHERE action = 'listing.remove' AND entity_id = '{l}'"
    );
    assert_eq!(app.scalar(&removal).await, 1);
    let verified = shixin::audit::verify(&mut app.db().await).await.unwrap();
    assert!(verified.is_ok(), "{verified:?}");
}

#[tokio::test]
async fn l16_a_grant_with_keep_restriction_keeps_the_order() {
    let app = spawn_app().await;
    let l = listing(&app, 5).await;
    let order = listing_json(&app, &l).await["restriction_id"]
        .as_str()
        .unwrap()
        .to_string();
    let id = applied(&app, &l).await;
    let (s, v) = decide(&app, &id, 1, &granted(true)).await;
    assert_eq!(
        (s, v["decision"]["keep_restriction"].as_bool()),
        (200, Some(true)),
        "{v}"
    );
    let after = listing_json(&app, &l).await;
    assert_eq!(
        (
            after["status"].as_str(),
            after["removal"]["keep_restriction"].as_bool()
        ),
        (Some("removed"), Some(true))
    );
    let o = app
        .get_json(&format!("/v1/restrictions/{order}"), &app.court("京0105"))
        .await;
    assert_eq!(o["status"], "active", "{o}");
    assert_eq!(
        event_types(&app).await,
        [
            "listing.published",
            "restriction.imposed",
            "listing.removed"
        ]
    );
}
