//! The outbox: each change writes its event in the same transaction, with public (L10) content.

use diesel::{QueryableByName, sql_query};
use diesel_async::RunQueryDsl;
use serde_json::json;

use crate::helpers::{events, json, make_id, org_listing, person_listing, spawn_app};

#[tokio::test]
async fn l10_published_event_masks_the_id_number_and_derives_gender_and_age() {
    let app = spawn_app().await;
    let id_number = make_id("110105", "19800101", 601);
    let v = app.create_listing(&person_listing(&id_number, 1)).await;
    let evs = events(&app).await;
    assert_eq!(evs.len(), 2, "listing.published and restriction.imposed");
    let (t, d) = &evs[0];
    assert_eq!(t, "listing.published");
    assert_eq!(d["listing_id"], v["id"]);
    assert_eq!(d["version"], 1);
    assert_eq!(d["status"], "active");
    assert_eq!(
        d["id_number_masked"],
        format!("{}****{}", &id_number[..10], &id_number[14..])
    );
    assert!(
        !d.to_string().contains(&id_number),
        "a full ID number in {d}"
    );
    // Sequence 601 is odd: male (I1); born 1980-01-01.
    assert_eq!(d["gender"], "male");
    let published: chrono::NaiveDate = d["published_on"].as_str().unwrap().parse().unwrap();
    let expected_age = chrono::Datelike::year(&published) - 1980;
    assert_eq!(d["age"], expected_age);
    assert_eq!(
        d["grounds"][0],
        json!({"code": "violates_asset_reporting", "label": "违反财产报告制度"})
    );
    assert_eq!(d["performance_label"], "全部未履行");
    assert_eq!(d["court_name"], "北京市朝阳区人民法院");
    assert_eq!(d["province"], "北京市");
}

#[tokio::test]
async fn l10_organisation_codes_are_shown_in_full_with_the_legal_representative() {
    let app = spawn_app().await;
    app.create_listing(&org_listing("91110000802100433B", 2))
        .await;
    let evs = events(&app).await;
    let d = &evs[0].1;
    assert_eq!(d["credit_code"], "91110000802100433B");
    assert_eq!(d["legal_representative"], "王五");
    assert!(d["gender"].is_null());
    assert!(d.get("id_number_masked").is_none());
}

#[tokio::test]
async fn l10_ended_listings_stay_in_the_database_with_their_history() {
    let app = spawn_app().await;
    let v = app
        .create_listing(&person_listing(&make_id("110105", "19800101", 603), 3))
        .await;
    let id = v["id"].as_str().unwrap();
    app.post_if(
        &format!("/v1/listings/{id}/removal"),
        &app.court("京0105"),
        1,
        &json!({"reason": "wrongful_listing"}),
    )
    .await;
    let (s, v) = json(
        app.get(&format!("/v1/listings/{id}"), Some(&app.court("京0105")))
            .await,
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("revoked")));
    let evs = events(&app).await;
    assert_eq!(evs[2].0, "listing.removed");
    assert_eq!(evs[2].1["reason"], "wrongful_listing");
    assert_eq!(evs[2].1["status"], "revoked");
    assert_eq!(evs[2].1["version"], 2);
    assert_eq!(evs[3].0, "restriction.lifted");
}

#[tokio::test]
async fn a_refused_change_writes_no_event_and_no_audit_row() {
    let app = spawn_app().await;
    let body = person_listing(&make_id("110105", "19800101", 605), 4);
    app.create_listing(&body).await;
    let (s, _) = json(app.post("/v1/listings", &app.court("京0105"), &body).await).await;
    assert_eq!(s, 409);
    assert_eq!(
        events(&app).await.len(),
        2,
        "the listing and its order (R1), nothing of the refused duplicate"
    );
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.db().await;
    let n: Vec<N> = sql_query("SELECT count(*) AS n FROM audit_log")
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(n[0].n, 2);
}

#[tokio::test]
async fn two_identical_requests_at_once_make_one_listing() {
    let app = spawn_app().await;
    let body = person_listing(&make_id("110105", "19800101", 607), 5);
    let token = app.court("京0105");
    let (a, b) = tokio::join!(
        app.post("/v1/listings", &token, &body),
        app.post("/v1/listings", &token, &body)
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409]);
    assert_eq!(events(&app).await.len(), 2);
}
