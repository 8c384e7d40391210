//! The check log: every check is recorded (subscriber, time, subject, decision) without slowing the
//! answer. Checks hand their entries to a bounded channel; one task writes them in batches. When the
//! channel is full (the database far behind) entries are dropped and counted rather than blocking
//! ticket sales.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use chrono::{DateTime, Utc};
use diesel::{ExpressionMethods, insert_into};
use diesel_async::RunQueryDsl;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::db::{DbPool, schema::check_log};

pub const CAPACITY: usize = 100_000;
const BATCH: usize = 5_000;

#[derive(Debug, Clone)]
pub struct Entry {
    pub subscriber_id: Uuid,
    pub checked_at: DateTime<Utc>,
    pub subject_key: String,
    pub decision: &'static str,
}

#[derive(Clone)]
pub struct CheckLog {
    tx: mpsc::Sender<Entry>,
    pub dropped: Arc<AtomicU64>,
    pub written: Arc<AtomicU64>,
}

impl CheckLog {
    /// Starts the writer task on the current runtime.
    pub fn start(db: DbPool) -> Self {
        let (tx, rx) = mpsc::channel(CAPACITY);
        let log = CheckLog {
            tx,
            dropped: Arc::default(),
            written: Arc::default(),
        };
        tokio::spawn(write_loop(db, rx, log.written.clone()));
        log
    }

    pub fn record(&self, entries: Vec<Entry>) {
        for e in entries {
            if self.tx.try_send(e).is_err() {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

async fn write_loop(db: DbPool, mut rx: mpsc::Receiver<Entry>, written: Arc<AtomicU64>) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        let rows: Vec<_> = batch
            .iter()
            .map(|e| {
                (
                    check_log::subscriber_id.eq(e.subscriber_id),
                    check_log::checked_at.eq(e.checked_at),
                    check_log::subject_key.eq(e.subject_key.clone()),
                    check_log::decision.eq(e.decision),
                )
            })
            .collect();
        let mut attempt = 0;
        loop {
            let result = match db.get().await {
                Ok(mut conn) => insert_into(check_log::table)
                    .values(&rows)
                    .execute(&mut conn)
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match result {
                Ok(n) => {
                    written.fetch_add(n as u64, Ordering::Relaxed);
                    break;
                }
                Err(e) if attempt < 5 => {
                    attempt += 1;
                    tracing::warn!(error = %e, attempt, "writing the check log failed; retrying");
                    tokio::time::sleep(std::time::Duration::from_millis(200 * attempt)).await;
                }
                Err(e) => {
                    tracing::error!(error = %e, lost = rows.len(), "writing the check log failed");
                    break;
                }
            }
        }
        batch.clear();
    }
}

/// Deletes check-log rows older than the retention, in slices.
pub async fn prune(
    db: &DbPool,
    older_than: DateTime<Utc>,
) -> Result<usize, crate::error::ApiError> {
    let mut conn = db.get().await?;
    let mut total = 0;
    loop {
        let n = diesel::sql_query(
            "DELETE FROM check_log WHERE id IN \
             (SELECT id FROM check_log WHERE checked_at < $1 LIMIT 10000)",
        )
        .bind::<diesel::sql_types::Timestamptz, _>(older_than)
        .execute(&mut conn)
        .await?;
        total += n;
        if n < 10_000 {
            return Ok(total);
        }
    }
}
