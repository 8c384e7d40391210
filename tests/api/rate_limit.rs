//! The public rate limit (docs/API.md "Rate limit"): per client, in Redis or in process, 429 with
//! Retry-After.

use crate::{
    helpers::{TestApp, spawn_app_with},
    public_helpers::{public_raw, q, wait_redis_up},
};

async fn hit(app: &TestApp, xff: Option<&str>) -> (u16, Option<String>, String) {
    hit_lines(app, xff.as_slice()).await
}

/// A search with one `X-Forwarded-For` header line per item of `xff`, in order.
async fn hit_lines(app: &TestApp, xff: &[&str]) -> (u16, Option<String>, String) {
    let mut r = app
        .client
        .get(app.url(&format!("/v1/public/listings?name={}", q("张三"))));
    for x in xff {
        r = r.header("X-Forwarded-For", *x);
    }
    let r = r.send().await.unwrap();
    let s = r.status().as_u16();
    let ra = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = r.text().await.unwrap();
    if s == 429 {
        assert_eq!(ct, "application/problem+json");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["code"], "rate_limited");
        assert_eq!(v["status"], 429);
    }
    (s, ra, body)
}

/// Puts the instances' clocks one second into the next hour window, so that every request of the
/// test falls into one window (the windows are fixed, aligned to the hour).
fn at_a_window_start(apps: &[&TestApp]) {
    let offset = apps[0].clock.offset_to_next_window(
        std::time::Duration::from_secs(3600),
        chrono::Duration::seconds(1),
    );
    for app in apps {
        app.clock.set_offset(offset);
    }
}

/// An instance counting in the shared Redis, once Redis answers.
async fn redis_app(rate: &str) -> TestApp {
    let app = spawn_app_with(&[
        ("SHIXIN_PUBLIC_RATE_LIMIT", rate),
        ("REDIS_URL", "redis://127.0.0.1:6379"),
    ])
    .await;
    wait_redis_up(&app).await;
    app
}

async fn limits_per_client(app: &TestApp) {
    at_a_window_start(&[app]);
    for _ in 0..2 {
        assert_eq!(hit(app, None).await.0, 200);
    }
    // a malformed search counts too
    let (s, _, _) = public_raw(app, &format!("/v1/public/listings?name={}", q("张"))).await;
    assert_eq!(s, 400);
    let (s, retry_after, _) = hit(app, None).await;
    assert_eq!(s, 429);
    let secs: u64 = retry_after.unwrap().parse().unwrap();
    assert!((1..=3600).contains(&secs), "{secs}");
    // the HTML pages count too; operations do not
    let (s, h, page) = public_raw(app, "/").await;
    assert_eq!(s, 429);
    assert_eq!(h.get("content-type").unwrap(), "text/html; charset=utf-8");
    assert!(h.get("retry-after").is_some());
    assert!(page.contains("查询过于频繁"));
    assert_eq!(app.get("/healthz", None).await.status(), 200);
}

#[tokio::test]
async fn rate_limit_in_redis_returns_429_with_retry_after() {
    let app = redis_app("3/h").await;
    limits_per_client(&app).await;
}

#[tokio::test]
async fn rate_limit_in_process_without_redis() {
    let app = spawn_app_with(&[("SHIXIN_PUBLIC_RATE_LIMIT", "3/h"), ("REDIS_URL", "none")]).await;
    limits_per_client(&app).await;
}

