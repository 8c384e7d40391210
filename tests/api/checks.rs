//! Carrier checks (docs/API.md "Checks", docs/LAW.md R2–R4, §5 sectors).

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::{TestApp, json, make_id, order_body, org_listing, person_listing, spawn_app};

/// A listed person (every item restricted) with passport E12345678 (from `person_listing`).
async fn listed(app: &TestApp, seq: u32) -> (String, Value) {
    let id_number = make_id("110105", "19800101", 100 + 2 * seq + 1);
    let v = app.create_listing(&person_listing(&id_number, seq)).await;
    (id_number, v)
}

fn one(id_number: &str) -> Value {
    json!({"subjects": [{"id_number": id_number}]})
}

#[tokio::test]
async fn s5_each_sector_sees_only_its_items() {
    let app = spawn_app().await;
    let (id_number, _) = listed(&app, 1).await;
    let expected = [
        ("airline", vec!["air_travel"]),
        (
            "rail",
            vec![
                "emu_first_class_or_above",
                "g_train_any_seat",
                "train_soft_sleeper",
            ],
        ),
        ("shipping", vec!["ship_second_class_or_above"]),
        ("hospitality", vec!["luxury_venues", "travel_vacation"]),
        ("real_estate", vec!["office_lease", "real_estate"]),
        (
            "finance",
            vec!["high_premium_insurance", "vehicle_purchase"],
        ),
        ("education", vec!["private_school"]),
    ];
    for (sector, items) in expected {
        let (_, token) = app.subscriber_token(sector).await;
        let (s, v) = app.check(&token, &one(&id_number)).await;
        assert_eq!(s, 200, "{v}");
        let r = &v["results"][0];
        assert_eq!(r["decision"], "deny", "{sector}");
        assert_eq!(r["items"], json!(items), "{sector}");
        assert_eq!(r["matches"][0]["role"], "debtor");
        assert_eq!(r["matches"][0]["court_name"], "北京市朝阳区人民法院");
    }
    let (_, token) = app.subscriber_token("government").await;
    let (_, v) = app.check(&token, &one(&id_number)).await;
    assert_eq!(v["results"][0]["items"].as_array().unwrap().len(), 12);
}

#[tokio::test]
async fn a_sector_without_matching_items_sees_nothing_of_the_order() {
    let app = spawn_app().await;
    let mut body = order_body(&make_id("110105", "19800101", 111), 2);
    body["items"] = json!(["real_estate"]);
    let (s, _) = json(
        app.post("/v1/restrictions", &app.court("京0105"), &body)
            .await,
    )
    .await;
    assert_eq!(s, 201);
    let (_, token) = app.subscriber_token("airline").await;
    let (_, v) = app
        .check(&token, &one(&make_id("110105", "19800101", 111)))
        .await;
    let r = &v["results"][0];
    assert_eq!(r["decision"], "allow");
    assert!(
        r["matches"].as_array().unwrap().is_empty(),
        "an airline must not learn of a real-estate order"
    );
}

#[tokio::test]
async fn r2_rail_table() {
    let app = spawn_app().await;
    let (id_number, _) = listed(&app, 3).await;
    let (_, token) = app.subscriber_token("rail").await;
    let cases = [
        ("G1234", "second", "deny"),
        ("G1234", "no_seat", "deny"),
        ("D301", "second", "allow"),
        ("C2001", "first", "deny"),
        ("D301", "business", "deny"),
        ("K1155", "soft_sleeper", "deny"),
        ("K1155", "hard_sleeper", "allow"),
        ("T8", "hard_seat", "allow"),
        ("6063", "deluxe_soft_sleeper", "deny"),
    ];
    for (train, seat, decision) in cases {
        let body = json!({"subjects": [{"id_number": id_number}], "travel": {"mode": "rail", "train": train, "seat_class": seat}});
        let (s, v) = app.check(&token, &body).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["results"][0]["decision"], decision, "{train} {seat}");
    }
    let body = json!({"subjects": [{"id_number": id_number}], "travel": {"mode": "rail", "train": "G1", "seat_class": "hammock"}});
    let (s, v) = app.check(&token, &body).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("invalid_value")));
    // A flight, asked by an airline.
    let (_, air) = app.subscriber_token("airline").await;
    let (_, v) = app
        .check(
            &air,
            &json!({"subjects": [{"id_number": id_number}], "travel": {"mode": "air"}}),
        )
        .await;
    assert_eq!(v["results"][0]["decision"], "deny");
}

