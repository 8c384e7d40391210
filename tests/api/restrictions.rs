//! Restriction orders (docs/LAW.md R1–R5): bound to listings, standalone, lifted, with documents.

use serde_json::{Value, json};

use crate::helpers::{TestApp, json, make_id, order_body, org_listing, person_listing, spawn_app};

async fn order_of(app: &TestApp, listing: &Value) -> Value {
    let id = listing["restriction_id"]
        .as_str()
        .expect("the listing carries an order");
    app.get_json(&format!("/v1/restrictions/{id}"), &app.court("京0105"))
        .await
}

#[tokio::test]
async fn r1_a_published_listing_imposes_an_order_with_every_item_on_its_debtor() {
    let app = spawn_app().await;
    let id_number = make_id("110105", "19800101", 701);
    let listing = app.create_listing(&person_listing(&id_number, 1)).await;
    let order = order_of(&app, &listing).await;
    assert_eq!(order["status"], "active");
    assert_eq!(order["listing_id"], listing["id"]);
    assert_eq!(order["version"], 1);
    assert_eq!(order["items"].as_array().unwrap().len(), 12);
    assert_eq!(order["subjects"][0]["role"], "debtor");
    assert_eq!(order["subjects"][0]["id_number"], id_number);
    // Documents are bound to the person and carried by the order's subjects.
    assert_eq!(
        order["subjects"][0]["documents"],
        json!([{"type": "passport", "number": "E12345678"}])
    );
    assert_eq!(order["court_name"], "北京市朝阳区人民法院");
}

