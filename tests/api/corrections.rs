//! Correction applications (L13): received, decided by the enforcing court with a remedy applied to
//! the listing in the same transaction (corrections_remedies.rs), late decisions. Service and
//! reconsideration: corrections_reconsideration.rs. Dates are fixed days of 2026, whose periods are
//! worked out by hand from the State Council's holiday notice (国庆节 1–7 October).

use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, json, make_id, person_listing, spawn_app, spawn_app_with, today},
    listings_change::event_types,
    public_helpers::{NO_LIMIT, public_get, search_ids},
};

/// A listing of 京0105 decided on 2026-03-01 on `grounds`; its id. It is created as decided 30 days
/// ago (a fixed term decided on 2026-03-01 would have elapsed by 2028, and its creation be refused),
/// then moved back in time by moving its row: the fixed 2026 dates of these tests stay valid.
pub(crate) async fn listing(app: &TestApp, seq: u32, grounds: &[&str]) -> String {
    let mut body = person_listing(&make_id("110105", "19800101", 300), seq);
    body["grounds"] = json!(grounds);
    let v = app.create_listing(&body).await;
    let id = v["id"].as_str().unwrap().to_string();
    app.sql(&format!(
        "UPDATE listings SET filed_on = '2026-01-10', decided_on = '2026-03-01' WHERE id = '{id}'"
    ))
    .await;
    id
}

pub(crate) fn application(received_on: &str) -> Value {
    json!({"applicant": {"name": "张三", "id_number": make_id("110105", "19800101", 300)},
        "grounds": "inaccurate_information", "statement": "履行情况记载有误", "received_on": received_on})
}

/// Applies for correction of `listing` as 京0105: (status, body).
pub(crate) async fn apply(app: &TestApp, listing: &str, received_on: &str) -> (u16, Value) {
    let path = format!("/v1/listings/{listing}/corrections");
    json(
        app.post(&path, &app.court("京0105"), &application(received_on))
            .await,
    )
    .await
}

/// An application received on 2026-09-16 (review due 2026-10-08, after the holiday); its id.
pub(crate) async fn applied(app: &TestApp, listing: &str) -> String {
    let (s, v) = apply(app, listing, "2026-09-16").await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_str().unwrap().to_string()
}

pub(crate) async fn decide(app: &TestApp, id: &str, version: i64, body: &Value) -> (u16, Value) {
    let path = format!("/v1/corrections/{id}/decision");
    json(
        app.post_if(&path, &app.court("京0105"), version, body)
            .await,
    )
    .await
}

pub(crate) fn upheld(remedy: Value) -> Value {
    json!({"outcome": "upheld", "reasons": "理由成立", "decided_on": "2026-09-25", "remedy": remedy})
}

pub(crate) fn rejected(decided_on: &str) -> Value {
    json!({"outcome": "rejected", "reasons": "理由不成立", "decided_on": decided_on})
}

pub(crate) async fn listing_json(app: &TestApp, id: &str) -> Value {
    app.get_json(&format!("/v1/listings/{id}"), &app.court("京0105"))
        .await
}

