//! A real streaming replica behind `DATABASE_READ_URL` (issue 21, item 3): a private primary and
//! standbys made by `pg_basebackup -R` (`faults/cluster.rs`), each on its own port in a temporary
//! folder, the primary with `synchronous_commit = remote_apply`; the service's Redis cache on.
//!
//! - A change is found by the very next public search and the very next check after its commit
//!   returned (no stale answer cached), and those reads were served by the replica.
//! - The replica stopped (`-m immediate`): searches, checks, the feed and the snapshot keep answering
//!   200 from the primary, `/readyz` says `degraded` / `replica: down` within 2 s; the replica
//!   started again: `/readyz` is `ready` and reads go back to it (its own table counters grow).
//!   The primary names two standbys (`FIRST 1 (r1, r2)`), so that commits (a check's log row, a
//!   listing) go on while the read replica r1 is down: with r1 alone they would wait for it.
//! - An asynchronous replica is not read (`not_synchronous`), until the primary makes it synchronous;
//!   reads leave it again when the primary's commits stop waiting for it (`synchronous_commit = on`).

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, json as json_of, make_id, person_listing, start_at},
    pg_fault::{PrivatePostgres, courts},
    public_helpers::{NO_LIMIT, search},
};

/// Runs `q` on the database `db` of `pg` and returns the first column of its first row.
async fn scalar(pg: &PrivatePostgres, db: &str, q: &str) -> i64 {
    let (client, conn) = tokio_postgres::connect(&pg.url(db), tokio_postgres::NoTls)
        .await
        .expect("connect to a private cluster");
    let driver = tokio::spawn(conn);
    let row = client.query_one(q, &[]).await.expect("query");
    driver.abort();
    row.get(0)
}

/// Index and sequential scans the replica ran on `table` (its own statistics: the probe reads no
/// table, so only reads of the service count).
async fn scans(replica: &PrivatePostgres, db: &str, table: &str) -> i64 {
    let q = format!(
        "SELECT (coalesce(sum(seq_scan), 0) + coalesce(sum(idx_scan), 0))::int8 \
         FROM pg_stat_user_tables WHERE relname = '{table}'"
    );
    scalar(replica, db, &q).await
}

/// Sessions of the service on `pg` (not the probe's, not this query's).
async fn service_sessions(pg: &PrivatePostgres, db: &str) -> i64 {
    let q = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = '{db}' \
         AND backend_type = 'client backend' AND pid <> pg_backend_pid() \
         AND application_name <> '{}'",
        shixin::db::replica_probe::PROBE_NAME
    );
    scalar(pg, db, &q).await
}

async fn readyz(app: &TestApp) -> (u16, Value) {
    json_of(app.get("/readyz", None).await).await
}

/// `shixin_reads_total{server="…"}`.
async fn reads_on(app: &TestApp, server: &str) -> u64 {
    let body = app.get("/metrics", None).await.text().await.unwrap();
    let prefix = format!("shixin_reads_total{{server=\"{server}\"}} ");
    body.lines()
        .find_map(|l| l.strip_prefix(&prefix)?.trim().parse().ok())
        .unwrap_or(0)
}

