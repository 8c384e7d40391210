//! Issue 23: a first load (`shixin import listings` into tables still empty) builds their indexes
//! and foreign keys after the rows. The schema afterwards is the migrations' own, whether the load
//! commits or is killed half-way; an import into a registry in use keeps its indexes throughout;
//! either way a person named on several lines keeps the last line's name (docs/BULK.md).

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use chrono::Days;
use diesel::{QueryableByName, sql_query, sql_types::Text};
use serde_json::json;

use crate::{
    bulk::{command, count, ok, shixin},
    helpers::{TestApp, make_id, person_listing, spawn_app_with, today},
    public_helpers::{NO_LIMIT, named, search_ids},
};

#[derive(QueryableByName, PartialEq, Eq, Debug, PartialOrd, Ord)]
struct Definition {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    definition: String,
}

/// Fails with what the schema now lacks of `before` and holds beyond it.
async fn assert_schema(app: &TestApp, before: &[Definition], when: &str) {
    let after = schema(app).await;
    let missing = before.iter().filter(|d| !after.contains(d));
    let extra = after.iter().filter(|d| !before.contains(d));
    let line = |sign: &str, d: &Definition| format!("{sign} {}: {}", d.name, d.definition);
    let lines: Vec<String> = missing
        .map(|d| line("-", d))
        .chain(extra.map(|d| line("+", d)))
        .collect();
    assert!(lines.is_empty(), "{when}:\n{}", lines.join("\n"));
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
    write(dir, "listings.ndjson", &lines)
}

fn write(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let file = dir.join(name);
    std::fs::write(&file, lines.join("\n")).unwrap();
    file
}

/// `shixin import listings FILE --quiet`, which must succeed: what it printed.
fn import(app: &TestApp, file: &Path) -> String {
    ok(&shixin(
        app,
        &["import", "listings", file.to_str().unwrap(), "--quiet"],
    ))
}

#[tokio::test]
async fn bulk_a_first_load_builds_indexes_and_keys_after_the_rows_and_ends_with_the_migrations_schema()
 {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let before = schema(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let out = import(&app, &listings_file(dir.path(), 50));
    assert!(out.contains("50 listings imported"), "{out}");
    assert!(
        out.contains("indexes "),
        "a first load builds its indexes: {out}"
    );
    assert_schema(&app, &before, "not the migrated indexes and keys").await;
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
    // The rebuilt unique index still refuses a second open listing of a debtor in a case, and the
    // API still names it (409 listing_exists).
    let again = person_listing(&make_id("110105", "19800101", 100), 1);
    let r = app.post("/v1/listings", &app.court("京0105"), &again).await;
    let status = r.status().as_u16();
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!((status, v["code"].as_str()), (409, Some("listing_exists")));
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
    let out = import(&app, &listings_file(dir.path(), 20));
    assert!(out.contains("20 listings imported"), "{out}");
    assert!(!out.contains("indexes "), "no index is rebuilt: {out}");
    assert_schema(&app, &before, "not the indexes and keys it had").await;
    assert_eq!(count(&app, "listings").await, 21);
}

#[tokio::test]
async fn bulk_a_person_named_again_keeps_the_last_lines_name_in_a_first_load_and_after() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let dir = tempfile::tempdir().unwrap();
    let id = make_id("110105", "19800101", 500);
    let line = |name: &str, case: u32| {
        let mut v = person_listing(&id, case);
        v["debtor"]["name"] = json!(name);
        v.to_string()
    };
    let with_name = |name: &str| {
        format!("SELECT count(*) AS n FROM persons WHERE id_number = '{id}' AND name = '{name}'")
    };
    // A first load (plain inserts into the empty persons tables).
    let first = write(
        dir.path(),
        "first.ndjson",
        &[line("甲一", 1), line("乙二", 2)],
    );
    assert!(import(&app, &first).contains("indexes "));
    assert_eq!(
        app.scalar(&with_name("乙二")).await,
        1,
        "the last line's name"
    );
    assert_eq!(count(&app, "person_documents").await, 1);
    // Into the registry now in use (the upsert).
    let next = write(dir.path(), "next.ndjson", &[line("丙三", 3)]);
    assert!(!import(&app, &next).contains("indexes "));
    assert_eq!(app.scalar(&with_name("丙三")).await, 1, "the newer name");
    assert_eq!(count(&app, "persons").await, 1);
    assert_eq!(count(&app, "person_documents").await, 1, "bound once");
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
    let mut running = command(
        &app,
        &["import", "listings", file.to_str().unwrap(), "--quiet"],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let began = Instant::now();
    while !locked(&app).await {
        assert!(
            running.try_wait().unwrap().is_none(),
            "the import ended before it was seen holding the first load's lock"
        );
        assert!(began.elapsed() < Duration::from_secs(60), "no lock seen");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    running.kill().unwrap();
    running.wait().unwrap();
    // Its server session rolls back once it finds its client gone (after its statement).
    let began = Instant::now();
    while locked(&app).await {
        assert!(began.elapsed() < Duration::from_secs(60), "the lock stayed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_schema(&app, &before, "not every index and key is back").await;
    assert_eq!(
        count(&app, "listings").await,
        0,
        "nothing of the load stays"
    );
    // And the next load goes through whole.
    let out = import(&app, &file);
    assert!(out.contains("20000 listings imported"), "{out}");
    assert_schema(&app, &before, "after the second load").await;
}
