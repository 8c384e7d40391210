//! The remedies of an upheld application (L13): patch, revocation and removal applied to the
//! listing in the same transaction with its usual events; a refused remedy refuses the decision;
//! two decisions at once, and a decision replayed by its Idempotency-Key.

use serde_json::{Value, json};

use crate::{
    corrections::{applied, decide, listing, listing_json, upheld},
    helpers::{spawn_app, spawn_app_with},
    listings_change::event_types,
    public_helpers::{NO_LIMIT, public_get, search_ids},
};

#[tokio::test]
async fn l13_remedy_patch_corrects_the_listing_with_its_events() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let l = listing(&app, 8, &["violates_asset_reporting"]).await;
    let id = applied(&app, &l).await;
    let remedy = json!({"patch": {"obligation": "支付人民币5万元", "performance": "partial"}});
    let (s, v) = decide(&app, &id, 1, &upheld(remedy.clone())).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "corrected");
    assert_eq!(v["decision"]["remedy"], remedy);
    assert_eq!(v["decision"]["listing_version"], 2);
    let after = listing_json(&app, &l).await;
    assert_eq!(
        (after["version"].as_i64(), after["obligation"].as_str()),
        (Some(2), Some("支付人民币5万元"))
    );
    assert_eq!(after["status"], "active");
    let (_, public) = public_get(&app, &format!("/v1/public/listings/{l}")).await;
    assert_eq!(public["obligation"], "支付人民币5万元");
    assert_eq!(
        event_types(&app).await,
        [
            "listing.published",
            "restriction.imposed",
            "listing.updated"
        ]
    );
}

#[tokio::test]
async fn l13_remedy_revoke_revokes_the_listing_with_its_events() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let l = listing(&app, 9, &["violates_asset_reporting"]).await;
    let id = applied(&app, &l).await;
    let (s, v) = decide(
        &app,
        &id,
        1,
        &upheld(json!({"revoke": {"note": "不应纳入"}})),
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("corrected")), "{v}");
    let after = listing_json(&app, &l).await;
    assert_eq!(after["status"], "revoked");
    assert_eq!(after["removal"]["reason"], "wrongful_listing");
    assert_eq!(after["removal"]["note"], "不应纳入");
    assert!(search_ids(&app, "张三").await.is_empty());
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
    assert_eq!(events[2].1["reason"], "wrongful_listing");
}

#[tokio::test]
async fn l13_remedy_removal_removes_the_listing_with_its_events() {
    let app = spawn_app().await;
    let l = listing(&app, 10, &["able_but_refuses"]).await;
    let id = applied(&app, &l).await;
    let remedy =
        json!({"removal": {"reason": "performed", "note": "已履行", "event_on": "2026-09-10"}});
    let (s, v) = decide(&app, &id, 1, &upheld(remedy)).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("corrected")), "{v}");
    let after = listing_json(&app, &l).await;
    assert_eq!(
        (
            after["status"].as_str(),
            after["removal"]["reason"].as_str()
        ),
        (Some("removed"), Some("performed"))
    );
    let events = crate::helpers::events(&app).await;
    assert_eq!(events[2].0, "listing.removed");
    assert_eq!(events[2].1["reason"], "performed");
    assert_eq!(events[3].0, "restriction.lifted");
}

#[tokio::test]
async fn l13_a_refused_remedy_refuses_the_decision_and_changes_nothing() {
    let app = spawn_app().await;
    // L6: an L5 reason does not apply to a fixed-term listing.
    let l = listing(&app, 11, &["violates_asset_reporting"]).await;
    let id = applied(&app, &l).await;
    let (events, audit) = (
        event_types(&app).await,
        app.scalar("SELECT count(*) AS n FROM audit_log").await,
    );
    let (s, v) = decide(
        &app,
        &id,
        1,
        &upheld(json!({"removal": {"reason": "performed"}})),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("reason_not_applicable"))
    );
    // So does a patch that breaks a listing rule.
    let (s, v) = decide(
        &app,
        &id,
        1,
        &upheld(json!({"patch": {"court_code": "京0106"}})),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("field_not_correctable"))
    );
    let (s, v) = decide(&app, &id, 1, &upheld(json!({"demolish": {}}))).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("invalid_value")));
    let c = app
        .get_json(&format!("/v1/corrections/{id}"), &app.court("京0105"))
        .await;
    assert_eq!(
        (c["status"].as_str(), c["version"].as_i64()),
        (Some("under_review"), Some(1))
    );
    assert_eq!(c["decision"], json!(null));
    let after = listing_json(&app, &l).await;
    assert_eq!(
        (after["status"].as_str(), after["version"].as_i64()),
        (Some("active"), Some(1))
    );
    assert_eq!(event_types(&app).await, events);
    assert_eq!(
        app.scalar("SELECT count(*) AS n FROM audit_log").await,
        audit
    );
}

#[tokio::test]
async fn l13_two_decisions_at_once_exactly_one_wins_and_the_listing_changes_once() {
    let app = spawn_app().await;
    let l = listing(&app, 12, &["violates_asset_reporting"]).await;
    let id = applied(&app, &l).await;
    let a = upheld(json!({"patch": {"obligation": "甲"}}));
    let b = upheld(json!({"patch": {"obligation": "乙"}}));
    let (ra, rb) = tokio::join!(decide(&app, &id, 1, &a), decide(&app, &id, 1, &b));
    let mut statuses = [ra.0, rb.0];
    statuses.sort_unstable();
    assert!(
        statuses == [200, 409] || statuses == [200, 412],
        "{ra:?} {rb:?}"
    );
    let after = listing_json(&app, &l).await;
    assert_eq!(after["version"], 2);
    let winner = if ra.0 == 200 { "甲" } else { "乙" };
    assert_eq!(after["obligation"], winner);
    let updates = event_types(&app).await;
    assert_eq!(
        updates.iter().filter(|t| *t == "listing.updated").count(),
        1
    );
}

#[tokio::test]
async fn l13_a_decision_replays_with_its_idempotency_key() {
    let app = spawn_app().await;
    let l = listing(&app, 13, &["violates_asset_reporting"]).await;
    let id = applied(&app, &l).await;
    let body = upheld(json!({"patch": {"obligation": "支付人民币1元"}}));
    let send = || {
        app.client
            .post(app.url(&format!("/v1/corrections/{id}/decision")))
            .bearer_auth(app.court("京0105"))
            .header("If-Match", "\"1\"")
            .header("Idempotency-Key", "decide-13")
            .json(&body)
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), 200);
    let first: Value = first.json().await.unwrap();
    let again = send().await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers().get("idempotency-replayed").unwrap(), "true");
    assert_eq!(again.headers().get("etag").unwrap(), "\"2\"");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    assert_eq!(listing_json(&app, &l).await["version"], 2);
    let updates = event_types(&app).await;
    assert_eq!(
        updates.iter().filter(|t| *t == "listing.updated").count(),
        1
    );
}