#[tokio::test]
async fn rate_limit_is_shared_by_instances_through_redis() {
    let a = redis_app("4/h").await;
    // a second instance on the same database (the same deployment)
    let mut vars = std::collections::HashMap::new();
    vars.insert("DATABASE_URL".to_string(), a.db_url.clone());
    vars.insert("SHIXIN_BIND".to_string(), "127.0.0.1:0".to_string());
    vars.insert("SHIXIN_PUBLIC_RATE_LIMIT".to_string(), "4/h".to_string());
    let settings = shixin::config::Settings::from_map(&vars).unwrap();
    let b = shixin::startup::Application::build(settings).await.unwrap();
    let b_url = format!("http://127.0.0.1:{}", b.port());
    let b_clock = b.clock();
    tokio::spawn(b.run_until_stopped());
    for _ in 0..50 {
        let v: serde_json::Value = a
            .client
            .get(format!("{b_url}/readyz"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if v["redis"] == "up" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let path = format!("/v1/public/listings?name={}", q("张三"));
    // The other instance's clock, moved the same way.
    at_a_window_start(&[&a]);
    b_clock.set_offset(a.clock.offset());
    for _ in 0..2 {
        assert_eq!(hit(&a, None).await.0, 200);
        let r = a.client.get(format!("{b_url}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
    assert_eq!(hit(&a, None).await.0, 429);
    let r = a.client.get(format!("{b_url}{path}")).send().await.unwrap();
    assert_eq!(r.status(), 429);
}

#[tokio::test]
async fn rate_limit_believes_x_forwarded_for_only_from_trusted_proxies() {
    // The test client is 127.0.0.1: trusted here, so X-Forwarded-For names the client.
    let app = spawn_app_with(&[
        ("SHIXIN_PUBLIC_RATE_LIMIT", "2/h"),
        ("SHIXIN_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1"),
    ])
    .await;
    wait_up(&app).await;
    at_a_window_start(&[&app]);
    for _ in 0..2 {
        assert_eq!(hit(&app, Some("203.0.113.7")).await.0, 200);
    }
    assert_eq!(hit(&app, Some("203.0.113.7")).await.0, 429);
    assert_eq!(
        hit(&app, Some("198.51.100.1, 10.1.2.3")).await.0,
        200,
        "another client"
    );
    assert_eq!(
        hit(&app, Some("203.0.113.7, 10.9.9.9")).await.0,
        429,
        "the same client behind two proxies"
    );
    assert_eq!(
        hit(&app, Some("203.0.113.7:4711")).await.0,
        429,
        "the same client, with a port"
    );
    // Two header lines: the client's own (forged) line first, the proxies' line after it.
    assert_eq!(
        hit_lines(&app, &["192.0.2.99", "203.0.113.7, 10.9.9.9"])
            .await
            .0,
        429,
        "a forged first line does not make a new client"
    );
    assert_eq!(
        hit_lines(&app, &["203.0.113.7", "198.51.100.50"]).await.0,
        200,
        "the second line names the client"
    );

    // Untrusted peer: X-Forwarded-For is ignored (a client cannot escape by inventing addresses).
    let app = spawn_app_with(&[("SHIXIN_PUBLIC_RATE_LIMIT", "2/h")]).await;
    wait_up(&app).await;
    at_a_window_start(&[&app]);
    assert_eq!(hit(&app, Some("1.1.1.1")).await.0, 200);
    assert_eq!(hit(&app, Some("2.2.2.2")).await.0, 200);
    assert_eq!(hit(&app, Some("3.3.3.3")).await.0, 429);
}

/// Waits for Redis when the suite runs with it (SHIXIN_TEST_REDIS_URL=none runs without).
async fn wait_up(app: &TestApp) {
    if app.settings.redis_url.is_some() {
        wait_redis_up(app).await;
    }
}

/// A name's first lookup runs its query while its count comes back from Redis; once its client has
/// been refused, the count comes first and a refused lookup sends no query.
#[tokio::test]
async fn rate_limit_a_refused_client_costs_no_query() {
    let app = redis_app("3/h").await;
    at_a_window_start(&[&app]);
    let raw = |i: u32| {
        let path = format!("/v1/public/listings?name={}", q(&format!("钱新{i}")));
        let app = &app;
        async move { public_raw(app, &path).await }
    };
    for i in 0..3 {
        assert_eq!(raw(i).await.0, 200, "lookup {i}");
    }
    let before = app.metric("shixin_public_read_batches_total").await;
    assert!(before >= 3, "first lookups read PostgreSQL: {before}");
    // A first lookup's refusal is the API's 429: problem+json and Retry-After.
    let (s, h, body) = raw(3).await;
    assert_eq!(s, 429);
    assert_eq!(h["content-type"], "application/problem+json");
    assert!(body.contains("rate_limited"), "{body}");
    let secs: u64 = h["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&secs), "{secs}");
    let after_first_refusal = app.metric("shixin_public_read_batches_total").await;
    for i in 4..10 {
        assert_eq!(raw(i).await.0, 429, "lookup {i}");
    }
    assert_eq!(
        app.metric("shixin_public_read_batches_total").await,
        after_first_refusal,
        "a refused client's lookups sent no query"
    );
}
