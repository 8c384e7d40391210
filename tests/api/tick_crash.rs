//! The tick's work in flight when its process dies (issue 21, item 1): each change of a tick is its
//! own transaction on a row it locks, so a `kill -9` in the middle rolls it back with the
//! connection, and the restarted process ticks at once on start: the change is made within 5 s
//! (L11 here: a pending listing whose grace period ended is published).

use std::time::{Duration, Instant};

use diesel::sql_query;
use diesel_async::RunQueryDsl;

use crate::{helpers::spawn_app, serve::Serve, tick::pending_listing};

fn ticking(db_url: &str, interval: &str) -> Serve {
    let mut s = Serve::start(
        db_url,
        &[
            ("SHIXIN_TICK_INTERVAL", interval),
            ("SHIXIN_WEBHOOK_CONCURRENCY", "0"),
        ],
    );
    s.port();
    s
}

#[tokio::test]
async fn l11_a_tick_killed_in_the_middle_of_a_change_is_redone_within_5_s_of_the_restart() {
    let app = spawn_app().await;
    let id = pending_listing(&app, 7).await;
    // The test holds the listing's row, so the tick that comes to publish it waits on the lock.
    let mut holder = app.db().await;
    sql_query("BEGIN").execute(&mut holder).await.unwrap();
    sql_query(format!(
        "SELECT 1 FROM listings WHERE id = '{id}' FOR UPDATE"
    ))
    .execute(&mut holder)
    .await
    .unwrap();
    let mut serve = ticking(&app.db_url, "1s");
    let waiting = "SELECT count(*) AS n FROM pg_stat_activity \
                   WHERE datname = current_database() AND wait_event_type = 'Lock'";
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.scalar(waiting).await == 0 {
        assert!(
            Instant::now() < deadline,
            "the tick never reached the listing"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    serve.kill_9();
    sql_query("ROLLBACK").execute(&mut holder).await.unwrap();
    let status =
        format!("SELECT count(*) AS n FROM listings WHERE id = '{id}' AND status = 'active'");
    // Killed while waiting: nothing of its change may have been committed.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.scalar(&status).await,
        0,
        "the killed tick's change committed"
    );
    let restarted = Instant::now();
    // An hour between ticks: only the tick at start can do it.
    let _again = ticking(&app.db_url, "1h");
    while app.scalar(&status).await == 0 {
        assert!(
            restarted.elapsed() < Duration::from_secs(5),
            "not published 5 s after the restart"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let events = app
        .scalar("SELECT count(*) AS n FROM events WHERE type = 'listing.published'")
        .await;
    assert_eq!(events, 1, "published once, with one event");
    eprintln!("published {:?} after the restart", restarted.elapsed());
}
