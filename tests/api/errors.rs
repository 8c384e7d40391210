//! problem+json for everything, with stable codes (bodies pinned with snapshots).

use serde_json::Value;

use crate::helpers::{json, make_id, person_listing, spawn_app};

fn pin(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("detail");
        if let Some(Value::Array(errs)) = o.get_mut("errors") {
            for e in errs {
                if let Some(e) = e.as_object_mut() {
                    e.remove("message");
                }
            }
        }
    }
    v
}

#[tokio::test]
async fn unknown_route_is_404_problem() {
    let app = spawn_app().await;
    let r = app.get("/v1/nowhere", None).await;
    assert_eq!(
        r.headers().get("content-type").unwrap(),
        "application/problem+json"
    );
    let (s, v) = json(r).await;
    assert_eq!(s, 404);
    insta::assert_json_snapshot!(pin(&v));
}

#[tokio::test]
async fn wrong_method_is_405_with_allow() {
    let app = spawn_app().await;
    let r = app
        .client
        .delete(app.url("/v1/listings"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers().get("allow").unwrap(), "GET, POST");
    let (_, v) = json(r).await;
    insta::assert_json_snapshot!(pin(&v));
}

#[tokio::test]
async fn malformed_json_is_400_and_wrong_shape_is_422() {
    let app = spawn_app().await;
    let token = app.court("京0105");
    let r = app
        .client
        .post(app.url("/v1/listings"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"debtor\": ")
        .send()
        .await
        .unwrap();
    let (s, v) = json(r).await;
    assert_eq!(s, 400);
    insta::assert_json_snapshot!("malformed_json", pin(&v));
    let (s, v) = json(
        app.post("/v1/listings", &token, &serde_json::json!({"debtor": 5}))
            .await,
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(v["code"], "invalid_body");
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let app = spawn_app().await;
    let r = app
        .client
        .post(app.url("/v1/listings"))
        .bearer_auth(app.court("京0105"))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    let (s, v) = json(r).await;
    assert_eq!(s, 415);
    assert_eq!(v["code"], "unsupported_media_type");
}

#[tokio::test]
async fn oversized_body_is_413() {
    let app = spawn_app().await;
    let big = format!("{{\"obligation\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let r = app
        .client
        .post(app.url("/v1/listings"))
        .bearer_auth(app.court("京0105"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    let (s, v) = json(r).await;
    assert_eq!(s, 413);
    assert_eq!(v["code"], "payload_too_large");
}

#[tokio::test]
async fn validation_error_body_is_pinned() {
    let app = spawn_app().await;
    let (s, v) = json(
        app.post(
            "/v1/listings",
            &app.court("京0105"),
            &person_listing("110105194912310021", 1),
        )
        .await,
    )
    .await;
    assert_eq!(s, 422);
    insta::assert_json_snapshot!(pin(&v));
}

#[tokio::test]
async fn bad_path_and_query_parameters_are_not_500() {
    let app = spawn_app().await;
    let token = app.court("京0105");
    for path in [
        "/v1/listings/not-a-uuid",
        "/v1/listings/not-a-uuid/history",
        "/v1/listings?limit=abc",
        "/v1/listings?cursor=%%%",
        "/v1/listings?id_number=123",
        "/v1/courts?limit=-1",
        "/v1/courts/%E4%BD%A0",
        // A NUL character, which PostgreSQL text cannot hold (schemathesis found this one as 500).
        "/v1/courts?limit=5&province=%C2%92%00%7B",
        "/v1/public/listings?name=%E5%BC%A0%00",
        "/v1/courts/%00",
    ] {
        let r = app.get(path, Some(&token)).await;
        let s = r.status().as_u16();
        assert!((400..500).contains(&s), "{path} answered {s}");
        assert_eq!(
            r.headers().get("content-type").unwrap(),
            "application/problem+json",
            "{path}"
        );
    }
    // A removal and a patch on a listing that does not exist are 404, not 500.
    let id = uuid::Uuid::new_v4();
    let r = app
        .post_if(
            &format!("/v1/listings/{id}/removal"),
            &token,
            1,
            &serde_json::json!({"reason": "performed"}),
        )
        .await;
    assert_eq!(r.status(), 404);
    let _ = make_id("110105", "19800101", 1);
}
