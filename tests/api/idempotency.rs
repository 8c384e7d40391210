//! Idempotency-Key: replay, reuse with another body, and two concurrent requests with one key.

use crate::helpers::{json, make_id, order_body, person_listing, spawn_app};

/// A court's POST of `body` to `path` with an `Idempotency-Key`.
async fn post_to_with_key(
    app: &crate::helpers::TestApp,
    path: &str,
    key: &str,
    body: &serde_json::Value,
) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(app.court("京0105"))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn post_with_key(
    app: &crate::helpers::TestApp,
    key: &str,
    body: &serde_json::Value,
) -> reqwest::Response {
    post_to_with_key(app, "/v1/listings", key, body).await
}

#[tokio::test]
async fn same_key_same_body_replays_the_first_response() {
    let app = spawn_app().await;
    let body = person_listing(&make_id("110105", "19800101", 61), 1);
    let first = post_with_key(&app, "key-1", &body).await;
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotency-replayed").is_none());
    let first_loc = first.headers().get("location").unwrap().clone();
    let (_, first_body) = json(first).await;
    let again = post_with_key(&app, "key-1", &body).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers().get("idempotency-replayed").unwrap(), "true");
    assert_eq!(again.headers().get("location").unwrap(), &first_loc);
    let (_, again_body) = json(again).await;
    assert_eq!(first_body, again_body);
}

#[tokio::test]
async fn same_key_other_body_is_refused() {
    let app = spawn_app().await;
    let body = person_listing(&make_id("110105", "19800101", 63), 2);
    assert_eq!(post_with_key(&app, "key-2", &body).await.status(), 201);
    let other = person_listing(&make_id("110105", "19800101", 65), 3);
    let (s, v) = json(post_with_key(&app, "key-2", &other).await).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("idempotency_key_reused"))
    );
}

#[tokio::test]
async fn key_longer_than_255_is_400() {
    let app = spawn_app().await;
    let body = person_listing(&make_id("110105", "19800101", 67), 4);
    let (s, v) = json(post_with_key(&app, &"k".repeat(256), &body).await).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("invalid_parameter")));
}

async fn post_order_with_key(
    app: &crate::helpers::TestApp,
    key: &str,
    body: &serde_json::Value,
) -> reqwest::Response {
    post_to_with_key(app, "/v1/restrictions", key, body).await
}

/// A standalone order: no unique index refuses a second identical one, so only the key can make the
/// second request a replay (a 409 from an index would pass a test of listings without idempotency).
#[tokio::test]
async fn two_concurrent_requests_with_one_key_make_one_order_and_the_other_replays_it() {
    let app = spawn_app().await;
    let body = order_body(&make_id("110105", "19800101", 69), 5);
    // Without the key, the same body twice makes two orders: the index guards nothing here.
    for _ in 0..2 {
        let r = app
            .client
            .post(app.url("/v1/restrictions"))
            .bearer_auth(app.court("京0105"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let orders = "SELECT count(*) AS n FROM restrictions";
    assert_eq!(app.scalar(orders).await, 2);

    let (a, b) = tokio::join!(
        post_order_with_key(&app, "key-c", &body),
        post_order_with_key(&app, "key-c", &body)
    );
    let replayed = |r: &reqwest::Response| {
        r.headers()
            .get("Idempotency-Replayed")
            .is_some_and(|v| v == "true")
    };
    let flags = [replayed(&a), replayed(&b)];
    let (sa, sb) = (a.status().as_u16(), b.status().as_u16());
    let (ba, bb) = (a.text().await.unwrap(), b.text().await.unwrap());
    assert_eq!((sa, sb), (201, 201), "{ba} {bb}");
    assert_eq!(
        flags.iter().filter(|f| **f).count(),
        1,
        "one replay: {flags:?}"
    );
    let parse = |t: &str| serde_json::from_str::<serde_json::Value>(t).unwrap();
    assert_eq!(
        parse(&ba),
        parse(&bb),
        "the replay answers the first response"
    );
    assert_eq!(app.scalar(orders).await, 3, "the key made one order");
    let imposed = "SELECT count(*) AS n FROM events WHERE type = 'restriction.imposed'";
    assert_eq!(
        app.scalar(imposed).await,
        3,
        "restriction.imposed once per order"
    );
}

#[tokio::test]
async fn keys_are_scoped_to_the_caller() {
    let app = spawn_app().await;
    let body = person_listing(&make_id("110105", "19800101", 71), 6);
    assert_eq!(post_with_key(&app, "shared", &body).await.status(), 201);
    // The same key from the supervisor is its own key: it runs (and meets the open listing).
    let r = app
        .client
        .post(app.url("/v1/listings"))
        .bearer_auth(app.supervisor("京"))
        .header("Idempotency-Key", "shared")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
}
