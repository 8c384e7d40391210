//! Watch-lists (issue 20, docs/API.md "Watch-lists"): a subscriber of scope `watchlist` receives by
//! feed, snapshot and webhook only the events and subjects on its list; another subscriber of the
//! same sector, of scope `all`, everything as before. Removal from the list stops the events.

use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, json, make_id, person_listing},
    receiver::Receiver,
    webhooks::{register, worker_app},
};

/// A subscriber of `sector` created with scope `watchlist`, and its token.
pub async fn watching_subscriber(app: &TestApp, sector: &str) -> (String, String) {
    let (s, v) = json(
        app.post(
            "/v1/subscribers",
            &app.admin(),
            &json!({"name": "某银行", "sector": sector, "scope": "watchlist"}),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["scope"].as_str()), (201, Some("watchlist")), "{v}");
    let (client_id, secret) = (
        v["client_id"].as_str().unwrap(),
        v["client_secret"].as_str().unwrap(),
    );
    let (s, t) = json(app.oauth_token(client_id, secret).await).await;
    assert_eq!(s, 200, "{t}");
    (
        v["id"].as_str().unwrap().to_string(),
        t["access_token"].as_str().unwrap().to_string(),
    )
}

pub async fn watch(app: &TestApp, token: &str, subjects: Value) -> (u16, Value) {
    json(
        app.post("/v1/watchlist/items", token, &json!({"subjects": subjects}))
            .await,
    )
    .await
}

pub async fn unwatch(app: &TestApp, token: &str, subjects: Value) -> (u16, Value) {
    let r = app
        .client
        .delete(app.url("/v1/watchlist/items"))
        .bearer_auth(token)
        .json(&json!({"subjects": subjects}))
        .send()
        .await
        .expect("request");
    json(r).await
}

