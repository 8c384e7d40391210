//! Credit repair decisions (L16) that delete nothing: a refusal, and decisions refused with their
//! codes (428, 412, 422, 403, 404), which leave the application and the listing as they were.

use serde_json::json;

use crate::{
    credit_repair::{applied, apply, days_ago, decide, granted, listing, listing_json},
    helpers::{json, spawn_app},
    listings_change::event_types,
};

#[tokio::test]
async fn l16_a_refusal_changes_nothing_else_and_a_new_application_may_follow() {
    let app = spawn_app().await;
    let l = listing(&app, 6).await;
    let id = applied(&app, &l).await;
    let events = event_types(&app).await;
    let body = json!({"outcome": "refused", "reasons": "尚未履行", "decided_on": days_ago(1)});
    let (s, v) = decide(&app, &id, 1, &body).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("refused")), "{v}");
    assert_eq!(
        (&v["certificate"], &v["decision"]["days_to_decide"]),
        (&json!(null), &json!(9))
    );
    assert_eq!(v["decision"]["listing_version"], json!(null));
    let after = listing_json(&app, &l).await;
    assert_eq!(
        (after["status"].as_str(), after["version"].as_i64()),
        (Some("active"), Some(1))
    );
    assert_eq!(event_types(&app).await, events);
    assert_eq!(
        app.scalar("SELECT count(*) AS n FROM certificates").await,
        0
    );
    let (s, v) = apply(&app, &l, &days_ago(0)).await;
    assert_eq!(s, 201, "{v}");
    // Both, a page at a time, for the court and for the supervisor above it.
    let sup = app.supervisor("京01");
    let first = app.get_json("/v1/credit-repairs?limit=1", &sup).await;
    assert_eq!(first["items"][0]["id"], json!(id));
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .get_json(
            &format!("/v1/credit-repairs?limit=1&cursor={cursor}"),
            &app.court("京0105"),
        )
        .await;
    assert_eq!(
        (&second["items"][0]["id"], &second["next_cursor"]),
        (&v["id"], &json!(null))
    );
    let refused = app
        .get_json("/v1/credit-repairs?court_code=京0105&status=refused", &sup)
        .await;
    assert_eq!(refused["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn l16_a_decision_is_refused_with_its_codes_and_changes_nothing() {
    let app = spawn_app().await;
    let l = listing(&app, 7).await;
    let id = applied(&app, &l).await;
    let path = format!("/v1/credit-repairs/{id}/decision");
    let r = app.post(&path, &app.court("京0105"), &granted(false)).await;
    assert_eq!(r.status(), 428);
    let (s, v) = decide(&app, &id, 7, &granted(false)).await;
    assert_eq!((s, v["code"].as_str()), (412, Some("version_mismatch")));
    let mut early = granted(false);
    early["decided_on"] = json!(days_ago(11));
    let (s, v) = decide(&app, &id, 1, &early).await;
    assert_eq!(
        (s, v["errors"][0]["code"].as_str()),
        (422, Some("invalid_decided_on")),
        "{v}"
    );
    let mut unknown = granted(false);
    unknown["outcome"] = json!("upheld");
    let (s, v) = decide(&app, &id, 1, &unknown).await;
    assert_eq!(
        (s, v["errors"][0]["code"].as_str()),
        (422, Some("invalid_value")),
        "{v}"
    );
    let refused_kept = json!({"outcome": "refused", "reasons": "否", "decided_on": days_ago(0), "keep_restriction": true});
    let (s, v) = decide(&app, &id, 1, &refused_kept).await;
    assert_eq!(
        (s, v["errors"][0]["field"].as_str()),
        (422, Some("keep_restriction")),
        "{v}"
    );
    let other = app
        .post_if(&path, &app.court("京0106"), 1, &granted(false))
        .await;
    assert_eq!(other.status(), 403);
    let (s, _) = json(
        app.post_if(
            "/v1/credit-repairs/not-a-uuid/decision",
            &app.court("京0105"),
            1,
            &granted(false),
        )
        .await,
    )
    .await;
    assert_eq!(s, 404);
    let c = app
        .get_json(&format!("/v1/credit-repairs/{id}"), &app.court("京0105"))
        .await;
    assert_eq!(
        (c["status"].as_str(), c["version"].as_i64()),
        (Some("under_review"), Some(1))
    );
    assert_eq!(listing_json(&app, &l).await["status"], "active");
    assert_eq!(
        app.scalar("SELECT count(*) AS n FROM certificates").await,
        0
    );
}

#[tokio::test]
async fn l16_a_listing_in_its_grace_period_may_be_repaired_without_public_events() {
    let app = spawn_app().await;
    let mut body =
        crate::helpers::person_listing(&crate::helpers::make_id("110105", "19800101", 500), 49);
    body["grace_until"] = json!((crate::helpers::today() + chrono::Duration::days(20)).to_string());
    let l = app.create_listing(&body).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(listing_json(&app, &l).await["status"], "pending");
    let id = applied(&app, &l).await;
    let (s, v) = decide(&app, &id, 1, &granted(false)).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("granted")), "{v}");
    let after = listing_json(&app, &l).await;
    assert_eq!(
        (
            after["status"].as_str(),
            after["removal"]["reason"].as_str()
        ),
        (Some("removed"), Some("early_deletion"))
    );
    // Never published: no event, no order; the certificate is issued all the same.
    assert!(event_types(&app).await.is_empty());
    let cert = v["certificate"]["id"].as_str().unwrap();
    let (s, c) = json(
        app.get(&format!("/v1/public/certificates/{cert}"), None)
            .await,
    )
    .await;
    assert_eq!((s, c["listing_id"].as_str()), (200, Some(l.as_str())));
}
