//! The token reads against a real Redis. Each test has a key prefix of its own (its keys are deleted
//! when its fixture drops) and no health task, so nothing else writes its epoch. Redis comes from
//! `SHIXIN_TEST_REDIS_URL`, else 127.0.0.1:6379: these tests need a Redis even when the suite runs
//! without one (see `.ci/run`).

mod failures;
mod proxy;
mod tracking;

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64},
    },
    time::Duration,
};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use std::collections::HashMap;

use super::*;
use crate::cache::{REDIS_DEADLINE, local::Local, token};

fn redis_url() -> String {
    std::env::var("SHIXIN_TEST_REDIS_URL")
        .ok()
        .filter(|u| u != "none")
        .unwrap_or_else(|| "redis://127.0.0.1:6379".into())
}

/// A cache on `url` as `Cache::connect` builds it, trusted, without its health task. Its keys are
/// deleted on drop when `url` is the real Redis (another may not answer).
struct Fixture {
    inner: Arc<Inner>,
    url: String,
    /// What a lane remembers between its batches, and its tracked connection.
    tracked: tokio::sync::Mutex<Tracked>,
}

impl Fixture {
    fn new(url: &str) -> Fixture {
        Fixture::with_prefix(url, format!("shixin:test-tokens-{}", token()))
    }

    fn with_prefix(url: &str, prefix: String) -> Fixture {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_DEADLINE))
            .set_response_timeout(Some(REDIS_DEADLINE))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        Fixture::with_config(url, prefix, config)
    }

    fn with_config(url: &str, prefix: String, config: ConnectionManagerConfig) -> Fixture {
        let inner = Arc::new(Inner {
            id: crate::lanes::owner_id(),
            master: crate::cache::master::Master::open(url, config).unwrap(),
            prefix,
            failures: AtomicU64::new(0),
            cleared: AtomicU64::new(0),
            available: AtomicBool::new(true),
            run_id: tokio::sync::Mutex::new(None),
            local: Local::default(),
            doorkeeper: Default::default(),
        });
        Fixture {
            inner,
            url: url.to_string(),
            tracked: Default::default(),
        }
    }

    async fn read(&self, batch: &[Want], creating: &mut bool) -> Result<Vec<Tokens>, TokenError> {
        read(
            &self.inner,
            &mut *self.tracked.lock().await,
            batch,
            creating,
        )
        .await
    }

    fn conn(&self) -> ConnectionManager {
        self.inner.master.conn().unwrap()
    }

    fn gen_key(&self, name: &str) -> String {
        self.inner.gen_key(name)
    }

    fn counter_key(&self, client: &str) -> String {
        format!("{}:rl:{client}", self.inner.prefix)
    }

    async fn cmd<T: FromRedisValue>(&self, cmd: &mut redis::Cmd) -> T {
        let mut conn = self.conn();
        cmd.query_async(&mut conn).await.unwrap()
    }

    async fn get(&self, key: &str) -> Option<String> {
        self.cmd(redis::cmd("GET").arg(key)).await
    }

    async fn set(&self, key: &str, value: &str) {
        self.cmd::<()>(redis::cmd("SET").arg(key).arg(value)).await;
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if self.url != redis_url() {
            return;
        }
        let client = redis::Client::open(self.url.as_str());
        let Ok(mut c) = client.and_then(|c| c.get_connection_with_timeout(Duration::from_secs(1)))
        else {
            return;
        };
        let _ = c.set_read_timeout(Some(Duration::from_secs(1)));
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}:*", self.inner.prefix))
            .query(&mut c)
            .unwrap_or_default();
        if !keys.is_empty() {
            let _: redis::RedisResult<()> = redis::cmd("DEL").arg(keys).query(&mut c);
        }
    }
}

fn want(gen_key: &str, counter: Option<(&str, u64)>) -> Want {
    let (reply, _) = oneshot::channel();
    Want {
        gen_key: Some(gen_key.to_string()),
        counter: counter.map(|(k, w)| (k.to_string(), w)),
        reply,
    }
}

#[tokio::test]
async fn a_missing_generation_is_created_fresh_then_read_back_not_fresh() {
    let f = Fixture::new(&redis_url());
    let epoch = f.inner.epoch_key();
    f.set(&epoch, "e0").await;
    let a = f.gen_key("a");
    let mut creating = false;
    let first = f.read(&[want(&a, None)], &mut creating).await.unwrap();
    assert!(first[0].fresh, "created by this read");
    assert_eq!(first[0].epoch, "e0");
    assert_eq!(
        f.get(&a).await.as_deref(),
        Some(first[0].generation.as_str())
    );
    let ttl: i64 = f.cmd(redis::cmd("TTL").arg(&a)).await;
    assert!(
        ttl > 86_000 && ttl <= 86_400,
        "a generation expires after a day: {ttl}"
    );
    assert!(
        creating,
        "a missing generation switches the lane to creating"
    );
    // The next read creates (SET NX GET), finds the generation, and goes back to MGET.
    let second = f.read(&[want(&a, None)], &mut creating).await.unwrap();
    assert_eq!(second[0].generation, first[0].generation);
    assert!(!second[0].fresh);
    assert!(!creating, "nothing was missing: back to MGET");
    let third = f.read(&[want(&a, None)], &mut creating).await.unwrap();
    assert_eq!(third[0].generation, first[0].generation);
    assert!(!third[0].fresh);
    assert!(!creating);
}

