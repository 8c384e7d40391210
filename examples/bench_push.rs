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

use std::{
    collections::{HashMap, HashSet},
    net::TcpListener,
    str::FromStr,
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicU32, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use anyhow::{Context, bail};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

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

// ---------------------------------------------------------------------------------------------
// The receiver

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    Published,
    Imposed,
    Other,
}

#[derive(Clone, Copy, Debug)]
struct Arrival {
    at: Instant,
    /// The webhook's index (`/hook/{n}`); `u16::MAX` for any other path (the baseline).
    hook: u16,
    /// `webhook-id`: the event id, the same on every retry.
    msg: Uuid,
    kind: Kind,
    listing: Uuid,
}

#[derive(Default)]
struct Recorder {
    got: Mutex<Vec<Arrival>>,
    /// The first `restriction.imposed` body received (the baseline's body).
    sample: Mutex<Option<web::Bytes>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Deserialize)]
struct EventIn {
    #[serde(rename = "type")]
    kind: Option<String>,
    data: Option<DataIn>,
}

#[derive(Deserialize)]
struct DataIn {
    listing_id: Option<Uuid>,
}

async fn receive(req: HttpRequest, body: web::Bytes, rec: web::Data<Recorder>) -> HttpResponse {
    let at = Instant::now();
    let hook = req
        .path()
        .strip_prefix("/hook/")
        .and_then(|n| n.parse().ok())
        .unwrap_or(u16::MAX);
    let msg = req
        .headers()
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|s| Uuid::parse_str(s).ok())
        .unwrap_or_default();
    let (kind, listing) = match serde_json::from_slice::<EventIn>(&body) {
        Ok(e) => (
            match e.kind.as_deref() {
                Some("listing.published") => Kind::Published,
                Some("restriction.imposed") => Kind::Imposed,
                _ => Kind::Other,
            },
            e.data.and_then(|d| d.listing_id).unwrap_or_default(),
        ),
        Err(_) => (Kind::Other, Uuid::nil()),
    };
    if kind == Kind::Imposed && hook != u16::MAX {
        let mut s = lock(&rec.sample);
        if s.is_none() {
            *s = Some(body.clone());
        }
    }
    // The baseline's requests are recorded too (the receiver does the same work for every request).
    lock(&rec.got).push(Arrival {
        at,
        hook,
        msg,
        kind,
        listing,
    });
    HttpResponse::Ok().finish()
}

fn start_receiver(rec: Arc<Recorder>, workers: usize) -> anyhow::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let data = web::Data::from(rec);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(4 * 1024 * 1024))
            .default_service(web::to(receive))
    })
    .workers(workers.max(1))
    .disable_signals()
    .listen(listener)?
    .run();
    tokio::spawn(server);
    Ok(format!("http://127.0.0.1:{port}"))
}

/// Reads what the receiver got, once each (by webhook and `webhook-id`, the first arrival counts).
#[derive(Default)]
struct Collector {
    cursor: usize,
    seen: HashSet<(u16, Uuid)>,
    unique: Vec<Arrival>,
    duplicates: usize,
}

impl Collector {
    /// A collector that ignores what the receiver got before now (replays repeat `webhook-id`s).
    fn from_now(rec: &Recorder) -> Collector {
        Collector {
            cursor: lock(&rec.got).len(),
            ..Collector::default()
        }
    }

    fn poll(&mut self, rec: &Recorder) {
        let fresh: Vec<Arrival> = {
            let got = lock(&rec.got);
            let fresh = got.get(self.cursor..).unwrap_or_default().to_vec();
            self.cursor = got.len();
            fresh
        };
        for a in fresh.into_iter().filter(|a| a.hook != u16::MAX) {
            if self.seen.insert((a.hook, a.msg)) {
                self.unique.push(a);
            } else {
                self.duplicates += 1;
            }
        }
    }

    fn count_for(&self, writes: &HashMap<Uuid, Write>) -> usize {
        self.unique
            .iter()
            .filter(|a| writes.contains_key(&a.listing))
            .count()
    }

