//! Issue 21 item 5, instances under churn: three real `shixin serve` processes on one database and
//! one Redis, behind no balancer, all delivering webhooks (lease 2 s). For `SHIXIN_CHURN_SECS`
//! (default 60) clients spread writes, checks and public searches over them, while every 10 s one
//! instance in turn is killed with `kill -9` and started again on its port. Each write carries an
//! `Idempotency-Key` and goes again, with the same key, to the next instance after a connection
//! error, a 503 or a 409 "still running"; every fourth one also after its answer, as if that answer
//! had been lost, and must be answered the same. Then: every acknowledged write is stored exactly
//! once (with its events), every committed event reached every webhook it concerns at least once
//! (duplicates counted), nothing answered an unexpected status (no 500), and the audit chain
//! verifies (`shixin audit verify`).

use std::{
    collections::HashSet,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use serde_json::json;

use crate::{
    helpers::spawn_app_with,
    public_helpers::{NO_LIMIT, wait_redis_up},
    receiver::Receiver,
    serve::Serve,
    webhooks::register,
};

mod check;
mod client;

use check::HOOKS;
use client::{Spread, reader, writer};

const REDIS: (&str, &str) = ("REDIS_URL", "redis://127.0.0.1:6379");
const ALLOW_PRIVATE: (&str, &str) = ("SHIXIN_WEBHOOK_ALLOW_PRIVATE", "true");

/// The three instances, each in a guard that stops it when the cluster goes (also on a panic).
struct Cluster {
    db_url: String,
    ports: Vec<u16>,
    serves: Mutex<Vec<Serve>>,
}

/// One instance on `port` (0: any), delivering webhooks with the default settings, ticking every
/// second.
fn instance(db_url: &str, port: u16) -> Serve {
    let bind = format!("127.0.0.1:{port}");
    Serve::start(
        db_url,
        &[
            ("SHIXIN_BIND", bind.as_str()),
            REDIS,
            NO_LIMIT,
            ("SHIXIN_TICK_INTERVAL", "1s"),
            ALLOW_PRIVATE,
            ("SHIXIN_WEBHOOK_CONCURRENCY", "4"),
        ],
    )
}

impl Cluster {
    fn start(db_url: &str) -> Cluster {
        let mut serves: Vec<Serve> = (0..3).map(|_| instance(db_url, 0)).collect();
        let ports = serves.iter_mut().map(Serve::port).collect();
        Cluster {
            db_url: db_url.to_string(),
            ports,
            serves: Mutex::new(serves),
        }
    }

    /// `kill -9` of instance `i`, then started again on its port; answers how long it was down.
    fn churn(&self, i: usize) -> Duration {
        let mut serves = self.serves.lock().unwrap();
        serves[i].kill_9();
        let killed = Instant::now();
        let mut again = instance(&self.db_url, self.ports[i]);
        assert_eq!(again.port(), self.ports[i], "restarted on another port");
        serves[i] = again;
        killed.elapsed()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn churn_three_instances_killed_in_turn_lose_nothing() {
    let secs: u64 = std::env::var("SHIXIN_CHURN_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let began = Instant::now();
    let app = spawn_app_with(&[NO_LIMIT, REDIS, ALLOW_PRIVATE]).await;
    wait_redis_up(&app).await;
    let rx = Receiver::start();
    // Each delivery takes a little time, so that the instance killed often holds claimed ones (the
    // receivers still keep up with the writes).
    rx.b.delay_ms.store(15, Ordering::SeqCst);
    let mut tokens = Vec::new();
    for hook in HOOKS {
        let (_, token) = app.subscriber_token(hook.sector).await;
        let mut body = json!({"url": rx.url(hook.path)});
        if let Some(types) = hook.types {
            body["event_types"] = json!(types);
        }
        register(&app, &token, body).await;
        tokens.push(token);
    }
    let baseline = app
        .scalar("SELECT coalesce(max(seq), 0) AS n FROM events")
        .await;
    let db_url = app.db_url.clone();
    let cluster = tokio::task::spawn_blocking(move || Arc::new(Cluster::start(&db_url)));
    let cluster = cluster.await.unwrap();

    let spread = Spread {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap(),
        ports: Arc::new(cluster.ports.clone()),
        tally: Arc::default(),
    };
    let halt = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for w in 0..3 {
        let court = app.court("京0105");
        clients.push(tokio::spawn(writer(spread.clone(), w, court, halt.clone())));
    }
    for (r, token) in tokens.iter().enumerate() {
        let reader = reader(spread.clone(), r as u32, token.clone(), halt.clone());
        clients.push(tokio::spawn(reader));
    }
    let load = Instant::now();
    let mut downtimes = Vec::new();
    for k in 1..secs.div_ceil(10) {
        tokio::time::sleep_until((load + Duration::from_secs(10 * k)).into()).await;
        let c = cluster.clone();
        let i = ((k - 1) % 3) as usize;
        downtimes.push(
            tokio::task::spawn_blocking(move || c.churn(i))
                .await
                .unwrap(),
        );
    }
    tokio::time::sleep_until((load + Duration::from_secs(secs)).into()).await;
    halt.store(true, Ordering::SeqCst);
    // Each call gives up after 30 s; a writer makes at most three after the halt.
    let joined = tokio::time::timeout(Duration::from_secs(100), async {
        for c in clients {
            c.await.expect("a client panicked");
        }
    });
    joined.await.expect("the clients did not stop");
    let tally = std::mem::take(&mut *spread.tally.lock().unwrap());

    let mut problems: Vec<String> = tally.failures.iter().take(10).cloned().collect();
    check::check_writes(&app, &tally, &mut problems).await;
    check::check_log(&app, &tally, &mut problems).await;
    check::check_events(&app, &tally, baseline, &mut problems).await;
    // Every event each webhook should get arrives (60 s at most), and no delivery is left queued.
    let expected = check::expected(&app, baseline).await;
    let fanned: usize = expected.values().map(HashSet::len).sum();
    let queued = "SELECT count(*) AS n FROM webhook_deliveries";
    let stored = app.scalar(queued).await;
    if stored != fanned as i64 {
        problems.push(format!("{stored} deliveries queued, {fanned} expected"));
    }
    let drain = Instant::now();
    let received = check::drain(&app, &rx, &expected, &mut problems).await;
    if tally.replayed < tally.resent {
        let (n, m) = (tally.resent, tally.replayed);
        problems.push(format!("{n} writes sent again, {m} answers replayed"));
    }
    let (verified, said) = check::audit_verify(&app);
    if !verified {
        problems.push(format!("audit chain: {said}"));
    }
    let mut answers: Vec<_> = tally.answers.iter().collect();
    answers.sort();
    eprintln!(
        "churn: {secs} s of load, {} kills (down {downtimes:?}); {} listings and {} orders \
         acknowledged; answers {answers:?}; {} sent again after no answer, {} after an answer \
         taken as lost, {} replayed; {fanned} deliveries, by webhook (requests, duplicates) \
         {received:?}, drained in {:?}; {said}; {:?} in all",
        downtimes.len(),
        tally.listings.len(),
        tally.orders.len(),
        tally.retried,
        tally.resent,
        tally.replayed,
        drain.elapsed(),
        began.elapsed()
    );
    let failed = tally.failures.len();
    assert!(
        problems.is_empty(),
        "{} problems ({failed} unexpected answers):\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(
        tally.listings.len() > 10 && (downtimes.is_empty() || tally.retried > 0),
        "the churn was no churn"
    );
}
