//! L15: Art. 8 notices travel the outbox like every event. A notice recipient (an employer or
//! supervising body) sees by feed, snapshot and webhook only the listings that name it, and checks
//! nobody; a credit reference agency sees every listing event. A notice turns `delivered` when the
//! recipient's webhook answers 2xx, or when its feed read passes the event.

use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, json, make_id, person_listing},
    notices::{notices, official},
    receiver::Receiver,
    webhooks::{register, worker_app},
};

/// The feed from the start, once it holds at least `want` events (it holds events back while an
/// older transaction anywhere in the cluster runs: other tests share the server).
async fn feed(app: &TestApp, token: &str, want: usize) -> Vec<Value> {
    for _ in 0..400 {
        let v = app.get_json("/v1/feed", token).await;
        let events = v["events"].as_array().expect("events").clone();
        if events.len() >= want {
            return events;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the feed did not reach {want} events");
}

async fn snapshot(app: &TestApp, token: &str) -> Vec<Value> {
    let r = app.get("/v1/snapshot", Some(token)).await;
    assert_eq!(r.status(), 200);
    r.text()
        .await
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn listing_ids(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["data"]["listing_id"].as_str().unwrap_or("?").to_string())
        .collect()
}

#[tokio::test]
async fn l15_c_a_notice_recipient_never_receives_another_listings_event() {
    let app = worker_app(&[]).await;
    let rx = Receiver::start();
    let (mine, token) = app.subscriber_token("notice_recipient").await;
    let (other, other_token) = app.subscriber_token("notice_recipient").await;
    register(&app, &token, json!({"url": rx.url("/mine")})).await;
    register(&app, &other_token, json!({"url": rx.url("/other")})).await;

    let named = |seq, sub: &str| {
        official(
            seq,
            "civil_servant",
            json!({"name": "某区财政局", "subscriber_id": sub}),
        )
    };
    let a = app.create_listing(&named(11, &mine)).await;
    let a_id = a["id"].as_str().unwrap().to_string();
    let b = app.create_listing(&named(12, &other)).await;
    let b_id = b["id"].as_str().unwrap().to_string();
    let c = app
        .create_listing(&person_listing(&make_id("110105", "19800101", 13), 13))
        .await;
    let c_id = c["id"].as_str().unwrap().to_string();
    // A's employer changes to the other recipient: from then on only the other sees it.
    let (s, v) = json(
        app.patch(
            &format!("/v1/listings/{a_id}"),
            &app.court("京0105"),
            1,
            &json!({"debtor": {"employer": {"name": "某区税务局", "subscriber_id": other}}}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200, "{v}");

    // Webhooks: every delivery is recorded before the assertion (the barrier is the queue).
    let done = || async {
        app.scalar("SELECT count(*) AS n FROM webhook_deliveries WHERE status <> 'delivered'")
            .await
            == 0
    };
    for _ in 0..200 {
        if done().await {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(done().await, "deliveries still pending");
    let got = rx.got();
    let to = |path: &str| -> Vec<(String, String)> {
        got.iter()
            .filter(|r| r.path == path)
            .map(|r| {
                let j = r.json();
                (
                    j["type"].as_str().unwrap().to_string(),
                    j["data"]["listing_id"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        to("/mine"),
        vec![("listing.published".into(), a_id.clone())]
    );
    assert_eq!(
        to("/other"),
        vec![
            ("listing.published".into(), b_id.clone()),
            ("listing.updated".into(), a_id.clone())
        ]
    );

    // The feed: the same, and no restriction or unrelated listing event. Once the other reads
    // the last change (A's update), every earlier event is visible to the next read.
    assert_eq!(
        listing_ids(&feed(&app, &other_token, 2).await),
        vec![b_id.clone(), a_id.clone()]
    );
    assert_eq!(
        listing_ids(&feed(&app, &token, 0).await),
        vec![a_id.clone()]
    );
    // The snapshot: the active listings that name it now.
    let snap = snapshot(&app, &token).await;
    assert!(snap.is_empty(), "{snap:?}");
    let snap = snapshot(&app, &other_token).await;
    let mut ids: Vec<&str> = snap
        .iter()
        .map(|l| l["listing_id"].as_str().unwrap())
        .collect();
    ids.sort();
    let mut want = vec![a_id.as_str(), b_id.as_str()];
    want.sort();
    assert_eq!(ids, want);
    assert!(!snap.iter().any(|l| l["listing_id"] == c_id.as_str()));
    assert_eq!(snap[0]["id_number"].as_str().map(str::len), Some(18));
    // The body named anew was owed a notice of its own, settled by its webhook and feed.
    let got: Vec<(String, String, Value, String)> = notices(&app, &a_id).await;
    assert_eq!(
        got.iter()
            .map(|n| (n.0.as_str(), n.1.as_str(), n.2.clone(), n.3.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (
                "credit_reference",
                "unregistered",
                Value::Null,
                "listing.published"
            ),
            ("employer", "delivered", json!(mine), "listing.published"),
            ("employer", "delivered", json!(other), "listing.updated"),
        ]
    );
    // It checks nobody.
    let (s, v) = app
        .check(
            &token,
            &json!({"subjects": [{"id_number": make_id("110105", "19800101", 13)}]}),
        )
        .await;
    assert_eq!((s, v["code"].as_str()), (403, Some("forbidden")));
}

#[tokio::test]
async fn l15_b_c_a_notice_is_delivered_when_the_recipients_webhook_answers_2xx() {
    let app = worker_app(&[]).await;
    let rx = Receiver::start();
    let (agency, agency_token) = app.subscriber_token("credit_reference").await;
    let (employer, token) = app.subscriber_token("notice_recipient").await;
    register(&app, &token, json!({"url": rx.url("/employer")})).await;
    // The agency's receiver refuses until it is told otherwise.
    let refusing = Receiver::start();
    refusing.set_status(500);
    register(&app, &agency_token, json!({"url": refusing.url("/agency")})).await;

    let v = app
        .create_listing(&official(
            21,
            "npc_deputy",
            json!({"name": "某区人大常委会", "subscriber_id": employer}),
        ))
        .await;
    let id = v["id"].as_str().unwrap();
    rx.wait_until(10, |g| !g.is_empty()).await;
    refusing.wait_until(10, |g| g.len() >= 3).await;
    let settled = || async {
        let n = notices(&app, id).await;
        n.iter().all(|x| x.1 != "pending")
    };
    for _ in 0..200 {
        if settled().await {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let got = notices(&app, id).await;
    let status_of = |sub: &str| {
        got.iter()
            .find(|n| n.2 == json!(sub))
            .map(|n| n.1.clone())
            .unwrap()
    };
    assert_eq!(status_of(&employer), "delivered", "{got:?}");
    // The retry schedule (three attempts) is exhausted: failed, and the court sees it outstanding.
    assert_eq!(status_of(&agency), "failed", "{got:?}");
    let out = crate::indicators::indicators(&app, &app.supervisor("京01"), "").await;
    assert_eq!(out["deadlines"]["notices_outstanding"][0]["count"], 1);
    let delivered_at = app
        .get_json(&format!("/v1/listings/{id}/notices"), &app.court("京0105"))
        .await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["status"] == "delivered")
        .map(|n| n["delivered_at"].clone())
        .unwrap();
    assert!(delivered_at.is_string(), "{delivered_at}");
    // The failed notice is settled once the agency reads its feed past the event.
    let events = feed(&app, &agency_token, 2).await;
    assert!(events.iter().any(|e| e["data"]["listing_id"] == id));
    assert_eq!(status_of_now(&app, id, &agency).await, "delivered");
}

async fn status_of_now(app: &TestApp, id: &str, sub: &str) -> String {
    notices(app, id)
        .await
        .into_iter()
        .find(|n| n.2 == json!(sub))
        .map(|n| n.1)
        .unwrap()
}

#[tokio::test]
async fn l15_b_a_notice_is_delivered_when_the_feed_read_passes_the_event() {
    let app = crate::helpers::spawn_app().await;
    let (agency, agency_token) = app.subscriber_token("credit_reference").await;
    let (_, airline_token) = app.subscriber_token("airline").await;
    let v = app
        .create_listing(&person_listing(&make_id("110105", "19800101", 31), 31))
        .await;
    let id = v["id"].as_str().unwrap();
    assert_eq!(status_of_now(&app, id, &agency).await, "pending");
    // Another subscriber's read settles nothing.
    assert!(!feed(&app, &airline_token, 1).await.is_empty());
    assert_eq!(status_of_now(&app, id, &agency).await, "pending");
    // The agency reads every listing event and the restrictions of every item.
    let events = feed(&app, &agency_token, 2).await;
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, vec!["listing.published", "restriction.imposed"]);
    assert_eq!(status_of_now(&app, id, &agency).await, "delivered");
}
