//! Creating listings: every rule of L1–L11 and I1–I4 that a creation meets.

use chrono::{Datelike, Duration, Months};
use diesel::{QueryableByName, sql_query, sql_types::Text};
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

use crate::helpers::{json, make_id, org_listing, person_listing, spawn_app, today};

async fn rejected(app: &crate::helpers::TestApp, body: &Value) -> (u16, Value) {
    json(app.post("/v1/listings", &app.court("京0105"), body).await).await
}

#[tokio::test]
async fn l9_create_returns_the_listing_with_location_and_etag() {
    let app = spawn_app().await;
    let id_number = make_id("110105", "19800101", 13);
    let r = app
        .post(
            "/v1/listings",
            &app.court("京0105"),
            &person_listing(&id_number, 1),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers().get("etag").unwrap(), "\"1\"");
    let location = r
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        location,
        format!("/v1/listings/{}", v["id"].as_str().unwrap())
    );
    assert_eq!(v["status"], "active");
    assert_eq!(v["version"], 1);
    assert_eq!(v["court_name"], "北京市朝阳区人民法院");
    assert_eq!(v["debtor"]["id_number"], id_number);
    assert_eq!(v["performance"], "none");
    assert!(v["published_at"].is_string());
    assert!(v["removal"].is_null());
    assert!(
        v["restriction_id"].is_string(),
        "R1: a published listing carries an order"
    );
    // L2: a ground (2)–(6) runs two years from the decision.
    let decided: chrono::NaiveDate = v["decided_on"].as_str().unwrap().parse().unwrap();
    assert_eq!(v["expires_on"], (decided + Months::new(24)).to_string());
}

#[tokio::test]
async fn l1_unknown_ground_and_empty_grounds_are_refused() {
    let app = spawn_app().await;
    let mut body = person_listing(&make_id("110105", "19800101", 15), 2);
    body["grounds"] = json!(["is_rich"]);
    let (s, v) = rejected(&app, &body).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("invalid_value")));
    assert_eq!(v["errors"][0]["field"], "grounds");
    body["grounds"] = json!([]);
    let (s, _) = rejected(&app, &body).await;
    assert_eq!(s, 422);
}

#[tokio::test]
async fn l2_ground_one_alone_has_no_term() {
    let app = spawn_app().await;
    let mut body = person_listing(&make_id("110105", "19800101", 17), 3);
    body["grounds"] = json!(["able_but_refuses"]);
    let v = app.create_listing(&body).await;
    assert!(v["expires_on"].is_null());
}

#[tokio::test]
async fn l2_extension_needs_an_aggravating_ground_and_at_most_three_years() {
    let app = spawn_app().await;
    let mut body = person_listing(&make_id("110105", "19800101", 19), 4);
    body["extension_years"] = json!(1);
    let (s, v) = rejected(&app, &body).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("extension_not_allowed"))
    );
    body["grounds"] = json!(["obstructs_enforcement"]);
    body["extension_years"] = json!(4);
    let (s, v) = rejected(&app, &body).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("extension_limit_exceeded"))
    );
    body["extension_years"] = json!(3);
    let v = app.create_listing(&body).await;
    let decided: chrono::NaiveDate = v["decided_on"].as_str().unwrap().parse().unwrap();
    assert_eq!(v["expires_on"], (decided + Months::new(60)).to_string());
}

#[tokio::test]
async fn l2_term_already_elapsed_is_refused() {
    let app = spawn_app().await;
    let mut body = person_listing(&make_id("110105", "19800101", 21), 5);
    let decided = today() - Months::new(25);
    body["decided_on"] = json!(decided.to_string());
    body["filed_on"] = json!((decided - Duration::days(10)).to_string());
    body["case_number"] = json!(format!(
        "（{}）京0105执5号",
        (decided - Duration::days(10)).year()
    ));
    let (s, v) = rejected(&app, &body).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("term_already_elapsed")));
}

#[tokio::test]
async fn l4_minor_cannot_be_listed() {
    let app = spawn_app().await;
    let birth = today() - Months::new(12 * 17);
    let minor = make_id("110105", &birth.format("%Y%m%d").to_string(), 23);
    let (s, v) = rejected(&app, &person_listing(&minor, 6)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("minor_cannot_be_listed"))
    );
    assert_eq!(v["errors"][0]["field"], "debtor.id_number");
    // Eighteen on the decision date is an adult.
    let adult_birth = today() - Duration::days(30) - Months::new(12 * 18);
    let adult = make_id("110105", &adult_birth.format("%Y%m%d").to_string(), 25);
    app.create_listing(&person_listing(&adult, 7)).await;
}

