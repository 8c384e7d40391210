//! Time-driven changes (L2, L6, L11) and the events every change writes, replayed.

use std::collections::HashMap;

use chrono::{Duration, Months};
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, events, json, make_id, order_body, org_listing, person_listing, spawn_app,
    spawn_app_with, today,
};

pub async fn pending_listing(app: &TestApp, seq: u32) -> String {
    let mut body = person_listing(&make_id("110105", "19800101", 900 + 2 * seq + 1), seq);
    let decided = today() - Duration::days(1);
    body["decided_on"] = json!(decided.to_string());
    body["grace_until"] = json!((decided + Months::new(1)).to_string());
    let v = app.create_listing(&body).await;
    let id = v["id"].as_str().unwrap().to_string();
    // The grace period ends today (time travel for the test: the API refuses a past grace date).
    app.sql(&format!(
        "UPDATE listings SET grace_until = '{}' WHERE id = '{id}'",
        today()
    ))
    .await;
    id
}

#[tokio::test]
async fn l11_a_pending_listing_is_published_when_its_grace_period_ends() {
    let app = spawn_app().await;
    let id = pending_listing(&app, 1).await;
    let report = app.tick().await;
    assert_eq!(report.published, 1);
    let v = app
        .get_json(&format!("/v1/listings/{id}"), &app.court("京0105"))
        .await;
    assert_eq!(v["status"], "active");
    assert!(v["published_at"].is_string());
    assert!(
        v["restriction_id"].is_string(),
        "R1: published, so restricted"
    );
    let types: Vec<String> = events(&app).await.into_iter().map(|e| e.0).collect();
    assert_eq!(types, ["listing.published", "restriction.imposed"]);
    // Idempotent: nothing more to do.
    assert_eq!(app.tick().await, shixin::tick::TickReport::default());
}

#[tokio::test]
async fn l2_l6_a_correction_that_elapses_the_term_expires_the_listing_on_the_next_tick() {
    let app = spawn_app().await;
    let v = app
        .create_listing(&person_listing(&make_id("110105", "19800101", 951), 2))
        .await;
    let id = v["id"].as_str().unwrap();
    let old = today() - Months::new(25);
    let r = app
        .patch(&format!("/v1/listings/{id}"), &app.court("京0105"), 1,
            &json!({"decided_on": old.to_string(), "filed_on": (old - Duration::days(5)).to_string()}))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(app.tick().await.expired, 1);
    let v = app
        .get_json(&format!("/v1/listings/{id}"), &app.court("京0105"))
        .await;
    assert_eq!(v["status"], "expired");
    assert_eq!(v["removal"]["reason"], "term_expired");
    let order = app
        .get_json(
            &format!("/v1/restrictions/{}", v["restriction_id"].as_str().unwrap()),
            &app.court("京0105"),
        )
        .await;
    assert_eq!(order["status"], "lifted");
    assert_eq!(order["lifted"]["reason"], "listing_ended");
    let evs = events(&app).await;
    let last: Vec<&str> = evs.iter().rev().take(2).map(|e| e.0.as_str()).collect();
    assert_eq!(last, ["restriction.lifted", "listing.removed"]);
    assert_eq!(evs[evs.len() - 2].1["reason"], "term_expired");
    // A listing without a term never expires (L6).
    let mut body = person_listing(&make_id("110105", "19800101", 953), 3);
    body["grounds"] = json!(["able_but_refuses"]);
    body["decided_on"] = json!((today() - Months::new(40)).to_string());
    body["filed_on"] = json!((today() - Months::new(41)).to_string());
    body["case_number"] = json!(format!(
        "（{}）京0105执3号",
        chrono::Datelike::year(&(today() - Months::new(41)))
    ));
    app.create_listing(&body).await;
    assert_eq!(app.tick().await.expired, 0);
}

#[tokio::test]
async fn two_ticks_running_concurrently_produce_each_event_once() {
    let app = spawn_app().await;
    for seq in 10..16 {
        pending_listing(&app, seq).await;
    }
    let (a, b) = tokio::join!(app.tick(), app.tick());
    assert_eq!(a.published + b.published, 6);
    let evs = events(&app).await;
    let published = evs.iter().filter(|e| e.0 == "listing.published").count();
    let imposed = evs.iter().filter(|e| e.0 == "restriction.imposed").count();
    assert_eq!((published, imposed), (6, 6));
    let audit = app.get_json("/v1/audit?limit=1000", &app.admin()).await;
    let publishes = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["action"] == "listing.publish")
        .count();
    assert_eq!(publishes, 6);
}

