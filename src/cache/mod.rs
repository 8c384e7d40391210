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
//! - `shixin:pub:a:{epoch}:{generation}:{H(folded name)}:{variant}` — one answer, where the variant is
//!   `|{cursor}|{limit}`, or `H(filter, cursor, limit)` when an ID-number filter is given
//!   (the JSON body, positive or empty), for 10 minutes.
//!
//! The first lookup of a name lately (in this process) is answered from PostgreSQL and stores
//! nothing ([`doorkeeper`]: the cache admits a name from its second lookup); it only counts its
//! client. Any other lookup first gets the epoch and its name's generation (creating either from a
//! fresh random token when missing). Lookups arriving together share one pipeline ([`tokens`]: each
//! joins a pipeline sent after it arrived), which also counts their clients for the rate limit. The
//! thread remembers the tokens it read ([`tracked`]), so a warm pipeline reads no key at all.
//! The answer under the tokens is then taken from this process's copy ([`local`]: answers never
//! change under a given key, so the copy needs no invalidation), else from Redis; when this read
//! created the generation (or the epoch), no answer can be under it and none is looked for. On a
//! miss the reader queries PostgreSQL *after* having read the tokens (batched with the searches
//! of its thread, `db::public_reads`), then stores the answer under them.
//!
//! Why no stale answer is served:
//! - **The next request sees a change.** The write path commits, then replaces the generation of
//!   every name it affects, and only then answers. A request that starts after that answer reads
//!   the new generation, under which nothing was stored before the commit.
//! - **A fill that raced a change cannot put an old answer back.** A fill writes under the tokens
//!   read *before* its query. If the query saw the old data, the change committed after the tokens
//!   were read, so its generation replacement comes after too: the fill lands under a dead key.
//! - **A remembered token is as fresh as one read** ([`tracked`], Redis's server-assisted
//!   client-side caching): each thread's token connection has `CLIENT TRACKING ON`, so Redis
//!   pushes an invalidation to it, in the connection's order, when a key it read changes (set,
//!   deleted, expired, evicted, flushed). Every pipeline — a warm one sends only the counter's
//!   `INCRBY` or a `PING` — is sent after its lookups arrived, and the pushes received with its
//!   reply are applied before any remembered token is used; a remembered token they invalidate is
//!   read again. So the rule of the first point holds for remembered tokens too. Only what `GET` and
//!   `MGET` read is remembered (what Redis tracks). A push is lost only with its connection, and
//!   whatever ends it (an error, a timeout, a `Disconnection` push, a restart, a new master) forgets
//!   every token; so does any failure this instance records. Tests: a change answered before a
//!   read, a push lost with a killed connection, tracking after a reconnect, a new epoch, a deleted
//!   generation, a recorded failure (`tokens/tests/tracking.rs`), each shown failing against a
//!   break of its rule.
//! - **Tokens are random, never counters**: a generation key that expired or was evicted is
//!   recreated with a fresh token, so it can never point back at answers stored under an old one.
//! - **A failed invalidation** (Redis down or slow when a change commits) or any other Redis error
//!   increments `failures`. While `failures != cleared` this instance neither reads nor fills the
//!   cache. A background task pings Redis every 250 ms; once it answers, it replaces the epoch and
//!   only then marks the failures it saw as cleared. Answers stored before the outage are therefore
//!   never served again, even when Redis comes back with old data (a restart from a snapshot: the
//!   task also watches Redis's `run_id` and treats a change as a failure). An instance starts dirty,
//!   so a crash between a commit and its invalidation is covered by the next start.
//! - **A change of master** (Redis Sentinel, `REDIS_URL=redis+sentinel://…`, [`sentinel_url`]):
//!   writes the old master acknowledged but had not yet sent to its replica are lost, so the new
//!   master may hold an old generation *and the answers under it*. Only the health task moves the
//!   service to another master ([`master`]: it asks the sentinels whenever the server fails or is
//!   not a master, and every two seconds anyway), and it records a failure *before* it publishes
//!   the new master to the lanes, which pick their connection before each batch. A lookup keeps
//!   the tokens and the answer it read only if no failure was recorded between its start and
//!   their arrival: whatever was read from the new master was read after that failure, so nothing
//!   from it is used before its epoch has been replaced. The health round also counts a server
//!   that answers `ROLE` with anything but master (a demoted master), or another `run_id`, as a
//!   failure. A master killed is moreover an outage every instance sees (its health pings fail
//!   for the whole failover, which takes longer than `down-after-milliseconds`), so every
//!   instance replaces the epoch before it uses the new master.
//! - **A change cut off after its commit** (its request's future dropped at a shutdown deadline, or
//!   the process killed, before the invalidation) owes it in the database: each change records
//!   its names in `cache_invalidations` in its own transaction and deletes the row once done; any
//!   live instance's [`sweep`] invalidates the rows left behind for [`sweep::LEFT_BEHIND`].
//!
//! Limits, stated plainly: another *instance* that did not see the failure may serve the old answer
//! for a name until the failing instance replaces the epoch (at most about one health period after
//! Redis answers again). Answers are read from `DATABASE_READ_URL` when it is set: use a replica with
//! `synchronous_commit = remote_apply`, otherwise replica lag can be cached as a fresh answer.
//! A batch reads keys of many names in one `MGET`, so it needs a single Redis (not Redis Cluster).
//! With Sentinel, a failover that the old master survives (`SENTINEL FAILOVER`, a partition between
//! it and the sentinels) is no outage: an instance keeps using the old master until its health task
//! notices, one health period after the old master answers as a replica, or at the next question to
//! the sentinels (every 2 s). Until then its invalidations go to the old master and are lost, so
//! another instance that already follows may serve an answer they should have orphaned; and the
//! demoted master, resynchronised from the new one, may serve it the answers a lost invalidation
//! should have orphaned. Both end when that instance follows and replaces the epoch.

