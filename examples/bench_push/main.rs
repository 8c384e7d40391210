//! Load driver of the push benchmark (bench/push/run.sh): court changes fanned out to webhooks on a
//! local receiver, against a running `shixin serve` (started with `SHIXIN_WEBHOOK_ALLOW_PRIVATE=true`).
//!
//! In one process: a receiver on 127.0.0.1:0 that records, per request, its arrival `Instant`, the
//! webhook (from the path), the `webhook-id` header, the event type and `data.listing_id`, and
//! answers 200 at once. Then, against the service:
//! 1. setup: an airline subscriber, its OAuth token and `WEBHOOKS` webhooks on `/hook/0`, `/hook/1`, …;
//! 2. warm-up: one change, to learn how many deliveries a change makes and to capture a real body;
//! 3. baseline: the same client, with as many concurrent senders as there are webhooks (the service
//!    sends to each webhook one request at a time), posts that body straight to the receiver for
//!    `BASELINE_SECONDS`: the receiver's own requests per second;
//! 4. phase A (throughput): `CHANGES` listings posted by `WRITERS` concurrent writers as fast as the
//!    service takes them, then waits for every delivery: deliveries per second (first write sent to
//!    last delivery received) and the latency from each write returning to its `listing.published`
//!    notice arriving at each webhook;
//! 5. phase B (latency at a steady rate): `RATE` changes per second for `PACED_SECONDS`, each sent on
//!    schedule whatever the previous ones are doing (open loop), and the same statistics;
//! 6. phase C (the delivery worker alone, unless `DRAIN=0`): every webhook replays the events of
//!    phases A and B (`POST /v1/webhooks/{id}/replay` after the warm-up's cursor), which queues them
//!    all at once; deliveries per second from the first replay request to the last delivery.
//!
//! Configuration (environment): `SHIXIN_URL` (default `http://127.0.0.1:18095`; or the first argument),
//! `SHIXIN_BIN` (`target/release/shixin`, used as `shixin token` to mint the admin and court tokens
//! with the service's `SHIXIN_JWT_SECRET`), `COURT` (`京0105`), `CHANGES` (10000), `WRITERS` (16),
//! `WEBHOOKS` (10), `RATE` (100), `PACED_SECONDS` (20), `BASELINE_SECONDS` (5), `TIMEOUT_SECONDS`
//! (600: the longest wait for a phase's deliveries), `RECEIVER_WORKERS` (2), `DRAIN` (1).
//! Prints a summary, then the results as one JSON document on the last lines of stdout.

mod phases;
mod receiver;
mod service;
mod stats;

use std::{
    collections::HashMap,
    str::FromStr,
    sync::{Arc, atomic::AtomicU32},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use serde_json::{Value, json};
use uuid::Uuid;

use phases::{baseline, flood, paced};
use receiver::{Arrival, Collector, Recorder, lock, start_receiver};
use service::{Service, Write, expect_json, mint};
use stats::{line, phase_report};

// ---------------------------------------------------------------------------------------------
// Configuration

struct Config {
    url: String,
    bin: String,
    court: String,
    changes: usize,
    writers: usize,
    webhooks: usize,
    rate: f64,
    paced_seconds: f64,
    baseline_seconds: f64,
    timeout: Duration,
    receiver_workers: usize,
    drain: bool,
}

fn env_or<T: FromStr>(key: &str, default: T) -> anyhow::Result<T> {
    match std::env::var(key) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("{key}={v:?} is not valid")),
        _ => Ok(default),
    }
}

