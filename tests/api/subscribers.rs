//! Subscribers and OAuth client credentials (docs/API.md "Authentication", "Courts and
//! subscribers").

use serde_json::json;

use crate::helpers::{json, spawn_app};

#[tokio::test]
async fn admin_registers_a_subscriber_whose_secret_is_shown_once() {
    let app = spawn_app().await;
    let (id, client_id, secret) = app.subscriber("airline").await;
    assert!(secret.len() > 40);
    let (s, v) = json(app.get("/v1/subscribers", Some(&app.admin())).await).await;
    assert_eq!(s, 200);
    let item = &v["items"][0];
    assert_eq!(item["id"], id.as_str());
    assert_eq!(item["client_id"], client_id.as_str());
    assert!(
        !v.to_string().contains(&secret),
        "the secret is shown only on creation"
    );
    assert!(item.get("secret_hash").is_none());
    let (s, v) = json(
        app.post(
            "/v1/subscribers",
            &app.admin(),
            &json!({"name": "x", "sector": "casino"}),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (422, Some("invalid_value")));
    assert_eq!(
        app.post(
            "/v1/subscribers",
            &app.court("京0105"),
            &json!({"name": "x", "sector": "rail"})
        )
        .await
        .status(),
        403
    );
}

#[tokio::test]
async fn client_credentials_by_basic_or_form_give_a_subscriber_token() {
    let app = spawn_app().await;
    let (_, client_id, secret) = app.subscriber("rail").await;
    let r = app.oauth_token(&client_id, &secret).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers().get("cache-control").unwrap(), "no-store");
    let (_, v) = json(r).await;
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 900);
    let form =
        format!("grant_type=client_credentials&client_id={client_id}&client_secret={secret}");
    let r = app
        .client
        .post(app.url("/v1/oauth/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Wrong secret, unknown client, wrong grant.
    let (s, v) = json(app.oauth_token(&client_id, "wrong").await).await;
    assert_eq!((s, v["error"].as_str()), (401, Some("invalid_client")));
    let (s, _) = json(app.oauth_token("nobody", &secret).await).await;
    assert_eq!(s, 401);
    let r = app
        .client
        .post(app.url("/v1/oauth/token"))
        .basic_auth(&client_id, Some(&secret))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=password")
        .send()
        .await
        .unwrap();
    let (s, v) = json(r).await;
    assert_eq!(
        (s, v["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
}

#[tokio::test]
async fn a_disabled_subscriber_is_refused_at_once() {
    let app = spawn_app().await;
    let (id, token) = app.subscriber_token("airline").await;
    let body = json!({"subjects": [{"id_number": "11010519491231002X"}]});
    assert_eq!(app.check(&token, &body).await.0, 200);
    let r = app
        .client
        .patch(app.url(&format!("/v1/subscribers/{id}")))
        .bearer_auth(app.admin())
        .json(&json!({"enabled": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (s, v) = app.check(&token, &body).await;
    assert_eq!((s, v["code"].as_str()), (401, Some("unauthorized")));
    // Its credentials no longer give tokens either.
    let (_, v) = json(app.get("/v1/subscribers", Some(&app.admin())).await).await;
    assert_eq!(v["items"][0]["enabled"], false);
}

#[tokio::test]
async fn rotating_the_secret_retires_the_old_one() {
    let app = spawn_app().await;
    let (id, client_id, old) = app.subscriber("finance").await;
    let (s, v) = json(
        app.client
            .post(app.url(&format!("/v1/subscribers/{id}/secret/rotate")))
            .bearer_auth(app.admin())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        v["scope"], "all",
        "the rotation answers the whole subscriber: {v}"
    );
    let new = v["client_secret"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert_eq!(app.oauth_token(&client_id, &old).await.status(), 401);
    assert_eq!(app.oauth_token(&client_id, &new).await.status(), 200);
}

#[tokio::test]
async fn s5_subscribers_check_but_courts_and_admins_do_not() {
    let app = spawn_app().await;
    let body = json!({"subjects": [{"id_number": "11010519491231002X"}]});
    assert_eq!(app.check(&app.court("京0105"), &body).await.0, 403);
    assert_eq!(app.check(&app.admin(), &body).await.0, 403);
    // A subscriber token for a subscriber that does not exist is refused.
    let forged = app.token("subscriber", None);
    assert_eq!(app.check(&forged, &body).await.0, 401);
}
