//! The public cache (Redis) and the public rate limit. Redis is a cache, never the truth: every
//! Redis call has a short deadline, and any failure sends the request to PostgreSQL.
//!
//! # Design: generations, epoch, and a dirty counter
//!
//! Keys (`H(x)` is the hex SHA-256 of `x`; no name or ID number appears in a key; `shixin` below
//! stands for `shixin:{H(database name)}`, so that test databases sharing one Redis stay apart):
//! - `shixin:pub:epoch` — a random token shared by all instances; replacing it orphans every answer.
//! - `shixin:pub:g:{H(folded name)}` — the *generation* of a name: a random token, replaced after
//!   every committed change that affects the name ([`after_commit`]). Expires after a day.
//! - `shixin:pub:a:{epoch}:{generation}:{H(folded name)}:{H(filter, cursor, limit)}` — one answer
//!   (the JSON body, positive or empty), for 10 minutes.
//!
//! A lookup is one round trip: a Lua script reads the epoch and the generation (creating either
//! from a fresh random token when missing) and the answer under them. On a miss the reader queries
//! PostgreSQL *after* having read the tokens, then stores the answer under the tokens it read.
//!
//! Why no stale answer is served:
//! - **The next request sees a change.** The write path commits, then replaces the generation of
//!   every name it affects, and only then answers. A request that starts after that answer reads
//!   the new generation, under which nothing was stored before the commit.
//! - **A fill that raced a change cannot put an old answer back.** A fill writes under the tokens
//!   read *before* its query. If the query saw the old data, the change committed after the tokens
//!   were read, so its generation replacement comes after too: the fill lands under a dead key.
//! - **Tokens are random, never counters**: a generation key that expired or was evicted is
//!   recreated with a fresh token, so it can never point back at answers stored under an old one.
//! - **A failed invalidation** (Redis down or slow when a change commits) or any other Redis error
//!   increments `failures`. While `failures != cleared` this instance neither reads nor fills the
//!   cache. A background task pings Redis every 250 ms; once it answers, it replaces the epoch and
//!   only then marks the failures it saw as cleared. Answers stored before the outage are therefore
//!   never served again, even when Redis comes back with old data (a restart from a snapshot: the
//!   task also watches Redis's `run_id` and treats a change as a failure). An instance starts dirty,
//!   so a crash between a commit and its invalidation is covered by the next start.
//!
//! Limits, stated plainly: another *instance* that did not see the failure may serve the old answer
//! for a name until the failing instance replaces the epoch (at most about one health period after
//! Redis answers again). Answers are read from `DATABASE_READ_URL` when it is set: use a replica with
//! `synchronous_commit = remote_apply`, otherwise replica lag can be cached as a fresh answer.
//! The Lua script builds the answer key itself, so it needs a single Redis (not Redis Cluster).

pub mod rate_limit;

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use actix_web::web::Bytes;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

use crate::startup::AppState;

/// Deadline of every Redis call on a request path.
pub const REDIS_DEADLINE: Duration = Duration::from_millis(100);
const HEALTH_PERIOD: Duration = Duration::from_millis(250);
const ANSWER_TTL_SECS: u64 = 600;
const GENERATION_TTL_SECS: u64 = 86_400;

const LOOKUP_SCRIPT: &str = r"
local n = 0
if ARGV[6] ~= '' then
  n = redis.call('INCR', ARGV[6])
  if n == 1 then redis.call('PEXPIRE', ARGV[6], ARGV[7]) end
end
local e = redis.call('GET', KEYS[1])
if not e then e = ARGV[1]; redis.call('SET', KEYS[1], e) end
local g = redis.call('GET', KEYS[2])
if not g then g = ARGV[2]; redis.call('SET', KEYS[2], g, 'EX', ARGV[4]) end
local v = redis.call('GET', ARGV[5] .. e .. ':' .. g .. ':' .. ARGV[3])
return {e, g, v, n}
";

/// Redis, when configured: the connection and whether it may be trusted right now.
#[derive(Clone)]
pub struct Cache {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    conn: ConnectionManager,
    /// `shixin:{H(database name)}`: instances of one deployment share keys, test databases do not.
    prefix: String,
    failures: AtomicU64,
    cleared: AtomicU64,
    /// Redis answered the last health round and nothing failed since (the rate limit's test).
    available: AtomicBool,
    run_id: Mutex<Option<String>>,
    /// SHA1 of [`LOOKUP_SCRIPT`] as loaded by `SCRIPT LOAD` (EVALSHA sends 40 bytes, not the script).
    lookup_sha: std::sync::RwLock<Option<String>>,
}

