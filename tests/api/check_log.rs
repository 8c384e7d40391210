//! The check log (docs/API.md "Check log"): one row per check request, every subject found again by
//! its ID number, in order, page by page.

use serde_json::{Value, json};

use crate::helpers::{json, make_id, person_listing, spawn_app, spawn_app_with};

#[tokio::test]
async fn check_log_finds_every_check_of_a_person_across_requests_and_pages() {
    check_log_pages(&[]).await;
}

#[tokio::test]
async fn check_log_lossy_mode_records_the_same_when_it_keeps_up() {
    check_log_pages(&[("SHIXIN_CHECK_LOG", "lossy")]).await;
}

async fn check_log_pages(extra: &[(&str, &str)]) {
    let app = spawn_app_with(extra).await;
    let (_, airline) = app.subscriber_token("airline").await;
    let listed = make_id("110105", "19800101", 401);
    app.create_listing(&person_listing(&listed, 401)).await;
    let other = make_id("110105", "19800101", 403);
    let bodies = [
        json!({"subjects": [{"id_number": other}, {"id_number": listed}]}),
        json!({"subjects": [{"id_number": other}]}),
        json!({"subjects": [{"id_number": listed}, {"id_number": other}, {"id_number": listed}]}),
    ];
    for b in &bodies {
        let (s, v) = app.check(&airline, b).await;
        assert_eq!(s, 200, "{v}");
    }
    let admin = app.admin();
    let mut seen: Vec<Value> = Vec::new();
    if extra.is_empty() {
        // Durable (the default): each answer came after its row was committed.
        let (_, v) = json(
            app.get(&format!("/v1/check-log?id_number={listed}"), Some(&admin))
                .await,
        )
        .await;
        assert_eq!(v["items"].as_array().map(Vec::len), Some(3), "{v}");
    }
    // Lossy: the writer is asynchronous: wait for the three requests, then read two at a time.
    for _ in 0..60 {
        let (_, v) = json(
            app.get(&format!("/v1/check-log?id_number={listed}"), Some(&admin))
                .await,
        )
        .await;
        if v["items"].as_array().map_or(0, Vec::len) == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mut path = format!("/v1/check-log?id_number={listed}&limit=2");
    loop {
        let (s, v) = json(app.get(&path, Some(&admin)).await).await;
        assert_eq!(s, 200, "{v}");
        seen.extend(v["items"].as_array().unwrap().iter().cloned());
        match v["next_cursor"].as_str() {
            Some(c) => path = format!("/v1/check-log?id_number={listed}&limit=2&cursor={c}"),
            None => break,
        }
    }
    let decisions: Vec<&str> = seen
        .iter()
        .map(|i| i["decision"].as_str().unwrap())
        .collect();
    assert_eq!(
        decisions,
        ["deny", "deny", "deny"],
        "once in the first request, twice in the third"
    );
    let (_, v) = json(
        app.get(&format!("/v1/check-log?id_number={other}"), Some(&admin))
            .await,
    )
    .await;
    let decisions: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["decision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["allow", "allow", "allow"]);
    let r = app
        .get(
            &format!("/v1/check-log?id_number={listed}&cursor=bm9wZQ"),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status(), 400);
    let metrics = app.get("/metrics", None).await.text().await.unwrap();
    assert!(
        metrics.contains("shixin_check_log_subjects_total{outcome=\"written\"} 6"),
        "six subjects written"
    );
    assert!(metrics.contains("shixin_check_log_subjects_total{outcome=\"dropped\"} 0"));
}

/// docs/API.md "Check log": retention configurable (`SHIXIN_CHECK_LOG_RETENTION`), pruned by the
/// tick.
#[tokio::test]
async fn check_log_older_than_the_retention_is_pruned_by_the_tick() {
    let app = spawn_app_with(&[("SHIXIN_CHECK_LOG_RETENTION", "1d")]).await;
    let (_, airline) = app.subscriber_token("airline").await;
    let admin = app.admin();
    let logged = |id: String| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let (_, v) = json(
                app.get(&format!("/v1/check-log?id_number={id}"), Some(&admin))
                    .await,
            )
            .await;
            v["items"].as_array().map_or(0, Vec::len)
        }
    };
    let old = make_id("110105", "19800101", 411);
    let recent = make_id("110105", "19800101", 413);
    app.check(&airline, &json!({"subjects": [{"id_number": old}]}))
        .await;
    for _ in 0..60 {
        if logged(old.clone()).await == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(logged(old.clone()).await, 1);
    // Time moved by moving the row: this request was made two days ago (no waiting, no window).
    app.sql("UPDATE check_requests SET checked_at = now() - interval '2 days'")
        .await;
    app.check(&airline, &json!({"subjects": [{"id_number": recent}]}))
        .await;
    for _ in 0..60 {
        if logged(recent.clone()).await == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(logged(recent.clone()).await, 1);
    let report = app.tick().await;
    assert_eq!(
        report.check_log_pruned, 1,
        "the request older than the retention"
    );
    assert_eq!(logged(old).await, 0);
    assert_eq!(
        logged(recent).await,
        1,
        "a check inside the retention stays"
    );
}

/// The log is partitioned by UTC day: a check lands in its day's partition, and retention drops a
/// whole day that has passed it (no row-by-row DELETE).
#[tokio::test]
async fn check_log_retention_drops_whole_day_partitions() {
    let app = spawn_app_with(&[("SHIXIN_CHECK_LOG_RETENTION", "1d")]).await;
    let (_, airline) = app.subscriber_token("airline").await;
    // (The test database's template may be from an earlier day: the tick makes today's partition.)
    app.tick().await;
    let body = json!({"subjects": [{"id_number": make_id("110105", "19800101", 421)}]});
    assert_eq!(app.check(&airline, &body).await.0, 200);
    assert_eq!(
        app.scalar("SELECT count(*) AS n FROM ONLY check_requests_default")
            .await,
        0,
        "today's check is in today's partition"
    );
    let day = "(now() AT TIME ZONE 'UTC')::date - 3";
    app.sql(&format!("SELECT shixin_check_log_partition({day})"))
        .await;
    app.sql(&format!(
        "UPDATE check_requests SET checked_at = ({day})::timestamp AT TIME ZONE 'UTC' + interval '12 hours'"
    ))
    .await;
    let partition = format!(
        "SELECT count(*) AS n FROM pg_class WHERE relname = 'check_requests_' || to_char({day}, 'YYYYMMDD')"
    );
    assert_eq!(app.scalar(&partition).await, 1);
    assert_eq!(app.check(&airline, &body).await.0, 200);
    let report = app.tick().await;
    assert_eq!(report.check_log_pruned, 1);
    assert_eq!(
        app.scalar(&partition).await,
        0,
        "the day's partition is dropped"
    );
    assert_eq!(
        app.scalar("SELECT count(*) AS n FROM check_requests").await,
        1,
        "today's check stays"
    );
    // The tick keeps today's and the next two days' partitions ready.
    assert_eq!(
        app.scalar(
            "SELECT count(*) AS n FROM generate_series(0, 2) i WHERE to_regclass('check_requests_' \
             || to_char((now() AT TIME ZONE 'UTC')::date + i, 'YYYYMMDD')) IS NOT NULL"
        )
        .await,
        3
    );
}

/// The day being written has no GIN index (the COPY stays cheap); a closed day gets one from the
/// tick, and "who checked" finds the person on both.
#[tokio::test]
async fn check_log_a_closed_day_gets_its_index_and_both_are_read() {
    let app = spawn_app().await;
    let (_, airline) = app.subscriber_token("airline").await;
    app.tick().await;
    let person = make_id("110105", "19800101", 431);
    let body = json!({"subjects": [{"id_number": person}]});
    assert_eq!(app.check(&airline, &body).await.0, 200);
    let day = "(now() AT TIME ZONE 'UTC')::date - 1";
    let index = format!(
        "SELECT count(*) AS n FROM pg_class WHERE relname = 'check_requests_' || to_char({day}, 'YYYYMMDD') || '_keys_gin'"
    );
    let today_index = "SELECT count(*) AS n FROM pg_class WHERE relname = 'check_requests_' \
         || to_char((now() AT TIME ZONE 'UTC')::date, 'YYYYMMDD') || '_keys_gin'";
    app.sql(&format!("SELECT shixin_check_log_partition({day})"))
        .await;
    app.sql(&format!(
        "UPDATE check_requests SET checked_at = ({day})::timestamp AT TIME ZONE 'UTC' + interval '12 hours'"
    ))
    .await;
    assert_eq!(app.check(&airline, &body).await.0, 200);
    // Yesterday's partition may come indexed from the template database when it was made before
    // midnight UTC (then it was today's, and the tick above closed it): start it unindexed.
    app.sql(&format!(
        "DO $$ BEGIN EXECUTE 'DROP INDEX IF EXISTS ' || quote_ident('check_requests_' || to_char({day}, 'YYYYMMDD') || '_keys_gin'); END $$"
    ))
    .await;
    assert_eq!(app.scalar(&index).await, 0);
    app.tick().await;
    assert_eq!(app.scalar(&index).await, 1, "yesterday is indexed");
    assert_eq!(app.scalar(today_index).await, 0, "today is not");
    let (s, v) = json(
        app.get(
            &format!("/v1/check-log?id_number={person}"),
            Some(&app.admin()),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["items"].as_array().map(Vec::len), Some(2), "{v}");
}

/// Two instances' ticks creating the same new day's partition at once do not collide (found just
/// after midnight UTC: "relation check_requests_… already exists").
#[tokio::test]
async fn check_log_two_ticks_creating_the_same_day_partition_do_not_collide() {
    let app = spawn_app().await;
    let drop_day_after_tomorrow = "DO $$ BEGIN EXECUTE 'DROP TABLE IF EXISTS ' || quote_ident('check_requests_' \
         || to_char((now() AT TIME ZONE 'UTC')::date + 2, 'YYYYMMDD')); END $$";
    let exists = "SELECT count(*) AS n FROM pg_class WHERE relname = 'check_requests_' \
         || to_char((now() AT TIME ZONE 'UTC')::date + 2, 'YYYYMMDD')";
    for _ in 0..10 {
        app.sql(drop_day_after_tomorrow).await;
        assert_eq!(app.scalar(exists).await, 0);
        // Each tick panics on an error; both must succeed.
        tokio::join!(app.tick(), app.tick(), app.tick());
        assert_eq!(app.scalar(exists).await, 1);
    }
}
