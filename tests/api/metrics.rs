//! `GET /metrics` (issue 7 "Metrics"): Prometheus text with requests by route pattern (never a path
//! with an ID number in it), cache lookups, check decisions, events, webhook attempts and the queue.

use serde_json::json;

use crate::{
    helpers::make_id,
    public_helpers::search,
    receiver::Receiver,
    webhooks::{list_person, register, wait_for_log, worker_app},
};

#[tokio::test]
async fn metrics_count_requests_by_route_checks_events_and_deliveries() {
    let app = worker_app(&[]).await;
    let rx = Receiver::start();
    let (_, token) = app.subscriber_token("airline").await;
    let (id, _, _) = register(&app, &token, json!({"url": rx.url("/m")})).await;
    let listing = list_person(&app, 901).await;
    let listed = make_id("110105", "19800101", 901);
    let (s, _) = app
        .check(&token, &json!({"subjects": [{"id_number": listed}, {"id_number": make_id("110105", "19900101", 7)}]}))
        .await;
    assert_eq!(s, 200);
    // A name is cached from its second lookup (the first stores nothing): the third is a hit.
    for _ in 0..3 {
        search(&app, "张三").await;
    }
    let detail = format!("/v1/public/listings/{}", listing["id"].as_str().unwrap());
    app.get(&detail, None).await;
    app.get(
        &format!("/v1/listings/{listed}"),
        Some(&app.court("京0105")),
    )
    .await;
    wait_for_log(&app, &token, &id, "delivered", 2).await;

    let r = app.get("/metrics", None).await;
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    for needle in [
        r#"shixin_http_requests_total{route="/v1/checks",method="POST",status="200"}"#,
        r#"route="/v1/public/listings/{id}""#,
        "shixin_http_request_duration_seconds_bucket{",
        r#"shixin_check_subjects_total{sector="airline",decision="deny"} 1"#,
        r#"shixin_check_subjects_total{sector="airline",decision="allow"} 1"#,
        r#"shixin_events_written_total{type="restriction.imposed"}"#,
        r#"shixin_webhook_attempts_total{outcome="delivered"}"#,
        "shixin_webhook_delivery_lag_seconds_bucket",
        r#"shixin_cache_lookups_total{result="hit"}"#,
        r#"shixin_cache_lookups_total{result="first"}"#,
        r#"shixin_cache_lookups_total{result="miss"}"#,
        "shixin_webhook_queue_pending 0",
        "shixin_db_pool_size",
    ] {
        assert!(body.contains(needle), "{needle} missing from:\n{body}");
    }
    assert!(!body.contains(&listed), "an ID number in the metrics");
    assert!(
        !body.contains(listing["id"].as_str().unwrap()),
        "a path in the metrics"
    );
}
