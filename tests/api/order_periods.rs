//! The period of a restriction order (docs/LAW.md R6; docs/API.md "Restriction orders"):
//! `valid_until` and `signed_by` on a standalone order, the tick's lifting with `period_ended`
//! (once, however many ticks run), and checks that allow the subject as soon as the period has
//! ended.

use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, events, json, make_id, order_body, person_listing, spawn_app, today,
};

fn id(seq: u32) -> String {
    make_id("110105", "19800101", 300 + 2 * seq + 1)
}

/// A standalone order with a period ending `days` after today; answers (order, debtor's ID number).
async fn order_until(app: &TestApp, seq: u32, days: i64) -> (Value, String) {
    let id_number = id(seq);
    let mut body = order_body(&id_number, seq);
    body["valid_until"] = json!((today() + Duration::days(days)).to_string());
    body["signed_by"] = json!("王院长");
    let (s, v) = json(
        app.post("/v1/restrictions", &app.court("京0105"), &body)
            .await,
    )
    .await;
    assert_eq!(s, 201, "{v}");
    (v, id_number)
}

/// Time moves by moving the row: the order was issued ten days ago and its last day was yesterday
/// (China Standard Time, as the service counts days).
async fn end_period(app: &TestApp, order_id: &str) {
    app.sql(&format!(
        "UPDATE restrictions SET issued_on = (now() AT TIME ZONE 'Asia/Shanghai')::date - 10, \
         valid_until = (now() AT TIME ZONE 'Asia/Shanghai')::date - 1 WHERE id = '{order_id}'"
    ))
    .await;
}

fn one(id_number: &str) -> Value {
    json!({"subjects": [{"id_number": id_number}]})
}

#[tokio::test]
async fn r6_an_order_shows_its_period_and_signatory() {
    let app = spawn_app().await;
    let (v, _) = order_until(&app, 1, 30).await;
    assert_eq!(v["valid_until"], (today() + Duration::days(30)).to_string());
    assert_eq!(v["signed_by"], "王院长");
    let oid = v["id"].as_str().unwrap();
    let got = app
        .get_json(&format!("/v1/restrictions/{oid}"), &app.court("京0105"))
        .await;
    assert_eq!(got["valid_until"], v["valid_until"]);
    assert_eq!(got["signed_by"], "王院长");
    // Without them: no end, no signatory (both optional in the contract).
    let (s, v) = json(
        app.post(
            "/v1/restrictions",
            &app.court("京0105"),
            &order_body(&id(2), 2),
        )
        .await,
    )
    .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(
        (v["valid_until"].clone(), v["signed_by"].clone()),
        (Value::Null, Value::Null)
    );
    let mut body = order_body(&id(3), 3);
    body["valid_until"] = Value::Null;
    let (s, v) = json(
        app.post("/v1/restrictions", &app.court("京0105"), &body)
            .await,
    )
    .await;
    assert_eq!((s, v["valid_until"].clone()), (201, Value::Null));
}

#[tokio::test]
async fn r6_a_period_must_end_after_the_order_is_issued() {
    let app = spawn_app().await;
    for (days, code) in [(0, "invalid_valid_until"), (-5, "invalid_valid_until")] {
        let mut body = order_body(&id(4), 4);
        body["valid_until"] = json!((today() + Duration::days(days)).to_string());
        let (s, v) = json(
            app.post("/v1/restrictions", &app.court("京0105"), &body)
                .await,
        )
        .await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["errors"][0]["field"], "valid_until", "{v}");
        assert_eq!(v["errors"][0]["code"], code, "{v}");
    }
    let mut body = order_body(&id(4), 4);
    body["valid_until"] = json!("2026-13-01");
    let (s, v) = json(
        app.post("/v1/restrictions", &app.court("京0105"), &body)
            .await,
    )
    .await;
    assert_eq!(
        (s, v["errors"][0]["code"].as_str()),
        (422, Some("invalid_date")),
        "{v}"
    );
    let mut body = order_body(&id(4), 4);
    body["signed_by"] = json!("  ");
    let (s, v) = json(
        app.post("/v1/restrictions", &app.court("京0105"), &body)
            .await,
    )
    .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["errors"][0]["field"], "signed_by", "{v}");
    let n = app.scalar("SELECT count(*) AS n FROM restrictions").await;
    assert_eq!(n, 0, "nothing was issued");
}

#[tokio::test]
async fn r6_the_database_refuses_a_period_that_does_not_end_after_issue() {
    let app = spawn_app().await;
    let (v, _) = order_until(&app, 5, 3).await;
    let oid = v["id"].as_str().unwrap();
    let mut conn = app.db().await;
    let r = diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE restrictions SET valid_until = issued_on WHERE id = '{oid}'"
        )),
        &mut conn,
    )
    .await;
    assert!(r.is_err(), "CHECK (valid_until > issued_on)");
}

#[tokio::test]
async fn r6_a_listing_bound_order_has_no_period_of_its_own() {
    let app = spawn_app().await;
    let listing = app.create_listing(&person_listing(&id(6), 6)).await;
    let oid = listing["restriction_id"].as_str().unwrap();
    let order = app
        .get_json(&format!("/v1/restrictions/{oid}"), &app.court("京0105"))
        .await;
    assert_eq!(order["valid_until"], Value::Null);
    assert_eq!(order["listing_id"], listing["id"]);
    assert_eq!(app.tick().await.orders_period_ended, 0);
}

