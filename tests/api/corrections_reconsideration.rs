//! A rejection served and reconsidered by the next higher court (L13), and the lists of
//! applications (court scope, overdue). Fixed days of 2026, as in corrections.rs.

use serde_json::{Value, json};

use crate::{
    corrections::{applied, apply, decide, listing, rejected, upheld},
    helpers::{TestApp, json, spawn_app, spawn_app_with, today},
    public_helpers::{NO_LIMIT, search_ids},
};

pub(crate) async fn serve(app: &TestApp, id: &str, served_on: &str) -> (u16, Value) {
    let path = format!("/v1/corrections/{id}/service");
    let body = json!({"served_on": served_on, "method": "post"});
    json(app.post(&path, &app.court("京0105"), &body).await).await
}

pub(crate) async fn reconsider(
    app: &TestApp,
    token: &str,
    id: &str,
    received_on: &str,
) -> (u16, Value) {
    let path = format!("/v1/corrections/{id}/reconsideration");
    let body = json!({"received_on": received_on, "statement": "申请复议"});
    json(app.post(&path, token, &body).await).await
}

/// The reconsideration's decision, at version 4 (applied, decided, served, received).
async fn decide_again(app: &TestApp, token: &str, id: &str, body: &Value) -> (u16, Value) {
    let path = format!("/v1/corrections/{id}/reconsideration/decision");
    json(app.post_if(&path, token, 4, body).await).await
}

/// An application of a new listing rejected on 2026-09-25 and served on Monday 2026-09-28: the
/// reconsideration deadline is Thursday 8 October (day 10, the day after the holiday).
pub(crate) async fn rejected_and_served(app: &TestApp, seq: u32) -> (String, String) {
    let l = listing(app, seq, &["violates_asset_reporting"]).await;
    let id = applied(app, &l).await;
    assert_eq!(decide(app, &id, 1, &rejected("2026-09-25")).await.0, 200);
    let (s, v) = serve(app, &id, "2026-09-28").await;
    assert_eq!(s, 200, "{v}");
    (l, id)
}

#[tokio::test]
async fn l13_the_service_of_a_rejection_sets_the_reconsideration_deadline() {
    let app = spawn_app().await;
    let l = listing(&app, 31, &["violates_asset_reporting"]).await;
    let id = applied(&app, &l).await;
    let (s, v) = serve(&app, &id, "2026-09-28").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("correction_not_rejected"))
    );
    assert_eq!(decide(&app, &id, 1, &rejected("2026-09-25")).await.0, 200);
    for day in [
        "2026-09-24".to_string(),
        (today() + chrono::Duration::days(1)).to_string(),
    ] {
        let (s, v) = serve(&app, &id, &day).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (422, Some("invalid_served_on")),
            "{day}"
        );
    }
    let path = format!("/v1/corrections/{id}/service");
    let (s, v) = json(
        app.post(
            &path,
            &app.court("京0105"),
            &json!({"served_on": "2026-09-28", "method": "pigeon"}),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (422, Some("invalid_value")));
    let (s, v) = serve(&app, &id, "2026-09-28").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "rejected");
    assert_eq!(
        v["service"],
        json!({"served_on": "2026-09-28", "method": "post"})
    );
    assert_eq!(v["reconsideration_deadline"], "2026-10-08");
    assert_eq!(v["version"], 3);
    let (s, v) = serve(&app, &id, "2026-09-29").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("rejection_already_served"))
    );
}

#[tokio::test]
async fn l13_only_a_supervisor_above_the_enforcing_court_receives_a_reconsideration() {
    let app = spawn_app().await;
    let (_, id) = rejected_and_served(&app, 32).await;
    for token in [
        app.court("京0105"),
        app.supervisor("京0105"),
        app.court("京01"),
        app.supervisor("京0106"),
    ] {
        let (s, v) = reconsider(&app, &token, &id, "2026-10-08").await;
        assert_eq!(
            (s, v["code"].as_str()),
            (403, Some("court_not_in_scope")),
            "{v}"
        );
    }
    let (s, v) = reconsider(&app, &app.admin(), &id, "2026-10-08").await;
    assert_eq!(s, 403, "{v}");
    let (s, v) = reconsider(&app, &app.supervisor("京01"), &id, "2026-10-08").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "in_reconsideration");
    assert_eq!(v["reconsideration"]["court_code"], "京01");
    assert_eq!(v["reconsideration"]["received_on"], "2026-10-08");
    // Day 15 is Friday 23 October.
    assert_eq!(v["reconsideration"]["due_on"], "2026-10-23");
    assert_eq!(v["reconsideration"]["decision"], json!(null));
    let (s, v) = reconsider(&app, &app.supervisor("京01"), &id, "2026-10-08").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("correction_not_rejected"))
    );
    // A supervisor above the parent court may receive one too.
    let (_, other) = rejected_and_served(&app, 33).await;
    assert_eq!(
        reconsider(&app, &app.supervisor("京"), &other, "2026-10-01")
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn l13_a_reconsideration_needs_a_served_rejection_within_ten_days() {
    let app = spawn_app().await;
    let sup = app.supervisor("京01");
    let l = listing(&app, 34, &["violates_asset_reporting"]).await;
    let id = applied(&app, &l).await;
    let (s, v) = reconsider(&app, &sup, &id, "2026-10-08").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("correction_not_rejected"))
    );
    assert_eq!(decide(&app, &id, 1, &rejected("2026-09-25")).await.0, 200);
    let (s, v) = reconsider(&app, &sup, &id, "2026-10-08").await;
    assert_eq!((s, v["code"].as_str()), (422, Some("rejection_not_served")));
    assert_eq!(serve(&app, &id, "2026-09-28").await.0, 200);
    let (s, v) = reconsider(&app, &sup, &id, "2026-10-09").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("reconsideration_out_of_time"))
    );
    let (s, v) = reconsider(&app, &sup, &id, "2026-09-27").await;
    assert_eq!((s, v["code"].as_str()), (422, Some("invalid_received_on")));
    assert_eq!(reconsider(&app, &sup, &id, "2026-10-08").await.0, 200);
}

