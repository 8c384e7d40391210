//! The delivery worker inside `serve` (docs/ARCHITECTURE.md, "Webhooks"). Woken by `LISTEN
//! shixin_webhooks`, polling every second as a fallback, it looks for webhooks whose next delivery
//! in feed order is due, claims each by an advisory lock on its owner connection ([`owner`]: a
//! killed process's claims end with its connection), and gives each claimed webhook one sender:
//! - **one request at a time per webhook, in feed order**: the sender reads the webhook's due
//!   deliveries ordered by their events' `(txid, seq)`, only of transactions older than any of the
//!   database still running (`shixin_settled_horizon()`), and sends them one after the other; a delivery that fails holds
//!   back those behind it until its retry;
//! - **each event once unless a process died**: a batch is written down before the next is read
//!   and before the claim goes, and no other instance sends to a webhook while its claim holds;
//! - **at most `SHIXIN_WEBHOOK_CONCURRENCY` webhooks at once**, each for a turn of [`TURN`] while
//!   others wait (so a slow or dead receiver delays nobody else). Sending holds no transaction
//!   open; every attempt is recorded.

pub mod message;
pub mod owner;
pub mod schedule;
pub mod send;
mod side;

use std::{
    collections::HashSet,
    sync::{Arc, Mutex, atomic::AtomicU64},
    time::Duration,
};

use actix_web::web;
use chrono::Utc;
use tokio::{
    sync::{Notify, OwnedSemaphorePermit, Semaphore, oneshot},
    time::Instant,
};
use uuid::Uuid;

use crate::app::AppState;
use crate::db::deliveries::{self, Claimed, GroupOutcome, Recorded};
use owner::{Claim, Owner};
use send::Verdict;
use side::{listen, recorder, vacuum_loop};

/// The most deliveries read at once for a webhook (each read waits until the previous ones are
/// recorded, so nothing is read twice).
const PER_WEBHOOK: i64 = 50;
/// How long a webhook keeps its sender while others wait for one (then it goes back in line).
const TURN: Duration = Duration::from_secs(1);
/// How long a sender with nothing due keeps its webhook, waiting for the next notification, while
/// senders are free (so a trickle of events costs no claim per event).
const LINGER: Duration = Duration::from_millis(500);
/// How many due webhooks one look at the queue lists.
const CANDIDATES: i64 = 32;
/// Connections of the worker's own pool (claims and records never wait behind API requests).
const POOL: usize = 4;
/// How often the queue is polled when no notification comes (also how soon the claims of a killed
/// process are taken over: its claims end with its connection).
const POLL: Duration = Duration::from_secs(1);
/// How long a delivery attempt in flight may still take once the process is stopping; after that
/// it is abandoned and the delivery stays pending (sent again by whoever claims the webhook next:
/// at least once).
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

/// What a sender writes down: its outcome, and where to say once it is committed.
type ToRecord = (GroupOutcome, oneshot::Sender<bool>);

/// What the senders share.
#[derive(Clone)]
struct Senders {
    state: web::Data<AppState>,
    client: reqwest::Client,
    pool: crate::db::DbPool,
    busy: Busy,
    wake: Arc<Notify>,
    /// Notified on every `NOTIFY` of the queue: senders lingering on their webhook look again.
    arrivals: Arc<Notify>,
    permits: Arc<Semaphore>,
    record: tokio::sync::mpsc::UnboundedSender<ToRecord>,
}

