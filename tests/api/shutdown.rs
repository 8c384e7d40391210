//! A stop asked by the orchestrator (issue 16): SIGTERM to the real `shixin serve` in the middle of
//! a burst of writes, checks and deliveries. It exits 0 within 10 s; every acknowledged write is in
//! the database with its event, every answered check has its row in the check log, and no delivery
//! is left claimed (each is delivered or pending, its webhook free for the next instance).

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use serde_json::json;

use crate::{
    helpers::{TestApp, make_id, person_listing, spawn_app_with},
    receiver::Receiver,
    serve::Serve,
    webhooks::{list_person, register},
};

/// The real `shixin serve` on the database of `app` (loopback, port 0, no Redis), with `env` on
/// top, in a guard that stops it when it goes.
pub fn serve(app: &TestApp, env: &[(&str, &str)]) -> Serve {
    let mut serve = Serve::start(&app.db_url, env);
    serve.port();
    serve
}

/// Webhook claims held on the database (`worker::owner`: advisory locks in the space "SHWK").
pub const HELD_CLAIMS: &str = "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' \
     AND classid = 1397249867 AND objsubid = 2 \
     AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";

/// With a lease far longer than the test: a silent claim would stay.
fn start_serve(app: &TestApp) -> Serve {
    serve(
        app,
        &[
            ("SHIXIN_TICK_INTERVAL", "1s"),
            ("SHIXIN_WEBHOOK_ALLOW_PRIVATE", "true"),
            ("SHIXIN_WEBHOOK_LEASE", "120s"),
            ("SHIXIN_WEBHOOK_CONCURRENCY", "4"),
        ],
    )
}

async fn count(app: &TestApp, q: &str) -> i64 {
    app.scalar(q).await
}

#[tokio::test]
async fn sigterm_during_a_burst_exits_0_within_10_s_and_loses_or_strands_nothing() {
    let app = spawn_app_with(&[("SHIXIN_WEBHOOK_ALLOW_PRIVATE", "true")]).await;
    let rx = Receiver::start();
    // Slow answers: deliveries are in flight and claimed when the signal comes.
    rx.b.delay_ms.store(400, Ordering::SeqCst);
    let (subscriber_id, token) = app.subscriber_token("airline").await;
    register(&app, &token, json!({"url": rx.url("/stop")})).await;
    for seq in 1..=20 {
        list_person(&app, 800 + seq).await;
    }
    let mut child = start_serve(&app);
    let port = child.port();
    rx.wait_until(20, |g| !g.is_empty()).await;

    // The burst, against the real process: writes and checks until it stops answering.
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let court = app.court("京0105");
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let answered = Arc::new(AtomicU64::new(0));
    let halt = Arc::new(AtomicBool::new(false));
    let mut burst = Vec::new();
    for w in 0..4u32 {
        let (client, base, court, acked, halt) = (
            client.clone(),
            base.clone(),
            court.clone(),
            acked.clone(),
            halt.clone(),
        );
        burst.push(tokio::spawn(async move {
            for i in 0..10_000u32 {
                if halt.load(Ordering::SeqCst) {
                    break;
                }
                let seq = 100 + w * 10_000 + i;
                let body = person_listing(&make_id("110105", "19810101", seq % 1000), seq);
                let Ok(r) = client
                    .post(format!("{base}/v1/listings"))
                    .bearer_auth(&court)
                    .json(&body)
                    .send()
                    .await
                else {
                    continue;
                };
                if r.status() == 201
                    && let Ok(v) = r.json::<serde_json::Value>().await
                    && let Some(id) = v["id"].as_str()
                {
                    acked.lock().unwrap().push(id.to_string());
                }
            }
        }));
    }
    for _ in 0..4 {
        let (client, base, token, answered, halt) = (
            client.clone(),
            base.clone(),
            token.clone(),
            answered.clone(),
            halt.clone(),
        );
        burst.push(tokio::spawn(async move {
            for i in 0..100_000u32 {
                if halt.load(Ordering::SeqCst) {
                    break;
                }
                let body = json!({"subjects": [{"id_number": make_id("110105", "19800101", 800 + i % 40)}]});
                let Ok(r) = client
                    .post(format!("{base}/v1/checks"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                else {
                    continue;
                };
                if r.status() == 200 && r.bytes().await.is_ok() {
                    answered.fetch_add(1, Ordering::SeqCst);
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let claimed = count(&app, HELD_CLAIMS).await;

    let signalled = Instant::now();
    let exit = child
        .stop()
        .expect("the service did not stop within 10 s of SIGTERM");
    let took = signalled.elapsed();
    halt.store(true, Ordering::SeqCst);
    for t in burst {
        t.await.expect("burst task");
    }
    assert!(exit.success(), "exit status {exit:?}");
    assert!(took < Duration::from_secs(10), "stopped after {took:?}");

    // The burst really was one: writes acknowledged, checks answered, deliveries claimed.
    let acked = acked.lock().unwrap().clone();
    let answered = answered.load(Ordering::SeqCst);
    assert!(!acked.is_empty(), "no write was acknowledged");
    assert!(answered > 0, "no check was answered");
    assert!(claimed > 0, "no delivery was claimed at the signal");

    // Every acknowledged write is there, with its event.
    let ids = acked
        .iter()
        .map(|id| format!("'{id}'"))
        .collect::<Vec<_>>()
        .join(",");
    let stored = count(
        &app,
        &format!("SELECT count(*) AS n FROM listings WHERE id IN ({ids})"),
    )
    .await;
    assert_eq!(stored, acked.len() as i64, "acknowledged listings lost");
    let with_events = count(
        &app,
        &format!(
            "SELECT count(DISTINCT (data->>'listing_id')) AS n FROM events \
             WHERE type = 'listing.published' AND data->>'listing_id' IN ({ids})"
        ),
    )
    .await;
    assert_eq!(
        with_events,
        acked.len() as i64,
        "events of acknowledged listings lost"
    );

    // Every answered check is in the log.
    let logged = count(
        &app,
        &format!(
            "SELECT count(*) AS n FROM check_requests WHERE subscriber_id = '{subscriber_id}'"
        ),
    )
    .await;
    assert!(
        logged >= answered as i64,
        "{answered} checks answered, {logged} logged"
    );

    // No webhook stays claimed by a process that is gone.
    let stranded = count(&app, HELD_CLAIMS).await;
    assert_eq!(
        stranded, 0,
        "deliveries left claimed by the stopped process"
    );
}