#[tokio::test]
async fn l13_an_application_is_under_review_with_its_due_date_and_the_listing_stays_public() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let l = listing(&app, 1, &["violates_asset_reporting"]).await;
    let events_before = event_types(&app).await;
    let path = format!("/v1/listings/{l}/corrections");
    let r = app
        .post(&path, &app.court("京0105"), &application("2026-09-16"))
        .await;
    assert_eq!(r.headers().get("etag").unwrap(), "\"1\"");
    let location = r.headers().get("location").unwrap().to_str().unwrap();
    let location = location.to_string();
    let (s, v) = json(r).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(
        location,
        format!("/v1/corrections/{}", v["id"].as_str().unwrap())
    );
    assert_eq!(v["listing_id"], l.as_str());
    assert_eq!(v["court_code"], "京0105");
    assert_eq!(v["status"], "under_review");
    assert_eq!(v["grounds"], "inaccurate_information");
    assert_eq!(v["received_on"], "2026-09-16");
    // Day 15 is 1 October, a holiday until the 7th: due on Thursday 8 October.
    assert_eq!(v["review_due_on"], "2026-10-08");
    assert_eq!(
        (&v["decision"], &v["reconsideration"]),
        (&json!(null), &json!(null))
    );
    assert_eq!(v["version"], 1);
    // No event for the application itself; the listing is unchanged and still public.
    assert_eq!(event_types(&app).await, events_before);
    assert_eq!(listing_json(&app, &l).await["version"], 1);
    assert_eq!(search_ids(&app, "张三").await, vec![l.clone()]);
    assert_eq!(
        public_get(&app, &format!("/v1/public/listings/{l}"))
            .await
            .0,
        200
    );
    let got = app.get_json(location.as_str(), &app.court("京0105")).await;
    assert_eq!(got, v);
    let of_listing = app.get_json(&path, &app.supervisor("京01")).await;
    assert_eq!(of_listing["items"], json!([v]));
    // Another court's clerk sees and records nothing of it.
    let (s, e) = json(app.get(&location, Some(&app.court("京0106"))).await).await;
    assert_eq!((s, e["code"].as_str()), (403, Some("court_not_in_scope")));
    let (s, e) = json(
        app.post(&path, &app.court("京0106"), &application("2026-09-16"))
            .await,
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (403, Some("court_not_in_scope")));
}

#[tokio::test]
async fn l13_only_the_listed_party_applies_the_debtor_or_an_organisations_representative() {
    let app = spawn_app().await;
    let l = listing(&app, 20, &["violates_asset_reporting"]).await;
    let mut body = application("2026-09-16");
    body["applicant"]["id_number"] = json!(make_id("110105", "19800101", 999));
    let path = format!("/v1/listings/{l}/corrections");
    let (s, v) = json(app.post(&path, &app.court("京0105"), &body).await).await;
    assert_eq!(
        (s, v["code"].as_str(), v["errors"][0]["field"].as_str()),
        (422, Some("applicant_not_listed_party"), Some("applicant")),
        "{v}"
    );
    assert_eq!(app.scalar("SELECT count(*) AS n FROM corrections").await, 0);
    // An organisation: through its legal representative, or by its own credit code.
    let org = app
        .create_listing(&crate::helpers::org_listing("91310110666007217T", 21))
        .await;
    let path = format!("/v1/listings/{}/corrections", org["id"].as_str().unwrap());
    let mut rep = application(&today().to_string());
    rep["applicant"] = json!({"name": "王五", "id_number": make_id("110105", "19700101", 11)});
    assert_eq!(
        app.post(&path, &app.court("京0105"), &rep).await.status(),
        201
    );
    let mut stranger = application(&today().to_string());
    stranger["applicant"] = json!({"name": "赵六", "id_number": make_id("110105", "19650505", 21)});
    let (s, v) = json(app.post(&path, &app.court("京0105"), &stranger).await).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("applicant_not_listed_party")),
        "an actual controller is not the listed party: {v}"
    );
}