#[tokio::test]
async fn r3_an_organisation_listing_restricts_its_legal_representative_and_associated_persons() {
    let app = spawn_app().await;
    let listing = app
        .create_listing(&org_listing("91310110666007217T", 2))
        .await;
    let order = order_of(&app, &listing).await;
    let roles: Vec<(String, Option<String>)> = order["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["role"].as_str().unwrap().to_string(),
                s["id_number"].as_str().map(str::to_string),
            )
        })
        .collect();
    assert!(
        roles.contains(&(
            "legal_representative".into(),
            Some(make_id("110105", "19700101", 11))
        )),
        "{roles:?}"
    );
    assert!(
        roles.contains(&(
            "actual_controller".into(),
            Some(make_id("110105", "19650505", 21))
        )),
        "{roles:?}"
    );
    let debtor = order["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["role"] == "debtor")
        .unwrap();
    assert_eq!(debtor["credit_code"], "91310110666007217T");
    // The orders of a subject are found by its ID number.
    let rep = make_id("110105", "19700101", 11);
    let page = app
        .get_json(
            &format!("/v1/restrictions?id_number={rep}"),
            &app.court("粤0304"),
        )
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn r1_correcting_the_listing_updates_the_orders_subjects() {
    let app = spawn_app().await;
    let listing = app
        .create_listing(&org_listing("9144030071526726XG", 3))
        .await;
    let id = listing["id"].as_str().unwrap();
    let new_rep = make_id("440305", "19750315", 31);
    let r = app
        .patch(
            &format!("/v1/listings/{id}"),
            &app.court("京0105"),
            1,
            &json!({"debtor": {"legal_representative": {"name": "钱七", "id_number": new_rep}}}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let order = order_of(&app, &listing).await;
    assert_eq!(order["version"], 2);
    let rep = order["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["role"] == "legal_representative")
        .unwrap();
    assert_eq!(rep["id_number"], new_rep);
    assert_eq!(rep["name"], "钱七");
}

#[tokio::test]
async fn r1_ending_the_listing_lifts_its_order() {
    let app = spawn_app().await;
    let listing = app
        .create_listing(&person_listing(&make_id("110105", "19800101", 703), 4))
        .await;
    let id = listing["id"].as_str().unwrap();
    app.post_if(
        &format!("/v1/listings/{id}/removal"),
        &app.court("京0105"),
        1,
        &json!({"reason": "early_deletion"}),
    )
    .await;
    let order = order_of(&app, &listing).await;
    assert_eq!(order["status"], "lifted");
    assert_eq!(order["lifted"]["reason"], "listing_ended");
    assert_eq!(order["version"], 2);
}

#[tokio::test]
async fn r1_removal_with_keep_restriction_keeps_the_order() {
    let app = spawn_app().await;
    let listing = app
        .create_listing(&person_listing(&make_id("110105", "19800101", 705), 5))
        .await;
    let id = listing["id"].as_str().unwrap();
    let r = app
        .post_if(
            &format!("/v1/listings/{id}/removal"),
            &app.court("京0105"),
            1,
            &json!({"reason": "early_deletion", "keep_restriction": true}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let order = order_of(&app, &listing).await;
    assert_eq!(order["status"], "active");
    // The kept order is lifted on its own later (R5).
    let oid = order["id"].as_str().unwrap();
    let (s, v) = json(
        app.post_if(
            &format!("/v1/restrictions/{oid}/lifting"),
            &app.court("京0105"),
            1,
            &json!({"reason": "performed"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "lifted");
    assert_eq!(v["lifted"]["reason"], "performed");
}

#[tokio::test]
async fn l11_a_pending_listing_has_no_order() {
    let app = spawn_app().await;
    let mut body = person_listing(&make_id("110105", "19800101", 707), 6);
    let decided = crate::helpers::today() - chrono::Duration::days(1);
    body["decided_on"] = json!(decided.to_string());
    body["grace_until"] = json!((decided + chrono::Months::new(1)).to_string());
    let listing = app.create_listing(&body).await;
    assert!(listing["restriction_id"].is_null());
    let page = app.get_json("/v1/restrictions", &app.court("京0105")).await;
    assert!(page["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn r2_standalone_order_defaults_to_every_item_or_takes_some() {
    let app = spawn_app().await;
    let token = app.court("京0105");
    let r = app
        .post(
            "/v1/restrictions",
            &token,
            &order_body(&make_id("110105", "19800101", 709), 7),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert!(
        r.headers()
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("/v1/restrictions/")
    );
    let (_, v) = json(r).await;
    assert!(v["listing_id"].is_null());
    assert_eq!(v["items"].as_array().unwrap().len(), 12);
    let mut body = order_body(&make_id("110105", "19800101", 711), 8);
    body["items"] = json!(["air_travel", "g_train_any_seat", "air_travel"]);
    let (s, v) = json(app.post("/v1/restrictions", &token, &body).await).await;
    assert_eq!(s, 201);
    assert_eq!(v["items"], json!(["air_travel", "g_train_any_seat"]));
    body["items"] = json!(["spaceflight"]);
    let (s, v) = json(app.post("/v1/restrictions", &token, &body).await).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("invalid_value")));
    assert_eq!(v["errors"][0]["field"], "items[0]");
    // Court scope as for listings.
    let (s, v) = json(
        app.post(
            "/v1/restrictions",
            &app.court("京0106"),
            &order_body(&make_id("110105", "19800101", 713), 9),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (403, Some("court_not_in_scope")));
}

#[tokio::test]
async fn r5_lifting_reasons_versions_and_scope() {
    let app = spawn_app().await;
    let token = app.court("京0105");
    let (_, order) = json(
        app.post(
            "/v1/restrictions",
            &token,
            &order_body(&make_id("110105", "19800101", 715), 10),
        )
        .await,
    )
    .await;
    let path = format!("/v1/restrictions/{}/lifting", order["id"].as_str().unwrap());
    let r = app
        .client
        .post(app.url(&path))
        .bearer_auth(&token)
        .json(&json!({"reason": "performed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 428);
    let (s, v) = json(
        app.post_if(
            &path,
            &app.court("京0106"),
            1,
            &json!({"reason": "performed"}),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (403, Some("court_not_in_scope")));
    let (s, v) = json(
        app.post_if(&path, &token, 1, &json!({"reason": "listing_ended"}))
            .await,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("reason_not_applicable"))
    );
    let (s, v) = json(
        app.post_if(&path, &token, 1, &json!({"reason": "bored"}))
            .await,
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (422, Some("invalid_value")));
    let (s, v) = json(
        app.post_if(
            &path,
            &token,
            1,
            &json!({"reason": "security_provided", "note": "提供担保"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["version"], 2);
    assert_eq!(v["lifted"]["note"], "提供担保");
    let (s, v) = json(
        app.post_if(&path, &token, 2, &json!({"reason": "creditor_consent"}))
            .await,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("restriction_not_active"))
    );
}

#[tokio::test]
async fn r1_an_order_carried_by_a_published_listing_is_not_lifted_alone() {
    let app = spawn_app().await;
    let listing = app
        .create_listing(&person_listing(&make_id("110105", "19800101", 717), 11))
        .await;
    let oid = listing["restriction_id"].as_str().unwrap();
    let (s, v) = json(
        app.post_if(
            &format!("/v1/restrictions/{oid}/lifting"),
            &app.court("京0105"),
            1,
            &json!({"reason": "performed"}),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (409, Some("listing_still_active")));
}

#[tokio::test]
async fn r5_a_replaced_legal_representative_is_removed_from_the_order() {
    let app = spawn_app().await;
    let listing = app
        .create_listing(&org_listing("91110000802100433B", 12))
        .await;
    let oid = listing["restriction_id"].as_str().unwrap();
    let rep = make_id("110105", "19700101", 11);
    let (s, v) = json(
        app.post_if(
            &format!("/v1/restrictions/{oid}/lifting"),
            &app.court("京0105"),
            1,
            &json!({"reason": "subject_removed", "id_number": rep, "note": "已变更法定代表人"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "active");
    assert_eq!(v["version"], 2);
    assert!(
        !v["subjects"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id_number"] == rep.as_str())
    );
    let page = app
        .get_json(
            &format!("/v1/restrictions?id_number={rep}&status=active"),
            &app.court("京0105"),
        )
        .await;
    assert!(page["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn s5_a_supervisor_acts_on_the_orders_of_the_courts_under_it() {
    let app = spawn_app().await;
    let (s, order) = json(
        app.post(
            "/v1/restrictions",
            &app.supervisor("京"),
            &order_body(&make_id("110105", "19800101", 719), 13),
        )
        .await,
    )
    .await;
    assert_eq!(s, 201, "{order}");
    let path = format!("/v1/restrictions/{}/lifting", order["id"].as_str().unwrap());
    let (s, v) = json(
        app.post_if(
            &path,
            &app.supervisor("粤"),
            1,
            &json!({"reason": "performed"}),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (403, Some("court_not_in_scope")));
    let (s, v) = json(
        app.post_if(
            &path,
            &app.supervisor("京01"),
            1,
            &json!({"reason": "performed"}),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("lifted")));
}
