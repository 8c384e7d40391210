//! The delivery worker inside `serve` (API.md "Webhooks", ARCHITECTURE.md practices 6–7): claims due
//! deliveries by lease with `FOR UPDATE SKIP LOCKED`, woken by `LISTEN shixin_webhooks` and polling
//! as a fallback; sends with no transaction open, one request at a time per webhook (so a webhook
//! that keeps up gets its events in order) and at most `SHIXIN_WEBHOOK_CONCURRENCY` webhooks at
//! once (so a slow or dead receiver delays nobody else); records every attempt.

pub mod lease;
pub mod message;
pub mod schedule;
pub mod send;

use std::{
    collections::{BTreeMap, HashSet},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use actix_web::web;
use chrono::Utc;
use tokio::{
    sync::{Notify, Semaphore},
    time::Instant,
};
use uuid::Uuid;

use crate::app::AppState;
use crate::db::deliveries::{self, Claimed, GroupOutcome, Recorded};
use send::Verdict;

/// The most deliveries one claim takes per webhook.
const PER_WEBHOOK: i64 = 50;
/// Connections of the worker's own pool (claims and records never wait behind API requests).
const POOL: usize = 4;
/// How often the queue is vacuumed while deliveries flow (each leaves a dead tuple behind).
const VACUUM_EVERY: Duration = Duration::from_secs(10);
/// How often the queue is polled when no notification comes.
const POLL: Duration = Duration::from_secs(1);
/// How long a delivery attempt in flight may still take once the process is stopping; after that
/// it is abandoned and its claim released (sent again by whoever claims it: at least once).
const STOP_GRACE: Duration = Duration::from_secs(2);

type Busy = Arc<Mutex<HashSet<Uuid>>>;

fn busy_ids(busy: &Busy) -> Vec<Uuid> {
    busy.lock()
        .map(|b| b.iter().copied().collect())
        .unwrap_or_default()
}

fn set_busy(busy: &Busy, id: Uuid, on: bool) {
    if let Ok(mut b) = busy.lock() {
        if on {
            b.insert(id);
        } else {
            b.remove(&id);
        }
    }
}

/// Runs until the process stops (spawned by `Application::build` unless the concurrency is 0). On
/// stop it claims no more, hands back the claims it has not started, lets attempts in flight end
/// (at most [`STOP_GRACE`]) and writes every outcome down before its tasks end (`crate::tasks`).
pub async fn run_forever(state: web::Data<AppState>) {
    let s = &state.settings;
    let client = match send::client(s.webhook_allow_private, s.webhook_timeout) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhook client could not be built; no deliveries");
            return;
        }
    };
    let pool = match crate::db::build_pool(s.database_url.expose(), POOL) {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "webhook worker pool could not be built; no deliveries");
            return;
        }
    };
    let wake = Arc::new(Notify::new());
    let wake_listen = wake.clone();
    let processed = Arc::new(AtomicU64::new(0));
    let (record_tx, record_rx) = tokio::sync::mpsc::unbounded_channel();
    let tasks = &state.tasks;
    tasks.spawn(recorder(
        state.clone(),
        pool.clone(),
        record_rx,
        processed.clone(),
    ));
    let url = s.database_url.expose().to_string();
    let stop = tasks.clone();
    tasks.spawn(async move {
        tokio::select! {
            () = listen(url, wake_listen) => {}
            () = stop.stopping() => {}
        }
    });
    let (url, stop, vacuumed) = (
        s.database_url.expose().to_string(),
        tasks.clone(),
        processed.clone(),
    );
    tasks.spawn(async move {
        tokio::select! {
            () = vacuum_loop(url, vacuumed) => {}
            () = stop.stopping() => {}
        }
    });
    let busy: Busy = Arc::default();
    let permits = Arc::new(Semaphore::new(s.webhook_concurrency.max(1)));
    let lease_ms = lease::lease_ms(s.webhook_lease);
    loop {
        // Claim only when a sender is free; only this loop takes permits, so it stays free.
        // `biased`: a stop wins over a free permit, so nothing is claimed after it.
        tokio::select! {
            biased;
            () = tasks.stopping() => return,
            p = permits.acquire() => if p.is_err() { return },
        }
        let claimed = match pool.get().await {
            Ok(mut conn) => deliveries::claim(&mut conn, &busy_ids(&busy), PER_WEBHOOK, lease_ms)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        let claimed = match claimed {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "claiming webhook deliveries failed; retrying");
                tokio::time::sleep(POLL).await;
                continue;
            }
        };
        if claimed.is_empty() {
            tokio::select! {
                biased;
                () = tasks.stopping() => return,
                _ = wake.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
            continue;
        }
        let mut groups: BTreeMap<Uuid, Vec<Claimed>> = BTreeMap::new();
        for c in claimed {
            groups.entry(c.webhook_id).or_default().push(c);
        }
        for (webhook_id, rows) in groups {
            let permit = tokio::select! {
                biased;
                () = tasks.stopping() => None,
                p = permits.clone().acquire_owned() => p.ok(),
            };
            let Some(permit) = permit else {
                // Stopping: the claim goes back to the queue now, not when its lease ends.
                let _ = record_tx.send(GroupOutcome::released(webhook_id, &rows));
                continue;
            };
            set_busy(&busy, webhook_id, true);
            let (state, client, busy, wake, record_tx) = (
                state.clone(),
                client.clone(),
                busy.clone(),
                wake.clone(),
                record_tx.clone(),
            );
            tasks.spawn(async move {
                let outcome = send_group(&state, &client, webhook_id, rows).await;
                // The sent deliveries stay leased until the recorder writes them down, so the
                // webhook's next deliveries may already go out (in order, as the claim walks them).
                let _ = record_tx.send(outcome);
                set_busy(&busy, webhook_id, false);
                drop(permit);
                wake.notify_one();
            });
        }
    }
}

