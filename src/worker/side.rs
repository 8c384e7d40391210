//! The delivery worker's side tasks: the recorder that writes down what the senders did, the
//! `LISTEN` connection that wakes the worker, and the queue's vacuum.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use actix_web::web;
use tokio::sync::{Notify, oneshot};

use super::{POLL, ToRecord};
use crate::app::AppState;
use crate::db::deliveries::{self, GroupOutcome};

/// How often the queue is vacuumed while deliveries flow (each leaves a dead tuple behind).
const VACUUM_EVERY: Duration = Duration::from_secs(10);

/// Writes down what the senders did, every outcome that finished meanwhile in one transaction,
/// retrying a few times, and tells each sender whether it was; if the database stays away the
/// deliveries stay pending and are sent again by the next claim (at least once, never lost).
pub(super) async fn recorder(
    state: web::Data<AppState>,
    pool: crate::db::DbPool,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<ToRecord>,
    processed: Arc<AtomicU64>,
) {
    let disable_after_ms =
        i64::try_from(state.settings.webhook_disable_after.as_millis()).unwrap_or(i64::MAX);
    let mut batch: Vec<ToRecord> = Vec::new();
    while rx.recv_many(&mut batch, 256).await > 0 {
        let (groups, acks): (Vec<GroupOutcome>, Vec<oneshot::Sender<bool>>) =
            batch.drain(..).unzip();
        let mut ok = false;
        for attempt in 0..5u32 {
            let result = match pool.get().await {
                Ok(mut conn) => deliveries::record(&mut conn, &groups, disable_after_ms)
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match result {
                Ok(()) => {
                    ok = true;
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, attempt, "recording webhook attempts failed");
                    tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
                }
            }
        }
        let n: usize = groups.iter().map(|g| g.recorded.len()).sum();
        processed.fetch_add(n as u64, Ordering::Relaxed);
        for ack in acks {
            let _ = ack.send(ok);
        }
    }
}

/// Keeps a `LISTEN` connection open and wakes the worker on every notification (and once after
/// each (re)connection, to catch up on what was missed while away), and every sender waiting for
/// more of its webhook's deliveries (`arrivals`).
pub(super) async fn listen(url: String, wake: Arc<Notify>, arrivals: Arc<Notify>) {
    loop {
        let (wake2, arrivals2) = (wake.clone(), arrivals.clone());
        let opened = crate::db::connect::open_listening(
            &url,
            move |_| {
                wake2.notify_one();
                arrivals2.notify_waiters();
            },
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
pub(super) async fn vacuum_loop(url: String, processed: Arc<AtomicU64>) {
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