#[tokio::test]
async fn l13_received_on_is_checked_and_one_application_is_open_at_a_time() {
    let app = spawn_app().await;
    let l = listing(&app, 2, &["violates_asset_reporting"]).await;
    let tomorrow = (today() + chrono::Duration::days(1)).to_string();
    for day in [tomorrow.as_str(), "2026-02-28"] {
        let (s, v) = apply(&app, &l, day).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (422, Some("invalid_received_on")),
            "{day}"
        );
    }
    let first = applied(&app, &l).await;
    let (s, v) = apply(&app, &l, "2026-09-17").await;
    assert_eq!((s, v["code"].as_str()), (409, Some("correction_open")));
    // Once decided, the listed party may apply again; an ended listing may be applied for too.
    assert_eq!(
        decide(&app, &first, 1, &rejected("2026-09-25")).await.0,
        200
    );
    assert_eq!(apply(&app, &l, "2026-09-26").await.0, 201);
    let ended = listing(&app, 3, &["violates_asset_reporting"]).await;
    let removal = json!({"reason": "early_deletion"});
    let path = format!("/v1/listings/{ended}/removal");
    assert_eq!(
        app.post_if(&path, &app.court("京0105"), 1, &removal)
            .await
            .status(),
        200
    );
    assert_eq!(apply(&app, &ended, "2026-09-16").await.0, 201);
    // One of id_number or credit_code, valid.
    let mut body = application("2026-09-16");
    let good = make_id("110105", "19800101", 301);
    let bad = format!(
        "{}{}",
        &good[..17],
        if good.ends_with('0') { '1' } else { '0' }
    );
    body["applicant"]["id_number"] = json!(bad);
    let other = listing(&app, 4, &["violates_asset_reporting"]).await;
    let path = format!("/v1/listings/{other}/corrections");
    let (s, v) = json(app.post(&path, &app.court("京0105"), &body).await).await;
    assert_eq!(
        (s, v["errors"][0]["field"].as_str()),
        (422, Some("applicant.id_number"))
    );
}

#[tokio::test]
async fn l13_a_decision_needs_if_match_a_valid_date_and_for_upheld_a_remedy() {
    let app = spawn_app().await;
    let l = listing(&app, 5, &["violates_asset_reporting"]).await;
    let id = applied(&app, &l).await;
    let path = format!("/v1/corrections/{id}/decision");
    let r = app
        .post(&path, &app.court("京0105"), &rejected("2026-09-25"))
        .await;
    assert_eq!(r.status(), 428);
    let mut body = upheld(json!(null));
    body.as_object_mut().unwrap().remove("remedy");
    let (s, v) = decide(&app, &id, 1, &body).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("remedy_required")));
    let mut with_remedy = rejected("2026-09-25");
    with_remedy["remedy"] = json!({"revoke": {"note": "x"}});
    let (s, v) = decide(&app, &id, 1, &with_remedy).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("remedy_not_allowed")));
    let tomorrow = (today() + chrono::Duration::days(1)).to_string();
    for day in [tomorrow.as_str(), "2026-09-15"] {
        let (s, v) = decide(&app, &id, 1, &rejected(day)).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (422, Some("invalid_decided_on")),
            "{day}"
        );
    }
    let (s, v) = decide(&app, &id, 2, &rejected("2026-09-25")).await;
    assert_eq!((s, v["code"].as_str()), (412, Some("version_mismatch")));
    let r = app
        .post_if(&path, &app.court("京0105"), 1, &rejected("2026-09-25"))
        .await;
    assert_eq!(r.headers().get("etag").unwrap(), "\"2\"");
    let (s, v) = json(r).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "rejected");
    assert_eq!(v["decision"]["outcome"], "rejected");
    assert_eq!(v["decision"]["late"], false);
    assert_eq!(v["decision"]["remedy"], json!(null));
    let (s, v) = decide(&app, &id, 2, &rejected("2026-09-25")).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("correction_not_under_review"))
    );
}

#[tokio::test]
async fn l13_a_decision_after_the_review_period_is_accepted_and_flagged_late() {
    let app = spawn_app().await;
    // Received Monday 2 March: due Tuesday 17 March.
    for (seq, decided_on, late) in [(6, "2026-03-17", false), (7, "2026-03-18", true)] {
        let l = listing(&app, seq, &["violates_asset_reporting"]).await;
        let (_, a) = apply(&app, &l, "2026-03-02").await;
        assert_eq!(a["review_due_on"], "2026-03-17");
        let id = a["id"].as_str().unwrap();
        let (s, v) = decide(&app, id, 1, &rejected(decided_on)).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["decision"]["late"], late, "{decided_on}");
        assert_eq!(v["decision"]["decided_on"], decided_on);
    }
}