#[tokio::test]
async fn l13_the_next_higher_court_upholds_the_rejection_or_corrects_the_listing() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let sup = app.supervisor("京01");
    let (l, id) = rejected_and_served(&app, 35).await;
    assert_eq!(reconsider(&app, &sup, &id, "2026-10-08").await.0, 200);
    // The listing stays published while the reconsideration is open.
    assert_eq!(search_ids(&app, "张三").await, vec![l.clone()]);
    let (s, v) = decide_again(&app, &app.court("京0105"), &id, &rejected("2026-10-20")).await;
    assert_eq!((s, v["code"].as_str()), (403, Some("court_not_in_scope")));
    let (s, v) = decide(&app, &id, 4, &rejected("2026-10-20")).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("correction_not_under_review"))
    );
    let (s, v) = decide_again(&app, &sup, &id, &upheld(json!(null))).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("remedy_required")));
    let (s, v) = decide_again(&app, &sup, &id, &rejected("2026-10-26")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "rejection_upheld");
    assert_eq!(v["reconsideration"]["decision"]["late"], true);
    assert_eq!(
        v["reconsideration"]["decision"]["decided_by"]["court"],
        "京01"
    );
    let path = format!("/v1/corrections/{id}/reconsideration/decision");
    let (s, v) = json(app.post_if(&path, &sup, 5, &rejected("2026-10-26")).await).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("correction_not_in_reconsideration"))
    );

    let (l, id) = rejected_and_served(&app, 36).await;
    assert_eq!(reconsider(&app, &sup, &id, "2026-10-08").await.0, 200);
    let mut body = upheld(json!({"revoke": {"note": "复议撤销"}}));
    body["decided_on"] = json!("2026-10-20");
    let (s, v) = decide_again(&app, &sup, &id, &body).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "corrected");
    assert_eq!(v["reconsideration"]["decision"]["late"], false);
    let after = app.get_json(&format!("/v1/listings/{l}"), &sup).await;
    assert_eq!(after["status"], "revoked");
    let types: Vec<String> = crate::helpers::events(&app)
        .await
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(types.iter().filter(|t| *t == "listing.removed").count(), 1);
    // Every step is in the hash-chained audit trail, the listing's revocation by the supervisor too.
    let count = format!(
        "SELECT count(*) AS n FROM audit_log WHERE entity_type = 'correction' AND entity_id = '{id}'"
    );
    assert_eq!(app.scalar(&count).await, 5);
    let revoked = format!(
        "SELECT count(*) AS n FROM audit_log WHERE action = 'listing.revoke' AND entity_id = '{l}' AND actor_court = '京01'"
    );
    assert_eq!(app.scalar(&revoked).await, 1);
    let verified = shixin::audit::verify(&mut app.db().await).await.unwrap();
    assert!(verified.is_ok(), "{verified:?}");
}

#[tokio::test]
async fn l13_lists_show_the_courts_in_scope_and_what_is_overdue() {
    let app = spawn_app().await;
    // Received 2 March, due 17 March: overdue. Received today: not yet.
    let late = listing(&app, 37, &["violates_asset_reporting"]).await;
    let (_, late) = apply(&app, &late, "2026-03-02").await;
    assert_eq!(late["overdue"], true);
    let fresh = listing(&app, 38, &["violates_asset_reporting"]).await;
    let (_, fresh) = apply(&app, &fresh, &today().to_string()).await;
    assert_eq!(fresh["overdue"], false);
    let ids = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (late_id, fresh_id) = (late["id"].as_str().unwrap(), fresh["id"].as_str().unwrap());
    let clerk = app.court("京0105");
    let all = app.get_json("/v1/corrections", &clerk).await;
    assert_eq!(ids(&all), [late_id, fresh_id]);
    let overdue = app.get_json("/v1/corrections?overdue=true", &clerk).await;
    assert_eq!(ids(&overdue), [late_id]);
    let by_status = app
        .get_json("/v1/corrections?court_code=京0105&status=rejected", &clerk)
        .await;
    assert!(ids(&by_status).is_empty());
    // A supervisor sees the courts under it; another court's clerk sees none of them.
    let sup = app
        .get_json("/v1/corrections?limit=1", &app.supervisor("京01"))
        .await;
    assert_eq!(ids(&sup), [late_id]);
    let cursor = sup["next_cursor"].as_str().unwrap();
    let next = app
        .get_json(
            &format!("/v1/corrections?limit=1&cursor={cursor}"),
            &app.supervisor("京01"),
        )
        .await;
    assert_eq!(
        (ids(&next), &next["next_cursor"]),
        (vec![fresh_id.to_string()], &json!(null))
    );
    assert!(ids(&app.get_json("/v1/corrections", &app.court("京0106")).await).is_empty());
    let (s, v) = json(
        app.get(
            "/v1/corrections?court_code=京0105",
            Some(&app.court("京0106")),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (403, Some("court_not_in_scope")));
    let (s, v) = json(app.get("/v1/corrections?status=lost", Some(&clerk)).await).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("invalid_parameter")));
}
