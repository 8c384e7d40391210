//! PostgreSQL restarted under write load (issue 7 "Fault tests"): while the database is down, writes
//! fail with 503 `database_unavailable` (never a 500); no write acknowledged with 201 is lost, none is
//! applied twice when the client retries with its `Idempotency-Key`; the service recovers by itself.
//!
//! The database is a private PostgreSQL cluster (initdb into a temporary folder, its own port), so
//! stopping it disturbs no other test. It is stopped with `-m immediate` (no checkpoint: a crash),
//! so what survives is what the WAL made durable at commit.

use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::helpers::{TestApp, make_id, person_listing, start_at};

#[path = "faults/cluster.rs"]
pub mod cluster;
pub use cluster::PrivatePostgres;

/// A private cluster and an app on its database `db` (no Redis, errors logged to the test), with
/// the courts the listings are filed by.
pub(crate) async fn app_on_private_cluster(db: &str) -> (Arc<PrivatePostgres>, Arc<TestApp>) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("error")
        .with_test_writer()
        .try_init();
    let pg = Arc::new(PrivatePostgres::start());
    let app = Arc::new(start_at(&pg.url(db), db, &[("REDIS_URL", "none")]).await);
    courts(&app).await;
    (pg, app)
}

/// The courts the listings of these tests are filed by: `京0105` and its intermediate court.
pub(crate) async fn courts(app: &TestApp) {
    let admin = app.admin();
    for (code, name, parent) in [
        ("京01", "北京市第一中级人民法院", "京"),
        ("京0105", "北京市朝阳区人民法院", "京01"),
    ] {
        let level = if code.len() > "京01".len() {
            "basic"
        } else {
            "intermediate"
        };
        let r = app
            .post(
                "/v1/courts",
                &admin,
                &json!({"code": code, "name": name, "province": "北京市",
                        "level": level, "parent_code": parent}),
            )
            .await;
        assert_eq!(r.status(), 201, "court {code}");
    }
}

#[derive(Default)]
struct Tally {
    /// Idempotency-Key → listing id, for every write answered 201.
    acknowledged: HashMap<String, String>,
    unavailable: usize,
    other: Vec<(u16, String)>,
}

/// One writer: each listing is sent with its own Idempotency-Key and retried on 503 until it is
/// acknowledged, as a court's client would.
async fn writer(app: Arc<TestApp>, w: u32, stop: Arc<AtomicBool>, tally: Arc<Mutex<Tally>>) {
    let token = app.court("京0105");
    let birth = format!("1980010{}", w + 1);
    for k in 0..400u32 {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let key = format!("pgfault-{w}-{k}");
        let body = person_listing(&make_id("110105", &birth, k), 1000 * (w + 1) + k);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            assert!(Instant::now() < deadline, "{key} never acknowledged");
            let sent = app
                .client
                .post(app.url("/v1/listings"))
                .bearer_auth(&token)
                .header("Idempotency-Key", &key)
                .json(&body)
                .timeout(Duration::from_secs(20))
                .send()
                .await;
            let Ok(r) = sent else {
                tally.lock().unwrap().other.push((0, "no answer".into()));
                break;
            };
            let status = r.status().as_u16();
            let v: Value = r.json().await.unwrap_or(Value::Null);
            let done = {
                let mut t = tally.lock().unwrap();
                match status {
                    201 => {
                        let id = v["id"].as_str().unwrap_or_default().to_string();
                        t.acknowledged.insert(key.clone(), id);
                        true
                    }
                    503 => {
                        assert_eq!(v["code"], "database_unavailable");
                        t.unavailable += 1;
                        false
                    }
                    409 if v["code"] == "idempotency_request_in_progress" => false,
                    _ => {
                        t.other.push((status, v["code"].to_string()));
                        true
                    }
                }
            };
            if done {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn faults_postgres_restarted_under_write_load_loses_no_acknowledged_write() {
    let (pg, app) = app_on_private_cluster("shixin_fault").await;

    let (_, airline) = app.subscriber_token("airline").await;
    let checked = json!({"subjects": [{"id_number": make_id("110105", "19800101", 1)}]});
    assert_eq!(app.check(&airline, &checked).await.0, 200);

    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let writers: Vec<_> = (0..4)
        .map(|w| tokio::spawn(writer(app.clone(), w, stop.clone(), tally.clone())))
        .collect();

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before = tally.lock().unwrap().acknowledged.len();
    assert!(before > 0, "writes flow before the restart");
    tokio::task::spawn_blocking({
        let pg = pg.clone();
        move || pg.kill()
    })
    .await
    .unwrap();
    // Down for two seconds: the writers keep sending.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let r = app.get("/readyz", None).await;
    assert_eq!(r.status(), 503, "readyz reports the database down");
    let during = tally.lock().unwrap().unavailable;
    assert!(
        during > 0,
        "writes were refused with 503 while the database was down"
    );
    tokio::task::spawn_blocking({
        let pg = pg.clone();
        move || pg.up()
    })
    .await
    .unwrap();

    // The service recovers without a restart: writes are acknowledged again.
    let recovered_by = Instant::now() + Duration::from_secs(30);
    let after_restart = tally.lock().unwrap().acknowledged.len();
    loop {
        let n = tally.lock().unwrap().acknowledged.len();
        if n >= after_restart + 20 {
            break;
        }
        assert!(Instant::now() < recovered_by, "writes did not resume");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.await.expect("writer");
    }
    assert_eq!(app.get("/readyz", None).await.status(), 200);
    // The checks' own prepared connections were cut too: they reconnect on their next use.
    let mut answered = false;
    for _ in 0..20 {
        let (s, _) = app.check(&airline, &checked).await;
        assert!(s == 200 || s == 503, "a check answered {s}");
        if s == 200 {
            answered = true;
            break;
        }
    }
    assert!(answered, "checks recover without a restart");

    let t = std::mem::take(&mut *tally.lock().unwrap());
    assert!(
        t.other.is_empty(),
        "answers other than 201/503: {:?}",
        t.other
    );
    // Every acknowledged write is there, exactly once.
    let court = app.court("京0105");
    let ids: HashSet<&String> = t.acknowledged.values().collect();
    assert_eq!(ids.len(), t.acknowledged.len(), "two keys, one listing");
    for id in &ids {
        let r = app.get(&format!("/v1/listings/{id}"), Some(&court)).await;
        assert_eq!(r.status(), 200, "acknowledged listing {id} lost");
    }
    let mut total = 0;
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/listings?court_code=京0105&limit=100&cursor={c}"),
            None => "/v1/listings?court_code=京0105&limit=100".to_string(),
        };
        let v: Value = app.get(&path, Some(&court)).await.json().await.unwrap();
        total += v["items"].as_array().map_or(0, Vec::len);
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(
        total,
        t.acknowledged.len(),
        "the database holds exactly the acknowledged listings (retries applied nothing twice)"
    );
    eprintln!(
        "acknowledged {} writes ({before} before the crash), {} answered 503 while down",
        t.acknowledged.len(),
        t.unavailable
    );
}
