//! Webhook management (docs/API.md "Webhooks"): registration with a secret shown once, the SSRF
//! guard, ownership, changes, deletion, rotation, the test event, replay and the delivery log.

use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, json, make_id, person_listing, spawn_app, spawn_app_with},
    receiver::{Receiver, signature_valid},
};

/// An app with the delivery worker on, private addresses allowed (the receiver is on 127.0.0.1) and
/// a fast retry schedule.
pub async fn worker_app(extra: &[(&str, &str)]) -> TestApp {
    let mut vars = vec![
        ("SHIXIN_WEBHOOK_CONCURRENCY", "8"),
        ("SHIXIN_WEBHOOK_ALLOW_PRIVATE", "true"),
        ("SHIXIN_WEBHOOK_RETRY_SCHEDULE", "200ms,200ms,200ms"),
    ];
    vars.extend_from_slice(extra);
    spawn_app_with(&vars).await
}

/// Registers a webhook; answers (id, secret, body).
pub async fn register(app: &TestApp, token: &str, body: Value) -> (String, String, Value) {
    let (s, v) = json(app.post("/v1/webhooks", token, &body).await).await;
    assert_eq!(s, 201, "{v}");
    (
        v["id"].as_str().unwrap().to_string(),
        v["secret"].as_str().unwrap().to_string(),
        v,
    )
}

/// Lists a person (published at once: a `listing.published` and a `restriction.imposed`).
pub async fn list_person(app: &TestApp, seq: u32) -> Value {
    app.create_listing(&person_listing(
        &make_id("110105", "19800101", seq % 1000),
        seq,
    ))
    .await
}