/// Where an answer was found, or where to store it.
pub enum Lookup {
    Hit(Bytes),
    Miss(FillKey),
    Bypass,
}

/// The answer key built from the tokens read before the query.
pub struct FillKey(String);

pub fn hash(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// A fresh random token (128 bits from the thread-local CSPRNG: no system call per request).
fn token() -> String {
    format!("{:032x}", rand::random::<u128>())
}

impl Cache {
    pub fn disabled() -> Cache {
        Cache { inner: None }
    }

    /// A lazy connection (nothing is awaited here: the service starts when Redis is down) and the
    /// health task that clears failures.
    pub fn connect(url: Option<&str>, namespace: &str) -> anyhow::Result<Cache> {
        let Some(url) = url else {
            return Ok(Cache::disabled());
        };
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_DEADLINE))
            .set_response_timeout(Some(REDIS_DEADLINE))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        let conn = ConnectionManager::new_lazy_with_config(client, config)?;
        let inner = Arc::new(Inner {
            conn,
            prefix: format!("shixin:{}", &hash(namespace)[..16]),
            // Start dirty: the epoch is replaced before the first use (see the module comment).
            failures: AtomicU64::new(1),
            cleared: AtomicU64::new(0),
            available: AtomicBool::new(false),
            run_id: Mutex::new(None),
            lookup_sha: std::sync::RwLock::new(None),
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

    /// Redis state for `/readyz`: `disabled`, `up` or `degraded`.
    pub fn status(&self) -> &'static str {
        match &self.inner {
            None => "disabled",
            Some(i) if i.usable() => "up",
            Some(_) => "degraded",
        }
    }

    /// The connection, when Redis is configured and trusted right now.
    pub fn conn(&self) -> Option<ConnectionManager> {
        self.inner
            .as_ref()
            .filter(|i| i.usable())
            .map(|i| i.conn.clone())
    }

    /// The key prefix of this deployment (`shixin:{H(database name)}`).
    pub fn prefix(&self) -> &str {
        self.inner
            .as_ref()
            .map(|i| i.prefix.as_str())
            .unwrap_or("shixin")
    }

    pub fn record_failure(&self) {
        if let Some(i) = &self.inner {
            i.failures.fetch_add(1, Ordering::SeqCst);
            i.available.store(false, Ordering::SeqCst);
        }
    }

    /// The connection when Redis answers, dirty or not (counters need no invalidation).
    pub fn available_conn(&self) -> Option<ConnectionManager> {
        self.inner
            .as_ref()
            .filter(|i| i.available.load(Ordering::SeqCst))
            .map(|i| i.conn.clone())
    }

    /// Reads the answer for `folded` + `variant` (filter, cursor, limit), one round trip; with a
    /// rate-limit counter, counts the request in the same round trip (the count is returned).
    pub async fn lookup(
        &self,
        folded: &str,
        variant: &str,
        counter: Option<&rate_limit::Counter>,
    ) -> (Lookup, Option<u64>) {
        let (Some(inner), Some(mut conn)) = (&self.inner, self.conn()) else {
            return (Lookup::Bypass, None);
        };
        let answers = format!("{}:pub:a:", inner.prefix);
        let suffix = format!("{}:{}", hash(folded), hash(variant));
        let sha = inner.lookup_sha.read().ok().and_then(|s| s.clone());
        let call = async {
            match &sha {
                Some(sha) => redis::cmd("EVALSHA").arg(sha).clone(),
                None => redis::cmd("EVAL").arg(LOOKUP_SCRIPT).clone(),
            }
            .arg(2)
            .arg(inner.epoch_key())
            .arg(inner.gen_key(folded))
            .arg(token())
            .arg(token())
            .arg(&suffix)
            .arg(GENERATION_TTL_SECS)
            .arg(&answers)
            .arg(counter.map(|c| c.key.as_str()).unwrap_or(""))
            .arg(counter.map(|c| c.window_ms).unwrap_or(0))
            .query_async::<(String, String, Option<Vec<u8>>, u64)>(&mut conn)
            .await
        };
        match tokio::time::timeout(REDIS_DEADLINE, call).await {
            Ok(Ok((_, _, Some(body), n))) => {
                metrics::counter!(crate::metrics::CACHE_LOOKUPS, "result" => "hit").increment(1);
                (Lookup::Hit(Bytes::from(body)), counter.map(|_| n))
            }
            Ok(Ok((e, g, None, n))) => {
                metrics::counter!(crate::metrics::CACHE_LOOKUPS, "result" => "miss").increment(1);
                (
                    Lookup::Miss(FillKey(format!("{answers}{e}:{g}:{suffix}"))),
                    counter.map(|_| n),
                )
            }
            Ok(Err(e))
                if e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript) =>
            {
                // Redis lost its script cache (restart, SCRIPT FLUSH): the health task loads it again.
                if let Ok(mut s) = inner.lookup_sha.write() {
                    *s = None;
                }
                (Lookup::Bypass, None)
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "redis lookup failed; answering from PostgreSQL");
                self.record_failure();
                (Lookup::Bypass, None)
            }
            Err(_) => {
                tracing::warn!("redis lookup timed out; answering from PostgreSQL");
                self.record_failure();
                (Lookup::Bypass, None)
            }
        }
    }

    /// Stores an answer under the tokens read before its query (in the background).
    pub fn fill(&self, key: FillKey, body: Bytes) {
        let Some(mut conn) = self.conn() else { return };
        let cache = self.clone();
        tokio::spawn(async move {
            let call = async {
                redis::cmd("SET")
                    .arg(&key.0)
                    .arg(body.as_ref())
                    .arg("EX")
                    .arg(ANSWER_TTL_SECS)
                    .query_async::<()>(&mut conn)
                    .await
            };
            if !matches!(tokio::time::timeout(REDIS_DEADLINE, call).await, Ok(Ok(()))) {
                // A lost fill is harmless, but Redis is in trouble: stop trusting it for now.
                cache.record_failure();
            }
        });
    }

    /// Replaces the generation of every name (one round trip). A failure is recorded, so this
    /// instance stops using the cache until the epoch has been replaced.
    pub async fn invalidate(&self, names: &[String]) {
        let Some(inner) = &self.inner else { return };
        if names.is_empty() {
            return;
        }
        let mut pipe = redis::pipe();
        for n in names {
            pipe.cmd("SET")
                .arg(inner.gen_key(n))
                .arg(token())
                .arg("EX")
                .arg(GENERATION_TTL_SECS)
                .ignore();
        }
        let mut conn = inner.conn.clone();
        let call = pipe.query_async::<()>(&mut conn);
        match tokio::time::timeout(REDIS_DEADLINE, call).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "cache invalidation failed; the cache is off until Redis answers and the epoch is replaced");
                self.record_failure();
            }
            Err(_) => {
                tracing::warn!(
                    "cache invalidation timed out; the cache is off until Redis answers and the epoch is replaced"
                );
                self.record_failure();
            }
        }
    }

    /// Replaces the epoch now (tests and operators: "flush" without touching other data).
    pub async fn bump_epoch(&self) -> bool {
        match &self.inner {
            Some(i) => i.bump_epoch().await,
            None => false,
        }
    }
}

