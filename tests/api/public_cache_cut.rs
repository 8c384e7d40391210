//! Issue 21, item 2: a change cut off between its commit and its cache invalidation (here the
//! instance that made it is killed while PostgreSQL finishes the commit) leaves no stale public
//! answer: another instance's sweeper invalidates what the change owed (`cache_invalidations`).
//!
//! The commit is made slow on purpose: a deferred constraint trigger (this test's database only)
//! sleeps inside `COMMIT`, and the instance waiting for it is killed with `kill -9`.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::{
    helpers::{TestApp, json, spawn_app_with},
    public_helpers::{NO_LIMIT, named, search_ids, wait_redis_up},
    serve::Serve,
};

const REDIS: (&str, &str) = ("REDIS_URL", "redis://127.0.0.1:6379");

async fn status_of(app: &TestApp, id: &str) -> String {
    app.scalar_text(&format!(
        "SELECT status AS t FROM listings WHERE id = '{id}'"
    ))
    .await
}

#[tokio::test]
async fn public_cache_a_change_cut_off_after_its_commit_leaves_no_stale_answer() {
    let app = spawn_app_with(&[NO_LIMIT, REDIS]).await;
    wait_redis_up(&app).await;
    let mut other = Serve::start(&app.db_url, &[REDIS, NO_LIMIT]);
    let port = other.port();
    let (s, v) = json(
        app.post("/v1/listings", &app.court("京0105"), &named("卫十一", 1))
            .await,
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(search_ids(&app, "卫十一").await, vec![id.clone()]);
    assert_eq!(
        search_ids(&app, "卫十一").await,
        vec![id.clone()],
        "cached now"
    );

    app.sql(
        "CREATE FUNCTION test_slow_commit() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN PERFORM pg_sleep(1.5); RETURN NULL; END $$",
    )
    .await;
    app.sql(
        "CREATE CONSTRAINT TRIGGER test_slow_commit AFTER UPDATE ON listings \
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_slow_commit()",
    )
    .await;
    // The other instance removes the listing and is killed while it waits for the COMMIT.
    let removal = app
        .client
        .post(format!("http://127.0.0.1:{port}/v1/listings/{id}/removal"))
        .bearer_auth(app.court("京0105"))
        .header("If-Match", "\"1\"")
        .json(&json!({"reason": "early_deletion", "note": "信用修复"}))
        .send();
    let request = tokio::spawn(removal);
    tokio::time::sleep(Duration::from_millis(600)).await;
    other.kill_9();
    assert!(
        request.await.unwrap().is_err(),
        "the removal was never answered"
    );
    let killed = Instant::now();
    // PostgreSQL commits it anyway.
    let mut committed = false;
    for _ in 0..150 {
        if status_of(&app, &id).await == "removed" {
            committed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(committed, "the removal committed");
    app.sql("DROP TRIGGER test_slow_commit ON listings").await;
    // The cached answer goes within the sweeper's delay (2 s after the change began, checked
    // every second), and does not come back.
    let mut fresh = false;
    while killed.elapsed() < Duration::from_secs(6) {
        if search_ids(&app, "卫十一").await.is_empty() {
            fresh = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        fresh,
        "the removed listing is still served 6 s after its commit (a stale cached answer)"
    );
    for _ in 0..20 {
        assert!(search_ids(&app, "卫十一").await.is_empty(), "stale again");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(
        app.scalar("SELECT count(*) AS n FROM cache_invalidations")
            .await,
        0,
        "the owed invalidation was settled"
    );
}
