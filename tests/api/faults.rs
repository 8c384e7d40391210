//! Faults under load (issue 7 "Fault tests", bounded in time): Redis killed under public load fails
//! no request; Redis coming back with its old data after writes made while it was down serves none
//! of the old answers; three real processes starting together on a new database all migrate and
//! serve. (A webhook receiver that hangs and a delivering process killed mid-batch are in
//! webhook_delivery.rs and webhook_process.rs.)

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use redis::aio::MultiplexedConnection;
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, spawn_app_with},
    public_cache::PrivateRedis,
    public_helpers::{NO_LIMIT, named, public_get, q, remove, search, wait_redis_up},
};

/// Three real processes starting together on a new database.
mod migrate;

#[tokio::test]
async fn redis_killed_under_public_load_fails_no_request() {
    let redis = PrivateRedis::start();
    let port = redis.port;
    std::thread::sleep(Duration::from_millis(300));
    let url = format!("redis://127.0.0.1:{port}");
    let app = Arc::new(spawn_app_with(&[NO_LIMIT, ("REDIS_URL", &url)]).await);
    wait_redis_up(&app).await;
    let listed = app.create_listing(&named("韩十二", 1)).await;
    let id = listed["id"].as_str().unwrap().to_string();
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, bad) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let clients: Vec<_> = (0..4)
        .map(|i| {
            let (app, stop, ok, bad, id) = (
                app.clone(),
                stop.clone(),
                ok.clone(),
                bad.clone(),
                id.clone(),
            );
            tokio::spawn(async move {
                while !stop.load(Ordering::SeqCst) {
                    // Half listed, half unknown names (cached positive and negative answers).
                    let name = if i % 2 == 0 {
                        "韩十二"
                    } else {
                        "无此人名"
                    };
                    let (s, v) =
                        public_get(&app, &format!("/v1/public/listings?name={}", q(name))).await;
                    let items = v["items"].as_array().cloned().unwrap_or_default();
                    let right = s == 200
                        && if i % 2 == 0 {
                            items.len() == 1 && items[0]["id"] == id.as_str()
                        } else {
                            items.is_empty()
                        };
                    if right { &ok } else { &bad }.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(700)).await;
    redis.signal("-KILL");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let during = ok.load(Ordering::SeqCst);
    // Back on the same port: answers stay right (the cache starts empty).
    let _again = PrivateRedis::start_on(port);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.await.unwrap();
    }
    assert_eq!(
        bad.load(Ordering::SeqCst),
        0,
        "a request failed or was wrong"
    );
    assert!(
        ok.load(Ordering::SeqCst) > during && during > 20,
        "load kept flowing"
    );
    drop(redis);
}

/// A connection to the private Redis on `port`, once it answers (and has loaded its data).
async fn redis_on(port: u16) -> MultiplexedConnection {
    crate::redis_sentinel::cluster::connect(port).await
}

/// The keys of the cached answers (the private Redis serves this test's app only).
async fn answer_keys(c: &mut MultiplexedConnection) -> Vec<String> {
    let mut keys: Vec<String> = redis::cmd("KEYS")
        .arg("shixin:*:pub:a:*")
        .query_async(c)
        .await
        .unwrap();
    keys.sort();
    keys
}

/// The ids a search for `name` answers (status 200 asserted by the caller).
async fn ids(app: &TestApp, name: &str) -> (u16, Vec<String>) {
    let (s, v) = search(app, name).await;
    let ids = v["items"].as_array().map_or_else(Vec::new, |items| {
        let id = |i: &Value| i["id"].as_str().unwrap_or_default().to_string();
        items.iter().map(id).collect()
    });
    (s, ids)
}

/// Names searched before, during and after the outage: listed then removed, unknown then listed,
/// and a debtor's name corrected from the third to the fourth.
const NAMES: [&str; 4] = ["韩十三", "无此人名十三", "冯十三", "冯十四"];

/// Phases of the outage test: the writes made while Redis was down are done from phase 1 on.
const BEFORE: u8 = 0;
const WRITTEN: u8 = 1;
const BACK: u8 = 2;
const UP: u8 = 3;

/// One search of the searchers: the name's index, the phase when it was sent, status and ids.
type Seen = (usize, u8, u16, Vec<String>);

/// Redis is killed, the service changes three names while it is down, and Redis comes back on the
/// same port with everything it held (its append-only file): the epoch and generations the old
/// answers are stored under, and the old answers. No request, sequential or concurrent, may see
/// an answer from before the writes once they returned, and the cache is in use again afterwards.
#[tokio::test]
async fn redis_back_with_its_old_data_serves_no_answer_from_before_the_outage_writes() {
    let dir = tempfile::tempdir().unwrap();
    let redis = PrivateRedis::start_persistent(dir.path());
    let port = redis.port;
    let mut conn = redis_on(port).await;
    let url = format!("redis://127.0.0.1:{port}");
    let app = Arc::new(spawn_app_with(&[NO_LIMIT, ("REDIS_URL", &url)]).await);
    wait_redis_up(&app).await;
    let a = app.create_listing(&named(NAMES[0], 31)).await;
    let c = app.create_listing(&named(NAMES[2], 33)).await;
    let (a, c) = (a["id"].as_str().unwrap(), c["id"].as_str().unwrap());
    let before: [Vec<String>; 4] = [vec![a.into()], vec![], vec![c.into()], vec![]];
    for _ in 0..2 {
        for (name, want) in NAMES.iter().zip(&before) {
            assert_eq!(&ids(&app, name).await, &(200, want.clone()));
        }
    }
    // The four answers are in Redis (a fill is sent with the lane's next batch).
    let mut old = Vec::new();
    for _ in 0..100 {
        old = answer_keys(&mut conn).await;
        if old.len() >= 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(old.len(), 4, "cached answers in redis: {old:?}");

    // Searchers all along: every answer is the old or the new state until the writes returned,
    // and only the new one after.
    let phase = Arc::new(AtomicU8::new(BEFORE));
    let stop = Arc::new(AtomicBool::new(false));
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let clients: Vec<_> = (0..4)
        .map(|k| {
            let (app, phase, stop, seen) = (app.clone(), phase.clone(), stop.clone(), seen.clone());
            tokio::spawn(async move {
                let mut n = k;
                while !stop.load(Ordering::SeqCst) {
                    let i = n % NAMES.len();
                    let p = phase.load(Ordering::SeqCst);
                    let (s, got) = ids(&app, NAMES[i]).await;
                    seen.lock().unwrap().push((i, p, s, got));
                    n += 1;
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;

    redis.signal("-KILL");
    tokio::time::sleep(Duration::from_millis(400)).await;
    remove(&app, a, 1).await;
    let b = app.create_listing(&named(NAMES[1], 32)).await;
    let b = b["id"].as_str().unwrap().to_string();
    let court = app.court("京0105");
    let fix = json!({"debtor": {"name": NAMES[3]}});
    let r = app
        .patch(&format!("/v1/listings/{c}"), &court, 1, &fix)
        .await;
    assert_eq!(r.status(), 200, "correction");
    phase.store(WRITTEN, Ordering::SeqCst);
    let after: [Vec<String>; 4] = [vec![], vec![b], vec![], vec![c.into()]];
    let check = |label: &'static str| {
        let (app, after) = (app.clone(), after.clone());
        async move {
            for (i, (name, want)) in NAMES.iter().zip(&after).enumerate() {
                let got = ids(&app, name).await;
                assert_eq!(&got, &(200, want.clone()), "{label}: name #{i}");
            }
        }
    };
    check("redis down").await;
    let v: Value = app.get("/readyz", None).await.json().await.unwrap();
    assert_eq!(v["redis"], "degraded");
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Back on the same port with its old data: the stale answers are really there again.
    let again = PrivateRedis::start_persistent_on(port, dir.path());
    let mut conn = redis_on(port).await;
    phase.store(BACK, Ordering::SeqCst);
    let kept = answer_keys(&mut conn).await;
    assert!(
        old.iter().all(|k| kept.contains(k)),
        "the restarted redis lost its data: {kept:?}"
    );
    let stale: Vec<Option<String>> = redis::cmd("MGET")
        .arg(&old)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(
        stale.iter().flatten().any(|body| body.contains(a)),
        "the removed listing's answer is not in the restarted redis"
    );
    let back = Instant::now();
    while back.elapsed() < Duration::from_millis(1500) {
        check("redis back").await;
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    wait_redis_up(&app).await;
    phase.store(UP, Ordering::SeqCst);
    check("redis up").await;
    check("redis up, cached").await;
    // The cache is in use again: answers are stored under the new epoch.
    let mut fresh = Vec::new();
    for _ in 0..100 {
        fresh = answer_keys(&mut conn).await;
        fresh.retain(|k| !old.contains(k));
        if fresh.len() >= 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(fresh.len() >= 4, "no answer cached after redis came back");
    tokio::time::sleep(Duration::from_millis(300)).await;

    stop.store(true, Ordering::SeqCst);
    for t in clients {
        t.await.unwrap();
    }
    let seen = seen.lock().unwrap();
    let wrong: Vec<_> = seen
        .iter()
        .filter(|(i, p, s, got)| {
            *s != 200 || (got != &after[*i] && (*p != BEFORE || got != &before[*i]))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} wrong of {}: {:?}",
        wrong.len(),
        seen.len(),
        &wrong[..wrong.len().min(5)]
    );
    for p in [BEFORE, WRITTEN, BACK, UP] {
        assert!(
            seen.iter().filter(|o| o.1 == p).count() > 10,
            "few searches in phase {p}"
        );
    }
    drop((again, redis));
}
