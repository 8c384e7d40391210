//! Correcting (L7) and extending (L2) listings; versions and history. Ending them: listings_end.rs.

use chrono::{Duration, Months};
use serde_json::{Value, json};

use crate::helpers::{TestApp, json, make_id, org_listing, person_listing, spawn_app, today};

pub(crate) async fn listing(app: &TestApp, seq: u32, grounds: &[&str]) -> (String, Value) {
    let mut body = person_listing(&make_id("110105", "19800101", 100 + 2 * seq), seq);
    body["grounds"] = json!(grounds);
    let v = app.create_listing(&body).await;
    (v["id"].as_str().unwrap().to_string(), v)
}

pub(crate) async fn event_types(app: &TestApp) -> Vec<String> {
    crate::helpers::events(app)
        .await
        .into_iter()
        .map(|e| e.0)
        .collect()
}

#[tokio::test]
async fn l7_correction_changes_fields_and_derived_values() {
    let app = spawn_app().await;
    let (id, v) = listing(&app, 1, &["violates_asset_reporting"]).await;
    let new_decided = today() - Duration::days(40);
    let r = app
        .patch(&format!("/v1/listings/{id}"), &app.court("京0105"), 1,
            &json!({"obligation": "支付人民币5万元", "decided_on": new_decided.to_string(), "debtor": {"name": "張三"}}))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers().get("etag").unwrap(), "\"2\"");
    let (_, after) = json(r).await;
    assert_eq!(after["version"], 2);
    assert_eq!(after["obligation"], "支付人民币5万元");
    assert_eq!(after["debtor"]["name"], "張三");
    assert_eq!(after["debtor"]["id_number"], v["debtor"]["id_number"]);
    assert_eq!(
        after["expires_on"],
        (new_decided + Months::new(24)).to_string()
    );
    assert_eq!(
        event_types(&app).await,
        vec![
            "listing.published",
            "restriction.imposed",
            "listing.updated",
            "restriction.updated"
        ]
    );
}

#[tokio::test]
async fn l7_correction_that_elapses_the_term_is_accepted() {
    let app = spawn_app().await;
    let (id, _) = listing(&app, 2, &["violates_asset_reporting"]).await;
    let old = today() - Months::new(30);
    let r = app
        .patch(&format!("/v1/listings/{id}"), &app.court("京0105"), 1,
            &json!({"decided_on": old.to_string(), "filed_on": (old - Duration::days(5)).to_string()}))
        .await;
    let (s, v) = json(r).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["expires_on"], (old + Months::new(24)).to_string());
}

