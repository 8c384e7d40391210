//! The public cache (src/cache): answers are cached, a change is visible to the very next request
//! after its commit returns, a racing fill never brings an old answer back, and Redis down, slow or
//! off only makes the service read PostgreSQL.

use std::{
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use diesel::sql_query;
use diesel_async::RunQueryDsl;
use serde_json::Value;

use crate::{
    helpers::{TestApp, spawn_app_with},
    public_helpers::{NO_LIMIT, named, remove, search_ids, wait_redis_up},
};

async fn redis_app() -> TestApp {
    let app = spawn_app_with(&[NO_LIMIT, ("REDIS_URL", "redis://127.0.0.1:6379")]).await;
    wait_redis_up(&app).await;
    app
}

/// Turns a listing `active` behind the service's back (no invalidation): shows what is cached.
async fn sneak_status(app: &TestApp, id: &str, status: &str) {
    let mut c = app.db().await;
    sql_query(format!(
        "UPDATE listings SET status = '{status}' WHERE id = '{id}'"
    ))
    .execute(&mut c)
    .await
    .unwrap();
}

#[tokio::test]
async fn public_cache_serves_cached_answers_until_a_change_invalidates_them() {
    let app = redis_app().await;
    let a = app.create_listing(&named("孙七", 1)).await;
    let id = a["id"].as_str().unwrap().to_string();
    assert_eq!(search_ids(&app, "孙七").await, vec![id.clone()]);
    // The first lookup of a name stores nothing: a change behind the service's back is seen.
    sneak_status(&app, &id, "removed").await;
    assert!(search_ids(&app, "孙七").await.is_empty(), "not cached");
    // From the second lookup on the name is cached: a change made behind the service's back is
    // not seen, the answer comes from the cache.
    sneak_status(&app, &id, "active").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(search_ids(&app, "孫七").await.is_empty(), "cached");
    // A change through the service invalidates the name before it answers.
    let b = app.create_listing(&named("孙七", 2)).await;
    let mut both = vec![id, b["id"].as_str().unwrap().to_string()];
    both.sort();
    assert_eq!(search_ids(&app, "孙七").await, both);
}

#[tokio::test]
async fn public_cache_never_serves_a_stale_answer_after_a_write_returns() {
    let app = Arc::new(redis_app().await);
    let stop = Arc::new(AtomicBool::new(false));
    // Searchers hammer the name (filling the cache at every moment of every change).
    let mut searchers = Vec::new();
    for _ in 0..6 {
        let (app, stop) = (app.clone(), stop.clone());
        searchers.push(tokio::spawn(async move {
            let mut n = 0u32;
            while !AtomicBool::load(&stop, Ordering::Relaxed) {
                search_ids(&app, "周八").await;
                n += 1;
            }
            n
        }));
    }
    for cycle in 1..=12u32 {
        let v = app.create_listing(&named("周八", cycle)).await;
        let id = v["id"].as_str().unwrap().to_string();
        assert_eq!(
            search_ids(&app, "周八").await,
            vec![id.clone()],
            "cycle {cycle}: create not visible"
        );
        remove(&app, &id, 1).await;
        assert!(
            search_ids(&app, "周八").await.is_empty(),
            "cycle {cycle}: removal not visible"
        );
        // and it stays so: no racing fill brings the old answer back
        for _ in 0..3 {
            tokio::time::sleep(Duration::from_millis(5)).await;
            assert!(
                search_ids(&app, "周八").await.is_empty(),
                "cycle {cycle}: stale answer came back"
            );
        }
    }
    stop.store(true, Ordering::Relaxed);
    let mut total = 0;
    for s in searchers {
        total += s.await.unwrap();
    }
    assert!(total > 50, "the searchers ran ({total})");
}

async fn assert_correct_and_fast(app: &TestApp) {
    let a = app.create_listing(&named("吴九", 1)).await;
    let id = a["id"].as_str().unwrap().to_string();
    let started = Instant::now();
    for _ in 0..20 {
        assert_eq!(search_ids(app, "吳九").await, vec![id.clone()]);
    }
    remove(app, &id, 1).await;
    assert!(search_ids(app, "吴九").await.is_empty());
    let spent = started.elapsed();
    assert!(spent < Duration::from_secs(2), "22 requests took {spent:?}");
}

#[tokio::test]
async fn public_cache_redis_down_answers_from_postgres_quickly() {
    let app = spawn_app_with(&[NO_LIMIT, ("REDIS_URL", "redis://127.0.0.1:1")]).await;
    let v: Value = app.get("/readyz", None).await.json().await.unwrap();
    assert_eq!(v["status"], "ready");
    assert_eq!(v["redis"], "degraded");
    assert_correct_and_fast(&app).await;
}

#[tokio::test]
async fn public_cache_off_with_redis_url_none() {
    let app = spawn_app_with(&[NO_LIMIT, ("REDIS_URL", "none")]).await;
    let v: Value = app.get("/readyz", None).await.json().await.unwrap();
    assert_eq!(v["redis"], "disabled");
    assert_correct_and_fast(&app).await;
}

pub(crate) struct PrivateRedis {
    child: Child,
    pub(crate) port: u16,
}

impl PrivateRedis {
    pub(crate) fn start() -> PrivateRedis {
        Self::start_on(Self::free_port())
    }
    pub(crate) fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }
    /// A Redis on a free port that keeps its data in `dir` (see [`Self::start_persistent_on`]).
    pub(crate) fn start_persistent(dir: &std::path::Path) -> PrivateRedis {
        Self::start_persistent_on(Self::free_port(), dir)
    }
    /// A Redis on `port` (again, after a kill), without persistence: it starts empty.
    pub(crate) fn start_on(port: u16) -> PrivateRedis {
        Self::spawn(port, &["--save", "", "--appendonly", "no"])
    }
    /// A Redis on `port` that keeps its data in `dir` (an append-only file synced at every write):
    /// killed and started again on the same `dir`, it comes back with the keys it held.
    pub(crate) fn start_persistent_on(port: u16, dir: &std::path::Path) -> PrivateRedis {
        let dir = dir.to_str().expect("a UTF-8 directory");
        let args = [
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
        ];
        Self::spawn(port, &[&args[..], &["--dir", dir]].concat())
    }
    /// A `redis-server` on `port` (127.0.0.1) with `args` after `--port` and `--bind`.
    pub(crate) fn spawn(port: u16, args: &[&str]) -> PrivateRedis {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(args)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server");
        PrivateRedis { child, port }
    }
    pub(crate) fn signal(&self, sig: &str) {
        Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .unwrap();
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.signal("-CONT");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Redis freezes (SIGSTOP) while a change commits: the invalidation times out, the service answers
/// from PostgreSQL, and when Redis thaws with the old answer still in it, the old answer is not served.
#[tokio::test]
async fn public_cache_frozen_redis_then_back_serves_nothing_stale() {
    let redis = PrivateRedis::start();
    let url = format!("redis://127.0.0.1:{}", redis.port);
    std::thread::sleep(Duration::from_millis(300));
    let app = spawn_app_with(&[NO_LIMIT, ("REDIS_URL", &url)]).await;
    wait_redis_up(&app).await;
    let a = app.create_listing(&named("郑十", 1)).await;
    let id = a["id"].as_str().unwrap().to_string();
    assert_eq!(search_ids(&app, "郑十").await, vec![id.clone()]);
    assert_eq!(search_ids(&app, "郑十").await, vec![id.clone()]); // cached now

    redis.signal("-STOP");
    let started = Instant::now();
    remove(&app, &id, 1).await;
    assert!(
        search_ids(&app, "郑十").await.is_empty(),
        "answered from PostgreSQL"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let v: Value = app.get("/readyz", None).await.json().await.unwrap();
    assert_eq!(v["redis"], "degraded");

    redis.signal("-CONT");
    for _ in 0..40 {
        assert!(
            search_ids(&app, "郑十").await.is_empty(),
            "stale answer after Redis came back"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    wait_redis_up(&app).await;
    assert!(search_ids(&app, "郑十").await.is_empty());
    assert!(search_ids(&app, "郑十").await.is_empty());
}

/// Lookups arriving together share one Redis read (src/cache/tokens.rs), and the rate limit still
/// counts each of them once: of 200 concurrent searches under a limit of 150 an hour, exactly 150
/// are answered and 50 refused.
#[tokio::test]
async fn public_cache_concurrent_lookups_share_token_reads_and_each_is_counted() {
    use chrono::Timelike;
    let now = chrono::Utc::now();
    if now.minute() == 59 && now.second() > 50 {
        // Stay inside one fixed window of the rate limit.
        tokio::time::sleep(Duration::from_secs(12)).await;
    }
    let app = Arc::new(
        spawn_app_with(&[
            ("SHIXIN_PUBLIC_RATE_LIMIT", "150/h"),
            ("REDIS_URL", "redis://127.0.0.1:6379"),
        ])
        .await,
    );
    wait_redis_up(&app).await;
    let searches = (0..200).map(|i| {
        let app = app.clone();
        async move {
            let path = format!(
                "/v1/public/listings?name={}",
                crate::public_helpers::q(&format!("无名氏{i}"))
            );
            app.get(&path, None).await.status().as_u16()
        }
    });
    let statuses = futures_util::future::join_all(searches).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        150,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        50,
        "{statuses:?}"
    );
    let lookups = app.metric("shixin_cache_token_lookups_total").await;
    let reads = app.metric("shixin_cache_token_reads_total").await;
    assert_eq!(lookups, 200);
    assert!(
        reads < lookups,
        "{reads} reads for {lookups} lookups: nothing was batched"
    );
}
