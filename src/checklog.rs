//! The check log: every answered check is evidence (docs/API.md "Checks", Evidence). By default
//! (`SHIXIN_CHECK_LOG=durable`) a check's row (`check_requests`: its `check_id`, time, `as_of`, the
//! keys with one decision character each, and the matched restriction and release ids) is
//! committed before the answer leaves: the check hands its row to one writer task and waits for
//! the acknowledgement. The writer takes everything queued meanwhile (up to 200 requests) into one
//! binary `COPY`, a statement of its own that commits on its own (group commit), so a check waits
//! for at most the batch in flight and its own. When the row cannot be written (PostgreSQL down
//! longer than the retries), the check answers 503 and nothing unlogged is answered. The opt-in
//! `SHIXIN_CHECK_LOG=lossy` answers without waiting and drops rows when the writer is far behind,
//! counted in `shixin_check_log_subjects_total{outcome="dropped"}`.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::{db::check_log::copy_batch, domain::status::Decision, tasks::Tasks};

/// Requests waiting to be written (at most 1,000 subjects each).
pub const CAPACITY: usize = 1_000;
const BATCH: usize = 200;
/// Attempts at writing a batch before its checks are refused (about 1.5 s in all).
const ATTEMPTS: u64 = 5;

/// One `POST /v1/checks`: its subjects' keys and decisions, in the order asked.
#[derive(Debug, Clone)]
pub struct Request {
    /// The answer's `check_id`: a UUIDv7 whose time is `checked_at` (to the millisecond).
    pub check_id: Uuid,
    pub subscriber_id: Uuid,
    pub checked_at: DateTime<Utc>,
    /// The feed position the answer was consistent with.
    pub as_of: String,
    pub subject_keys: Vec<String>,
    /// One character per subject: `a` allow, `d` deny.
    pub decisions: String,
    /// `[{"i": index, "r": [restriction ids], "l": [release ids]}]` for the subjects any order or
    /// release concerned.
    pub matches: Value,
}

impl Request {
    /// The character a decision is logged as (`check_requests.decisions`).
    pub fn decision_char(decision: Decision) -> char {
        match decision {
            Decision::Deny => 'd',
            Decision::Allow => 'a',
        }
    }

    /// The decision a logged character stands for (the inverse of [`Self::decision_char`]).
    pub fn decision_of(c: char) -> Decision {
        if c == 'd' {
            Decision::Deny
        } else {
            Decision::Allow
        }
    }
}

/// The row of a check could not be committed: the check must not be answered.
#[derive(Debug)]
pub struct NotLogged;

struct Entry {
    request: Request,
    ack: Option<oneshot::Sender<Result<(), NotLogged>>>,
}

#[derive(Clone)]
pub struct CheckLog {
    tx: mpsc::Sender<Entry>,
    /// `SHIXIN_CHECK_LOG=lossy`: answer without waiting; drop when the writer is far behind.
    lossy: bool,
    /// Subjects dropped because the writer was far behind (lossy only).
    pub dropped: Arc<AtomicU64>,
    /// Subjects written.
    pub written: Arc<AtomicU64>,
}

impl CheckLog {
    /// Starts the writer task on the current runtime. When `tasks` stop, the writer writes what
    /// is queued, then ends.
    pub fn start(database_url: &str, lossy: bool, tasks: &Tasks) -> Self {
        let (tx, rx) = mpsc::channel(CAPACITY);
        let log = CheckLog {
            tx,
            lossy,
            dropped: Arc::default(),
            written: Arc::default(),
        };
        tasks.spawn(write_loop(
            database_url.to_string(),
            rx,
            log.written.clone(),
            tasks.clone(),
        ));
        log
    }

    /// Subjects written and dropped so far by this process.
    pub fn counts(&self) -> (u64, u64) {
        (
            AtomicU64::load(&self.written, Ordering::Relaxed),
            AtomicU64::load(&self.dropped, Ordering::Relaxed),
        )
    }

    /// Logs a check: committed when this returns `Ok` (durable), or queued (lossy).
    pub async fn record(&self, request: Request) -> Result<(), NotLogged> {
        let n = request.subject_keys.len() as u64;
        if self.lossy {
            let entry = Entry { request, ack: None };
            if self.tx.try_send(entry).is_err() {
                self.dropped.fetch_add(n, Ordering::Relaxed);
            }
            return Ok(());
        }
        let (ack, done) = oneshot::channel();
        let entry = Entry {
            request,
            ack: Some(ack),
        };
        self.tx.send(entry).await.map_err(|_| NotLogged)?;
        done.await.unwrap_or(Err(NotLogged))
    }
}

/// A dedicated connection that writes batches with binary `COPY` (far cheaper per row than INSERT).
async fn copy_client(url: &str) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, _driver) = crate::db::connect::open(url, |e| {
        tracing::warn!(error = %e, "check-log connection closed");
    })
    .await?;
    Ok(client)
}

/// Writes one batch, retrying a lost connection; `false` when it could not be written.
async fn write_batch(
    url: &str,
    client: &mut Option<tokio_postgres::Client>,
    batch: &[Request],
    written: &AtomicU64,
) -> bool {
    for attempt in 1..=ATTEMPTS {
        if client.as_ref().is_none_or(|c| c.is_closed()) {
            *client = copy_client(url)
                .await
                .map_err(|e| tracing::warn!(error = %e, "check-log connection failed"))
                .ok();
        }
        let result = match client.as_ref() {
            Some(c) => copy_batch(c, batch).await.map_err(|e| e.to_string()),
            None => Err("no connection".to_string()),
        };
        match result {
            Ok(n) => {
                written.fetch_add(n, Ordering::Relaxed);
                return true;
            }
            Err(e) => {
                *client = None;
                tracing::warn!(error = %e, attempt, "writing the check log failed");
                if attempt < ATTEMPTS {
                    tokio::time::sleep(std::time::Duration::from_millis(100 * attempt)).await;
                }
            }
        }
    }
    tracing::error!(
        requests = batch.len(),
        "the check log could not be written; its checks are refused"
    );
    false
}

async fn write_loop(
    url: String,
    mut rx: mpsc::Receiver<Entry>,
    written: Arc<AtomicU64>,
    tasks: Tasks,
) {
    let mut entries = Vec::with_capacity(BATCH);
    let mut client: Option<tokio_postgres::Client> = None;
    let mut closing = false;
    loop {
        let n = if closing {
            rx.recv_many(&mut entries, BATCH).await
        } else {
            tokio::select! {
                n = rx.recv_many(&mut entries, BATCH) => n,
                () = tasks.stopping() => {
                    // No request is answered any more: write what is queued, then end.
                    rx.close();
                    closing = true;
                    continue;
                }
            }
        };
        if n == 0 {
            break;
        }
        let (batch, acks): (Vec<Request>, Vec<_>) =
            entries.drain(..).map(|e| (e.request, e.ack)).unzip();
        let ok = write_batch(&url, &mut client, &batch, &written).await;
        for ack in acks.into_iter().flatten() {
            let _ = ack.send(if ok { Ok(()) } else { Err(NotLogged) });
        }
    }
}
