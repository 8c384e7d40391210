//! Faults under load (issue 7 "Fault tests", bounded in time): Redis killed under public load fails
//! no request and serves nothing stale when it comes back. (A webhook receiver that hangs and a
//! delivering process killed mid-batch are in webhook_delivery.rs and webhook_process.rs.)

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use crate::{
    helpers::spawn_app_with,
    public_cache::PrivateRedis,
    public_helpers::{NO_LIMIT, named, public_get, q, wait_redis_up},
};

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

#[tokio::test]
async fn two_instances_starting_together_on_a_new_database_both_migrate() {
    let name = format!("shixin_test_{}", uuid::Uuid::new_v4().simple());
    let url = format!("{}/{name}", crate::helpers::base_url());
    let (a, b, c) = tokio::join!(
        shixin::db::migrate(&url),
        shixin::db::migrate(&url),
        shixin::db::migrate(&url)
    );
    let ran: Vec<usize> = [a, b, c]
        .into_iter()
        .map(|r| r.expect("migrated"))
        .collect();
    assert_eq!(
        ran.iter().filter(|n| **n > 0).count(),
        1,
        "one ran them, the others found them done: {ran:?}"
    );
    let mut admin = <diesel_async::AsyncPgConnection as diesel_async::AsyncConnection>::establish(
        &format!("{}/postgres", crate::helpers::base_url()),
    )
    .await
    .unwrap();
    let _ = diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")),
        &mut admin,
    )
    .await;
}