#[tokio::test]
async fn r3_an_organisations_legal_representative_and_actual_controller_are_denied() {
    let app = spawn_app().await;
    app.create_listing(&org_listing("91310110666007217T", 4))
        .await;
    let (_, token) = app.subscriber_token("airline").await;
    let rep = make_id("110105", "19700101", 11);
    let controller = make_id("110105", "19650505", 21);
    let body = json!({"subjects": [{"id_number": rep, "name": "王五"}, {"id_number": controller}, {"id_number": make_id("110105", "19800101", 999)}]});
    let (_, v) = app.check(&token, &body).await;
    let r = v["results"].as_array().unwrap();
    assert_eq!(
        (
            r[0]["decision"].as_str(),
            r[0]["matches"][0]["role"].as_str()
        ),
        (Some("deny"), Some("legal_representative"))
    );
    assert_eq!(r[0]["name_mismatch"], false);
    assert_eq!(
        (
            r[1]["decision"].as_str(),
            r[1]["matches"][0]["role"].as_str()
        ),
        (Some("deny"), Some("actual_controller"))
    );
    assert_eq!(r[2]["decision"], "allow");
    assert_eq!(r[2]["index"], 2);
    // A bank checks the organisation itself by its credit code.
    let (_, bank) = app.subscriber_token("finance").await;
    let (_, v) = app
        .check(
            &bank,
            &json!({"subjects": [{"credit_code": "91310110666007217T"}]}),
        )
        .await;
    assert_eq!(v["results"][0]["decision"], "deny");
}

#[tokio::test]
async fn r4_a_release_window_allows_then_expires() {
    let app = spawn_app().await;
    let (id_number, listing) = listed(&app, 5).await;
    let oid = listing["restriction_id"].as_str().unwrap();
    let (_, token) = app.subscriber_token("airline").await;
    let until = Utc::now() + Duration::hours(1);
    let (s, _) = json(app.post(&format!("/v1/restrictions/{oid}/releases"), &app.court("京0105"), &json!({"id_number": id_number,
        "items": ["air_travel"], "valid_from": (Utc::now() - Duration::minutes(1)).to_rfc3339(), "valid_until": until.to_rfc3339(),
        "reason": "medical"})).await).await;
    assert_eq!(s, 201);
    let (_, v) = app.check(&token, &one(&id_number)).await;
    assert_eq!(v["results"][0]["decision"], "allow");
    assert_eq!(v["results"][0]["releases"][0]["reason"], "medical");
    // The release covers flights only: a rail subscriber is still denied.
    let (_, rail) = app.subscriber_token("rail").await;
    let (_, v) = app.check(&rail, &one(&id_number)).await;
    assert_eq!(v["results"][0]["decision"], "deny");
    // Time moved by moving the row: the window ended a second ago, and no tick has run yet.
    app.sql("UPDATE releases SET valid_until = now() - interval '1 second'")
        .await;
    let (_, v) = app.check(&token, &one(&id_number)).await;
    assert_eq!(v["results"][0]["decision"], "deny", "the window has passed");
    assert!(
        v["results"][0]["releases"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "{v}"
    );
}

#[tokio::test]
async fn i1_a_legacy_fifteen_digit_id_matches_its_eighteen_digit_form() {
    let app = spawn_app().await;
    let (id_number, _) = listed(&app, 6).await;
    let fifteen = format!("{}{}", &id_number[..6], &id_number[8..17]);
    let (_, token) = app.subscriber_token("airline").await;
    let (_, v) = app.check(&token, &one(&fifteen)).await;
    assert_eq!(v["results"][0]["decision"], "deny");
}

#[tokio::test]
async fn a_passport_matches_its_person() {
    let app = spawn_app().await;
    listed(&app, 7).await;
    let (_, token) = app.subscriber_token("airline").await;
    let body = json!({"subjects": [{"document": {"type": "passport", "number": "e1234 5678"}, "name": "张三"},
                                    {"document": {"type": "passport", "number": "E00000000"}}]});
    let (s, v) = app.check(&token, &body).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["results"][0]["decision"], "deny");
    assert_eq!(v["results"][0]["name_mismatch"], false);
    assert_eq!(v["results"][1]["decision"], "allow");
}