#[tokio::test]
async fn a_webhook_is_registered_with_a_secret_shown_once_and_only_its_owner_sees_it() {
    let app = spawn_app_with(&[("SHIXIN_WEBHOOK_ALLOW_PRIVATE", "true")]).await;
    let (_, token) = app.subscriber_token("airline").await;
    let (_, other) = app.subscriber_token("airline").await;
    let r = app
        .post(
            "/v1/webhooks",
            &token,
            &json!({"url": "http://127.0.0.1:9/hook", "description": "ops"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let v: Value = r.json().await.unwrap();
    let id = v["id"].as_str().unwrap();
    assert_eq!(location, format!("/v1/webhooks/{id}"));
    assert!(v["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(v["enabled"], true);
    assert_eq!(v["event_types"], Value::Null);

    let got = app.get_json(&format!("/v1/webhooks/{id}"), &token).await;
    assert_eq!(got["url"], "http://127.0.0.1:9/hook");
    assert!(
        got.get("secret").is_none(),
        "the secret is shown once: {got}"
    );
    let listed = app.get_json("/v1/webhooks", &token).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);

    // Another subscriber neither sees nor changes it; a court may not manage webhooks.
    let r = app.get(&format!("/v1/webhooks/{id}"), Some(&other)).await;
    assert_eq!(r.status(), 404);
    assert_eq!(
        app.get_json("/v1/webhooks", &other).await["items"],
        json!([])
    );
    let r = app.get("/v1/webhooks", Some(&app.court("京0105"))).await;
    assert_eq!(r.status(), 403);
    let r = app
        .client
        .delete(app.url(&format!("/v1/webhooks/{id}")))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // Changes: event types (checked), description, disable; then delete.
    let (s, v) = json(
        app.patch(
            &format!("/v1/webhooks/{id}"),
            &token,
            1,
            &json!({"event_types": ["restriction.lifted", "listing.removed"], "enabled": false}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["event_types"],
        json!(["restriction.lifted", "listing.removed"])
    );
    assert_eq!(v["enabled"], false);
    assert_eq!(v["disabled_reason"], "subscriber");
    assert_eq!(v["version"], 2);
    let (s, v) = json(
        app.patch(
            &format!("/v1/webhooks/{id}"),
            &token,
            1,
            &json!({"description": null}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (412, Some("version_mismatch")),
        "{v}"
    );
    for (body, code) in [
        (
            json!({"event_types": ["listing.exploded"]}),
            "invalid_value",
        ),
        (json!({"event_types": []}), "invalid_value"),
        (json!({"secret": "whsec_x"}), "field_not_correctable"),
        (json!({"url": "ftp://example.com/"}), "invalid_url"),
    ] {
        let (s, v) = json(
            app.patch(&format!("/v1/webhooks/{id}"), &token, 2, &body)
                .await,
        )
        .await;
        assert_eq!((s, v["code"].as_str()), (422, Some(code)), "{body}: {v}");
    }
    let r = app
        .client
        .delete(app.url(&format!("/v1/webhooks/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = app.get(&format!("/v1/webhooks/{id}"), Some(&token)).await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn urls_resolving_to_private_addresses_are_refused_at_registration() {
    let app = spawn_app().await;
    let (_, token) = app.subscriber_token("rail").await;
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.0.0.7/hook",
        "http://192.168.1.20/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[fd00::1]/hook",
    ] {
        let (s, v) = json(app.post("/v1/webhooks", &token, &json!({"url": url})).await).await;
        assert_eq!(s, 422, "{url}: {v}");
        assert_eq!(v["code"], "webhook_url_not_allowed", "{url}: {v}");
    }
    for url in [
        "ftp://example.com/x",
        "no url",
        "https://user:pw@example.com/",
    ] {
        let (s, v) = json(app.post("/v1/webhooks", &token, &json!({"url": url})).await).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (422, Some("invalid_url")),
            "{url}: {v}"
        );
    }
}

#[tokio::test]
async fn a_listed_person_reaches_the_webhook_signed_with_the_sector_items_only() {
    let app = worker_app(&[]).await;
    let rx = Receiver::start();
    let (_, token) = app.subscriber_token("airline").await;
    let (_, secret, _) = register(&app, &token, json!({"url": rx.url("/air")})).await;
    let listing = list_person(&app, 1).await;
    let got = rx.wait_until(10, |g| g.len() >= 2).await;
    let types: Vec<String> = got.iter().map(|r| r.event_type()).collect();
    assert_eq!(types, ["listing.published", "restriction.imposed"]);
    for r in &got {
        assert!(
            signature_valid(&secret, r),
            "signature of {}",
            r.event_type()
        );
        let v = r.json();
        assert_eq!(
            v["id"].as_str(),
            Some(r.id.as_str()),
            "webhook-id is the event id"
        );
        assert!(v["cursor"].is_string());
    }
    let imposed = got[1].json();
    assert_eq!(imposed["data"]["listing_id"], listing["id"]);
    assert_eq!(
        imposed["data"]["items"],
        json!(["air_travel"]),
        "airline sees only air travel"
    );
}

#[tokio::test]
async fn the_test_event_arrives_and_the_delivery_log_records_it() {
    let app = worker_app(&[]).await;
    let rx = Receiver::start();
    let (_, token) = app.subscriber_token("rail").await;
    let (id, secret, _) = register(&app, &token, json!({"url": rx.url("/t")})).await;
    let (s, v) = json(
        app.post(&format!("/v1/webhooks/{id}/test"), &token, &json!({}))
            .await,
    )
    .await;
    assert_eq!(s, 202, "{v}");
    let event_id = v["event_id"].as_str().unwrap().to_string();
    let got = rx.wait_until(10, |g| !g.is_empty()).await;
    assert_eq!(got[0].event_type(), "webhook.test");
    assert_eq!(got[0].id, event_id);
    assert!(signature_valid(&secret, &got[0]));
    let log = wait_for_log(&app, &token, &id, "delivered", 1).await;
    let d = &log[0];
    assert_eq!(d["event_id"].as_str(), Some(event_id.as_str()));
    assert_eq!(d["attempts"], 1);
    assert_eq!(d["last_attempt"]["status_code"], 200);
    assert_eq!(d["last_attempt"]["response"], "ok");
    let detail = app
        .get_json(&format!("/v1/webhooks/{id}/deliveries/{}", d["id"]), &token)
        .await;
    assert_eq!(detail["attempts_log"].as_array().unwrap().len(), 1);
    let r = app
        .get(
            &format!("/v1/webhooks/{id}/deliveries?status=lost"),
            Some(&token),
        )
        .await;
    assert_eq!(r.status(), 400);
}

/// Waits until the delivery log of a webhook holds `n` deliveries of `status`; answers them.
pub async fn wait_for_log(
    app: &TestApp,
    token: &str,
    id: &str,
    status: &str,
    n: usize,
) -> Vec<Value> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let v = app
            .get_json(
                &format!("/v1/webhooks/{id}/deliveries?status={status}&limit=1000"),
                token,
            )
            .await;
        let items = v["items"].as_array().unwrap().clone();
        if items.len() >= n {
            return items;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} of {n} deliveries {status}: {v}",
            items.len()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn rotation_signs_with_both_secrets_and_replay_sends_older_events_again() {
    let app = worker_app(&[]).await;
    let rx = Receiver::start();
    let (_, token) = app.subscriber_token("airline").await;
    // An event written before the webhook exists is not sent, until it is replayed.
    list_person(&app, 11).await;
    let (id, old, _) = register(
        &app,
        &token,
        json!({"url": rx.url("/r"),
        "event_types": ["listing.published"]}),
    )
    .await;
    let (s, v) = json(
        app.post(
            &format!("/v1/webhooks/{id}/secret/rotate"),
            &token,
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let new = v["secret"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    list_person(&app, 12).await;
    let got = rx.wait_until(10, |g| !g.is_empty()).await;
    assert_eq!(
        got.len(),
        1,
        "only the event after registration, and only its type"
    );
    let r = &got[0];
    assert_eq!(r.signature.split(' ').count(), 2, "{}", r.signature);
    assert!(signature_valid(&new, r) && signature_valid(&old, r));

    let (s, v) = json(
        app.post(
            &format!("/v1/webhooks/{id}/replay"),
            &token,
            &json!({"after": ""}),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["queued"].as_u64()), (202, Some(2)), "{v}");
    let got = rx.wait_until(10, |g| g.len() >= 3).await;
    let ids: std::collections::HashSet<_> = got.iter().map(|r| r.id.clone()).collect();
    assert_eq!(
        ids.len(),
        2,
        "both listing.published events, one of them twice"
    );
    let (s, v) = json(
        app.post(
            &format!("/v1/webhooks/{id}/replay"),
            &token,
            &json!({"after": "garbage!"}),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (422, Some("invalid_value")), "{v}");
}

#[tokio::test]
async fn restriction_events_reach_only_webhooks_whose_sector_they_concern() {
    // docs/API.md "Events and webhooks": restriction.* events go to a subscriber only when they
    // carry one of its sector's items (docs/LAW.md "Roles"), and then with only those items.
    let app = worker_app(&[]).await;
    let rx = Receiver::start();
    let (_, air) = app.subscriber_token("airline").await;
    let (_, school) = app.subscriber_token("education").await;
    register(&app, &air, json!({"url": rx.url("/air")})).await;
    let (school_hook, _, _) = register(&app, &school, json!({"url": rx.url("/school")})).await;
    let mut body = crate::helpers::order_body(&make_id("110105", "19800101", 721), 21);
    body["items"] = json!(["air_travel", "g_train_any_seat"]);
    let (s, v) = json(
        app.post("/v1/restrictions", &app.court("京0105"), &body)
            .await,
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let got = rx
        .wait_until(10, |g| g.iter().any(|r| r.path == "/air"))
        .await;
    let air_got: Vec<_> = got.iter().filter(|r| r.path == "/air").collect();
    assert_eq!(air_got[0].event_type(), "restriction.imposed");
    assert_eq!(air_got[0].json()["data"]["items"], json!(["air_travel"]));
    // A test event queued after the order reaches the education webhook after anything queued
    // before it (one webhook's deliveries go out in order): it is all that arrives there.
    app.post(
        &format!("/v1/webhooks/{school_hook}/test"),
        &school,
        &json!({}),
    )
    .await;
    let got = rx
        .wait_until(10, |g| g.iter().any(|r| r.path == "/school"))
        .await;
    let school_got: Vec<String> = got
        .iter()
        .filter(|r| r.path == "/school")
        .map(|r| r.event_type())
        .collect();
    assert_eq!(
        school_got,
        ["webhook.test"],
        "nothing of the order for education"
    );
}