mod doorkeeper;
mod health;
mod local;
mod lookup;
mod master;
pub mod probe;
pub mod rate_limit;
pub mod sentinel_url;
pub mod sweep;
mod tokens;
mod tracked;

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use actix_web::web::Bytes;
use redis::aio::ConnectionManager;
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

/// Deadline of every Redis call on a request path.
pub const REDIS_DEADLINE: Duration = Duration::from_millis(100);
const HEALTH_PERIOD: Duration = Duration::from_millis(250);
const ANSWER_TTL_SECS: u64 = 600;
const GENERATION_TTL_SECS: u64 = 86_400;

/// Redis, when configured: the connection and whether it may be trusted right now.
#[derive(Clone)]
pub struct Cache {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    /// Tells this cache's lanes apart from another's on the same thread.
    id: u64,
    /// The Redis server (one, or the master Sentinel names) and the connection of the health task
    /// and of invalidations (lookups use their thread's lane).
    master: master::Master,
    /// `shixin:{H(database name)}`: instances of one deployment share keys, test databases do not.
    prefix: String,
    failures: AtomicU64,
    cleared: AtomicU64,
    /// Redis answered the last health round and nothing failed since (the rate limit's test).
    available: AtomicBool,
    run_id: Mutex<Option<String>>,
    /// Answers already read, by their immutable key.
    local: local::Local,
    /// The names looked up lately (the admission rule: cached from a name's second lookup).
    doorkeeper: doorkeeper::Doorkeeper,
}

/// Where an answer was found, or where to store it.
pub enum Lookup {
    Hit(Bytes),
    Miss(FillKey),
    Bypass,
    /// A name's first lookup lately ([`doorkeeper`]): answer from PostgreSQL, store nothing; the
    /// client's count is on its way from Redis.
    First(PendingCount),
}

/// The rate-limit count of a name's first lookup, read in its lane's next batch.
pub struct PendingCount {
    reply: tokio::sync::oneshot::Receiver<Result<tokens::Tokens, tokens::TokenError>>,
    inner: Arc<Inner>,
}

