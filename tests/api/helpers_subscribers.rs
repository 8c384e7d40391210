//! The harness, continued: subscribers and their tokens, checks, and the outbox as the tests read it.

use diesel::{QueryableByName, sql_query, sql_types::Text};
use serde_json::{Value, json};

use crate::helpers::{TestApp, json};

impl TestApp {
    /// Registers a subscriber of `sector`; answers (id, client_id, client_secret).
    pub async fn subscriber(&self, sector: &str) -> (String, String, String) {
        let (s, v) = json(
            self.post(
                "/v1/subscribers",
                &self.admin(),
                &json!({"name": format!("{sector} test"), "sector": sector}),
            )
            .await,
        )
        .await;
        assert_eq!(s, 201, "{v}");
        let f = |k: &str| v[k].as_str().expect("field").to_string();
        (f("id"), f("client_id"), f("client_secret"))
    }

    /// A bearer token from `POST /v1/oauth/token` (HTTP Basic).
    pub async fn oauth_token(&self, client_id: &str, secret: &str) -> reqwest::Response {
        self.client
            .post(self.url("/v1/oauth/token"))
            .basic_auth(client_id, Some(secret))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
            .await
            .expect("request")
    }

    /// A subscriber of `sector` and its token.
    pub async fn subscriber_token(&self, sector: &str) -> (String, String) {
        let (id, client_id, secret) = self.subscriber(sector).await;
        let (s, v) = json(self.oauth_token(&client_id, &secret).await).await;
        assert_eq!(s, 200, "{v}");
        (id, v["access_token"].as_str().expect("token").to_string())
    }

    pub async fn check(&self, token: &str, body: &Value) -> (u16, Value) {
        json(self.post("/v1/checks", token, body).await).await
    }
}

#[derive(QueryableByName)]
struct EventRow {
    #[diesel(sql_type = Text)]
    r#type: String,
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    data: Value,
}

/// Every event of the outbox, in sequence order: (type, data).
pub async fn events(app: &TestApp) -> Vec<(String, Value)> {
    let mut conn = app.db().await;
    let rows: Vec<EventRow> = diesel_async::RunQueryDsl::load(
        sql_query("SELECT type, data FROM events ORDER BY seq"),
        &mut conn,
    )
    .await
    .expect("events");
    rows.into_iter().map(|e| (e.r#type, e.data)).collect()
}