/// Sends one webhook's share of a claim in order, stopping (and releasing the rest) when half the
/// lease is gone or the receiver answers 410.
async fn send_group(
    state: &AppState,
    client: &reqwest::Client,
    webhook_id: Uuid,
    rows: Vec<Claimed>,
) -> GroupOutcome {
    let s = &state.settings;
    let deadline = lease::send_deadline(Instant::now(), s.webhook_lease);
    let mut out = GroupOutcome {
        webhook_id,
        recorded: Vec::with_capacity(rows.len()),
        released: Vec::new(),
        last_ok: true,
        gone: false,
    };
    for mut row in rows {
        if lease::hand_back(
            Instant::now(),
            deadline,
            out.gone,
            state.tasks.is_stopping(),
        ) {
            out.released.push((row.id, row.locked_until));
            continue;
        }
        let (msg_id, body) = row.message();
        let body = serde_json::to_vec(&body).unwrap_or_default();
        let now = Utc::now();
        let attempt = send::attempt(
            client,
            send::Message {
                url: &row.url,
                msg_id: &msg_id,
                body,
                secrets: row.signing_secrets(now),
            },
            s.webhook_allow_private,
        );
        let r = tokio::select! {
            r = attempt => r,
            () = stop_grace(state) => {
                out.released.push((row.id, row.locked_until));
                continue;
            }
        };
        let attempts = row.attempts + 1;
        let (status, next) = schedule::settle(r.verdict, r.attempted_at, Utc::now(), || {
            schedule::next_delay(&s.webhook_retry_schedule, attempts, r.retry_after)
        });
        let outcome = match r.verdict {
            Verdict::Delivered => "delivered",
            Verdict::Gone => "gone",
            Verdict::Failed => "failed",
        };
        metrics::counter!(crate::metrics::DELIVERY_ATTEMPTS, "outcome" => outcome).increment(1);
        if let (Verdict::Delivered, Some(at)) = (r.verdict, row.occurred_at) {
            let lag = (r.attempted_at - at).to_std().unwrap_or_default();
            metrics::histogram!(crate::metrics::DELIVERY_LAG).record(lag.as_secs_f64());
        }
        out.last_ok = r.verdict == Verdict::Delivered;
        out.gone |= r.verdict == Verdict::Gone;
        if r.verdict != Verdict::Delivered {
            tracing::info!(webhook = %webhook_id, delivery = row.id, attempts,
                status_code = ?r.status_code, error = ?r.error, "webhook attempt failed");
        }
        out.recorded.push(Recorded {
            delivery_id: row.id,
            lease: row.locked_until,
            attempted_at: r.attempted_at,
            status_code: r.status_code,
            duration_ms: r.duration_ms,
            response: r.response,
            error: r.error,
            status,
            next_attempt_at: next,
        });
    }
    out
}

/// Resolves [`STOP_GRACE`] after the process began to stop.
async fn stop_grace(state: &AppState) {
    state.tasks.stopping().await;
    tokio::time::sleep(STOP_GRACE).await;
}

/// Writes down what the senders did, every outcome that finished meanwhile in one transaction,
/// retrying a few times; if the database stays away the leases run out and the deliveries are sent
/// again (at least once, never lost).
async fn recorder(
    state: web::Data<AppState>,
    pool: crate::db::DbPool,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<GroupOutcome>,
    processed: Arc<AtomicU64>,
) {
    let disable_after_ms =
        i64::try_from(state.settings.webhook_disable_after.as_millis()).unwrap_or(i64::MAX);
    let mut batch = Vec::new();
    while rx.recv_many(&mut batch, 256).await > 0 {
        for attempt in 0..5u32 {
            let result = match pool.get().await {
                Ok(mut conn) => deliveries::record(&mut conn, &batch, disable_after_ms)
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match result {
                Ok(()) => break,
                Err(e) => {
                    tracing::warn!(error = %e, attempt, "recording webhook attempts failed");
                    tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
                }
            }
        }
        let n: usize = batch.iter().map(|g| g.recorded.len()).sum();
        processed.fetch_add(n as u64, Ordering::Relaxed);
        batch.clear();
    }
}

/// Keeps a `LISTEN` connection open and wakes the worker on every notification (and once after
/// each (re)connection, to catch up on what was missed while away).
async fn listen(url: String, wake: Arc<Notify>) {
    loop {
        let wake2 = wake.clone();
        let opened = crate::db::connect::open_listening(
            &url,
            move |_| wake2.notify_one(),
            |e| tracing::warn!(error = %e, "webhook LISTEN connection lost"),
        )
        .await;
        match opened {
            Ok((client, driver)) => {
                match deliveries::listen(&client).await {
                    Ok(()) => {
                        wake.notify_one();
                        let _ = driver.await;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "LISTEN failed");
                        driver.abort();
                    }
                }
                drop(client);
            }
            Err(e) => tracing::warn!(error = %e, "webhook LISTEN connection failed"),
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Vacuums the delivery queue every [`VACUUM_EVERY`] while deliveries flow, one instance at a time
/// (see [`deliveries::vacuum`]).
async fn vacuum_loop(url: String, processed: Arc<AtomicU64>) {
    let mut seen = 0;
    loop {
        tokio::time::sleep(VACUUM_EVERY).await;
        let now = processed.load(Ordering::Relaxed);
        if now - seen < 1000 {
            continue;
        }
        seen = now;
        if let Err(e) = deliveries::vacuum(&url).await {
            tracing::warn!(error = %e, "vacuuming the delivery queue failed");
        }
    }
}
