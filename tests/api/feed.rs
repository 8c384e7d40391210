//! The change feed and the snapshot (docs/API.md "Change feed, snapshot, webhooks").

use std::collections::HashSet;

use diesel::{QueryableByName, sql_query, sql_types::Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{Value, json};

use crate::helpers::{TestApp, json, make_id, order_body, org_listing, person_listing, spawn_app};

/// Reads the feed until `want` events have arrived (the feed holds events back while any older
/// transaction in the cluster is still running: other tests' databases share transaction ids).
async fn read_until(
    app: &TestApp,
    token: &str,
    after: Option<&str>,
    want: usize,
) -> (Vec<Value>, String) {
    let mut events: Vec<Value> = Vec::new();
    let mut cursor = after.map(str::to_string);
    for _ in 0..400 {
        let (more, next) = read_all(app, token, cursor.as_deref()).await;
        events.extend(more);
        cursor = Some(next);
        if events.len() >= want {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    (events, cursor.unwrap_or_default())
}

async fn read_all(app: &TestApp, token: &str, after: Option<&str>) -> (Vec<Value>, String) {
    let mut events = Vec::new();
    let mut cursor = after.map(str::to_string);
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/feed?after={c}&limit=3"),
            None => "/v1/feed?limit=3".to_string(),
        };
        let page = app.get_json(&path, token).await;
        let got = page["events"].as_array().unwrap().clone();
        let next = page["next"].as_str().unwrap().to_string();
        if got.is_empty() {
            if let Some(c) = &cursor {
                assert_eq!(&next, c, "an empty page returns next equal to after");
            }
            return (events, next);
        }
        events.extend(got);
        cursor = Some(next);
    }
}

#[tokio::test]
async fn the_feed_carries_every_change_in_order_filtered_to_the_sector() {
    let app = spawn_app().await;
    let (_, airline) = app.subscriber_token("airline").await;
    let listing = app
        .create_listing(&person_listing(&make_id("110105", "19800101", 11), 1))
        .await;
    let mut body = order_body(&make_id("110105", "19800101", 13), 2);
    body["items"] = json!(["real_estate"]);
    assert_eq!(
        app.post("/v1/restrictions", &app.court("京0105"), &body)
            .await
            .status(),
        201
    );
    let (events, next) = read_until(&app, &airline, None, 2).await;
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        ["listing.published", "restriction.imposed"],
        "the real-estate order is not the airline's"
    );
    let imposed = &events[1]["data"];
    assert_eq!(
        imposed["items"],
        json!(["air_travel"]),
        "items filtered to the sector"
    );
    assert_eq!(imposed["restriction_id"], listing["restriction_id"]);
    assert_eq!(imposed["version"], 1);
    assert!(events[0]["data"].to_string().contains("id_number_masked"));
    // Following `next` later sees only what came after.
    let id = listing["id"].as_str().unwrap();
    app.post_if(
        &format!("/v1/listings/{id}/removal"),
        &app.court("京0105"),
        1,
        &json!({"reason": "early_deletion"}),
    )
    .await;
    let (later, _) = read_until(&app, &airline, Some(&next), 2).await;
    let types: Vec<&str> = later.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["listing.removed", "restriction.lifted"]);
    // A real-estate subscriber sees its order and the public listing events.
    let (_, estate) = app.subscriber_token("real_estate").await;
    let (events, _) = read_until(&app, &estate, None, 5).await;
    assert_eq!(events.len(), 5);
    assert_eq!(
        app.get("/v1/feed?after=garbage", Some(&estate))
            .await
            .status(),
        400
    );
    assert_eq!(
        app.get("/v1/feed", Some(&app.court("京0105")))
            .await
            .status(),
        403
    );
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Text)]
    id: String,
}

#[tokio::test]
async fn a_reader_never_passes_an_event_whose_transaction_has_not_committed() {
    let app = spawn_app().await;
    let (_, token) = app.subscriber_token("government").await;
    // A writer takes its transaction id and sequence number first, then commits last.
    let mut slow = AsyncPgConnection::establish(&app.db_url).await.unwrap();
    sql_query("BEGIN").execute(&mut slow).await.unwrap();
    let slow_id = uuid::Uuid::new_v4();
    sql_query(format!(
        "INSERT INTO events (id, type, occurred_at, entity_id, items, data) \
         VALUES ('{slow_id}', 'listing.updated', now(), '{slow_id}', '{{}}', '{{\"version\": 1}}')"
    ))
    .execute(&mut slow)
    .await
    .unwrap();
    // Meanwhile other changes commit.
    app.create_listing(&person_listing(&make_id("110105", "19800101", 21), 3))
        .await;
    let (seen, cursor) = read_all(&app, &token, None).await;
    assert!(
        seen.is_empty(),
        "events behind a running transaction are held back: {seen:?}"
    );
    sql_query("COMMIT").execute(&mut slow).await.unwrap();
    let (seen, _) = read_until(&app, &token, Some(&cursor), 3).await;
    let ids: Vec<&str> = seen.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(
        ids[0],
        slow_id.to_string(),
        "the early transaction's event comes first"
    );
}