#[tokio::test]
async fn i4_name_mismatch_uses_the_folded_name() {
    let app = spawn_app().await;
    let (id_number, _) = listed(&app, 8).await;
    let (_, token) = app.subscriber_token("airline").await;
    let body = json!({"subjects": [{"id_number": id_number, "name": "張 三"}, {"id_number": id_number, "name": "李四"}]});
    let (_, v) = app.check(&token, &body).await;
    assert_eq!(v["results"][0]["name_mismatch"], false);
    assert_eq!(v["results"][1]["name_mismatch"], true);
}

#[tokio::test]
async fn batches_over_1000_subjects_are_413_and_bad_subjects_422() {
    let app = spawn_app().await;
    let (_, token) = app.subscriber_token("airline").await;
    let subjects: Vec<Value> = (0..1001)
        .map(|i| json!({"id_number": make_id("110105", "19800101", i % 999 + 1)}))
        .collect();
    let (s, v) = app.check(&token, &json!({"subjects": subjects})).await;
    assert_eq!((s, v["code"].as_str()), (413, Some("batch_too_large")));
    let subjects: Vec<Value> = (0..1000)
        .map(|i| json!({"id_number": make_id("110105", "19800101", i % 999 + 1)}))
        .collect();
    let (s, v) = app.check(&token, &json!({"subjects": subjects})).await;
    assert_eq!(s, 200);
    assert_eq!(v["results"].as_array().unwrap().len(), 1000);
    let (s, v) = app
        .check(
            &token,
            &json!({"subjects": [{"id_number": "110105194912310021"}, {}]}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(v["errors"][0]["field"], "subjects[0].id_number");
    assert_eq!(v["errors"][1]["field"], "subjects[1]");
}

#[tokio::test]
async fn a_lifted_order_no_longer_denies_and_as_of_follows_the_feed() {
    let app = spawn_app().await;
    let (id_number, listing) = listed(&app, 9).await;
    let (_, token) = app.subscriber_token("airline").await;
    let (_, before) = app.check(&token, &one(&id_number)).await;
    let id = listing["id"].as_str().unwrap();
    app.post_if(
        &format!("/v1/listings/{id}/removal"),
        &app.court("京0105"),
        1,
        &json!({"reason": "early_deletion"}),
    )
    .await;
    let (_, after) = app.check(&token, &one(&id_number)).await;
    assert_eq!(after["results"][0]["decision"], "allow");
    // The answer before the removal is consistent with a feed position; the feed after it
    // carries the removal and the lifted order.
    let after_path = format!("/v1/feed?after={}", before["as_of"].as_str().unwrap());
    let mut types: Vec<String> = Vec::new();
    for _ in 0..400 {
        let feed = app.get_json(&after_path, &token).await;
        types = feed["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_string())
            .collect();
        if types.iter().any(|t| t == "restriction.lifted") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    // (as_of may lag while other transactions run in the cluster: the feed after it may repeat
    // changes the answer already reflected, but never misses one.)
    assert!(
        types.ends_with(&[
            "listing.removed".to_string(),
            "restriction.lifted".to_string()
        ]),
        "{types:?}"
    );
}

#[tokio::test]
async fn every_check_is_logged_and_readable_by_admins_and_the_persons_court() {
    let app = spawn_app().await;
    let (id_number, _) = listed(&app, 10).await;
    let (sub_id, token) = app.subscriber_token("airline").await;
    app.check(&token, &one(&id_number)).await;
    app.check(
        &token,
        &json!({"subjects": [{"document": {"type": "passport", "number": "E12345678"}}]}),
    )
    .await;
    let path = format!("/v1/check-log?id_number={id_number}");
    let mut items = Vec::new();
    for _ in 0..40 {
        let (s, v) = json(app.get(&path, Some(&app.admin())).await).await;
        assert_eq!(s, 200, "{v}");
        items = v["items"].as_array().unwrap().clone();
        if items.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        items.len(),
        2,
        "the check by ID number and the one by passport"
    );
    assert_eq!(items[0]["subscriber_id"], sub_id.as_str());
    assert_eq!(items[0]["sector"], "airline");
    assert_eq!(items[0]["decision"], "deny");
    assert_eq!(
        app.get(&path, Some(&app.court("京0105"))).await.status(),
        200
    );
    assert_eq!(
        app.get(&path, Some(&app.supervisor("京"))).await.status(),
        200
    );
    assert_eq!(
        app.get(&path, Some(&app.court("京0106"))).await.status(),
        403
    );
    assert_eq!(app.get(&path, Some(&token)).await.status(), 403);
}