#[tokio::test]
async fn a_missing_epoch_is_created_once_and_makes_every_lookup_of_its_read_fresh() {
    let f = Fixture::new(&redis_url());
    let (a, b) = (f.gen_key("a"), f.gen_key("b"));
    f.set(&a, "ga").await;
    f.set(&b, "gb").await;
    let mut creating = false;
    let first = f
        .read(&[want(&a, None), want(&b, None)], &mut creating)
        .await
        .unwrap();
    let epoch = f.get(&f.inner.epoch_key()).await.unwrap();
    for t in &first {
        assert!(t.fresh, "nothing can be stored under a new epoch");
        assert_eq!(t.epoch, epoch);
    }
    assert_eq!(
        (first[0].generation.as_str(), first[1].generation.as_str()),
        ("ga", "gb")
    );
    let ttl: i64 = f.cmd(redis::cmd("TTL").arg(f.inner.epoch_key())).await;
    assert_eq!(ttl, -1, "the epoch does not expire");
    assert!(!creating, "no generation was missing");
    let second = f.read(&[want(&a, None)], &mut creating).await.unwrap();
    assert_eq!(second[0].epoch, epoch);
    assert!(!second[0].fresh);
}

#[tokio::test]
async fn while_creating_a_missing_generation_is_set_in_the_same_round_trip() {
    let f = Fixture::new(&redis_url());
    f.set(&f.inner.epoch_key(), "e0").await;
    let (a, b) = (f.gen_key("a"), f.gen_key("b"));
    f.set(&b, "gb").await;
    let mut creating = true;
    let t = f
        .read(&[want(&a, None), want(&b, None)], &mut creating)
        .await
        .unwrap();
    assert!(
        t[0].fresh,
        "SET NX GET answered nil: the token is the one this read set"
    );
    assert_eq!(f.get(&a).await.as_deref(), Some(t[0].generation.as_str()));
    let ttl: i64 = f.cmd(redis::cmd("TTL").arg(&a)).await;
    assert!(ttl > 86_000 && ttl <= 86_400, "{ttl}");
    assert_eq!((t[1].generation.as_str(), t[1].fresh), ("gb", false));
    assert!(creating, "one was missing: keep creating");
    let t = f.read(&[want(&a, None)], &mut creating).await.unwrap();
    assert!(!t[0].fresh);
    assert!(!creating, "none missing: back to MGET");
}

#[tokio::test]
async fn the_lookups_of_one_read_agree_on_each_names_generation() {
    let f = Fixture::new(&redis_url());
    f.set(&f.inner.epoch_key(), "e0").await;
    let (a, b, c) = (f.gen_key("a"), f.gen_key("b"), f.gen_key("c"));
    f.set(&c, "gc").await;
    let batch = [a.as_str(), b.as_str(), a.as_str(), c.as_str(), a.as_str()];
    let wants: Vec<_> = batch.iter().map(|k| want(k, None)).collect();
    let mut creating = false;
    let t = f.read(&wants, &mut creating).await.unwrap();
    let stored_a = f.get(&a).await.unwrap();
    for i in [0, 2, 4] {
        assert_eq!(t[i].generation, stored_a, "lookup {i} of a");
        assert!(t[i].fresh, "lookup {i} of a");
    }
    assert_eq!(f.get(&b).await.as_deref(), Some(t[1].generation.as_str()));
    assert_ne!(t[1].generation, stored_a);
    assert!(t[1].fresh);
    assert_eq!((t[3].generation.as_str(), t[3].fresh), ("gc", false));
    // While creating, each lookup sends its own SET NX GET: the second lookup of a name finds the
    // first one's token (the same generation), and is not fresh (a wasted answer read, no harm).
    let (d, e) = (f.gen_key("d"), f.gen_key("e"));
    let mut creating = true;
    let wants = [want(&d, None), want(&d, None), want(&e, None)];
    let t = f.read(&wants, &mut creating).await.unwrap();
    assert_eq!(f.get(&d).await.as_deref(), Some(t[0].generation.as_str()));
    assert_eq!(t[1].generation, t[0].generation);
    assert_eq!((t[0].fresh, t[1].fresh, t[2].fresh), (true, false, true));
    assert_eq!(f.get(&e).await.as_deref(), Some(t[2].generation.as_str()));
}