#[tokio::test]
async fn r6_the_tick_lifts_an_order_whose_period_ended() {
    let app = spawn_app().await;
    let (v, _) = order_until(&app, 7, 30).await;
    let oid = v["id"].as_str().unwrap().to_string();
    let (keep, _) = order_until(&app, 8, 30).await;
    assert_eq!(app.tick().await.orders_period_ended, 0, "the period runs");
    end_period(&app, &oid).await;
    assert_eq!(app.tick().await.orders_period_ended, 1);
    let got = app
        .get_json(&format!("/v1/restrictions/{oid}"), &app.court("京0105"))
        .await;
    assert_eq!(got["status"], "lifted");
    assert_eq!(got["lifted"]["reason"], "period_ended");
    assert_eq!(got["version"], 2);
    let other = app
        .get_json(
            &format!("/v1/restrictions/{}", keep["id"].as_str().unwrap()),
            &app.court("京0105"),
        )
        .await;
    assert_eq!(other["status"], "active");
    let lifted: Vec<Value> = events(&app)
        .await
        .into_iter()
        .filter(|(t, _)| t == "restriction.lifted")
        .map(|(_, d)| d)
        .collect();
    assert_eq!(lifted.len(), 1);
    assert_eq!(lifted[0]["restriction_id"], oid.as_str());
    assert_eq!(lifted[0]["lifted"]["reason"], "period_ended");
    let audit = app
        .get_json("/v1/audit?entity_type=restriction&limit=1000", &app.admin())
        .await;
    let lifts: Vec<&Value> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["action"] == "restriction.lift")
        .collect();
    assert_eq!(lifts.len(), 1, "{audit}");
    assert_eq!(lifts[0]["after"]["lifted"]["reason"], "period_ended");
    assert_eq!(app.tick().await.orders_period_ended, 0, "once");
}

#[tokio::test]
async fn r6_two_ticks_at_once_lift_an_ended_order_once() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for seq in 10..14 {
        let (v, _) = order_until(&app, seq, 30).await;
        let oid = v["id"].as_str().unwrap().to_string();
        end_period(&app, &oid).await;
        ids.push(oid);
    }
    let (a, b) = tokio::join!(app.tick(), app.tick());
    assert_eq!(a.orders_period_ended + b.orders_period_ended, 4);
    let lifted = events(&app)
        .await
        .into_iter()
        .filter(|(t, _)| t == "restriction.lifted")
        .count();
    assert_eq!(lifted, 4, "one event per order");
    let audited = app
        .scalar("SELECT count(*) AS n FROM audit_log WHERE action = 'restriction.lift'")
        .await;
    assert_eq!(audited, 4, "one audit row per order");
}

#[tokio::test]
async fn r6_a_check_allows_the_subject_once_the_period_ended_even_before_the_tick() {
    let app = spawn_app().await;
    let (v, id_number) = order_until(&app, 20, 30).await;
    let oid = v["id"].as_str().unwrap().to_string();
    let (_, token) = app.subscriber_token("airline").await;
    let (s, v) = app.check(&token, &one(&id_number)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["results"][0]["decision"], "deny", "inside the period");
    end_period(&app, &oid).await;
    // Before the tick: the order is still `active`, but its period is over.
    let status = app
        .get_json(&format!("/v1/restrictions/{oid}"), &app.court("京0105"))
        .await;
    assert_eq!(status["status"], "active");
    let (_, v) = app.check(&token, &one(&id_number)).await;
    assert_eq!(v["results"][0]["decision"], "allow", "{v}");
    assert!(
        v["results"][0]["matches"].as_array().unwrap().is_empty(),
        "{v}"
    );
    assert_eq!(app.tick().await.orders_period_ended, 1);
    let (_, v) = app.check(&token, &one(&id_number)).await;
    assert_eq!(v["results"][0]["decision"], "allow", "{v}");
}

#[tokio::test]
async fn r6_the_last_day_of_the_period_still_restricts() {
    let app = spawn_app().await;
    let (v, id_number) = order_until(&app, 21, 30).await;
    let oid = v["id"].as_str().unwrap();
    app.sql(&format!(
        "UPDATE restrictions SET issued_on = (now() AT TIME ZONE 'Asia/Shanghai')::date - 10, \
         valid_until = (now() AT TIME ZONE 'Asia/Shanghai')::date WHERE id = '{oid}'"
    ))
    .await;
    let (_, token) = app.subscriber_token("airline").await;
    let (_, v) = app.check(&token, &one(&id_number)).await;
    assert_eq!(v["results"][0]["decision"], "deny", "{v}");
    assert_eq!(app.tick().await.orders_period_ended, 0);
}

#[tokio::test]
async fn r6_a_court_cannot_lift_with_period_ended() {
    let app = spawn_app().await;
    let (v, _) = order_until(&app, 22, 30).await;
    let oid = v["id"].as_str().unwrap();
    let (s, v) = json(
        app.post_if(
            &format!("/v1/restrictions/{oid}/lifting"),
            &app.court("京0105"),
            1,
            &json!({"reason": "period_ended"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("reason_not_applicable")),
        "{v}"
    );
}

#[tokio::test]
async fn r6_the_snapshot_leaves_out_an_order_whose_period_ended() {
    let app = spawn_app().await;
    let (_, airline) = app.subscriber_token("airline").await;
    let (v, id_number) = order_until(&app, 23, 30).await;
    let (_, other) = order_until(&app, 24, 30).await;
    let snapshot = |app: &TestApp| {
        let airline = airline.clone();
        let url = app.url("/v1/snapshot");
        async move {
            let r = reqwest::Client::new()
                .get(url)
                .bearer_auth(airline)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.text().await.unwrap()
        }
    };
    let text = snapshot(&app).await;
    assert!(text.contains(&id_number) && text.contains(&other), "{text}");
    end_period(&app, v["id"].as_str().unwrap()).await;
    let text = snapshot(&app).await;
    assert!(!text.contains(&id_number), "ended before the tick: {text}");
    assert!(text.contains(&other), "{text}");
}