#[tokio::test]
async fn concurrent_writers_and_a_polling_reader_see_every_event_exactly_once() {
    let app = spawn_app().await;
    let (_, token) = app.subscriber_token("government").await;
    let writers: Vec<_> = (0..6u32)
        .map(|w| {
            let (client, url, tok) = (
                app.client.clone(),
                app.url("/v1/listings"),
                app.court("京0105"),
            );
            tokio::spawn(async move {
                for i in 0..6u32 {
                    let body = person_listing(
                        &make_id("110105", "19800101", 100 + w * 12 + i * 2 + 1),
                        100 + w * 10 + i,
                    );
                    let r = client
                        .post(&url)
                        .bearer_auth(&tok)
                        .json(&body)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 201);
                }
            })
        })
        .collect();
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut done = false;
    let mut polls = 0;
    loop {
        let path = cursor
            .as_ref()
            .map(|c| format!("/v1/feed?after={c}&limit=7"))
            .unwrap_or_else(|| "/v1/feed?limit=7".into());
        let page = app.get_json(&path, &token).await;
        let events = page["events"].as_array().unwrap();
        seen.extend(events.iter().map(|e| e["id"].as_str().unwrap().to_string()));
        cursor = Some(page["next"].as_str().unwrap().to_string());
        if events.is_empty() {
            if done && seen.len() >= 72 {
                break;
            }
            done = writers.iter().all(|w| w.is_finished());
            polls += 1;
            assert!(polls < 4000, "the feed did not deliver every event");
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no event twice");
    let mut conn = app.db().await;
    let all: Vec<Id> = sql_query("SELECT id::text AS id FROM events")
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(all.len(), 72, "36 listings and their orders");
    let all: HashSet<String> = all.into_iter().map(|i| i.id).collect();
    assert_eq!(unique.len(), all.len());
    assert!(all.iter().all(|id| unique.contains(id)), "no event missed");
}

#[tokio::test]
async fn the_snapshot_plus_the_feed_after_its_cursor_is_the_whole_state() {
    let app = spawn_app().await;
    let (_, airline) = app.subscriber_token("airline").await;
    let person = make_id("110105", "19800101", 31);
    app.create_listing(&person_listing(&person, 4)).await;
    app.create_listing(&org_listing("91310110666007217T", 5))
        .await;
    let mut body = order_body(&make_id("110105", "19800101", 33), 6);
    body["items"] = json!(["real_estate"]);
    app.post("/v1/restrictions", &app.court("京0105"), &body)
        .await;
    let r = app.get("/v1/snapshot", Some(&airline)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers().get("content-type").unwrap(),
        "application/x-ndjson"
    );
    let cursor = r
        .headers()
        .get("shixin-feed-cursor")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let text = r.text().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        4,
        "the person; the organisation, its representative and its controller: {text}"
    );
    let p = lines
        .iter()
        .find(|l| l["id_number"] == person.as_str())
        .unwrap();
    assert_eq!(p["items"], json!(["air_travel"]));
    assert_eq!(
        p["documents"],
        json!([{"type": "passport", "number": "E12345678"}])
    );
    assert_eq!(p["version"], 1);
    assert!(
        lines
            .iter()
            .any(|l| l["credit_code"] == "91310110666007217T" && l["role"] == "debtor")
    );
    // A change after the snapshot is in the feed after its cursor.
    // (The cursor may lag behind the snapshot while other transactions run in the cluster: the feed
    // after it then repeats some changes the snapshot already holds, with the same versions.)
    let new = app
        .create_listing(&person_listing(&make_id("110105", "19800101", 35), 7))
        .await;
    let mut later: Vec<Value> = Vec::new();
    let mut from = cursor.clone();
    for _ in 0..400 {
        let (more, next) = read_all(&app, &airline, Some(&from)).await;
        later.extend(more);
        from = next;
        if later
            .iter()
            .any(|e| e["type"] == "restriction.imposed" && e["data"]["listing_id"] == new["id"])
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(
        later
            .iter()
            .any(|e| e["type"] == "listing.published" && e["data"]["listing_id"] == new["id"])
    );
    assert!(
        later
            .iter()
            .any(|e| e["type"] == "restriction.imposed" && e["data"]["listing_id"] == new["id"])
    );
    // The snapshot is the subscribers' (a court reads its own orders through the API).
    let (s, v) = json(app.get("/v1/snapshot", Some(&app.court("京0105"))).await).await;
    assert_eq!((s, v["code"].as_str()), (403, Some("forbidden")), "{v}");
}