/// Runs until the process stops (spawned by `Application::build` unless the concurrency is 0). On
/// stop it claims no more, lets attempts in flight end (at most [`STOP_GRACE`]) and writes every
/// outcome down before its tasks end (`crate::tasks`).
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
    let owner = Owner::new(s.database_url.expose(), s.webhook_lease);
    let wake = Arc::new(Notify::new());
    let arrivals = Arc::new(Notify::new());
    let processed = Arc::new(AtomicU64::new(0));
    let (record_tx, record_rx) = tokio::sync::mpsc::unbounded_channel();
    let tasks = &state.tasks;
    tasks.spawn(recorder(
        state.clone(),
        pool.clone(),
        record_rx,
        processed.clone(),
    ));
    let (url, stop, wake_listen, arrivals_listen) = (
        s.database_url.expose().to_string(),
        tasks.clone(),
        wake.clone(),
        arrivals.clone(),
    );
    tasks.spawn(async move {
        tokio::select! {
            () = listen(url, wake_listen, arrivals_listen) => {}
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
    let senders = Senders {
        state: state.clone(),
        client,
        pool: pool.clone(),
        busy: Arc::default(),
        wake: wake.clone(),
        arrivals,
        permits: Arc::new(Semaphore::new(s.webhook_concurrency.max(1))),
        record: record_tx,
    };
    let permits = senders.permits.clone();
    loop {
        // Look only when a sender is free; only this loop takes permits, so it stays free.
        // `biased`: a stop wins over a free permit, so nothing is claimed after it.
        let permit = tokio::select! {
            biased;
            () = tasks.stopping() => return,
            p = permits.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => return },
        };
        let started = match claim_round(&owner, &senders, &permits, permit).await {
            Ok(started) => started,
            Err(e) => {
                tracing::warn!(error = %e, "claiming webhooks failed; retrying");
                false
            }
        };
        if !started {
            tokio::select! {
                biased;
                () = tasks.stopping() => return,
                _ = wake.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    }
}

/// Claims due webhooks while senders are free, starting a sender for each (the first with
/// `first`, the others with permits free now). Whether any was started.
async fn claim_round(
    owner: &Owner,
    senders: &Senders,
    permits: &Arc<Semaphore>,
    first: OwnedSemaphorePermit,
) -> Result<bool, String> {
    owner.ready().await.map_err(|e| e.to_string())?;
    let due = {
        let mut conn = senders.pool.get().await.map_err(|e| e.to_string())?;
        deliveries::due_webhooks(&mut conn, &busy_ids(&senders.busy), CANDIDATES)
            .await
            .map_err(|e| e.to_string())?
    };
    let mut next = Some(first);
    let mut started = false;
    for webhook_id in due {
        let permit = match next.take() {
            Some(p) => p,
            None => match permits.clone().try_acquire_owned() {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        if senders.state.tasks.is_stopping() {
            break;
        }
        // None: another instance sends to it now; its claim ends when it is done (or dies).
        let Some(claim) = owner
            .try_claim(webhook_id)
            .await
            .map_err(|e| e.to_string())?
        else {
            next = Some(permit);
            continue;
        };
        started = true;
        set_busy(&senders.busy, webhook_id, true);
        let sending = Sending {
            senders: senders.clone(),
            webhook_id,
            _permit: permit,
        };
        senders.state.tasks.clone().spawn(async move {
            serve_webhook(&sending.senders, claim).await;
            drop(sending);
        });
    }
    Ok(started)
}

/// A webhook being sent to by this process, with its sender's permit: when it goes (its sender
/// ended, or panicked), the webhook is free here again and the worker looks for work.
struct Sending {
    senders: Senders,
    webhook_id: Uuid,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Sending {
    fn drop(&mut self) {
        set_busy(&self.senders.busy, self.webhook_id, false);
        self.senders.wake.notify_one();
    }
}

/// Sends the claimed webhook's due deliveries in feed order, one at a time, each batch written
/// down before the next is read, until none is due, one fails (those behind it wait for its retry),
/// its turn is over, the claim is lost or the process stops; then lets the webhook go.
async fn serve_webhook(senders: &Senders, claim: Claim) {
    let begun = Instant::now();
    let mut busy_at = begun;
    let webhook_id = claim.webhook_id;
    loop {
        if senders.state.tasks.is_stopping() || !claim.holds() {
            break;
        }
        // Listening before reading: a notification between the read and the wait is not missed.
        let arrived = senders.arrivals.notified();
        tokio::pin!(arrived);
        arrived.as_mut().enable();
        let rows = match senders.pool.get().await {
            Ok(mut conn) => deliveries::due_rows(&mut conn, webhook_id, PER_WEBHOOK)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        let rows = match rows {
            Ok(r) if !r.is_empty() => r,
            Ok(_) => {
                let left = LINGER.saturating_sub(busy_at.elapsed());
                if left.is_zero() || senders.permits.available_permits() == 0 {
                    break;
                }
                tokio::select! {
                    () = &mut arrived => {}
                    () = tokio::time::sleep(left) => {}
                    () = senders.state.tasks.stopping() => {}
                }
                continue;
            }
            Err(e) => {
                tracing::warn!(error = %e, webhook = %webhook_id, "reading due deliveries failed");
                break;
            }
        };
        let sent = send_group(senders, &claim, rows).await;
        // Written down before the claim goes or the next batch is read: nothing is sent twice.
        let recorded = match sent.last_written {
            Some(done) => done.await.unwrap_or(false),
            None => break,
        };
        if !recorded || !sent.more || begun.elapsed() >= TURN {
            break;
        }
        busy_at = Instant::now();
    }
    claim.release().await;
}

/// What a sender did with a batch: whether the next one may follow (the last answer was a success,
/// not 410), and the acknowledgement of its last record (none when nothing was sent).
struct Sent {
    more: bool,
    last_written: Option<oneshot::Receiver<bool>>,
}

/// Sends claimed deliveries of one webhook in order, handing each outcome to the recorder as soon as
/// it is known (so a process killed mid-batch has little sent and not written down), stopping after
/// the first that is not delivered (or on 410), when the claim is lost, or when the process is
/// stopping.
async fn send_group(senders: &Senders, claim: &Claim, rows: Vec<Claimed>) -> Sent {
    let (state, client) = (&senders.state, &senders.client);
    let s = &state.settings;
    let webhook_id = claim.webhook_id;
    let mut sent = Sent {
        more: true,
        last_written: None,
    };
    for mut row in rows {
        if !sent.more || state.tasks.is_stopping() || !claim.holds() {
            break;
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
            // Abandoned: the delivery stays pending, and is sent again by the next claim.
            () = stop_grace(state) => break,
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
        let (last_ok, gone) = (r.verdict == Verdict::Delivered, r.verdict == Verdict::Gone);
        sent.more = last_ok && !gone;
        if r.verdict != Verdict::Delivered {
            tracing::info!(webhook = %webhook_id, delivery = row.id, attempts,
                status_code = ?r.status_code, error = ?r.error, "webhook attempt failed");
        }
        let outcome = GroupOutcome {
            webhook_id,
            recorded: vec![Recorded {
                delivery_id: row.id,
                attempted_at: r.attempted_at,
                status_code: r.status_code,
                duration_ms: r.duration_ms,
                response: r.response,
                error: r.error,
                status,
                next_attempt_at: next,
            }],
            last_ok,
            gone,
        };
        let (done, written) = oneshot::channel();
        if senders.record.send((outcome, done)).is_err() {
            sent.more = false;
            break;
        }
        sent.last_written = Some(written);
    }
    sent
}

/// Resolves [`STOP_GRACE`] after the process began to stop.
async fn stop_grace(state: &AppState) {
    state.tasks.stopping().await;
    tokio::time::sleep(STOP_GRACE).await;
}