#[tokio::test]
async fn l7_court_code_status_and_id_are_not_correctable() {
    let app = spawn_app().await;
    let (id, _) = listing(&app, 3, &["violates_asset_reporting"]).await;
    for patch in [
        json!({"court_code": "京0106"}),
        json!({"status": "removed"}),
        json!({"id": uuid::Uuid::new_v4()}),
    ] {
        let (s, v) = json(
            app.patch(
                &format!("/v1/listings/{id}"),
                &app.court("京0105"),
                1,
                &patch,
            )
            .await,
        )
        .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (422, Some("field_not_correctable")),
            "{patch}"
        );
    }
    // Sending the unchanged court code back is fine.
    let r = app
        .patch(
            &format!("/v1/listings/{id}"),
            &app.court("京0105"),
            1,
            &json!({"court_code": "京0105"}),
        )
        .await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn l7_correction_is_validated_like_a_creation() {
    let app = spawn_app().await;
    let (id, _) = listing(&app, 4, &["violates_asset_reporting"]).await;
    let (s, v) = json(
        app.patch(
            &format!("/v1/listings/{id}"),
            &app.court("京0105"),
            1,
            &json!({"debtor": {"id_number": "110105194912310021"}}),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (422, Some("invalid_check_digit")));
}

#[tokio::test]
async fn versions_if_match_missing_is_428_and_stale_is_412() {
    let app = spawn_app().await;
    let (id, _) = listing(&app, 5, &["violates_asset_reporting"]).await;
    let r = app
        .client
        .patch(app.url(&format!("/v1/listings/{id}")))
        .bearer_auth(app.court("京0105"))
        .json(&json!({"obligation": "x"}))
        .send()
        .await
        .unwrap();
    let (s, v) = json(r).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (428, Some("precondition_required"))
    );
    assert_eq!(
        app.patch(
            &format!("/v1/listings/{id}"),
            &app.court("京0105"),
            1,
            &json!({"obligation": "y"})
        )
        .await
        .status(),
        200
    );
    let (s, v) = json(
        app.patch(
            &format!("/v1/listings/{id}"),
            &app.court("京0105"),
            1,
            &json!({"obligation": "z"}),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (412, Some("version_mismatch")));
}

#[tokio::test]
async fn l11_correcting_away_the_grace_period_publishes() {
    let app = spawn_app().await;
    let mut body = person_listing(&make_id("110105", "19800101", 201), 6);
    let decided = today() - Duration::days(1);
    body["decided_on"] = json!(decided.to_string());
    body["grace_until"] = json!((decided + Months::new(1)).to_string());
    let v = app.create_listing(&body).await;
    assert_eq!(v["status"], "pending");
    let id = v["id"].as_str().unwrap();
    let (s, v) = json(
        app.patch(
            &format!("/v1/listings/{id}"),
            &app.court("京0105"),
            1,
            &json!({"grace_until": null}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["status"], "active");
    assert!(v["published_at"].is_string());
    assert_eq!(
        event_types(&app).await,
        vec!["listing.published", "restriction.imposed"]
    );
}

#[tokio::test]
async fn l2_extension_adds_years_up_to_three() {
    let app = spawn_app().await;
    let (id, v) = listing(&app, 7, &["obstructs_enforcement"]).await;
    let decided: chrono::NaiveDate = v["decided_on"].as_str().unwrap().parse().unwrap();
    let path = format!("/v1/listings/{id}/extension");
    let (s, v) = json(
        app.post_if(
            &path,
            &app.court("京0105"),
            1,
            &json!({"years": 2, "note": "情节严重"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["extension_years"], 2);
    assert_eq!(v["expires_on"], (decided + Months::new(48)).to_string());
    let (s, v) = json(
        app.post_if(&path, &app.court("京0105"), 2, &json!({"years": 2}))
            .await,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("extension_limit_exceeded"))
    );
    let (s, _) = json(
        app.post_if(&path, &app.court("京0105"), 2, &json!({"years": 1}))
            .await,
    )
    .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn l2_extension_not_allowed_without_term_or_aggravating_ground() {
    let app = spawn_app().await;
    let (id, _) = listing(&app, 8, &["violates_asset_reporting"]).await;
    let (s, v) = json(
        app.post_if(
            &format!("/v1/listings/{id}/extension"),
            &app.court("京0105"),
            1,
            &json!({"years": 1}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("extension_not_allowed"))
    );
    let (id, _) = listing(&app, 9, &["able_but_refuses"]).await;
    let (s, v) = json(
        app.post_if(
            &format!("/v1/listings/{id}/extension"),
            &app.court("京0105"),
            1,
            &json!({"years": 1}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("extension_not_allowed"))
    );
    // Two grounds are several dishonest acts: aggravating.
    let (id, _) = listing(
        &app,
        10,
        &["violates_asset_reporting", "evades_enforcement"],
    )
    .await;
    assert_eq!(
        app.post_if(
            &format!("/v1/listings/{id}/extension"),
            &app.court("京0105"),
            1,
            &json!({"years": 1})
        )
        .await
        .status(),
        200
    );
}

#[tokio::test]
async fn history_records_every_change_with_actor_before_and_after() {
    let app = spawn_app().await;
    let (id, _) = listing(&app, 15, &["obstructs_enforcement"]).await;
    app.patch(
        &format!("/v1/listings/{id}"),
        &app.court("京0105"),
        1,
        &json!({"obligation": "新义务"}),
    )
    .await;
    app.post_if(
        &format!("/v1/listings/{id}/extension"),
        &app.supervisor("京"),
        2,
        &json!({"years": 1}),
    )
    .await;
    app.post_if(
        &format!("/v1/listings/{id}/removal"),
        &app.court("京0105"),
        3,
        &json!({"reason": "early_deletion"}),
    )
    .await;
    let (s, v) = json(
        app.get(
            &format!("/v1/listings/{id}/history"),
            Some(&app.court("京0106")),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200);
    let items = v["items"].as_array().unwrap();
    let actions: Vec<&str> = items
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "listing.create",
            "listing.correct",
            "listing.extend",
            "listing.remove"
        ]
    );
    assert!(items[0]["before"].is_null());
    assert_eq!(
        items[1]["before"]["obligation"],
        "支付货款人民币100000元及利息"
    );
    assert_eq!(items[1]["after"]["obligation"], "新义务");
    assert_eq!(items[2]["actor"]["role"], "supervisor");
    assert_eq!(items[2]["actor"]["court"], "京");
    assert_eq!(items[3]["after"]["status"], "removed");
}

#[tokio::test]
async fn organisation_correction_keeps_associated_persons_valid() {
    let app = spawn_app().await;
    let v = app
        .create_listing(&org_listing("9144030071526726XG", 16))
        .await;
    let id = v["id"].as_str().unwrap();
    let (s, v) = json(app.patch(&format!("/v1/listings/{id}"), &app.court("京0105"), 1,
        &json!({"associated_persons": [{"role": "boss", "name": "赵六", "id_number": make_id("110105", "19650505", 21)}]})).await).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("invalid_value")));
    assert_eq!(v["errors"][0]["field"], "associated_persons[0].role");
}
