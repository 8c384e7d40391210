//! Issue 23: a first load (`shixin import listings` into tables still empty) builds their indexes
//! and foreign keys after the rows. The schema afterwards is the migrations' own, whether the load
//! commits or is killed half-way; an import into a registry in use keeps its indexes throughout.

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use chrono::Days;
use diesel::{QueryableByName, sql_query, sql_types::Text};
use serde_json::json;

use crate::{
    bulk::{count, ok, shixin},
    helpers::{TEST_SECRET, TestApp, make_id, person_listing, spawn_app_with, today},
    public_helpers::{NO_LIMIT, named, search_ids},
};

#[derive(QueryableByName, PartialEq, Eq, Debug, PartialOrd, Ord)]
struct Definition {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    definition: String,
}

/// What `after` lacks of `before` and holds beyond it (empty: the same schema).
fn changed(before: &[Definition], after: &[Definition]) -> String {
    let missing = before.iter().filter(|d| !after.contains(d));
    let extra = after.iter().filter(|d| !before.contains(d));
    let line = |sign: &str, d: &Definition| format!("{sign} {}: {}", d.name, d.definition);
    let lines: Vec<String> = missing
        .map(|d| line("-", d))
        .chain(extra.map(|d| line("+", d)))
        .collect();
    lines.join("\n")
}

/// Every index and constraint of the public schema with its definition, sorted (the check log's
/// day partitions aside: the tick makes them as days pass).
async fn schema(app: &TestApp) -> Vec<Definition> {
    let q = "SELECT indexname::text AS name, indexdef AS definition FROM pg_indexes
              WHERE schemaname = 'public'
             UNION ALL
             SELECT conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid)
               FROM pg_constraint WHERE connamespace = 'public'::regnamespace
             ORDER BY 1";
    let mut conn = app.db().await;
    let mut rows: Vec<Definition> = diesel_async::RunQueryDsl::load(sql_query(q), &mut conn)
        .await
        .expect(q);
    rows.retain(|d| !d.name.starts_with("check_requests_2"));
    rows.sort();
    rows
}

/// `n` valid listings, one per line, each in a case of its own; the third one of every ten removed
/// (the removal indicators' trigger).
fn listings_file(dir: &Path, n: u32) -> PathBuf {
    let lines: Vec<String> = (0..n)
        .map(|i| {
            let mut v = person_listing(&make_id("110105", "19800101", 100 + 2 * (i % 400)), i + 1);
            if i % 10 == 3 {
                v["status"] = json!("removed");
                v["removal"] = json!({"reason": "early_deletion", "note": "信用修复",
                                      "removed_at": format!("{}T02:00:00Z", today() - Days::new(1))});
            }
            v.to_string()
        })
        .collect();
    let file = dir.join("listings.ndjson");
    std::fs::write(&file, lines.join("\n")).unwrap();
    file
}

#[tokio::test]
async fn bulk_a_first_load_builds_indexes_and_keys_after_the_rows_and_ends_with_the_migrations_schema()
 {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let before = schema(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let file = listings_file(dir.path(), 50);
    let out = ok(&shixin(
        &app,
        &["import", "listings", file.to_str().unwrap(), "--quiet"],
    ));
    assert!(out.contains("50 listings imported"), "{out}");
    assert!(
        out.contains("indexes "),
        "a first load builds its indexes: {out}"
    );
    let diff = changed(&before, &schema(&app).await);
    assert!(
        diff.is_empty(),
        "not the migrated indexes and keys:\n{diff}"
    );
    // What the rebuilt indexes serve: the public search, the removal indicator rows (5 ended).
    assert_eq!(count(&app, "listing_removals").await, 5);
    assert_eq!(
        count(&app, "restrictions").await,
        45,
        "R1: one order per active listing"
    );
    let found = search_ids(&app, "张三").await;
    assert_eq!(
        found.len(),
        45,
        "every active listing, none of the removed ones"
    );
    // The statistics were gathered: the planner knows what the rows hold.
    let stats = app
        .scalar("SELECT count(*) AS n FROM pg_stats WHERE tablename = 'listings'")
        .await;
    assert!(
        stats > 10,
        "ANALYZE listings: {stats} columns with statistics"
    );
}

#[tokio::test]
async fn bulk_an_import_into_a_registry_in_use_keeps_its_indexes_row_by_row() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    app.create_listing(&named("李四", 900)).await;
    let before = schema(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let file = listings_file(dir.path(), 20);
    let out = ok(&shixin(
        &app,
        &["import", "listings", file.to_str().unwrap(), "--quiet"],
    ));
    assert!(out.contains("20 listings imported"), "{out}");
    assert!(!out.contains("indexes "), "no index is rebuilt: {out}");
    let diff = changed(&before, &schema(&app).await);
    assert!(diff.is_empty(), "not the indexes and keys it had:\n{diff}");
    assert_eq!(count(&app, "listings").await, 21);
}

/// Whether a session other than the test's holds the first load's lock on `listings`.
async fn locked(app: &TestApp) -> bool {
    app.scalar(
        "SELECT count(*) AS n FROM pg_locks
          WHERE relation = 'listings'::regclass AND mode = 'AccessExclusiveLock' AND granted",
    )
    .await
        > 0
}

#[tokio::test]
async fn bulk_a_first_load_killed_with_its_indexes_dropped_leaves_every_index_and_key() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let before = schema(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let file = listings_file(dir.path(), 20_000);
    let mut import = Command::new(env!("CARGO_BIN_EXE_shixin"))
        .args(["import", "listings", file.to_str().unwrap(), "--quiet"])
        .env("DATABASE_URL", &app.db_url)
        .env("REDIS_URL", "none")
        .env("SHIXIN_JWT_SECRET", TEST_SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let began = Instant::now();
    while !locked(&app).await {
        assert!(
            import.try_wait().unwrap().is_none(),
            "the import ended before it was seen holding the first load's lock"
        );
        assert!(began.elapsed() < Duration::from_secs(60), "no lock seen");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    import.kill().unwrap();
    import.wait().unwrap();
    // Its server session rolls back once it finds its client gone (after its statement).
    let began = Instant::now();
    while locked(&app).await {
        assert!(began.elapsed() < Duration::from_secs(60), "the lock stayed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let diff = changed(&before, &schema(&app).await);
    assert!(diff.is_empty(), "not every index and key is back:\n{diff}");
    assert_eq!(
        count(&app, "listings").await,
        0,
        "nothing of the load stays"
    );
    // And the next load goes through whole.
    let out = ok(&shixin(
        &app,
        &["import", "listings", file.to_str().unwrap(), "--quiet"],
    ));
    assert!(out.contains("20000 listings imported"), "{out}");
    let diff = changed(&before, &schema(&app).await);
    assert!(diff.is_empty(), "after the second load:\n{diff}");
}
