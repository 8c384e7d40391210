//! Ending listings: removing (L3, L5, L6) and revoking (L7) them, and listing a debtor again (L8).

use serde_json::json;

use crate::{
    helpers::{json, person_listing, spawn_app},
    listings_change::{event_types, listing},
};

#[tokio::test]
async fn l3_early_deletion_removes_any_listing() {
    let app = spawn_app().await;
    let (id, _) = listing(&app, 11, &["violates_asset_reporting"]).await;
    let (s, v) = json(
        app.post_if(
            &format!("/v1/listings/{id}/removal"),
            &app.court("京0105"),
            1,
            &json!({"reason": "early_deletion", "note": "信用修复"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["status"], "removed");
    assert_eq!(v["removal"]["reason"], "early_deletion");
    assert_eq!(v["removal"]["note"], "信用修复");
    assert_eq!(
        event_types(&app).await,
        vec![
            "listing.published",
            "restriction.imposed",
            "listing.removed",
            "restriction.lifted"
        ]
    );
}

#[tokio::test]
async fn l5_events_remove_listings_without_a_term() {
    let app = spawn_app().await;
    for (i, reason) in [
        "performed",
        "settlement_performed",
        "creditor_request",
        "no_assets_after_termination",
        "suspended_retrial_or_bankruptcy",
        "non_enforcement_ruling",
        "enforcement_terminated",
    ]
    .iter()
    .enumerate()
    {
        let (id, _) = listing(&app, 20 + i as u32, &["able_but_refuses"]).await;
        let (s, v) = json(
            app.post_if(
                &format!("/v1/listings/{id}/removal"),
                &app.court("京0105"),
                1,
                &json!({"reason": reason}),
            )
            .await,
        )
        .await;
        assert_eq!(s, 200, "{reason}: {v}");
        assert_eq!(v["status"], "removed");
    }
}

#[tokio::test]
async fn l6_l5_reasons_do_not_apply_to_fixed_term_listings() {
    let app = spawn_app().await;
    let (id, _) = listing(&app, 12, &["violates_asset_reporting"]).await;
    let (s, v) = json(
        app.post_if(
            &format!("/v1/listings/{id}/removal"),
            &app.court("京0105"),
            1,
            &json!({"reason": "performed"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("reason_not_applicable"))
    );
    let (s, v) = json(
        app.post_if(
            &format!("/v1/listings/{id}/removal"),
            &app.court("京0105"),
            1,
            &json!({"reason": "term_expired"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("reason_not_applicable"))
    );
    let (s, v) = json(
        app.post_if(
            &format!("/v1/listings/{id}/removal"),
            &app.court("京0105"),
            1,
            &json!({"reason": "bored"}),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (422, Some("invalid_value")));
}

#[tokio::test]
async fn l7_wrongful_listing_is_revoked_and_cannot_end_twice() {
    let app = spawn_app().await;
    let (id, _) = listing(&app, 13, &["violates_asset_reporting"]).await;
    let path = format!("/v1/listings/{id}/removal");
    let (s, v) = json(
        app.post_if(
            &path,
            &app.court("京0105"),
            1,
            &json!({"reason": "wrongful_listing"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["status"], "revoked");
    let (s, v) = json(
        app.post_if(
            &path,
            &app.court("京0105"),
            2,
            &json!({"reason": "early_deletion"}),
        )
        .await,
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (409, Some("listing_not_active")));
}

#[tokio::test]
async fn l8_after_removal_the_debtor_may_be_listed_again() {
    let app = spawn_app().await;
    let (id, v) = listing(&app, 14, &["violates_asset_reporting"]).await;
    app.post_if(
        &format!("/v1/listings/{id}/removal"),
        &app.court("京0105"),
        1,
        &json!({"reason": "early_deletion"}),
    )
    .await;
    let mut body = person_listing(v["debtor"]["id_number"].as_str().unwrap(), 14);
    body["grounds"] = json!(["evades_enforcement"]);
    app.create_listing(&body).await;
}