#[tokio::test]
async fn l11_grace_period_makes_the_listing_pending() {
    let app = spawn_app().await;
    let mut body = person_listing(&make_id("110105", "19800101", 27), 8);
    let decided = today() - Duration::days(1);
    body["decided_on"] = json!(decided.to_string());
    body["grace_until"] = json!((decided + Months::new(2)).to_string());
    let v = app.create_listing(&body).await;
    assert_eq!(v["status"], "pending");
    assert!(v["published_at"].is_null());
    // A pending listing is not public: no listing.published event is written.
    let mut conn = app.db().await;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let n: Vec<N> = sql_query("SELECT count(*) AS n FROM events")
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(n[0].n, 0);
}

#[tokio::test]
async fn l11_grace_period_outside_one_to_three_months_is_refused() {
    let app = spawn_app().await;
    let mut body = person_listing(&make_id("110105", "19800101", 29), 9);
    let decided = today() - Duration::days(1);
    body["decided_on"] = json!(decided.to_string());
    for bad in [decided + Duration::days(10), decided + Months::new(4)] {
        body["grace_until"] = json!(bad.to_string());
        let (s, v) = rejected(&app, &body).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (422, Some("invalid_grace_period")),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn i1_invalid_check_digit_and_malformed_id_numbers_are_refused() {
    let app = spawn_app().await;
    let (s, v) = rejected(&app, &person_listing("110105194912310021", 10)).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("invalid_check_digit")));
    assert_eq!(v["errors"][0]["field"], "debtor.id_number");
    let (s, v) = rejected(&app, &person_listing("1101051949123", 10)).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("invalid_id_number")));
    // A full ID number is never echoed back in an error.
    assert!(!v.to_string().contains("1101051949123"));
}

#[tokio::test]
async fn i1_legacy_fifteen_digit_and_lowercase_x_are_normalised() {
    let app = spawn_app().await;
    let v = app
        .create_listing(&person_listing("11010519491231002x", 11))
        .await;
    assert_eq!(v["debtor"]["id_number"], "11010519491231002X");
    let eighteen = make_id("110105", "19800101", 31);
    let fifteen = format!("{}{}", &eighteen[..6], &eighteen[8..17]);
    let v = app.create_listing(&person_listing(&fifteen, 12)).await;
    assert_eq!(v["debtor"]["id_number"], eighteen);
    // The 15- and 18-digit forms are the same debtor: listing again in the same case conflicts.
    let (s, v) = rejected(&app, &person_listing(&eighteen, 12)).await;
    assert_eq!((s, v["code"].as_str()), (409, Some("listing_exists")));
}

#[tokio::test]
async fn i2_organisation_credit_codes_are_checked() {
    let app = spawn_app().await;
    let (s, v) = rejected(&app, &org_listing("911101087461124596", 13)).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("invalid_credit_code")));
    let v = app
        .create_listing(&org_listing("91310110666007217T", 13))
        .await;
    assert_eq!(v["debtor"]["credit_code"], "91310110666007217T");
    assert_eq!(v["associated_persons"][0]["role"], "actual_controller");
    // I2: the legacy organisation code inside the USCC is the same debtor.
    let (s, v) = rejected(&app, &org_listing("66600721-7", 13)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("listing_exists")),
        "{v}"
    );
}

#[tokio::test]
async fn r3_associated_persons_only_for_organisations() {
    let app = spawn_app().await;
    let mut body = person_listing(&make_id("110105", "19800101", 33), 14);
    body["associated_persons"] = json!([{"role": "principal", "name": "李四", "id_number": make_id("110105", "19700101", 35)}]);
    let (s, v) = rejected(&app, &body).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("associated_persons_not_allowed"))
    );
}

#[tokio::test]
async fn i3_case_numbers_are_checked_and_normalised() {
    let app = spawn_app().await;
    let mut body = person_listing(&make_id("110105", "19800101", 37), 15);
    let year = today().year() - 1;
    body["case_number"] = json!(format!("( {year} )京0105执 15号"));
    let v = app.create_listing(&body).await;
    assert_eq!(v["case_number"], format!("（{year}）京0105执15号"));
    body["debtor"]["id_number"] = json!(make_id("110105", "19800101", 39));
    body["case_number"] = json!(format!("（{year}）京0106执15号"));
    let (s, v) = rejected(&app, &body).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("case_court_mismatch")));
    body["case_number"] = json!("(2014)丰法民执字第00326号");
    let (s, v) = rejected(&app, &body).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("invalid_case_number")));
}