    /// Waits until the deliveries of `writes` number `expected`, for at most `timeout`, giving up
    /// earlier when nothing new arrives for 60 s. Answers how many arrived.
    async fn wait(
        &mut self,
        rec: &Recorder,
        writes: &HashMap<Uuid, Write>,
        expected: usize,
        timeout: Duration,
    ) -> usize {
        let started = Instant::now();
        let mut last_progress = Instant::now();
        let mut last_report = Instant::now();
        let (mut have, mut counted) = (0, 0);
        loop {
            self.poll(rec);
            let fresh = self.unique[counted..]
                .iter()
                .filter(|a| writes.contains_key(&a.listing))
                .count();
            counted = self.unique.len();
            if fresh > 0 {
                have += fresh;
                last_progress = Instant::now();
            }
            if have >= expected {
                return have;
            }
            if started.elapsed() > timeout || last_progress.elapsed() > Duration::from_secs(60) {
                eprintln!("  gave up waiting: {have} of {expected} deliveries arrived");
                return have;
            }
            if last_report.elapsed() > Duration::from_secs(5) {
                eprintln!(
                    "  … {have} of {expected} deliveries ({:.0} s)",
                    started.elapsed().as_secs_f64()
                );
                last_report = Instant::now();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The service

fn mint(bin: &str, args: &[&str]) -> anyhow::Result<String> {
    let out = std::process::Command::new(bin)
        .arg("token")
        .args(args)
        .args(["--ttl", "4h"])
        .output()
        .with_context(|| format!("running {bin} token"))?;
    if !out.status.success() {
        bail!(
            "{bin} token failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8(out.stdout)?.trim().to_string())
}

async fn expect_json(r: reqwest::Response, status: u16, what: &str) -> anyhow::Result<Value> {
    let s = r.status().as_u16();
    let text = r.text().await?;
    if s != status {
        bail!("{what}: HTTP {s}: {text}");
    }
    Ok(serde_json::from_str(&text)?)
}

/// Today in China Standard Time (the service's legal dates).
fn today_cst() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// A valid resident ID number: region, birth date, 3-digit sequence and the check character (I1).
fn make_id(region: &str, birth: NaiveDate, seq: u32) -> String {
    let body = format!("{region}{}{seq:03}", birth.format("%Y%m%d"));
    let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(w)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    let check = "10X98765432"
        .chars()
        .nth((sum % 11) as usize)
        .unwrap_or('0');
    format!("{body}{check}")
}

const NAMES: [&str; 8] = [
    "张三", "李四", "王静", "刘洋", "陈晨", "杨帆", "赵磊", "黄敏",
];

/// The `n`-th distinct valid person listing of `court` (a distinct debtor and case number), decided
/// 30 days ago: published at once, with its restriction order (two events).
fn listing(court: &str, n: u32) -> Value {
    let today = today_cst();
    let decided = today - chrono::Duration::days(30);
    let filed = decided - chrono::Duration::days(60);
    let birth = NaiveDate::from_ymd_opt(1960, 1, 1).unwrap_or(NaiveDate::MIN)
        + chrono::Duration::days(i64::from(n / 999));
    let id = make_id("110105", birth, n % 999 + 1);
    json!({
        "debtor": {"kind": "person", "name": NAMES[n as usize % NAMES.len()], "id_number": id,
                   "documents": [{"type": "passport", "number": format!("E{:08}", n)}]},
        "associated_persons": [],
        "court_code": court,
        "case_number": format!("（{}）{court}执{}号", filed.year(), 10_000 + n),
        "filed_on": filed.to_string(),
        "basis": {"document_number": format!("（{}）{court}民初{}号", filed.year() - 1, 5_000 + n),
                  "issuer": "北京市朝阳区人民法院"},
        "obligation": "支付货款人民币100000元及利息",
        "performance": "none",
        "grounds": ["violates_asset_reporting"],
        "extension_years": 0,
        "decided_on": decided.to_string(),
        "grace_until": null,
        "initiated_by": "court"
    })
}

#[derive(Clone, Copy, Debug)]
struct Write {
    sent: Instant,
    returned: Instant,
}

struct Service {
    client: reqwest::Client,
    url: String,
    court_token: String,
    court: String,
    seq: AtomicU32,
}

impl Service {
    /// Posts the next listing; answers its id and the write's timing.
    async fn change(&self) -> anyhow::Result<(Uuid, Write)> {
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        let body = listing(&self.court, n).to_string();
        let sent = Instant::now();
        let r = self
            .client
            .post(format!("{}/v1/listings", self.url))
            .bearer_auth(&self.court_token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await?;
        let status = r.status().as_u16();
        let bytes = r.bytes().await?;
        let returned = Instant::now();
        if status != 201 {
            bail!(
                "POST /v1/listings: HTTP {status}: {}",
                String::from_utf8_lossy(&bytes)
            );
        }
        let v: Value = serde_json::from_slice(&bytes)?;
        let id = v["id"]
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .context("no listing id in the answer")?;
        Ok((id, Write { sent, returned }))
    }
}

// ---------------------------------------------------------------------------------------------
// Statistics

/// Nearest-rank percentile of sorted values.
fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn dist(mut v: Vec<f64>) -> Value {
    v.sort_by(f64::total_cmp);
    let r = |x: f64| (x * 100.0).round() / 100.0;
    json!({
        "n": v.len(),
        "min_ms": r(v.first().copied().unwrap_or(f64::NAN)),
        "p50_ms": r(pct(&v, 0.50)),
        "p90_ms": r(pct(&v, 0.90)),
        "p99_ms": r(pct(&v, 0.99)),
        "max_ms": r(v.last().copied().unwrap_or(f64::NAN)),
    })
}

/// Milliseconds from `from` to `to`, negative when `to` came first (a notice can reach the receiver
/// before the write's answer reaches the court).
fn ms_between(from: Instant, to: Instant) -> f64 {
    if to >= from {
        (to - from).as_secs_f64() * 1000.0
    } else {
        -((from - to).as_secs_f64() * 1000.0)
    }
}

fn phase_report(
    name: &str,
    started: Instant,
    writes: &HashMap<Uuid, Write>,
    errors: usize,
    expected: usize,
    col: &Collector,
) -> Value {
    let arrivals: Vec<&Arrival> = col
        .unique
        .iter()
        .filter(|a| writes.contains_key(&a.listing))
        .collect();
    let last_arrival = arrivals.iter().map(|a| a.at).max().unwrap_or(started);
    let last_return = writes.values().map(|w| w.returned).max().unwrap_or(started);
    let span = (last_arrival - started).as_secs_f64();
    let write_span = (last_return - started).as_secs_f64();
    let latency = |only: Option<Kind>| {
        dist(
            arrivals
                .iter()
                .filter(|a| only.is_none_or(|k| a.kind == k))
                .filter_map(|a| writes.get(&a.listing).map(|w| ms_between(w.returned, a.at)))
                .collect(),
        )
    };
    let write_latency = dist(
        writes
            .values()
            .map(|w| ms_between(w.sent, w.returned))
            .collect(),
    );
    let per_hook: HashMap<u16, usize> = arrivals.iter().fold(HashMap::new(), |mut m, a| {
        *m.entry(a.hook).or_default() += 1;
        m
    });
    let (fewest, most) = (
        per_hook.values().min().copied().unwrap_or(0),
        per_hook.values().max().copied().unwrap_or(0),
    );
    json!({
        "phase": name,
        "changes": writes.len(),
        "write_errors": errors,
        "writes_per_sec": if write_span > 0.0 { writes.len() as f64 / write_span } else { 0.0 },
        "write_latency": write_latency,
        "deliveries_expected": expected,
        "deliveries": arrivals.len(),
        "seconds_first_write_to_last_delivery": span,
        "deliveries_per_sec": if span > 0.0 { arrivals.len() as f64 / span } else { 0.0 },
        "drain_after_last_write_s": (last_arrival.max(last_return) - last_return).as_secs_f64(),
        "per_webhook_min_max": [fewest, most],
        "notice_latency_listing_published": latency(Some(Kind::Published)),
        "latency_all_events": latency(None),
    })
}

// ---------------------------------------------------------------------------------------------
// Phases

async fn baseline(
    client: &reqwest::Client,
    base: &str,
    body: web::Bytes,
    concurrency: usize,
    seconds: f64,
) -> Value {
    let duration = Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, url, body) = (client.clone(), format!("{base}/baseline"), body.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0usize;
            while started.elapsed() < duration {
                let t = Instant::now();
                let r = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("webhook-id", Uuid::now_v7().to_string())
                    .header(
                        "webhook-timestamp",
                        chrono::Utc::now().timestamp().to_string(),
                    )
                    .header(
                        "webhook-signature",
                        "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
                    )
                    .body(body.clone())
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((l, e)) = t.await {
            all.extend(l);
            errors += e;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    json!({
        "concurrency": concurrency,
        "seconds": secs,
        "requests": all.len(),
        "errors": errors,
        "body_bytes": body.len(),
        "requests_per_sec": all.len() as f64 / secs,
        "latency": dist(all),
    })
}

/// Phase A: `n` changes from `writers` closed-loop writers, as fast as the service answers.
async fn flood(svc: &Arc<Service>, n: usize, writers: usize) -> (HashMap<Uuid, Write>, usize) {
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..writers.max(1) {
        let (svc, next) = (svc.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut done = Vec::new();
            let mut errors = 0usize;
            while next.fetch_add(1, Ordering::Relaxed) < n {
                match svc.change().await {
                    Ok(w) => done.push(w),
                    Err(e) => {
                        if errors == 0 {
                            eprintln!("  write failed: {e:#}");
                        }
                        errors += 1;
                    }
                }
            }
            (done, errors)
        }));
    }
    let mut writes = HashMap::with_capacity(n);
    let mut errors = 0;
    for t in tasks {
        if let Ok((done, e)) = t.await {
            writes.extend(done);
            errors += e;
        }
    }
    (writes, errors)
}

/// Phase B: `n` changes at `rate` per second, each sent on schedule (open loop).
async fn paced(svc: &Arc<Service>, n: usize, rate: f64) -> (HashMap<Uuid, Write>, usize) {
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for k in 0..n {
        tokio::time::sleep_until(start + Duration::from_secs_f64(k as f64 / rate)).await;
        let svc = svc.clone();
        tasks.push(tokio::spawn(async move { svc.change().await }));
    }
    let mut writes = HashMap::with_capacity(n);
    let mut errors = 0;
    for t in tasks {
        match t.await {
            Ok(Ok((id, w))) => {
                writes.insert(id, w);
            }
            Ok(Err(e)) => {
                if errors == 0 {
                    eprintln!("  write failed: {e:#}");
                }
                errors += 1;
            }
            Err(_) => errors += 1,
        }
    }
    (writes, errors)
}

fn line(name: &str, r: &Value) {
    let l = &r["notice_latency_listing_published"];
    eprintln!(
        "{name}: {} changes ({} errors) at {:.0}/s (write p50 {} ms, p99 {} ms); {} of {} deliveries \
         in {:.1} s = {:.0} deliveries/s; listing.published notice latency p50 {} ms, p99 {} ms, \
         max {} ms",
        r["changes"],
        r["write_errors"],
        r["writes_per_sec"].as_f64().unwrap_or(0.0),
        r["write_latency"]["p50_ms"],
        r["write_latency"]["p99_ms"],
        r["deliveries"],
        r["deliveries_expected"],
        r["seconds_first_write_to_last_delivery"]
            .as_f64()
            .unwrap_or(0.0),
        r["deliveries_per_sec"].as_f64().unwrap_or(0.0),
        l["p50_ms"],
        l["p99_ms"],
        l["max_ms"],
    );
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
