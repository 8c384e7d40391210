//! Redis with Sentinel (issue 21): `REDIS_URL=redis+sentinel://…` against a real master, a replica
//! and three sentinels (`cluster`). A change is made with replication held, so the replica never
//! has it: its old generation and the old answer stay there. Then the master is killed under
//! public load: no request fails, the service follows the master the sentinels promote, and it
//! starts a new cache epoch there, so the old answer is not served although the new master holds
//! it. `no_outage`: the same when the sentinels name a new master while the old one still answers.

pub(crate) mod cluster;
mod no_outage;

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use redis::aio::MultiplexedConnection;
use sha2::{Digest, Sha256};

use crate::{
    helpers::{TestApp, spawn_app_with},
    public_helpers::{NO_LIMIT, named, search, wait_redis_up},
};
use cluster::{Cluster, connect, wait_for};

/// The name changed just before the kill, and the names of the load.
const CHANGED: &str = "欧阳二十一";
const LOAD: [&str; 2] = ["韩二十一", "无此人名二十一"];

fn sha256(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// The service's Redis keys for this test's database (src/cache/mod.rs).
struct Keys {
    prefix: String,
}

impl Keys {
    fn new(app: &TestApp) -> Keys {
        Keys {
            prefix: format!("shixin:{}", &sha256(&app.db_name)[..16]),
        }
    }
    fn epoch(&self) -> String {
        format!("{}:pub:epoch", self.prefix)
    }
    fn generation(&self, name: &str) -> String {
        let folded = shixin::domain::name::fold_name(name);
        format!("{}:pub:g:{}", self.prefix, sha256(&folded))
    }
    /// The answers stored under `epoch` (all names, all variants).
    fn answers(&self, epoch: &str) -> String {
        format!("{}:pub:a:{epoch}:*", self.prefix)
    }
    /// The answers of `name` under `epoch` and `generation`.
    fn answers_of(&self, epoch: &str, generation: &str, name: &str) -> String {
        let folded = shixin::domain::name::fold_name(name);
        format!(
            "{}:pub:a:{epoch}:{generation}:{}:*",
            self.prefix,
            sha256(&folded)
        )
    }
}

async fn get(c: &mut MultiplexedConnection, key: &str) -> Option<String> {
    redis::cmd("GET").arg(key).query_async(c).await.unwrap()
}

async fn keys(c: &mut MultiplexedConnection, pattern: &str) -> Vec<String> {
    redis::cmd("KEYS")
        .arg(pattern)
        .query_async(c)
        .await
        .unwrap()
}

/// The ids a search answers, or the status when it is not 200.
async fn ids(app: &TestApp, name: &str) -> Result<Vec<String>, u16> {
    let (s, v) = search(app, name).await;
    if s != 200 {
        return Err(s);
    }
    let items = v["items"].as_array().cloned().unwrap_or_default();
    let mut ids: Vec<String> = items
        .iter()
        .map(|i| i["id"].as_str().unwrap_or_default().to_string())
        .collect();
    ids.sort();
    Ok(ids)
}

/// `shixin_cache_lookups_total{result="hit"}` of the service.
async fn cache_hits(app: &TestApp) -> u64 {
    let body = app.get("/metrics", None).await.text().await.unwrap();
    body.lines()
        .find_map(|l| l.strip_prefix(r#"shixin_cache_lookups_total{result="hit"} "#))
        .and_then(|n| n.trim().parse::<f64>().ok())
        .map_or(0, |n| n as u64)
}

/// What the searchers saw: answers, wrong answers (with what they were), failed requests.
#[derive(Default)]
struct Seen {
    ok: AtomicUsize,
    wrong: Mutex<Vec<String>>,
}

/// The stale case, staged: `CHANGED` has one listing, whose answer is cached and replicated; then,
/// with replication held, a second listing: the master holds the name's new generation, the
/// replica the old one and the old answer under it.
struct Staged {
    /// The ids of the name after the change, sorted.
    both: Vec<String>,
    old_epoch: String,
    old_generation: String,
    /// The pattern of the old answer's keys.
    old_answers: String,
}

async fn stage(app: &TestApp, cluster: &Cluster, keys_of: &Keys) -> Staged {
    let mut master = connect(cluster.master.port).await;
    let mut replica = connect(cluster.replica.port).await;
    let a = app.create_listing(&named(CHANGED, 21)).await;
    let a = a["id"].as_str().unwrap().to_string();
    for _ in 0..2 {
        assert_eq!(ids(app, CHANGED).await, Ok(vec![a.clone()]));
    }
    // Everything so far is on the replica (WAIT counts the writes before this client's own).
    let _: () = redis::cmd("SET")
        .arg("sentinel-test:sync")
        .arg(1)
        .query_async(&mut master)
        .await
        .unwrap();
    let acked: i64 = redis::cmd("WAIT")
        .arg(1)
        .arg(5000)
        .query_async(&mut master)
        .await
        .unwrap();
    assert_eq!(acked, 1, "the replica acknowledged the writes so far");
    let old_epoch = get(&mut replica, &keys_of.epoch()).await.unwrap();
    let old_generation = get(&mut replica, &keys_of.generation(CHANGED))
        .await
        .unwrap();
    let old_answers = keys_of.answers_of(&old_epoch, &old_generation, CHANGED);
    assert!(
        !keys(&mut replica, &old_answers).await.is_empty(),
        "the old answer is on the replica"
    );
    cluster.hold_replication();
    let b = app.create_listing(&named(CHANGED, 23)).await;
    let mut both = vec![a, b["id"].as_str().unwrap().to_string()];
    both.sort();
    assert_eq!(ids(app, CHANGED).await, Ok(both.clone()));
    let new_generation = get(&mut master, &keys_of.generation(CHANGED)).await;
    assert_ne!(new_generation.as_deref(), Some(old_generation.as_str()));
    Staged {
        both,
        old_epoch,
        old_generation,
        old_answers,
    }
}

impl Staged {
    /// The stale case was real: the new master holds the old generation and the old answer.
    async fn assert_real(&self, new_master: &mut MultiplexedConnection, keys_of: &Keys) {
        assert_eq!(
            get(new_master, &keys_of.generation(CHANGED)).await,
            Some(self.old_generation.clone()),
            "the change never reached the replica"
        );
        assert!(
            !keys(new_master, &self.old_answers).await.is_empty(),
            "the old answer is still on the new master"
        );
    }
}

/// The service followed the new master `replica`: the next searches answer `both` (the change
/// made before `event`), and it replaced the epoch there and caches under the new one.
async fn follows(
    app: &TestApp,
    replica: &mut MultiplexedConnection,
    keys_of: &Keys,
    old_epoch: &str,
    both: &[String],
    event: &str,
) {
    wait_redis_up(app).await;
    for _ in 0..5 {
        assert_eq!(
            ids(app, CHANGED).await,
            Ok(both.to_vec()),
            "a search after {event} answers the change made before it"
        );
    }
    let new_epoch = wait_new_epoch(replica, keys_of, old_epoch).await;
    wait_for(
        Duration::from_secs(5),
        "answers are cached on the new master",
        async || !keys(replica, &keys_of.answers(&new_epoch)).await.is_empty(),
    )
    .await;
}

/// Waits until the service has replaced the epoch on `new_master` (bounded); the new epoch.
async fn wait_new_epoch(
    new_master: &mut MultiplexedConnection,
    keys_of: &Keys,
    old: &str,
) -> String {
    let mut new_epoch = None;
    wait_for(
        Duration::from_secs(5),
        "the service replaces the epoch on the new master",
        async || {
            new_epoch = get(new_master, &keys_of.epoch()).await.filter(|e| e != old);
            new_epoch.is_some()
        },
    )
    .await;
    new_epoch.unwrap()
}

/// A searcher of the changed name, every 20 ms: any answer but the one after the change is kept.
struct Checker {
    stop: Arc<AtomicBool>,
    stale: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Checker {
    fn start(app: &Arc<TestApp>, both: &[String]) -> Checker {
        let stop = Arc::new(AtomicBool::new(false));
        let stale = Arc::new(Mutex::new(Vec::new()));
        let (app, halt, seen, both) = (app.clone(), stop.clone(), stale.clone(), both.to_vec());
        let task = tokio::spawn(async move {
            while !halt.load(Ordering::SeqCst) {
                let got = ids(&app, CHANGED).await;
                if got.as_ref() != Ok(&both) {
                    seen.lock().unwrap().push(format!("{got:?}"));
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        Checker { stop, stale, task }
    }

    fn saw_stale(&self) -> bool {
        !self.stale.lock().unwrap().is_empty()
    }

    async fn assert_never_stale(self) {
        self.stop.store(true, Ordering::SeqCst);
        self.task.await.unwrap();
        let stale = self.stale.lock().unwrap().clone();
        assert!(
            stale.is_empty(),
            "answers other than the one after the change: {stale:?}"
        );
    }
}

#[tokio::test]
async fn sentinel_failover_under_public_load_fails_no_request_and_serves_nothing_stale() {
    let cluster = Cluster::start().await;
    let app = Arc::new(spawn_app_with(&[NO_LIMIT, ("REDIS_URL", &cluster.url())]).await);
    wait_redis_up(&app).await;
    let keys_of = Keys::new(&app);

    let listed = app.create_listing(&named(LOAD[0], 22)).await;
    let listed = listed["id"].as_str().unwrap().to_string();
    let right: [Vec<String>; 2] = [vec![listed], vec![]];

    // Public load from here to the end: every answer must be 200 and right.
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Seen::default());
    let searchers: Vec<_> = (0..4)
        .map(|k| {
            let (app, stop, seen, right) = (app.clone(), stop.clone(), seen.clone(), right.clone());
            tokio::spawn(async move {
                let mut n = k;
                while !stop.load(Ordering::SeqCst) {
                    let i = n % LOAD.len();
                    match ids(&app, LOAD[i]).await {
                        Ok(got) if got == right[i] => {
                            seen.ok.fetch_add(1, Ordering::SeqCst);
                        }
                        other => seen.wrong.lock().unwrap().push(format!("{other:?}")),
                    }
                    n += 1;
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let staged = stage(&app, &cluster, &keys_of).await;
    let both = staged.both.clone();
    let hits_before = cache_hits(&app).await;
    cluster.master.signal("-KILL");
    let killed = Instant::now();
    // When the service stops trusting Redis, and when it trusts it again (on the new master).
    let readiness = {
        let app = app.clone();
        tokio::spawn(async move {
            let mut degraded = None;
            while killed.elapsed() < Duration::from_secs(40) {
                let v: serde_json::Value = app.get("/readyz", None).await.json().await.unwrap();
                match (v["redis"].as_str(), degraded) {
                    (Some("degraded"), None) => degraded = Some(killed.elapsed()),
                    (Some("up"), Some(d)) => return Some((d, killed.elapsed())),
                    _ => {}
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            None
        })
    };

    let checker = Checker::start(&app, &both);

    cluster.wait_failover(Duration::from_secs(30)).await;
    let failed_over = killed.elapsed();
    // The promotion disconnects the replica's clients (`CLIENT KILL TYPE normal`).
    let mut replica = connect(cluster.replica.port).await;
    // The service follows (its cache is trusted again) and answers the change.
    follows(
        &app,
        &mut replica,
        &keys_of,
        &staged.old_epoch,
        &both,
        "the failover",
    )
    .await;
    wait_for(Duration::from_secs(5), "cache hits resume", async || {
        cache_hits(&app).await > hits_before + 20
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::SeqCst);
    for s in searchers {
        s.await.unwrap();
    }
    checker.assert_never_stale().await;
    staged.assert_real(&mut replica, &keys_of).await;
    let wrong = seen.wrong.lock().unwrap().clone();
    assert!(
        wrong.is_empty(),
        "failed or wrong public answers: {wrong:?}"
    );
    let ok = seen.ok.load(Ordering::SeqCst);
    assert!(ok > 100, "the load ran ({ok} answers)");
    let (degraded, up) = readiness.await.unwrap().expect("readyz: degraded, then up");
    eprintln!(
        "failover: the service stopped trusting redis {degraded:?} after the kill; the test saw \
         the sentinels promote the replica by {failed_over:?}; the service trusted the new master \
         from {up:?}; {ok} public answers, none failed"
    );
}

/// A malformed Sentinel URL stops `shixin serve` before anything else, like any configuration
/// error, with a message that says what is wrong and does not quote the password.
#[test]
fn a_malformed_sentinel_url_stops_the_start_with_a_clear_message() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shixin"))
        .arg("serve")
        // Never a real database, should the service get that far.
        .env(
            "DATABASE_URL",
            "postgres://postgres@127.0.0.1:1/shixin_refused",
        )
        .env(
            "REDIS_URL",
            "redis+sentinel://:hunter2@127.0.0.1:26379,127.0.0.1:26380",
        )
        .env("SHIXIN_BIND", "127.0.0.1:0")
        .env("SHIXIN_JWT_SECRET", crate::helpers::TEST_SECRET)
        .env("SHIXIN_TICK_INTERVAL", "off")
        .env_remove("SHIXIN_ENV")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("REDIS_URL") && err.contains("the master name is missing"),
        "{err}"
    );
    assert!(
        !err.contains("hunter2"),
        "the password is not printed: {err}"
    );
}
