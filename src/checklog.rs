//! The check log: every check is recorded (subscriber, time, subject, decision) without slowing the
//! answer. A check hands its whole batch (one row of `check_requests`: the keys and one decision
//! character each) to a bounded channel; one task writes them with binary `COPY`, up to 200 requests
//! at a time. When the channel is full (the database far behind), by default
//! (`SHIXIN_CHECK_LOG_FULL=drop`) the batch is dropped and its subjects counted
//! (`shixin_check_log_subjects_total{outcome="dropped"}`) rather than slowing ticket sales; with
//! `wait` the check waits for room, so every check is recorded and the answers slow down to the
//! log's pace instead.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::{db::check_log::copy_batch, domain::status::Decision, tasks::Tasks};

/// Requests waiting to be written (at most 1,000 subjects each).
pub const CAPACITY: usize = 1_000;
const BATCH: usize = 200;

/// One `POST /v1/checks`: its subjects' keys and decisions, in the order asked.
#[derive(Debug, Clone)]
pub struct Request {
    pub subscriber_id: Uuid,
    pub checked_at: DateTime<Utc>,
    pub subject_keys: Vec<String>,
    /// One character per subject: `a` allow, `d` deny.
    pub decisions: String,
}

impl Request {
    /// The character a decision is logged as (`check_requests.decisions`).
    pub fn decision_char(decision: Decision) -> char {
        match decision {
            Decision::Deny => 'd',
            Decision::Allow => 'a',
        }
    }
}

#[derive(Clone)]
pub struct CheckLog {
    tx: mpsc::Sender<Request>,
    /// `SHIXIN_CHECK_LOG_FULL=wait`: wait for room rather than drop.
    wait: bool,
    /// Subjects dropped because the writer was far behind.
    pub dropped: Arc<AtomicU64>,
    /// Subjects written.
    pub written: Arc<AtomicU64>,
}

impl CheckLog {
    /// Starts the writer task on the current runtime. When `tasks` stop, the writer writes what
    /// is queued, then ends.
    pub fn start(database_url: &str, wait: bool, tasks: &Tasks) -> Self {
        let (tx, rx) = mpsc::channel(CAPACITY);
        let log = CheckLog {
            tx,
            wait,
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

    pub async fn record(&self, request: Request) {
        let n = request.subject_keys.len() as u64;
        let sent = if self.wait {
            self.tx.send(request).await.is_ok()
        } else {
            self.tx.try_send(request).is_ok()
        };
        if !sent {
            self.dropped.fetch_add(n, Ordering::Relaxed);
        }
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

async fn write_loop(
    url: String,
    mut rx: mpsc::Receiver<Request>,
    written: Arc<AtomicU64>,
    tasks: Tasks,
) {
    let mut batch = Vec::with_capacity(BATCH);
    let mut client: Option<tokio_postgres::Client> = None;
    let mut closing = false;
    loop {
        let n = if closing {
            rx.recv_many(&mut batch, BATCH).await
        } else {
            tokio::select! {
                n = rx.recv_many(&mut batch, BATCH) => n,
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
        let mut attempt = 0;
        loop {
            if client.as_ref().is_none_or(|c| c.is_closed()) {
                client = copy_client(&url)
                    .await
                    .map_err(|e| tracing::warn!(error = %e, "check-log connection failed"))
                    .ok();
            }
            let result = match &client {
                Some(c) => copy_batch(c, &batch).await.map_err(|e| e.to_string()),
                None => Err("no connection".to_string()),
            };
            match result {
                Ok(n) => {
                    written.fetch_add(n, Ordering::Relaxed);
                    break;
                }
                Err(e) if attempt < 5 => {
                    attempt += 1;
                    client = None;
                    tracing::warn!(error = %e, attempt, "writing the check log failed; retrying");
                    tokio::time::sleep(std::time::Duration::from_millis(200 * attempt)).await;
                }
                Err(e) => {
                    tracing::error!(error = %e, lost = batch.len(), "writing the check log failed");
                    break;
                }
            }
        }
        batch.clear();
    }
}
