//! Authentication (docs/API.md "Authentication") and the authorization table of docs/LAW.md
//! "Roles", one test per row.

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;

use crate::helpers::{TEST_SECRET, json, make_id, person_listing, spawn_app};

fn claims(extra: serde_json::Value) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    let mut c = json!({"iss": "shixin", "aud": "shixin", "sub": "t", "exp": now + 600, "role": "court", "court": "京0105"});
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    c
}

fn hs(c: &serde_json::Value, secret: &str) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        c,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn missing_token_is_401_with_www_authenticate() {
    let app = spawn_app().await;
    let r = app.get("/v1/listings", None).await;
    assert_eq!(r.status(), 401);
    assert!(
        r.headers()
            .get("www-authenticate")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let (_, body) = json(r).await;
    assert_eq!(body["code"], "unauthorized");
}

#[tokio::test]
async fn bad_tokens_are_refused() {
    let app = spawn_app().await;
    let now = chrono::Utc::now().timestamp();
    let header_none = base64_url(r#"{"alg":"none","typ":"JWT"}"#);
    let payload = base64_url(&claims(json!({})).to_string());
    let cases = vec![
        (
            "expired",
            hs(&claims(json!({"exp": now - 120})), TEST_SECRET),
        ),
        (
            "not yet valid",
            hs(&claims(json!({"nbf": now + 600})), TEST_SECRET),
        ),
        (
            "wrong issuer",
            hs(&claims(json!({"iss": "other"})), TEST_SECRET),
        ),
        (
            "wrong audience",
            hs(&claims(json!({"aud": "other"})), TEST_SECRET),
        ),
        (
            "wrong secret",
            hs(&claims(json!({})), "another-secret-another-secret-123456"),
        ),
        ("alg none", format!("{header_none}.{payload}.")),
        (
            "unknown role",
            hs(&claims(json!({"role": "root"})), TEST_SECRET),
        ),
        (
            "court without court",
            hs(
                &json!({"iss":"shixin","aud":"shixin","sub":"t","exp": now + 600,"role":"court"}),
                TEST_SECRET,
            ),
        ),
        ("garbage", "not.a.token".to_string()),
    ];
    for (what, token) in cases {
        let r = app.get("/v1/listings", Some(&token)).await;
        assert_eq!(r.status(), 401, "{what} should be refused");
    }
    // The same claims, properly signed, pass: the table above fails for the stated reason.
    let ok = hs(&claims(json!({})), TEST_SECRET);
    assert_eq!(app.get("/v1/listings", Some(&ok)).await.status(), 200);
    // A tampered payload breaks the signature.
    let mut parts: Vec<String> = ok.split('.').map(str::to_string).collect();
    parts[1] = base64_url(&claims(json!({"court": "京0106"})).to_string());
    assert_eq!(
        app.get("/v1/listings", Some(&parts.join(".")))
            .await
            .status(),
        401
    );
}

fn base64_url(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

#[tokio::test]
async fn s5_court_lists_for_its_own_court_only() {
    let app = spawn_app().await;
    let body = person_listing(&make_id("110105", "19800101", 1), 1);
    let r = app.post("/v1/listings", &app.court("京0106"), &body).await;
    let (status, v) = json(r).await;
    assert_eq!(status, 403);
    assert_eq!(v["code"], "court_not_in_scope");
    assert_eq!(
        app.post("/v1/listings", &app.court("京0105"), &body)
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn s5_supervisor_acts_for_courts_under_it() {
    let app = spawn_app().await;
    // 京 (high court) is above 京01 which is above 京0105.
    let body = person_listing(&make_id("110105", "19800101", 3), 2);
    let r = app.post("/v1/listings", &app.supervisor("京"), &body).await;
    assert_eq!(r.status(), 201);
    let created: serde_json::Value = r.json().await.unwrap();
    let id = created["id"].as_str().unwrap();
    // An intermediate supervisor over it may remove it …
    let r = app
        .post_if(
            &format!("/v1/listings/{id}/removal"),
            &app.supervisor("京01"),
            1,
            &json!({"reason": "early_deletion"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    // … but a supervisor of another province may not act for 京0105.
    let body = person_listing(&make_id("110105", "19800101", 5), 3);
    let (status, v) = json(app.post("/v1/listings", &app.supervisor("粤"), &body).await).await;
    assert_eq!(status, 403);
    assert_eq!(v["code"], "court_not_in_scope");
}

#[tokio::test]
async fn s5_admin_cannot_create_or_change_listings() {
    let app = spawn_app().await;
    let body = person_listing(&make_id("110105", "19800101", 7), 4);
    let (status, v) = json(app.post("/v1/listings", &app.admin(), &body).await).await;
    assert_eq!(status, 403);
    assert_eq!(v["code"], "forbidden");
    let created = app.create_listing(&body.clone()).await;
    let id = created["id"].as_str().unwrap();
    let r = app
        .patch(
            &format!("/v1/listings/{id}"),
            &app.admin(),
            1,
            &json!({"obligation": "x"}),
        )
        .await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn s5_admin_manages_courts() {
    let app = spawn_app().await;
    let court = json!({"code": "京0108", "name": "北京市海淀区人民法院", "province": "北京市", "level": "basic", "parent_code": "京01"});
    assert_eq!(
        app.post("/v1/courts", &app.court("京0105"), &court)
            .await
            .status(),
        403
    );
    assert_eq!(
        app.post("/v1/courts", &app.admin(), &court).await.status(),
        201
    );
}

#[tokio::test]
async fn s5_subscriber_cannot_touch_listings() {
    let app = spawn_app().await;
    let token = app.token("subscriber", None);
    assert_eq!(app.get("/v1/listings", Some(&token)).await.status(), 403);
    let body = person_listing(&make_id("110105", "19800101", 9), 5);
    assert_eq!(app.post("/v1/listings", &token, &body).await.status(), 403);
}

#[tokio::test]
async fn s5_court_reads_all_listings() {
    let app = spawn_app().await;
    let created = app
        .create_listing(&person_listing(&make_id("110105", "19800101", 11), 6))
        .await;
    let id = created["id"].as_str().unwrap();
    // Another court, in another province, may read it.
    let r = app
        .get(&format!("/v1/listings/{id}"), Some(&app.court("粤0304")))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers().get("etag").unwrap(), "\"1\"");
}

#[tokio::test]
async fn s5_public_reads_courts_without_a_token() {
    let app = spawn_app().await;
    let (status, v) = json(app.get("/v1/courts/京", None).await).await;
    assert_eq!(status, 200);
    assert_eq!(v["name"], "北京市高级人民法院");
}

#[tokio::test]
async fn cli_token_is_accepted_by_the_service() {
    let app = spawn_app().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shixin"))
        .args([
            "token", "--role", "court", "--court", "京0105", "--ttl", "10m",
        ])
        .env("SHIXIN_JWT_SECRET", TEST_SECRET)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(out.status.success());
    let token = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        app.get("/v1/listings", Some(token.trim())).await.status(),
        200
    );
}