/// Polls `/readyz` until its `replica` is `want`, for at most `within`; returns the time it took.
async fn wait_replica(app: &TestApp, want: &str, within: Duration) -> Duration {
    let t = Instant::now();
    loop {
        let (s, v) = readyz(app).await;
        if v["replica"] == want {
            assert_eq!(s, 200, "{v}");
            return t.elapsed();
        }
        assert!(
            t.elapsed() < within,
            "/readyz: replica not {want} after {within:?}: {v}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn blocking(f: impl FnOnce() + Send + 'static) {
    tokio::task::spawn_blocking(f)
        .await
        .expect("a PostgreSQL tool");
}

/// The service on the primary's database `db`, reading from `replica`.
async fn app_reading(primary: &PrivatePostgres, replica: &PrivatePostgres, db: &str) -> TestApp {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("error")
        .with_test_writer()
        .try_init();
    let read_url = replica.url(db);
    let app = start_at(
        &primary.url(db),
        db,
        &[("DATABASE_READ_URL", &read_url), NO_LIMIT],
    )
    .await;
    courts(&app).await;
    app
}

fn db_name() -> String {
    // Its own name each run: the cache namespace in the shared test Redis is the database's name.
    format!("shixin_replica_{}", uuid::Uuid::new_v4().simple())
}

/// A name of its own for the `i`-th listing (two characters, as the public search takes them).
fn name(i: usize) -> String {
    let given: Vec<char> = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
        .chars()
        .collect();
    format!("赵{}", given[i % given.len()])
}

async fn decision(app: &TestApp, token: &str, id: &str) -> (u16, String) {
    let (s, v) = app
        .check(token, &json!({"subjects": [{"id_number": id}]}))
        .await;
    (s, v["results"][0]["decision"].as_str().unwrap_or("").into())
}

/// Every read the issue names, once: (what, status) of those not answered 200.
async fn read_all(app: &TestApp, token: &str, listed: &str, k: u64) -> Vec<(String, u16)> {
    let mut failed = Vec::new();
    // A name nobody has: a cache miss each time, read from PostgreSQL.
    let (s, _) = search(app, &format!("钱{k}")).await;
    if s != 200 {
        failed.push(("search".into(), s));
    }
    let (s, d) = decision(app, token, listed).await;
    if s != 200 || d != "deny" {
        failed.push((format!("check {d}"), s));
    }
    for path in ["/v1/feed?limit=5", "/v1/snapshot"] {
        let r = app.get(path, Some(token)).await;
        let s = r.status().as_u16();
        if s != 200 || r.bytes().await.is_err() {
            failed.push((path.into(), s));
        }
    }
    failed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replica_reads_are_fresh_fall_back_while_it_is_down_and_return() {
    let primary = PrivatePostgres::start_with(&[
        ("synchronous_standby_names", "FIRST 1 (r1, r2)"),
        ("synchronous_commit", "remote_apply"),
    ]);
    let r1 = Arc::new(PrivatePostgres::replica_of(&primary, "r1"));
    let _r2 = PrivatePostgres::replica_of(&primary, "r2");
    let db = db_name();
    let app = Arc::new(app_reading(&primary, &r1, &db).await);
    wait_replica(&app, "up", Duration::from_secs(10)).await;
    let (s, v) = readyz(&app).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("ready")), "{v}");
    let (_, airline) = app.subscriber_token("airline").await;

    // (a) Each change is seen by the very next search and check, though the search's empty answer
    // was cached just before.
    let (listings_before, events_before) = (
        scans(&r1, &db, "listings").await,
        scans(&r1, &db, "events").await,
    );
    let replica_reads_before = reads_on(&app, "replica").await;
    for i in 0..20 {
        let id = make_id("110105", "19850101", i as u32);
        let (s, v) = search(&app, &name(i)).await;
        assert_eq!(
            (s, v["items"].as_array().map(Vec::len)),
            (200, Some(0)),
            "{v}"
        );
        assert_eq!(decision(&app, &airline, &id).await, (200, "allow".into()));
        let mut body = person_listing(&id, 700 + i as u32);
        body["debtor"]["name"] = json!(name(i));
        app.create_listing(&body).await;
        let (s, v) = search(&app, &name(i)).await;
        assert_eq!(
            (s, v["items"].as_array().map(Vec::len)),
            (200, Some(1)),
            "listing {i} not found by the very next search: {v}"
        );
        assert_eq!(
            decision(&app, &airline, &id).await,
            (200, "deny".into()),
            "listing {i} not seen by the very next check"
        );
    }
    // Those reads were the replica's (its statistics reach its views within a second or so): the
    // searches read `listings`, the checks read their feed position in `events` (the key set's
    // catch-up reads neither).
    let t = Instant::now();
    while scans(&r1, &db, "listings").await <= listings_before
        || scans(&r1, &db, "events").await <= events_before
    {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "the searches or the checks did not read the replica"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(reads_on(&app, "replica").await >= replica_reads_before + 40);
    let listed = make_id("110105", "19850101", 0);

    // (b) A client keeps reading while the replica stops and starts again.
    let stop = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let answered = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let reader = tokio::spawn({
        let (app, token, listed) = (app.clone(), airline.clone(), listed.clone());
        let (stop, failures, answered) = (stop.clone(), failures.clone(), answered.clone());
        async move {
            let mut k = 0;
            while !stop.load(Ordering::SeqCst) {
                k += 1;
                let failed = read_all(&app, &token, &listed, k).await;
                failures.lock().unwrap().extend(failed);
                answered.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let on_primary_before = reads_on(&app, "primary").await;
    blocking({
        let r1 = r1.clone();
        move || r1.kill()
    })
    .await;
    let first = read_all(&app, &airline, &listed, 1_000_000).await;
    assert!(
        first.is_empty(),
        "reads right after the replica stopped: {first:?}"
    );
    let down_after = wait_replica(&app, "down", Duration::from_secs(2)).await;
    let (s, v) = readyz(&app).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("degraded")), "{v}");
    // Commits go on (r2 confirms them now), and the primary serves the very next read.
    let id = make_id("110105", "19850102", 1);
    let mut body = person_listing(&id, 799);
    body["debtor"]["name"] = json!("孙甲");
    app.create_listing(&body).await;
    assert_eq!(
        search(&app, "孙甲").await.1["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(decision(&app, &airline, &id).await, (200, "deny".into()));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let outage_reads = answered.load(Ordering::SeqCst);
    assert!(reads_on(&app, "primary").await > on_primary_before + 10);

    blocking({
        let r1 = r1.clone();
        move || r1.up()
    })
    .await;
    let back = wait_replica(&app, "up", Duration::from_secs(15)).await;
    let (s, v) = readyz(&app).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("ready")), "{v}");
    // Reads go back to it: its own counters (reset by the crash) grow with the reader's searches.
    let listings_back = scans(&r1, &db, "listings").await;
    let t = Instant::now();
    while scans(&r1, &db, "listings").await <= listings_back {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "reads did not return to the replica"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let returned = t.elapsed();
    stop.store(true, Ordering::SeqCst);
    reader.await.expect("reader");
    let failures = std::mem::take(&mut *failures.lock().unwrap());
    assert!(failures.is_empty(), "reads that failed: {failures:?}");
    eprintln!(
        "replica down in /readyz after {down_after:?}; {outage_reads} rounds of reads, none failed; \
         replica up again {back:?} after its start, its counters grew {returned:?} later"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_asynchronous_replica_is_not_read_until_the_primary_waits_for_it() {
    let primary = PrivatePostgres::start_with(&[("synchronous_commit", "remote_apply")]);
    let r1 = PrivatePostgres::replica_of(&primary, "r1");
    let db = db_name();
    let app = app_reading(&primary, &r1, &db).await;
    wait_replica(&app, "not_synchronous", Duration::from_secs(3)).await;
    let (s, v) = readyz(&app).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("degraded")), "{v}");

    let (_, airline) = app.subscriber_token("airline").await;
    for i in 0..5 {
        let id = make_id("110105", "19850103", i as u32);
        let mut body = person_listing(&id, 800 + i as u32);
        body["debtor"]["name"] = json!(name(i));
        app.create_listing(&body).await;
        assert_eq!(
            search(&app, &name(i)).await.1["items"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
        assert_eq!(decision(&app, &airline, &id).await, (200, "deny".into()));
        let r = app.get("/v1/snapshot", Some(&airline)).await;
        assert_eq!(r.status(), 200);
        assert_eq!(app.get("/v1/feed", Some(&airline)).await.status(), 200);
    }
    // Nothing of the service read the replica: no session of its own there, no read counted.
    assert_eq!(
        service_sessions(&r1, &db).await,
        0,
        "the service read the async replica"
    );
    assert_eq!(reads_on(&app, "replica").await, 0);
    assert!(reads_on(&app, "primary").await >= 10);

    // The operator makes it synchronous: reads go to it.
    reconfigure(&primary, "synchronous_standby_names", "r1").await;
    let took = wait_replica(&app, "up", Duration::from_secs(5)).await;
    assert_eq!(readyz(&app).await.1["status"], "ready");
    assert_eq!(search(&app, "钱甲").await.0, 200);
    assert!(
        service_sessions(&r1, &db).await > 0,
        "the service does not read the replica"
    );
    assert!(reads_on(&app, "replica").await > 0);
    // Commits that no longer wait for the standby to apply them: reads leave it.
    reconfigure(&primary, "synchronous_commit", "on").await;
    let left = wait_replica(&app, "not_synchronous", Duration::from_secs(5)).await;
    let on_replica = reads_on(&app, "replica").await;
    assert_eq!(search(&app, "钱乙").await.0, 200);
    assert_eq!(reads_on(&app, "replica").await, on_replica);
    eprintln!(
        "not_synchronous while async; up {took:?} after synchronous_standby_names = 'r1'; \
         not_synchronous {left:?} after synchronous_commit = on"
    );
}

/// `ALTER SYSTEM SET name = value` on the primary, and a reload.
async fn reconfigure(primary: &PrivatePostgres, name: &str, value: &str) {
    let (client, conn) = tokio_postgres::connect(&primary.url("postgres"), tokio_postgres::NoTls)
        .await
        .unwrap();
    let driver = tokio::spawn(conn);
    let set = format!("ALTER SYSTEM SET {name} = '{value}'");
    for q in [set.as_str(), "SELECT pg_reload_conf()"] {
        client.batch_execute(q).await.unwrap();
    }
    driver.abort();
}
