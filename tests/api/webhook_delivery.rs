//! Webhook delivery under trouble (issue 6 "Reliability tests"): a receiver failing then
//! recovering, `Retry-After`, 410, a used-up schedule and replay, sustained failure, a hung receiver,
//! the SSRF guard at delivery time, order, and two instances delivering each event once.

use std::{
    collections::HashMap,
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

use serde_json::json;

use crate::{
    helpers::{json, spawn_app_with, spawn_instance},
    receiver::Receiver,
    webhooks::{list_person, register, wait_for_log, worker_app},
};

#[tokio::test]
async fn a_receiver_failing_for_a_while_then_recovering_gets_every_event_in_feed_order() {
    let app = worker_app(&[("SHIXIN_WEBHOOK_RETRY_SCHEDULE", &["200ms"; 30].join(","))]).await;
    let rx = Receiver::start();
    let (_, token) = app.subscriber_token("airline").await;
    let (id, _, _) = register(&app, &token, json!({"url": rx.url("/f")})).await;
    rx.set_status(500);
    for seq in 1..=5 {
        list_person(&app, 100 + seq).await;
    }
    // Only the first event in feed order is tried again and again: the others wait behind it.
    let failing = rx.wait_until(10, |g| g.len() >= 4).await;
    let heads: std::collections::HashSet<_> = failing.iter().map(|r| r.id.clone()).collect();
    assert_eq!(heads.len(), 1, "only the head is retried: {heads:?}");
    let failing = app.get_json(&format!("/v1/webhooks/{id}"), &token).await;
    assert!(failing["failing_since"].is_string(), "{failing}");
    rx.set_status(200);
    let log = wait_for_log(&app, &token, &id, "delivered", 10).await;
    let retried = log
        .iter()
        .filter(|d| d["attempts"].as_i64() >= Some(2))
        .count();
    assert_eq!(retried, 1, "the head alone was retried: {log:?}");
    let got = rx.got();
    let ids: Vec<_> = got.iter().map(|r| r.id.clone()).collect();
    let mut firsts = ids.clone();
    firsts.dedup();
    assert_eq!(
        firsts.len(),
        10,
        "every event arrived, each once after the head: {ids:?}"
    );
    let feed = app.get_json("/v1/feed?limit=100", &token).await;
    let in_feed: Vec<_> = feed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(firsts, in_feed, "in feed order");
    let healed = app.get_json(&format!("/v1/webhooks/{id}"), &token).await;
    assert_eq!(healed["failing_since"], serde_json::Value::Null, "{healed}");
    let head = log
        .iter()
        .find(|d| d["attempts"].as_i64() >= Some(2))
        .unwrap();
    let detail = app
        .get_json(
            &format!("/v1/webhooks/{id}/deliveries/{}", head["id"]),
            &token,
        )
        .await;
    let attempts = detail["attempts_log"].as_array().unwrap();
    assert_eq!(attempts[0]["status_code"], 500);
    assert_eq!(attempts[0]["error"], "http_status");
    assert_eq!(attempts.last().unwrap()["status_code"], 200);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let app = worker_app(&[]).await;
    let rx = Receiver::start();
    let (_, token) = app.subscriber_token("airline").await;
    let (id, _, _) = register(&app, &token, json!({"url": rx.url("/ra")})).await;
    rx.set_status(503);
    rx.b.retry_after.store(2, Ordering::SeqCst);
    app.post(&format!("/v1/webhooks/{id}/test"), &token, &json!({}))
        .await;
    let first = rx.wait_until(10, |g| !g.is_empty()).await[0].at;
    rx.set_status(200);
    let got = rx.wait_until(10, |g| g.len() >= 2).await;
    let waited = got[1].at - first;
    assert!(
        waited >= Duration::from_millis(1900),
        "retried after {waited:?}, not 2 s"
    );
}

#[tokio::test]
async fn gone_disables_the_webhook_and_nothing_is_dropped_until_it_is_enabled_again() {
    let app = worker_app(&[]).await;
    let rx = Receiver::start();
    let (_, token) = app.subscriber_token("airline").await;
    let (id, _, _) = register(&app, &token, json!({"url": rx.url("/g")})).await;
    rx.set_status(410);
    app.post(&format!("/v1/webhooks/{id}/test"), &token, &json!({}))
        .await;
    rx.wait_until(10, |g| !g.is_empty()).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let w = loop {
        let w = app.get_json(&format!("/v1/webhooks/{id}"), &token).await;
        if w["enabled"] == false || Instant::now() > deadline {
            break w;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        (w["enabled"].as_bool(), w["disabled_reason"].as_str()),
        (Some(false), Some("gone")),
        "{w}"
    );
    wait_for_log(&app, &token, &id, "pending", 1).await;
    // No waiting for "nothing more arrived": make the kept delivery due now, then send through
    // another webhook. The worker lists the due webhooks in one statement, so the look that finds
    // the barrier's delivery would have found this one too, were disabled webhooks not skipped.
    rx.set_status(200);
    app.sql(&format!(
        "UPDATE webhook_deliveries SET next_attempt_at = now() WHERE webhook_id = '{id}'"
    ))
    .await;
    let (barrier, _, _) = register(&app, &token, json!({"url": rx.url("/barrier")})).await;
    app.post(&format!("/v1/webhooks/{barrier}/test"), &token, &json!({}))
        .await;
    wait_for_log(&app, &token, &barrier, "delivered", 1).await;
    let sent = rx.got().iter().filter(|r| r.path == "/g").count();
    assert_eq!(sent, 1, "a disabled webhook is not sent to");
    let touched = app
        .scalar(&format!(
            "SELECT count(*) AS n FROM webhook_deliveries WHERE webhook_id = '{id}' \
             AND (attempts <> 1 OR status <> 'pending')"
        ))
        .await;
    assert_eq!(touched, 0, "nor claimed: its delivery waits, untouched");
    let (s, v) = json(
        app.patch(
            &format!("/v1/webhooks/{id}"),
            &token,
            w["version"].as_i64().unwrap(),
            &json!({"enabled": true}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    rx.wait_until(10, |g| g.len() >= 2).await;
    wait_for_log(&app, &token, &id, "delivered", 1).await;
}

#[tokio::test]
async fn a_used_up_schedule_marks_the_delivery_failed_and_replay_sends_it_again() {
    let app = worker_app(&[("SHIXIN_WEBHOOK_RETRY_SCHEDULE", "100ms,100ms")]).await;
    let rx = Receiver::start();
    let (_, token) = app.subscriber_token("airline").await;
    let (id, _, _) = register(&app, &token, json!({"url": rx.url("/x")})).await;
    rx.set_status(500);
    app.post(&format!("/v1/webhooks/{id}/test"), &token, &json!({}))
        .await;
    let failed = wait_for_log(&app, &token, &id, "failed", 1).await;
    assert_eq!(failed[0]["attempts"], 3, "one attempt and two retries");
    assert_eq!(rx.got().len(), 3);
    rx.set_status(200);
    let (s, v) = json(
        app.post(&format!("/v1/webhooks/{id}/replay"), &token, &json!({}))
            .await,
    )
    .await;
    assert_eq!((s, v["queued"].as_u64()), (202, Some(1)), "{v}");
    wait_for_log(&app, &token, &id, "delivered", 1).await;
    assert_eq!(rx.got().len(), 4);
}

#[tokio::test]
async fn sustained_failure_disables_the_webhook() {
    let app = worker_app(&[
        ("SHIXIN_WEBHOOK_DISABLE_AFTER", "1s"),
        (
            "SHIXIN_WEBHOOK_RETRY_SCHEDULE",
            "300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms",
        ),
    ])
    .await;
    let rx = Receiver::start();
    let (_, token) = app.subscriber_token("airline").await;
    let (id, _, _) = register(&app, &token, json!({"url": rx.url("/s")})).await;
    rx.set_status(502);
    app.post(&format!("/v1/webhooks/{id}/test"), &token, &json!({}))
        .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let w = app.get_json(&format!("/v1/webhooks/{id}"), &token).await;
        if w["enabled"] == false {
            assert_eq!(w["disabled_reason"], "failing");
            break;
        }
        assert!(Instant::now() < deadline, "not disabled: {w}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_hung_receiver_does_not_delay_other_webhooks() {
    // A hung request lasts the whole 30 s timeout; the other webhook's notices must not wait for it.
    let app = worker_app(&[("SHIXIN_WEBHOOK_TIMEOUT", "30s")]).await;
    let rx = Receiver::start();
    rx.b.hang.lock().unwrap().push("/hung".into());
    let (_, token) = app.subscriber_token("airline").await;
    register(&app, &token, json!({"url": rx.url("/hung")})).await;
    register(&app, &token, json!({"url": rx.url("/fine")})).await;
    let start = Instant::now();
    for seq in 1..=3 {
        list_person(&app, 200 + seq).await;
    }
    rx.wait_until(15, |g| g.iter().filter(|r| r.path == "/fine").count() >= 6)
        .await;
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "took {:?}",
        start.elapsed()
    );
    assert!(
        rx.got().iter().all(|r| r.path == "/fine"),
        "the hung one never answered"
    );
}

#[tokio::test]
async fn the_guard_refuses_a_private_address_at_delivery_time() {
    // Registered while private addresses were allowed; delivered by an instance that refuses them.
    let first = spawn_app_with(&[("SHIXIN_WEBHOOK_ALLOW_PRIVATE", "true")]).await;
    let rx = Receiver::start();
    let (_, token) = first.subscriber_token("airline").await;
    let (id, _, _) = register(&first, &token, json!({"url": rx.url("/p")})).await;
    let strict = spawn_instance(&first, &[("SHIXIN_WEBHOOK_CONCURRENCY", "4")]).await;
    first
        .post(&format!("/v1/webhooks/{id}/test"), &token, &json!({}))
        .await;
    let d = wait_for_log(&first, &token, &id, "pending", 1).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut d = d[0].clone();
    while d["attempts"] == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        d = wait_for_log(&first, &token, &id, "pending", 1).await[0].clone();
    }
    assert_eq!(d["last_attempt"]["error"], "webhook_url_not_allowed", "{d}");
    assert!(rx.got().is_empty());
    drop(strict);
}

#[tokio::test]
async fn a_webhook_that_keeps_up_gets_events_in_order() {
    let app = worker_app(&[]).await;
    let rx = Receiver::start();
    let (_, token) = app.subscriber_token("airline").await;
    register(&app, &token, json!({"url": rx.url("/o")})).await;
    for seq in 1..=20 {
        list_person(&app, 300 + seq).await;
    }
    let got = rx.wait_until(15, |g| g.len() >= 40).await;
    let seqs: Vec<i64> = got
        .iter()
        .map(|r| {
            let c = r.json()["cursor"].as_str().unwrap().to_string();
            let raw = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, c)
                .unwrap();
            let text = String::from_utf8(raw).unwrap();
            text.split(':').nth(1).unwrap().parse().unwrap()
        })
        .collect();
    let mut sorted = seqs.clone();
    sorted.sort();
    assert_eq!(seqs, sorted, "delivered in the order of the feed");
}

#[tokio::test]
async fn two_instances_deliver_each_event_to_each_webhook_once() {
    let a = worker_app(&[]).await;
    let b = spawn_instance(
        &a,
        &[
            ("SHIXIN_WEBHOOK_CONCURRENCY", "8"),
            ("SHIXIN_WEBHOOK_ALLOW_PRIVATE", "true"),
        ],
    )
    .await;
    let rx = Receiver::start();
    let (_, token) = a.subscriber_token("airline").await;
    for path in ["/one", "/two", "/three"] {
        register(&a, &token, json!({"url": rx.url(path)})).await;
    }
    let writes = (1..=30).map(|seq| {
        let app = if seq % 2 == 0 { &a } else { &b };
        list_person(app, 400 + seq)
    });
    futures_util::future::join_all(writes).await;
    rx.wait_until(30, |g| g.len() >= 180).await;
    // Not "wait, then nothing more arrived": wait until every delivery is recorded as delivered and
    // no webhook is claimed, so no send of either instance is still under way.
    let deadline = Instant::now() + Duration::from_secs(15);
    let open = format!(
        "SELECT (SELECT count(*) FROM webhook_deliveries WHERE status <> 'delivered') + ({}) AS n",
        crate::shutdown::HELD_CLAIMS
    );
    while a.scalar(&open).await > 0 {
        assert!(Instant::now() < deadline, "deliveries still open");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut count: HashMap<(String, String), usize> = HashMap::new();
    for r in rx.got() {
        *count.entry((r.path.clone(), r.id.clone())).or_default() += 1;
    }
    assert_eq!(count.len(), 180, "60 events × 3 webhooks");
    let twice: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
}

#[tokio::test]
async fn the_tick_prunes_delivered_deliveries_after_the_retention() {
    let app = worker_app(&[("SHIXIN_WEBHOOK_RETENTION", "1d")]).await;
    let rx = Receiver::start();
    let (_, token) = app.subscriber_token("airline").await;
    let (kept, _, _) = register(&app, &token, json!({"url": rx.url("/gone")})).await;
    let (pruned, _, _) = register(&app, &token, json!({"url": rx.url("/ok")})).await;
    rx.set_status(410);
    app.post(&format!("/v1/webhooks/{kept}/test"), &token, &json!({}))
        .await;
    rx.wait_until(10, |g| !g.is_empty()).await;
    rx.set_status(200);
    app.post(&format!("/v1/webhooks/{pruned}/test"), &token, &json!({}))
        .await;
    wait_for_log(&app, &token, &pruned, "delivered", 1).await;
    app.sql("UPDATE webhook_deliveries SET delivered_at = now() - interval '2 days', created_at = now() - interval '2 days' WHERE status = 'delivered'")
        .await;
    assert_eq!(app.tick().await.deliveries_pruned, 1);
    let log = |id: String| {
        let app = &app;
        let token = &token;
        async move {
            app.get_json(&format!("/v1/webhooks/{id}/deliveries"), token)
                .await["items"]
                .as_array()
                .unwrap()
                .clone()
        }
    };
    assert!(log(pruned).await.is_empty());
    let left = log(kept).await;
    assert_eq!(left.len(), 1, "the undelivered one is kept");
    assert_eq!(left[0]["status"], "pending");
}