#[tokio::test]
async fn unknown_court_is_refused() {
    let app = spawn_app().await;
    let mut body = person_listing(&make_id("110105", "19800101", 41), 16);
    body["court_code"] = json!("京0199");
    body["case_number"] = json!(format!("（{}）京0199执16号", today().year()));
    let (s, v) = json(app.post("/v1/listings", &app.court("京0199"), &body).await).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("unknown_court")));
}

#[tokio::test]
async fn i4_the_folded_name_is_stored() {
    let app = spawn_app().await;
    let mut body = person_listing(&make_id("110105", "19800101", 43), 17);
    body["debtor"]["name"] = json!("阿 依 古 丽・買 買 提");
    let v = app.create_listing(&body).await;
    assert_eq!(v["debtor"]["name"], "阿 依 古 丽・買 買 提");
    #[derive(QueryableByName)]
    struct F {
        #[diesel(sql_type = Text)]
        name_folded: String,
    }
    let mut conn = app.db().await;
    let f: Vec<F> = sql_query("SELECT name_folded FROM listings")
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(f[0].name_folded, "阿依古丽·买买提");
}

#[tokio::test]
async fn l8_creditor_cannot_apply_again_within_six_months_of_a_creditor_request_removal() {
    let app = spawn_app().await;
    let id_number = make_id("110105", "19800101", 45);
    let mut body = person_listing(&id_number, 18);
    body["grounds"] = json!(["able_but_refuses"]);
    let v = app.create_listing(&body).await;
    let id = v["id"].as_str().unwrap();
    let r = app
        .post_if(
            &format!("/v1/listings/{id}/removal"),
            &app.court("京0105"),
            1,
            &json!({"reason": "creditor_request"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    body["initiated_by"] = json!("creditor_application");
    let (s, v) = rejected(&app, &body).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("relisting_barred")));
    // The court may still list on its own initiative.
    body["initiated_by"] = json!("court");
    app.create_listing(&body).await;
}

#[tokio::test]
async fn l9_every_invalid_field_is_reported_at_once() {
    let app = spawn_app().await;
    let mut body = person_listing("110105194912310021", 19);
    body["performance"] = json!("most");
    body["filed_on"] = json!("2026-13-01");
    let (s, v) = rejected(&app, &body).await;
    assert_eq!(s, 422);
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["debtor.id_number", "performance", "filed_on"] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
}

#[tokio::test]
async fn listing_exists_for_an_open_listing_of_the_same_debtor_and_case() {
    let app = spawn_app().await;
    let body = person_listing(&make_id("110105", "19800101", 47), 20);
    app.create_listing(&body).await;
    let (s, v) = rejected(&app, &body).await;
    assert_eq!((s, v["code"].as_str()), (409, Some("listing_exists")));
}

#[tokio::test]
async fn list_filters_by_id_number_court_status_and_paginates() {
    let app = spawn_app().await;
    let id_number = make_id("110105", "19800101", 49);
    for i in 0..3 {
        app.create_listing(&person_listing(
            &make_id("110105", "19800101", 51 + 2 * i),
            30 + i,
        ))
        .await;
    }
    app.create_listing(&person_listing(&id_number, 40)).await;
    let token = app.court("京0105");
    let (_, v) = json(
        app.get(
            &format!("/v1/listings?id_number={}", id_number.to_lowercase()),
            Some(&token),
        )
        .await,
    )
    .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    let (_, v) = json(
        app.get(
            "/v1/listings?court_code=京0105&status=active&limit=3",
            Some(&token),
        )
        .await,
    )
    .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 3);
    let cursor = v["next_cursor"].as_str().unwrap().to_string();
    let (_, v) = json(
        app.get(
            &format!("/v1/listings?court_code=京0105&limit=3&cursor={cursor}"),
            Some(&token),
        )
        .await,
    )
    .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert!(v["next_cursor"].is_null());
    let (s, v) = json(app.get("/v1/listings?limit=1001", Some(&token)).await).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("invalid_parameter")));
    let (s, _) = json(app.get("/v1/listings?status=gone", Some(&token)).await).await;
    assert_eq!(s, 400);
}
