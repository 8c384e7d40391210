//! Courts: the first migration's SPC and high courts, and admin creation with a parent hierarchy.

use serde_json::json;

use crate::helpers::{json, spawn_app};

#[tokio::test]
async fn the_spc_and_33_high_courts_come_with_the_first_migration() {
    let app = spawn_app().await;
    let (s, v) = json(
        app.get("/v1/courts?parent_code=最高法&limit=1000", None)
            .await,
    )
    .await;
    assert_eq!(s, 200);
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 33);
    assert!(items.iter().all(|c| c["level"] == "high"));
    let (_, spc) = json(app.get("/v1/courts/最高法", None).await).await;
    assert_eq!(spc["level"], "supreme");
    assert!(spc["parent_code"].is_null());
    let (_, bing) = json(app.get("/v1/courts/兵", None).await).await;
    assert_eq!(bing["province"], "新疆生产建设兵团");
}

#[tokio::test]
async fn admin_adds_a_court_under_a_parent() {
    let app = spawn_app().await;
    let court = json!({"code": "沪01", "name": "上海市第一中级人民法院", "province": "上海市", "level": "intermediate", "parent_code": "沪"});
    let r = app.post("/v1/courts", &app.admin(), &court).await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers().get("location").unwrap(), "/v1/courts/沪01");
    let (s, v) = json(app.get("/v1/courts/沪01", None).await).await;
    assert_eq!(s, 200);
    assert_eq!(v["parent_code"], "沪");
    let (s, v) = json(app.post("/v1/courts", &app.admin(), &court).await).await;
    assert_eq!((s, v["code"].as_str()), (409, Some("court_exists")));
}

#[tokio::test]
async fn court_with_unknown_parent_or_bad_code_is_refused() {
    let app = spawn_app().await;
    let mut court = json!({"code": "沪0101", "name": "某法院", "province": "上海市", "level": "basic", "parent_code": "沪09"});
    let (s, v) = json(app.post("/v1/courts", &app.admin(), &court).await).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("unknown_court")));
    court["code"] = json!("XYZ");
    court["level"] = json!("galactic");
    let (s, v) = json(app.post("/v1/courts", &app.admin(), &court).await).await;
    assert_eq!(s, 422);
    assert_eq!(v["errors"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn courts_paginate() {
    let app = spawn_app().await;
    let (_, v) = json(app.get("/v1/courts?limit=10", None).await).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 10);
    let mut seen = 10;
    let mut cursor = v["next_cursor"].as_str().map(str::to_string);
    while let Some(c) = cursor {
        let (_, v) = json(
            app.get(&format!("/v1/courts?limit=10&cursor={c}"), None)
                .await,
        )
        .await;
        seen += v["items"].as_array().unwrap().len();
        cursor = v["next_cursor"].as_str().map(str::to_string);
    }
    // SPC + 33 high courts + the 5 test courts.
    assert_eq!(seen, 39);
}