#[tokio::test]
async fn counters_count_each_clients_lookups_in_order_and_expire_with_their_window() {
    let f = Fixture::new(&redis_url());
    f.set(&f.inner.epoch_key(), "e0").await;
    let (a, b) = (f.gen_key("a"), f.gen_key("b"));
    let (x, y, z) = (f.counter_key("x"), f.counter_key("y"), f.counter_key("z"));
    let wants = [
        want(&a, Some((&x, 60_000))),
        want(&a, Some((&y, 60_000))),
        want(&b, Some((&x, 60_000))),
        want(&b, None),
    ];
    let mut creating = false;
    let counts = |t: Vec<Tokens>| t.iter().map(|t| t.count).collect::<Vec<_>>();
    let t = f.read(&wants, &mut creating).await.unwrap();
    assert_eq!(counts(t), [1, 1, 2, 0]);
    assert_eq!(
        f.get(&x).await.as_deref(),
        Some("2"),
        "one INCRBY by the batch's lookups"
    );
    let pttl: i64 = f.cmd(redis::cmd("PTTL").arg(&x)).await;
    assert!(
        pttl > 0 && pttl <= 60_000,
        "the window's expiry is set: {pttl}"
    );
    let wants = [want(&a, Some((&x, 60_000))), want(&a, Some((&x, 60_000)))];
    let t = f.read(&wants, &mut creating).await.unwrap();
    assert_eq!(counts(t), [3, 4]);
    let later: i64 = f.cmd(redis::cmd("PTTL").arg(&x)).await;
    assert!(
        later > 0 && later <= pttl,
        "a later batch keeps the window: {later} > {pttl}"
    );
    // A short window runs out: the next lookup opens a new one.
    let t = f
        .read(&[want(&a, Some((&z, 100)))], &mut creating)
        .await
        .unwrap();
    assert_eq!(counts(t), [1]);
    tokio::time::sleep(Duration::from_millis(150)).await;
    let t = f
        .read(&[want(&a, Some((&z, 100)))], &mut creating)
        .await
        .unwrap();
    assert_eq!(counts(t), [1]);
}

/// A counter that lost its expiry (the non-atomic race of SET … NX then INCRBY, which left the
/// client limited for good) gets one back on its next count.
#[tokio::test]
async fn a_counter_without_an_expiry_gets_one_on_its_next_count() {
    let f = Fixture::new(&redis_url());
    f.set(&f.inner.epoch_key(), "e0").await;
    let (a, x) = (f.gen_key("a"), f.counter_key("x"));
    f.set(&x, "7").await;
    let none: i64 = f.cmd(redis::cmd("PTTL").arg(&x)).await;
    assert_eq!(none, -1, "no expiry to start with");
    let mut creating = false;
    let t = f
        .read(&[want(&a, Some((&x, 60_000)))], &mut creating)
        .await
        .unwrap();
    assert_eq!(t[0].count, 8);
    let pttl: i64 = f.cmd(redis::cmd("PTTL").arg(&x)).await;
    assert!(pttl > 0 && pttl <= 60_000, "the expiry is back: {pttl}");
}

#[test]
fn a_batch_tallies_each_clients_lookups_once_and_numbers_them_in_order() {
    let wants = [
        want("g", Some(("x", 1000))),
        want("g", None),
        want("h", Some(("y", 5000))),
        want("h", Some(("x", 1000))),
        want("g", Some(("x", 1000))),
    ];
    let mut tally = tally(&wants);
    tally.sort_unstable();
    assert_eq!(tally, [("x", 3, 1000), ("y", 1, 5000)]);
    // x stood at 10 before the batch (INCRBY answered 13), y at 0 (INCRBY answered 1).
    let totals = HashMap::from([("x", 10), ("y", 0)]);
    assert_eq!(counts(&wants, totals), [11, 0, 1, 12, 13]);
}

/// (what, was creating, fresh, generations read, creating next)
type CreatingCase = (
    &'static str,
    bool,
    &'static [bool],
    &'static [Option<&'static str>],
    bool,
);

#[test]
fn the_lane_creates_while_generations_are_missing() {
    #[rustfmt::skip]
    let cases: &[CreatingCase] = &[
        ("MGET found all", false, &[false], &[Some("g")], false),
        ("MGET found one missing", false, &[false, false], &[Some("g"), None], true),
        ("an empty batch", false, &[], &[], false),
        ("SET NX GET created one", true, &[false, true], &[Some("g"), Some("h")], true),
        ("SET NX GET created none", true, &[false, false], &[Some("g"), Some("h")], false),
    ];
    for (what, was, fresh, gens, next) in cases {
        let gens: Vec<_> = gens.iter().map(|g| g.map(String::from)).collect();
        assert_eq!(still_creating(*was, fresh, &gens), *next, "{what}");
    }
}
