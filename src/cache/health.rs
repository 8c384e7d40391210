//! Connecting to Redis and keeping it honest: the lazy connection, and the health task that pings
//! Redis every [`HEALTH_PERIOD`], notices outages and restarts (`run_id`), and replaces the epoch
//! before the cache is trusted again (see the module comment of [`super`]).

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::Mutex;

use super::{Cache, HEALTH_PERIOD, Inner, REDIS_DEADLINE, hash, local, token};

impl Cache {
    /// A lazy connection (nothing is awaited here: the service starts when Redis is down) and the
    /// health task that clears failures.
    pub fn connect(url: Option<&str>, namespace: &str) -> anyhow::Result<Cache> {
        let Some(url) = url else {
            return Ok(Cache::disabled());
        };
        // TCP_NODELAY (redis-rs leaves Nagle's algorithm on): a lane's pipelines are small and
        // latency-bound, and Nagle holds a write back while an earlier one is unacknowledged.
        let info = redis::IntoConnectionInfo::into_connection_info(url)?
            .set_tcp_settings(redis::io::tcp::TcpSettings::default().set_nodelay(true));
        let client = redis::Client::open(info)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_DEADLINE))
            .set_response_timeout(Some(REDIS_DEADLINE))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        let conn = ConnectionManager::new_lazy_with_config(client.clone(), config.clone())?;
        let inner = Arc::new(Inner {
            id: crate::lanes::owner_id(),
            client,
            config,
            conn,
            prefix: format!("shixin:{}", &hash(namespace)[..16]),
            // Start dirty: the epoch is replaced before the first use (see the module comment).
            failures: AtomicU64::new(1),
            cleared: AtomicU64::new(0),
            available: AtomicBool::new(false),
            run_id: Mutex::new(None),
            local: local::Local::default(),
        });
        let weak = Arc::downgrade(&inner);
        tokio::spawn(async move {
            loop {
                let Some(inner) = weak.upgrade() else { break };
                inner.health_round().await;
                drop(inner);
                tokio::time::sleep(HEALTH_PERIOD).await;
            }
        });
        Ok(Cache { inner: Some(inner) })
    }
}

impl Inner {
    pub(super) async fn bump_epoch(&self) -> bool {
        let mut conn = self.conn.clone();
        let call = async {
            redis::cmd("SET")
                .arg(self.epoch_key())
                .arg(token())
                .query_async::<()>(&mut conn)
                .await
        };
        matches!(tokio::time::timeout(REDIS_DEADLINE, call).await, Ok(Ok(())))
    }

    async fn server_run_id(&self) -> Option<String> {
        let mut conn = self.conn.clone();
        let call = async {
            redis::cmd("INFO")
                .arg("server")
                .query_async::<String>(&mut conn)
                .await
        };
        let info = tokio::time::timeout(REDIS_DEADLINE, call)
            .await
            .ok()?
            .ok()?;
        info.lines()
            .find_map(|l| l.strip_prefix("run_id:"))
            .map(|s| s.trim().to_string())
    }

    /// One health round: notice outages and restarts; replace the epoch before trusting Redis again.
    async fn health_round(&self) {
        let Some(run_id) = self.server_run_id().await else {
            self.failures.fetch_add(1, Ordering::SeqCst);
            self.available.store(false, Ordering::SeqCst);
            return;
        };
        self.available.store(true, Ordering::SeqCst);
        {
            let mut seen = self.run_id.lock().await;
            if seen.as_deref().is_some_and(|s| s != run_id) {
                tracing::warn!("redis restarted; replacing the cache epoch");
                self.failures.fetch_add(1, Ordering::SeqCst);
            }
            *seen = Some(run_id);
        }
        let failures = self.failures.load(Ordering::SeqCst);
        if failures != self.cleared.load(Ordering::SeqCst) {
            if self.bump_epoch().await {
                self.cleared.store(failures, Ordering::SeqCst);
                tracing::info!("redis answers; cache epoch replaced, cache back on");
            } else {
                self.failures.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
}