impl PendingCount {
    /// The client's count, or `None` when Redis did not give it (count it another way).
    pub async fn count(self) -> Option<u64> {
        tokens::received(self.reply, &self.inner)
            .await
            .map(|t| t.count)
    }
}

/// The answer key built from the tokens read before the query: `{epoch}:{generation}:{suffix}`.
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
            .and_then(|i| i.master.conn())
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
            i.record_failure();
        }
    }

    /// The connection when Redis answers, dirty or not (counters need no invalidation).
    pub fn available_conn(&self) -> Option<ConnectionManager> {
        self.inner
            .as_ref()
            .filter(|i| i.available.load(Ordering::SeqCst))
            .and_then(|i| i.master.conn())
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
        let Some(mut conn) = inner.master.conn() else {
            // No master known yet: the cache is not in use, and the epoch is replaced before it is.
            self.record_failure();
            return;
        };
        let call = pipe.query_async::<()>(&mut conn);
        match tokio::time::timeout(REDIS_DEADLINE, call).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::warn!(error_kind = ?e.kind(), "cache invalidation failed; the cache is off until Redis answers and the epoch is replaced");
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

    /// Whether a Redis is configured (answers are cached at all).
    pub fn configured(&self) -> bool {
        self.inner.is_some()
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
    fn record_failure(&self) {
        self.failures.fetch_add(1, Ordering::SeqCst);
        self.available.store(false, Ordering::SeqCst);
    }

    fn epoch_key(&self) -> String {
        format!("{}:pub:epoch", self.prefix)
    }

    fn gen_key(&self, folded: &str) -> String {
        self.gen_key_hashed(&hash(folded))
    }

    fn gen_key_hashed(&self, name_hash: &str) -> String {
        format!("{}:pub:g:{name_hash}", self.prefix)
    }

    fn answer_key(&self, key: &str) -> String {
        format!("{}:pub:a:{key}", self.prefix)
    }

    fn usable(&self) -> bool {
        self.mark().is_some()
    }

    /// The failure count when the cache is usable now: a lookup keeps what it reads only if the
    /// count is still this once the read has come back ([`Inner::unchanged_since`]).
    fn mark(&self) -> Option<u64> {
        let failures = self.failures.load(Ordering::SeqCst);
        (failures == self.cleared.load(Ordering::SeqCst)).then_some(failures)
    }

    /// No failure was recorded (a change of master among them) since `mark`.
    fn unchanged_since(&self, mark: u64) -> bool {
        self.failures.load(Ordering::SeqCst) == mark
    }
}

/// Records, in a change's transaction, that `names` must be invalidated once it commits (see
/// [`sweep`]); nothing when there is no name or no cache (an instance without Redis invalidates
/// nothing). The id goes to [`after_commit`].
pub async fn owe(
    cache: &Cache,
    conn: &mut diesel_async::AsyncPgConnection,
    names: &[String],
) -> Result<Option<i64>, diesel::result::Error> {
    if names.is_empty() || !cache.configured() {
        return Ok(None);
    }
    crate::db::models::cache_invalidation::owe(conn, names)
        .await
        .map(Some)
}

/// Invalidates the public answers for `names` once their change has committed, then settles the
/// invalidation the change owed in its transaction (`owed`, `cache_invalidations`). Called by the
/// write path and the time-driven tick, before they answer. Cut off before the end (the future
/// dropped at a shutdown deadline), the owed row stays and a sweeper does it ([`sweep`]).
pub async fn after_commit(
    cache: &Cache,
    conn: &mut diesel_async::AsyncPgConnection,
    names: &[String],
    owed: Option<i64>,
) {
    cache.invalidate(names).await;
    if let Some(id) = owed
        && let Err(e) = crate::db::models::cache_invalidation::paid(conn, id).await
    {
        // The sweeper will invalidate the names once more: harmless.
        tracing::warn!(error = %e, "could not settle a cache invalidation");
    }
}
