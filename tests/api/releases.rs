//! Releases (docs/LAW.md R4): one subject of an order, some items, a window.

use chrono::{Duration, Utc};
use serde_json::json;

use crate::helpers::{TestApp, json, make_id, order_body, org_listing, spawn_app};

async fn order(app: &TestApp, seq: u32) -> (String, String) {
    let id_number = make_id("110105", "19800101", 800 + 2 * seq + 1);
    let (s, v) = json(
        app.post(
            "/v1/restrictions",
            &app.court("京0105"),
            &order_body(&id_number, seq),
        )
        .await,
    )
    .await;
    assert_eq!(s, 201, "{v}");
    (v["id"].as_str().unwrap().to_string(), id_number)
}

fn window(hours: i64) -> (String, String) {
    let from = Utc::now() - Duration::minutes(1);
    (
        (from).to_rfc3339(),
        (from + Duration::hours(hours)).to_rfc3339(),
    )
}

#[tokio::test]
async fn r4_a_release_is_granted_listed_with_its_order_and_revoked() {
    let app = spawn_app().await;
    let (oid, id_number) = order(&app, 1).await;
    let (from, until) = window(48);
    let body = json!({"id_number": id_number, "items": ["air_travel"], "valid_from": from, "valid_until": until,
        "reason": "medical", "note": "赴京就医"});
    let r = app
        .post(
            &format!("/v1/restrictions/{oid}/releases"),
            &app.court("京0105"),
            &body,
        )
        .await;
    assert_eq!(r.status(), 201);
    let (_, rel) = json(r).await;
    assert_eq!(rel["status"], "active");
    assert_eq!(rel["role"], "debtor");
    assert_eq!(rel["items"], json!(["air_travel"]));
    let order = app
        .get_json(&format!("/v1/restrictions/{oid}"), &app.court("京0105"))
        .await;
    assert_eq!(order["releases"][0]["id"], rel["id"]);
    let rid = rel["id"].as_str().unwrap();
    let r = app
        .client
        .delete(app.url(&format!("/v1/restrictions/{oid}/releases/{rid}")))
        .bearer_auth(app.court("京0105"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let order = app
        .get_json(&format!("/v1/restrictions/{oid}"), &app.court("京0105"))
        .await;
    assert_eq!(order["releases"][0]["status"], "revoked");
    let r = app
        .client
        .delete(app.url(&format!("/v1/restrictions/{oid}/releases/{rid}")))
        .bearer_auth(app.court("京0105"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
}

#[tokio::test]
async fn r4_a_release_outside_the_orders_subjects_or_items_is_refused() {
    let app = spawn_app().await;
    let mut body = order_body(&make_id("110105", "19800101", 851), 2);
    body["items"] = json!(["air_travel"]);
    let (_, o) = json(
        app.post("/v1/restrictions", &app.court("京0105"), &body)
            .await,
    )
    .await;
    let oid = o["id"].as_str().unwrap();
    let (from, until) = window(2);
    let path = format!("/v1/restrictions/{oid}/releases");
    let stranger = make_id("110105", "19800101", 853);
    let (s, v) = json(
        app.post(
            &path,
            &app.court("京0105"),
            &json!({"id_number": stranger, "items": ["air_travel"],
        "valid_from": from, "valid_until": until, "reason": "exam"}),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (422, Some("subject_not_in_order")));
    let debtor = make_id("110105", "19800101", 851);
    let (s, v) = json(
        app.post(
            &path,
            &app.court("京0105"),
            &json!({"id_number": debtor, "items": ["train_soft_sleeper"],
        "valid_from": from, "valid_until": until, "reason": "exam"}),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (422, Some("item_not_in_order")));
    let (s, v) = json(
        app.post(
            &path,
            &app.court("京0105"),
            &json!({"id_number": debtor, "items": ["air_travel"],
        "valid_from": until, "valid_until": from, "reason": "exam"}),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (422, Some("invalid_value")));
    assert_eq!(v["errors"][0]["field"], "valid_until");
    let (s, v) = json(
        app.post(
            &path,
            &app.court("京0105"),
            &json!({"id_number": debtor, "items": ["air_travel"],
        "valid_from": from, "valid_until": until, "reason": "holiday"}),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (422, Some("invalid_value")));
    // Private funds are for the persons bound with an organisation, not the debtor itself.
    let (s, v) = json(
        app.post(
            &path,
            &app.court("京0105"),
            &json!({"id_number": debtor, "items": ["air_travel"],
        "valid_from": from, "valid_until": until, "reason": "private_funds"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("reason_not_applicable"))
    );
    // Another court may not grant releases on this order.
    let (s, _) = json(
        app.post(
            &path,
            &app.court("京0106"),
            &json!({"id_number": debtor, "items": ["air_travel"],
        "valid_from": from, "valid_until": until, "reason": "exam"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn r4_private_funds_release_for_a_legal_representative() {
    let app = spawn_app().await;
    let listing = app
        .create_listing(&org_listing("91310110666007217T", 3))
        .await;
    let oid = listing["restriction_id"].as_str().unwrap();
    let (from, until) = window(24);
    let rep = make_id("110105", "19700101", 11);
    let (s, v) = json(app.post(&format!("/v1/restrictions/{oid}/releases"), &app.court("京0105"),
        &json!({"id_number": rep, "items": ["air_travel", "g_train_any_seat"], "valid_from": from, "valid_until": until,
                "reason": "private_funds"})).await).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["role"], "legal_representative");
}

#[tokio::test]
async fn r4_a_release_past_its_window_ends_on_the_next_tick() {
    let app = spawn_app().await;
    let (oid, id_number) = order(&app, 4).await;
    let from = Utc::now() - Duration::hours(1);
    let until = Utc::now() + Duration::hours(1);
    let (s, _) = json(app.post(&format!("/v1/restrictions/{oid}/releases"), &app.court("京0105"),
        &json!({"id_number": id_number, "items": ["air_travel"], "valid_from": from.to_rfc3339(),
                "valid_until": until.to_rfc3339(), "reason": "funeral"})).await).await;
    assert_eq!(s, 201);
    assert_eq!(app.tick().await.releases_ended, 0);
    // Time moved by moving the row: the window ended a second ago (no waiting).
    app.sql("UPDATE releases SET valid_until = now() - interval '1 second'")
        .await;
    assert_eq!(app.tick().await.releases_ended, 1);
    let order = app
        .get_json(&format!("/v1/restrictions/{oid}"), &app.court("京0105"))
        .await;
    assert_eq!(order["releases"][0]["status"], "expired");
    assert_eq!(order["releases"][0]["version"], 2);
    assert_eq!(app.tick().await.releases_ended, 0);
}
