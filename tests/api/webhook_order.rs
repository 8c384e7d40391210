//! One request at a time per webhook, in feed order, each event once (issue 21, item 1): two
//! instances deliver with one sender each, a short `SHIXIN_WEBHOOK_LEASE` and slow receivers, so a
//! claimed webhook waits for a sender long past the lease. Every receiver must see every event of
//! its webhook exactly once, in the order of the feed, `(txid, seq)`, and never two requests of one
//! webhook at the same time. Events are written by concurrent clients, so transactions commit out
//! of the order of their ids.

use std::{
    collections::{HashMap, HashSet},
    sync::atomic::Ordering,
    time::Duration,
};

use diesel::{QueryableByName, sql_query, sql_types::Text};
use diesel_async::AsyncConnection;
use serde_json::json;

use crate::{
    helpers::{TestApp, make_id, person_listing, spawn_instance},
    receiver::{Received, Receiver},
    webhooks::{register, worker_app},
};

#[derive(QueryableByName)]
struct Position {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    txid: String,
    #[diesel(sql_type = Text)]
    seq: String,
}

/// Each event's place in the feed, by event id.
async fn feed_positions(app: &TestApp) -> HashMap<String, (u64, i64)> {
    let mut conn = app.db().await;
    let rows: Vec<Position> = diesel_async::RunQueryDsl::load(
        sql_query("SELECT id::text AS id, txid::text AS txid, seq::text AS seq FROM events"),
        &mut conn,
    )
    .await
    .expect("events");
    rows.into_iter()
        .map(|r| {
            let pos = (r.txid.parse().unwrap(), r.seq.parse().unwrap());
            (r.id, pos)
        })
        .collect()
}

/// Duplicates, order inversions and overlapping requests seen by one receiver.
fn faults(got: &[Received], feed: &HashMap<String, (u64, i64)>) -> (Vec<String>, Vec<String>) {
    let mut seen = HashMap::new();
    let mut duplicates = Vec::new();
    let mut inversions = Vec::new();
    let mut last: Option<(u64, i64)> = None;
    for r in got {
        *seen.entry(r.id.clone()).or_insert(0) += 1;
        if seen[&r.id] == 2 {
            duplicates.push(r.id.clone());
        }
        let pos = feed[&r.id];
        if let Some(prev) = last
            && pos < prev
        {
            inversions.push(format!("{:?} after {:?}", pos, prev));
        }
        last = Some(pos);
    }
    (duplicates, inversions)
}

#[tokio::test]
async fn webhooks_two_instances_one_sender_slow_receivers_each_event_once_in_feed_order() {
    let slow = [
        ("SHIXIN_WEBHOOK_CONCURRENCY", "1"),
        ("SHIXIN_WEBHOOK_LEASE", "1s"),
        ("SHIXIN_WEBHOOK_TIMEOUT", "5s"),
    ];
    let a = worker_app(&slow).await;
    let mut b_env = slow.to_vec();
    b_env.push(("SHIXIN_WEBHOOK_ALLOW_PRIVATE", "true"));
    let b = spawn_instance(&a, &b_env).await;
    let receivers: Vec<Receiver> = (0..3).map(|_| Receiver::start()).collect();
    for (i, rx) in receivers.iter().enumerate() {
        rx.b.delay_ms.store(150, Ordering::SeqCst);
        let (_, token) = a.subscriber_token("airline").await;
        register(&a, &token, json!({"url": rx.url(&format!("/r{i}"))})).await;
    }
    // 24 listings (48 events) written by four concurrent clients through both instances.
    let writers = (0..4u32).map(|w| {
        let app = if w % 2 == 0 { &a } else { &b };
        async move {
            for k in 0..6u32 {
                let seq = 700 + w * 10 + k;
                let (s, v) = crate::helpers::json(
                    app.post(
                        "/v1/listings",
                        &app.court("京0105"),
                        &person_listing(&make_id("110105", "19800101", seq), seq),
                    )
                    .await,
                )
                .await;
                assert_eq!(s, 201, "{v}");
            }
        }
    });
    futures_util::future::join_all(writers).await;
    let feed = feed_positions(&a).await;
    assert_eq!(feed.len(), 48, "two events per listing");
    for (i, rx) in receivers.iter().enumerate() {
        rx.wait_until(60, |g| {
            g.iter().map(|r| &r.id).collect::<HashSet<_>>().len() >= 48
        })
        .await;
        // A little longer: a duplicate would come after the last first delivery.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let got = rx.got();
        let (duplicates, inversions) = faults(&got, &feed);
        assert_eq!(
            got.len() - duplicates.len(),
            48,
            "receiver {i}: every event"
        );
        assert!(
            duplicates.is_empty(),
            "receiver {i}: {} duplicate webhook-ids: {duplicates:?}",
            duplicates.len()
        );
        assert!(
            inversions.is_empty(),
            "receiver {i}: {} order inversions: {inversions:?}",
            inversions.len()
        );
    }
    // One request at a time per webhook: none arrived before the previous one's answer could.
    for (i, rx) in receivers.iter().enumerate() {
        let got = rx.got();
        let overlaps = got
            .windows(2)
            .filter(|w| w[1].at.duration_since(w[0].at) < Duration::from_millis(140))
            .count();
        assert_eq!(overlaps, 0, "receiver {i}: requests overlapped");
    }
    drop(b);
}

/// A write transaction left open holds deliveries back only in its own database: one in another
/// database on the same server does not delay this one's webhooks; one in this database does, until
/// it ends (an event it may still write would come before the later ones in the feed).
#[tokio::test]
async fn webhooks_an_open_transaction_holds_back_only_its_own_databases_deliveries() {
    let app = worker_app(&[]).await;
    let rx = Receiver::start();
    let (_, token) = app.subscriber_token("airline").await;
    register(&app, &token, json!({"url": rx.url("/x")})).await;
    let open_in = |url: String| async move {
        let mut c = diesel_async::AsyncPgConnection::establish(&url)
            .await
            .expect("connect");
        diesel_async::RunQueryDsl::execute(sql_query("BEGIN"), &mut c)
            .await
            .unwrap();
        diesel_async::RunQueryDsl::execute(sql_query("SELECT pg_current_xact_id()"), &mut c)
            .await
            .unwrap();
        c
    };
    let elsewhere = open_in(format!("{}/postgres", crate::helpers::base_url())).await;
    crate::webhooks::list_person(&app, 1).await;
    rx.wait_until(5, |g| g.len() >= 2).await;
    drop(elsewhere);
    let here = open_in(app.db_url.clone()).await;
    crate::webhooks::list_person(&app, 2).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        rx.got().len(),
        2,
        "sent past a transaction of this database still open"
    );
    drop(here);
    rx.wait_until(5, |g| g.len() >= 4).await;
}