/// Waits until no delivery is pending (the receivers answer 2xx), so what they got is final.
async fn drained(app: &TestApp) {
    for _ in 0..300 {
        let left = app
            .scalar("SELECT count(*) AS n FROM webhook_deliveries WHERE status <> 'delivered'")
            .await;
        if left == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("deliveries still pending");
}

/// The (type, listing id) of every event a receiver path got, in order.
fn got(rx: &Receiver, path: &str) -> Vec<(String, String)> {
    rx.got()
        .iter()
        .filter(|r| r.path == path)
        .map(|r| {
            let j = r.json();
            (
                j["type"].as_str().unwrap().to_string(),
                j["data"]["listing_id"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect()
}

/// The (type, listing id) of every event of the feed from the start, once it holds `want`.
pub(crate) async fn feed(app: &TestApp, token: &str, want: usize) -> Vec<(String, String)> {
    for _ in 0..400 {
        let v = app.get_json("/v1/feed?limit=1000", token).await;
        let events = v["events"].as_array().expect("events").clone();
        if events.len() >= want {
            return events
                .iter()
                .map(|e| {
                    (
                        e["type"].as_str().unwrap().to_string(),
                        e["data"]["listing_id"].as_str().unwrap_or("?").to_string(),
                    )
                })
                .collect();
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the feed did not reach {want} events");
}

/// The ID numbers of the snapshot's lines, sorted.
pub(crate) async fn snapshot_ids(app: &TestApp, token: &str) -> Vec<String> {
    let r = app.get("/v1/snapshot", Some(token)).await;
    assert_eq!(r.status(), 200);
    let mut ids: Vec<String> = r
        .text()
        .await
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id_number"]
                .as_str()
                .unwrap_or("?")
                .to_string()
        })
        .collect();
    ids.sort();
    ids
}

fn listed(types: &[&str], listing: &str) -> Vec<(String, String)> {
    types
        .iter()
        .map(|t| (t.to_string(), listing.to_string()))
        .collect()
}

#[tokio::test]
async fn watchlist_an_unwatched_subjects_events_reach_only_the_subscriber_of_scope_all() {
    let app = worker_app(&[]).await;
    let rx = Receiver::start();
    let (_, all_token) = app.subscriber_token("finance").await;
    let (_, watch_token) = watching_subscriber(&app, "finance").await;
    register(&app, &all_token, json!({"url": rx.url("/all")})).await;
    let (watch_hook, _, _) = register(&app, &watch_token, json!({"url": rx.url("/watch")})).await;
    let (a, b) = (
        make_id("110105", "19800101", 31),
        make_id("110105", "19800101", 32),
    );

    // A is watched before anything is known of A: nothing restricted yet.
    let (s, v) = watch(&app, &watch_token, json!([{"id_number": a}])).await;
    assert_eq!(
        (s, v["added"].as_u64(), v["already"].as_u64()),
        (200, Some(1), Some(0)),
        "{v}"
    );
    assert_eq!(v["restricted"], json!([]));
    let la = app.create_listing(&person_listing(&a, 31)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let lb = app.create_listing(&person_listing(&b, 32)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    drained(&app).await;

    let published = ["listing.published", "restriction.imposed"];
    // Webhooks: the watcher got A's two events and nothing of B; the other got all four.
    assert_eq!(got(&rx, "/watch"), listed(&published, &la));
    let mut all = listed(&published, &la);
    all.extend(listed(&published, &lb));
    assert_eq!(got(&rx, "/all"), all);
    // The feed: the same filter.
    assert_eq!(feed(&app, &all_token, 4).await, all);
    assert_eq!(feed(&app, &watch_token, 2).await, listed(&published, &la));
    // The snapshot: A's line only.
    assert_eq!(snapshot_ids(&app, &watch_token).await, vec![a.clone()]);
    let mut both = vec![a.clone(), b.clone()];
    both.sort();
    assert_eq!(snapshot_ids(&app, &all_token).await, both);
    assert_eq!(
        app.get_json("/v1/watchlist", &watch_token).await["count"],
        1
    );
    // A replay from the start queues again the watched events only.
    let (s, v) = json(
        app.post(
            &format!("/v1/webhooks/{watch_hook}/replay"),
            &watch_token,
            &json!({"after": ""}),
        )
        .await,
    )
    .await;
    assert!(s < 300, "{s} {v}");
    drained(&app).await;
    let mut twice = listed(&published, &la);
    twice.extend(listed(&published, &la));
    assert_eq!(
        got(&rx, "/watch"),
        twice,
        "the replay: A's events again, none of B"
    );
    // No watched ID number is stored in clear.
    assert_eq!(
        app.scalar(&format!(
            "SELECT count(*) AS n FROM watchlist_items WHERE position(convert_to('{a}', 'UTF8') in key_hash) > 0 OR length(key_hash) <> 16"
        ))
        .await,
        0
    );
}

#[tokio::test]
async fn watchlist_adding_reports_restricted_now_and_removing_stops_the_events() {
    let app = worker_app(&[]).await;
    let rx = Receiver::start();
    let (_, token) = watching_subscriber(&app, "finance").await;
    register(&app, &token, json!({"url": rx.url("/watch")})).await;
    let (a, b) = (
        make_id("110105", "19800101", 41),
        make_id("110105", "19800101", 42),
    );
    let la = app.create_listing(&person_listing(&a, 41)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let lb = app.create_listing(&person_listing(&b, 42)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    drained(&app).await;
    assert!(got(&rx, "/watch").is_empty(), "nothing watched yet");

    // Added later: restricted now, with the order it rests on; the past events are not sent.
    let (s, v) = watch(
        &app,
        &token,
        json!([{"id_number": make_id("110105", "19800101", 43)},
        {"id_number": a}, {"id_number": b}, {"id_number": a}]),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["added"].as_u64(), v["already"].as_u64()),
        (Some(3), Some(1)),
        "{v}"
    );
    let restricted = v["restricted"].as_array().unwrap();
    let indexes: Vec<u64> = restricted
        .iter()
        .map(|r| r["index"].as_u64().unwrap())
        .collect();
    assert_eq!(indexes, vec![1, 2, 3]);
    assert_eq!(restricted[0]["matches"][0]["listing_id"], la.as_str());
    assert!(!restricted[0]["items"].as_array().unwrap().is_empty());
    assert_eq!(app.get_json("/v1/watchlist", &token).await["count"], 3);

    // B is taken off; both listings end: only A's ending reaches the watcher.
    let (s, v) = unwatch(
        &app,
        &token,
        json!([{"id_number": b}, {"id_number": make_id("110105", "19800101", 44)}]),
    )
    .await;
    assert_eq!(
        (s, v["removed"].as_u64(), v["absent"].as_u64()),
        (200, Some(1), Some(1)),
        "{v}"
    );
    for id in [&la, &lb] {
        let (s, v) = json(
            app.post_if(
                &format!("/v1/listings/{id}/removal"),
                &app.court("京0105"),
                1,
                &json!({"reason": "early_deletion", "note": "信用修复"}),
            )
            .await,
        )
        .await;
        assert_eq!(s, 200, "{v}");
    }
    drained(&app).await;
    let ended = ["listing.removed", "restriction.lifted"];
    let mut got_a = got(&rx, "/watch");
    got_a.sort();
    let mut want = listed(&ended, &la);
    want.sort();
    assert_eq!(got_a, want);
    // The feed is filtered as it is read: every event of A, none of B (no longer on the list).
    let mut fed = feed(&app, &token, 4).await;
    fed.sort();
    let mut want = listed(&["listing.published", "restriction.imposed"], &la);
    want.extend(listed(&ended, &la));
    want.sort();
    assert_eq!(fed, want);
    assert_eq!(app.get_json("/v1/watchlist", &token).await["count"], 2);
}
