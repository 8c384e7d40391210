//! The background tasks of `serve` (the tick, the delivery worker and its senders, the check-log
//! writer, the refresh of the restricted-key set): each is spawned on one [`TaskTracker`] and
//! watches one [`CancellationToken`]. On SIGTERM the HTTP server stops accepting and lets the
//! requests in flight finish; then [`Tasks::shutdown`] cancels the token, and each task finishes
//! its unit of work (a tick's change, a delivery attempt, a check-log batch) or hands it back (a
//! delivery's claim is released so any instance sends it at once), and the tracker waits for all.
//!
//! Not tracked, on purpose: the drivers of database connections (they end with their connection),
//! the per-thread Redis and PostgreSQL lanes (they live on the HTTP worker threads and end with
//! them) and the Redis health probe (it holds only a weak reference and ends with the cache). None
//! of them holds work that a stop could lose.

use std::{future::Future, time::Duration};

use tokio_util::{sync::CancellationToken, task::TaskTracker};

#[derive(Clone, Default)]
pub struct Tasks {
    tracker: TaskTracker,
    stop: CancellationToken,
}

impl Tasks {
    /// Spawns a tracked task on the current runtime.
    pub fn spawn<F>(&self, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.tracker.spawn(task);
    }

    /// Resolves once the process is stopping.
    pub async fn stopping(&self) {
        self.stop.cancelled().await
    }

    pub fn is_stopping(&self) -> bool {
        self.stop.is_cancelled()
    }

    /// Asks every task to stop and waits up to `grace` for them; `false` if some were still running.
    pub async fn shutdown(&self, grace: Duration) -> bool {
        self.stop.cancel();
        self.tracker.close();
        tokio::time::timeout(grace, self.tracker.wait())
            .await
            .is_ok()
    }

    /// Tasks still running (for the shutdown log).
    pub fn running(&self) -> usize {
        self.tracker.len()
    }
}
