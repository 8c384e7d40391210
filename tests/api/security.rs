//! Scope escapes and oversized requests (issue 7 "Security review"), beside the JWT table of auth.rs.

use serde_json::json;
use shixin::auth::jwt::{MintRequest, mint};

use crate::{
    helpers::{json, make_id, spawn_app},
    webhooks::list_person,
};

#[tokio::test]
async fn a_subscriber_token_claiming_another_sector_sees_only_its_own_sector() {
    let app = spawn_app().await;
    let (airline, _) = app.subscriber_token("airline").await;
    let forged = mint(
        &app.settings,
        &MintRequest {
            sub: airline.clone(),
            role: "subscriber".into(),
            court: None,
            sector: Some("government".into()),
            subscriber_id: Some(airline.clone()),
            ttl_secs: 600,
        },
    )
    .unwrap();
    list_person(&app, 71).await;
    let (s, v) = app
        .check(
            &forged,
            &json!({"subjects": [{"id_number": make_id("110105", "19800101", 71)}]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["results"][0]["decision"], "deny");
    assert_eq!(
        v["results"][0]["items"],
        json!(["air_travel"]),
        "the sector comes from the subscriber record, not the token: {v}"
    );
    // Nor does a court token pass for a subscriber, or a subscriber token for a court.
    let r = app
        .post("/v1/checks", &app.court("京0105"), &json!({"subjects": []}))
        .await;
    assert_eq!(r.status(), 403);
    let r = app.get("/v1/webhooks", Some(&app.admin())).await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn oversized_headers_and_bodies_are_refused_and_the_service_stays_up() {
    let app = spawn_app().await;
    let huge = "x".repeat(200 * 1024);
    let r = app
        .client
        .get(app.url("/healthz"))
        .header("X-Padding", &huge)
        .send()
        .await;
    // Refused with a 4xx, or the connection closed by the server; never served.
    match r {
        Ok(r) => assert!(
            r.status().is_client_error(),
            "an oversized header: {}",
            r.status()
        ),
        Err(e) => assert!(
            e.is_request() || e.is_connect() || e.is_body(),
            "an oversized header: {e}"
        ),
    }
    assert_eq!(app.get("/healthz", None).await.status(), 200);
    let body =
        format!(r#"{{"subjects": [{{"id_number": "{huge}{huge}{huge}{huge}{huge}{huge}"}}]}}"#);
    let (_, token) = app.subscriber_token("airline").await;
    let r = app
        .client
        .post(app.url("/v1/checks"))
        .bearer_auth(&token)
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let (s, v) = json(r).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (413, Some("payload_too_large")),
        "{v}"
    );
    assert_eq!(app.get("/healthz", None).await.status(), 200);
}