impl Inner {
    fn epoch_key(&self) -> String {
        format!("{}:pub:epoch", self.prefix)
    }

    fn gen_key(&self, folded: &str) -> String {
        format!("{}:pub:g:{}", self.prefix, hash(folded))
    }

    fn usable(&self) -> bool {
        self.failures.load(Ordering::SeqCst) == self.cleared.load(Ordering::SeqCst)
    }

    async fn bump_epoch(&self) -> bool {
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
                if let Ok(mut s) = self.lookup_sha.write() {
                    *s = None;
                }
            }
            *seen = Some(run_id);
        }
        if self.lookup_sha.read().map(|s| s.is_none()).unwrap_or(false) {
            let mut conn = self.conn.clone();
            let call = async {
                redis::cmd("SCRIPT")
                    .arg("LOAD")
                    .arg(LOOKUP_SCRIPT)
                    .query_async::<String>(&mut conn)
                    .await
            };
            if let Ok(Ok(sha)) = tokio::time::timeout(REDIS_DEADLINE, call).await
                && let Ok(mut s) = self.lookup_sha.write()
            {
                *s = Some(sha);
            }
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

/// Invalidates the public answers for `names` once their change has committed. Called by the write
/// path and the time-driven tick, before they answer.
pub async fn after_commit(state: &AppState, names: &[String]) {
    state.cache.invalidate(names).await;
}
