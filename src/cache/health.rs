//! Connecting to Redis and keeping it honest: the lazy connection, and the health task that pings
//! Redis every [`HEALTH_PERIOD`], notices outages, restarts (`run_id`), a server that is not a
//! master (`ROLE`) and, with Sentinel, a new master, and replaces the epoch before the cache is
//! trusted again (see the module comment of [`super`]).

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use redis::aio::ConnectionManagerConfig;
use tokio::sync::Mutex;

use super::{Cache, HEALTH_PERIOD, Inner, REDIS_DEADLINE, hash, local, master::Master, token};

impl Cache {
    /// A lazy connection (nothing is awaited here: the service starts when Redis is down) and the
    /// health task that clears failures. `url` is `redis://…` or the Sentinel form
    /// ([`super::sentinel_url`]); a malformed one is an error.
    pub fn connect(url: Option<&str>, namespace: &str) -> anyhow::Result<Cache> {
        let Some(url) = url else {
            return Ok(Cache::disabled());
        };
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_DEADLINE))
            .set_response_timeout(Some(REDIS_DEADLINE))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        let inner = Arc::new(Inner {
            id: crate::lanes::owner_id(),
            master: Master::open(url, config)?,
            prefix: format!("shixin:{}", &hash(namespace)[..16]),
            // Start dirty: the epoch is replaced before the first use (see the module comment).
            failures: AtomicU64::new(1),
            cleared: AtomicU64::new(0),
            available: AtomicBool::new(false),
            run_id: Mutex::new(None),
            local: local::Local::default(),
            doorkeeper: Default::default(),
        });
        let weak = Arc::downgrade(&inner);
        tokio::spawn(async move {
            let mut round = 0u64;
            loop {
                let Some(inner) = weak.upgrade() else { break };
                inner
                    .health_round(round.is_multiple_of(ASK_SENTINELS_EVERY))
                    .await;
                drop(inner);
                round += 1;
                tokio::time::sleep(HEALTH_PERIOD).await;
            }
        });
        Ok(Cache { inner: Some(inner) })
    }
}

/// With Sentinel, the sentinels are asked which server is the master whenever the current one
/// fails or is not a master, and every this many rounds anyway (a master that still answers as
/// one after the sentinels replaced it: a network partition).
const ASK_SENTINELS_EVERY: u64 = 8;

/// What the health round learns from the server.
struct Server {
    run_id: String,
    master: bool,
}

impl Inner {
    pub(super) async fn bump_epoch(&self) -> bool {
        if self.master.node().is_none() {
            // Sentinel, and the sentinels not asked yet (`shixin import` bumps right after connecting).
            let _ = self.master.follow(|| self.record_failure()).await;
        }
        let Some(mut conn) = self.master.conn() else {
            return false;
        };
        let call = async {
            redis::cmd("SET")
                .arg(self.epoch_key())
                .arg(token())
                .query_async::<()>(&mut conn)
                .await
        };
        matches!(tokio::time::timeout(REDIS_DEADLINE, call).await, Ok(Ok(())))
    }

    /// The server's `run_id` (`INFO server`) and whether it is a master (`ROLE`), in one round trip.
    async fn server(&self) -> Option<Server> {
        let mut conn = self.master.conn()?;
        let call = async {
            redis::pipe()
                .cmd("INFO")
                .arg("server")
                .cmd("ROLE")
                .query_async::<(String, redis::Role)>(&mut conn)
                .await
        };
        let (info, role) = tokio::time::timeout(REDIS_DEADLINE, call)
            .await
            .ok()?
            .ok()?;
        let run_id = info
            .lines()
            .find_map(|l| l.strip_prefix("run_id:"))
            .map(|s| s.trim().to_string())?;
        Some(Server {
            run_id,
            master: matches!(role, redis::Role::Primary { .. }),
        })
    }

    /// With Sentinel: follows the master the sentinels name. A new master is a failure, recorded
    /// before any lane can use it (see [`Master::follow`]).
    async fn follow_master(&self) -> bool {
        let first = self.master.node().is_none();
        let switched = self.master.follow(|| self.record_failure()).await;
        match switched {
            Ok(true) => {
                let addr = self
                    .master
                    .node()
                    .map(|n| n.addr.clone())
                    .unwrap_or_default();
                if first {
                    tracing::info!(master = %addr, "the sentinels name the redis master");
                } else {
                    tracing::warn!(master = %addr, "the sentinels name a new redis master; replacing the cache epoch");
                }
                true
            }
            Ok(false) => false,
            Err(kind) => {
                tracing::debug!(error_kind = %kind, "the sentinels named no master");
                false
            }
        }
    }

    /// One health round: notice outages and restarts; replace the epoch before trusting Redis again.
    /// With Sentinel, first makes sure it talks to the master the sentinels name (`ask_sentinels`:
    /// even when the current server answers as a master).
    async fn health_round(&self, ask_sentinels: bool) {
        let mut server = self.server().await;
        let trouble = !server.as_ref().is_some_and(|s| s.master);
        if self.master.is_sentinel() && (trouble || ask_sentinels) && self.follow_master().await {
            server = self.server().await;
        }
        let Some(Server { run_id, master }) = server else {
            self.failures.fetch_add(1, Ordering::SeqCst);
            self.available.store(false, Ordering::SeqCst);
            return;
        };
        if !master {
            // A replica (a demoted master, or REDIS_URL naming a replica): its data may lack writes
            // the master acknowledged, and it refuses ours.
            if self.available.swap(false, Ordering::SeqCst) {
                tracing::warn!("redis is not a master; answering from PostgreSQL");
            }
            self.failures.fetch_add(1, Ordering::SeqCst);
            return;
        }
        self.available.store(true, Ordering::SeqCst);
        {
            let mut seen = self.run_id.lock().await;
            if seen.as_deref().is_some_and(|s| s != run_id) {
                tracing::warn!(
                    "the redis server changed (a restart or a new master); replacing the cache epoch"
                );
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