impl Config {
    fn from_env() -> anyhow::Result<Config> {
        let url = std::env::args()
            .nth(1)
            .or_else(|| std::env::var("SHIXIN_URL").ok())
            .unwrap_or_else(|| "http://127.0.0.1:18095".into());
        Ok(Config {
            url: url.trim_end_matches('/').to_string(),
            bin: env_or("SHIXIN_BIN", "target/release/shixin".to_string())?,
            court: env_or("COURT", "京0105".to_string())?,
            changes: env_or("CHANGES", 10_000)?,
            writers: env_or("WRITERS", 16)?,
            webhooks: env_or("WEBHOOKS", 10)?,
            rate: env_or("RATE", 100.0)?,
            paced_seconds: env_or("PACED_SECONDS", 20.0)?,
            baseline_seconds: env_or("BASELINE_SECONDS", 5.0)?,
            timeout: Duration::from_secs(env_or("TIMEOUT_SECONDS", 600)?),
            receiver_workers: env_or("RECEIVER_WORKERS", 2)?,
            drain: env_or("DRAIN", 1u8)? != 0,
        })
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cfg = Config::from_env()?;
    let rec = Arc::new(Recorder::default());
    let rx = start_receiver(rec.clone(), cfg.receiver_workers)?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1024)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(60))
        .build()?;

    // Setup.
    let admin = mint(&cfg.bin, &["--role", "admin"])?;
    let court_token = mint(&cfg.bin, &["--role", "court", "--court", &cfg.court])?;
    let sub = expect_json(
        client
            .post(format!("{}/v1/subscribers", cfg.url))
            .bearer_auth(&admin)
            .json(&json!({"name": "bench push airline", "sector": "airline"}))
            .send()
            .await?,
        201,
        "POST /v1/subscribers",
    )
    .await?;
    let field = |k: &str| sub[k].as_str().unwrap_or_default().to_string();
    let oauth = expect_json(
        client
            .post(format!("{}/v1/oauth/token", cfg.url))
            .basic_auth(field("client_id"), Some(field("client_secret")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
            .await?,
        200,
        "POST /v1/oauth/token",
    )
    .await?;
    let sub_token = oauth["access_token"]
        .as_str()
        .context("no access_token")?
        .to_string();
    let mut hook_ids = Vec::new();
    for i in 0..cfg.webhooks {
        let w = expect_json(
            client
                .post(format!("{}/v1/webhooks", cfg.url))
                .bearer_auth(&sub_token)
                .json(
                    &json!({"url": format!("{rx}/hook/{i}"), "description": format!("bench {i}")}),
                )
                .send()
                .await?,
            201,
            "POST /v1/webhooks",
        )
        .await?;
        hook_ids.push(w["id"].as_str().unwrap_or_default().to_string());
    }
    eprintln!(
        "receiver {rx}; subscriber {} with {} webhooks",
        field("id"),
        cfg.webhooks
    );
    let svc = Arc::new(Service {
        client: client.clone(),
        url: cfg.url.clone(),
        court_token,
        court: cfg.court.clone(),
        seq: AtomicU32::new(1),
    });
    let mut col = Collector::default();

    // Warm-up: one change; how many deliveries it makes, and a real body for the baseline.
    let (id, w) = svc.change().await?;
    let warm = HashMap::from([(id, w)]);
    let expected_min = cfg.webhooks;
    col.wait(&rec, &warm, 2 * cfg.webhooks, Duration::from_secs(30))
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    col.poll(&rec);
    let per_change = col.count_for(&warm);
    if per_change < expected_min {
        bail!(
            "the warm-up change made {per_change} deliveries, expected at least {expected_min}: is the \
             service running with SHIXIN_WEBHOOK_ALLOW_PRIVATE=true and its delivery worker on?"
        );
    }
    let sample = lock(&rec.sample)
        .clone()
        .context("no restriction.imposed body received")?;
    let warm_cursor = serde_json::from_slice::<Value>(&sample)?["cursor"]
        .as_str()
        .context("no cursor in the event")?
        .to_string();
    eprintln!(
        "warm-up: {per_change} deliveries per change; sample body {} bytes",
        sample.len()
    );

    // Baseline: the receiver alone, same client, one sender per webhook.
    let base = baseline(&client, &rx, sample, cfg.webhooks, cfg.baseline_seconds).await;
    eprintln!(
        "baseline: {:.0} requests/s to the receiver ({} senders; p50 {} ms, p99 {} ms)",
        base["requests_per_sec"].as_f64().unwrap_or(0.0),
        cfg.webhooks,
        base["latency"]["p50_ms"],
        base["latency"]["p99_ms"]
    );

    // Phase A: throughput.
    eprintln!(
        "phase A: {} changes from {} writers…",
        cfg.changes, cfg.writers
    );
    let started = Instant::now();
    let (writes_a, errors_a) = flood(&svc, cfg.changes, cfg.writers).await;
    eprintln!("  writes done in {:.1} s", started.elapsed().as_secs_f64());
    let expected_a = writes_a.len() * per_change;
    col.wait(&rec, &writes_a, expected_a, cfg.timeout).await;
    let a = phase_report(
        "A_throughput",
        started,
        &writes_a,
        errors_a,
        expected_a,
        &col,
    );
    line("phase A", &a);

    // Phase B: a steady rate.
    let n_b = (cfg.rate * cfg.paced_seconds).round() as usize;
    eprintln!("phase B: {n_b} changes at {}/s…", cfg.rate);
    let started = Instant::now();
    let (writes_b, errors_b) = paced(&svc, n_b, cfg.rate).await;
    let expected_b = writes_b.len() * per_change;
    col.wait(&rec, &writes_b, expected_b, cfg.timeout).await;
    let b = phase_report("B_paced", started, &writes_b, errors_b, expected_b, &col);
    line("phase B", &b);

    // Phase C: the same events replayed to every webhook at once: the delivery worker draining a
    // backlog, with no writes competing.
    let c = if cfg.drain {
        let writes: HashMap<Uuid, Write> = writes_a
            .iter()
            .chain(&writes_b)
            .map(|(k, v)| (*k, *v))
            .collect();
        let expected = writes.len() * per_change;
        eprintln!("phase C: replaying {expected} deliveries…");
        let mut col_c = Collector::from_now(&rec);
        let started = Instant::now();
        let mut queued = 0;
        for id in &hook_ids {
            let q = expect_json(
                client
                    .post(format!("{}/v1/webhooks/{id}/replay", cfg.url))
                    .bearer_auth(&sub_token)
                    .json(&json!({"after": warm_cursor}))
                    .send()
                    .await?,
                202,
                "POST /v1/webhooks/{id}/replay",
            )
            .await?;
            queued += q["queued"].as_u64().unwrap_or(0);
        }
        let replayed = started.elapsed().as_secs_f64();
        col_c.wait(&rec, &writes, expected, cfg.timeout).await;
        let arrivals: Vec<&Arrival> = col_c
            .unique
            .iter()
            .filter(|a| writes.contains_key(&a.listing))
            .collect();
        let first = arrivals.iter().map(|a| a.at).min().unwrap_or(started);
        let last = arrivals.iter().map(|a| a.at).max().unwrap_or(started);
        let span = (last - started).as_secs_f64();
        let r = json!({
            "phase": "C_drain",
            "queued": queued,
            "replay_requests_s": replayed,
            "deliveries_expected": expected,
            "deliveries": arrivals.len(),
            "first_delivery_after_s": (first - started).as_secs_f64(),
            "seconds_first_replay_to_last_delivery": span,
            "deliveries_per_sec": if span > 0.0 { arrivals.len() as f64 / span } else { 0.0 },
            "deliveries_per_sec_first_to_last_delivery":
                if last > first { arrivals.len() as f64 / (last - first).as_secs_f64() } else { 0.0 },
        });
        eprintln!(
            "phase C: {} of {} deliveries ({queued} queued by {} replays in {replayed:.1} s) in {span:.1} s = {:.0} deliveries/s",
            r["deliveries"],
            expected,
            hook_ids.len(),
            r["deliveries_per_sec"].as_f64().unwrap_or(0.0)
        );
        r
    } else {
        Value::Null
    };

    let base_rps = base["requests_per_sec"].as_f64().unwrap_or(0.0);
    let ratio = |r: &Value| {
        let d = r["deliveries_per_sec"].as_f64().unwrap_or(0.0);
        if base_rps > 0.0 { d / base_rps } else { 0.0 }
    };
    eprintln!(
        "ratio deliveries/s ÷ receiver baseline req/s: phase A {:.3}, phase B {:.3}, phase C {:.3} \
         (duplicates seen: {})",
        ratio(&a),
        ratio(&b),
        ratio(&c),
        col.duplicates
    );
    let out = json!({
        "config": {"changes": cfg.changes, "writers": cfg.writers, "webhooks": cfg.webhooks,
                   "deliveries_per_change": per_change, "rate": cfg.rate,
                   "paced_seconds": cfg.paced_seconds, "receiver_workers": cfg.receiver_workers},
        "baseline": base,
        "phase_a": a,
        "phase_b": b,
        "ratio_a": ratio(&a),
        "phase_c": c,
        "ratio_b": ratio(&b),
        "ratio_c": ratio(&c),
        "duplicates": col.duplicates,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