#[tokio::test]
async fn serve_runs_the_tick_by_itself() {
    let app = spawn_app_with(&[("SHIXIN_TICK_INTERVAL", "200ms")]).await;
    let id = pending_listing(&app, 20).await;
    for _ in 0..50 {
        let v = app
            .get_json(&format!("/v1/listings/{id}"), &app.court("京0105"))
            .await;
        if v["status"] == "active" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the pending listing was not published by the background tick");
}

#[tokio::test]
async fn events_replayed_rebuild_the_final_state_of_every_order() {
    let app = spawn_app().await;
    let clerk = app.court("京0105");
    // A scenario of court actions touching orders in every way.
    let a = app
        .create_listing(&org_listing("91310110666007217T", 30))
        .await;
    let a_id = a["id"].as_str().unwrap();
    app.patch(&format!("/v1/listings/{a_id}"), &clerk, 1,
        &json!({"associated_persons": [{"role": "principal", "name": "孙八", "id_number": make_id("110105", "19600101", 41)}]})).await;
    let b = app
        .create_listing(&person_listing(&make_id("110105", "19800101", 961), 31))
        .await;
    let b_id = b["id"].as_str().unwrap();
    app.post_if(
        &format!("/v1/listings/{b_id}/removal"),
        &clerk,
        1,
        &json!({"reason": "early_deletion"}),
    )
    .await;
    let c = app
        .create_listing(&person_listing(&make_id("110105", "19800101", 963), 32))
        .await;
    let c_id = c["id"].as_str().unwrap();
    app.post_if(
        &format!("/v1/listings/{c_id}/removal"),
        &clerk,
        1,
        &json!({"reason": "early_deletion", "keep_restriction": true}),
    )
    .await;
    let (_, d) = json(
        app.post(
            "/v1/restrictions",
            &clerk,
            &order_body(&make_id("110105", "19800101", 965), 33),
        )
        .await,
    )
    .await;
    let d_id = d["id"].as_str().unwrap();
    let now = chrono::Utc::now();
    app.post(&format!("/v1/restrictions/{d_id}/releases"), &clerk, &json!({"id_number": make_id("110105", "19800101", 965),
        "items": ["air_travel"], "valid_from": now.to_rfc3339(), "valid_until": (now + Duration::days(1)).to_rfc3339(), "reason": "exam"})).await;
    app.post_if(
        &format!("/v1/restrictions/{d_id}/lifting"),
        &clerk,
        1,
        &json!({"reason": "creditor_consent"}),
    )
    .await;
    pending_listing(&app, 34).await;
    app.tick().await;

    // Rebuild: for each order keep the data of the highest version seen.
    let mut rebuilt: HashMap<String, Value> = HashMap::new();
    for (t, data) in events(&app).await {
        if !t.starts_with("restriction.") {
            continue;
        }
        let id = data["restriction_id"].as_str().unwrap().to_string();
        let newer = rebuilt
            .get(&id)
            .is_none_or(|old| old["version"].as_i64() < data["version"].as_i64());
        if newer {
            rebuilt.insert(id, data);
        }
    }
    let page = app.get_json("/v1/restrictions?limit=1000", &clerk).await;
    let orders = page["items"].as_array().unwrap();
    assert_eq!(orders.len(), 5);
    assert_eq!(rebuilt.len(), orders.len());
    for o in orders {
        let r = &rebuilt[o["id"].as_str().unwrap()];
        for field in [
            "status",
            "version",
            "subjects",
            "items",
            "listing_id",
            "case_number",
            "lifted",
            "issued_on",
        ] {
            assert_eq!(r[field], o[field], "{field} of order {}", o["id"]);
        }
    }
    // Versions only grow, per order, in commit order.
    let mut last: HashMap<String, i64> = HashMap::new();
    for (t, data) in events(&app).await {
        if t.starts_with("restriction.") {
            let id = data["restriction_id"].as_str().unwrap().to_string();
            let v = data["version"].as_i64().unwrap();
            assert!(
                last.get(&id).is_none_or(|p| *p < v),
                "{t} v{v} after v{:?}",
                last.get(&id)
            );
            last.insert(id, v);
        }
    }
}
