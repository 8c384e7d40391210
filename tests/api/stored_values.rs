//! Stored states and codes are read through their types (`src/db/status.rs`): a value in the
//! database that does not parse fails the read (500 `internal_error`), it is never skipped or
//! turned into a default.

use crate::helpers::{json, org_listing, person_listing, spawn_app};

#[tokio::test]
async fn a_stored_role_that_is_no_r3_role_fails_the_read_of_its_order() {
    let app = spawn_app().await;
    let listing = app
        .create_listing(&org_listing("91310110666007217T", 1))
        .await;
    let order = listing["restriction_id"].as_str().expect("an order");
    let path = format!("/v1/restrictions/{order}");
    let token = app.court("京0105");
    app.get_json(&path, &token).await;
    app.sql(&format!(
        "UPDATE restriction_subjects SET role = 'spouse' \
         WHERE restriction_id = '{order}' AND role = 'actual_controller'"
    ))
    .await;
    let (status, body) = json(app.get(&path, Some(&token)).await).await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["code"], "internal_error");
}

#[tokio::test]
async fn a_stored_ground_or_removal_that_does_not_read_fails_the_read_of_its_listing() {
    let app = spawn_app().await;
    let token = app.court("京0105");
    let listing = app
        .create_listing(&person_listing("11010519491231002X", 2))
        .await;
    let path = format!("/v1/listings/{}", listing["id"].as_str().expect("an id"));
    let id = listing["id"].as_str().expect("an id");
    app.get_json(&path, &token).await;

    // A removal that is not {reason, note, removed_at …}: no longer shown as null.
    app.sql(&format!(
        "UPDATE listings SET removal = '{{\"reason\": 7}}' WHERE id = '{id}'"
    ))
    .await;
    let (status, body) = json(app.get(&path, Some(&token)).await).await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["code"], "internal_error");

    // A ground outside L1: no longer left out of the public item.
    app.sql(&format!(
        "UPDATE listings SET removal = NULL, grounds = '{{violates_asset_reporting,lazy}}' \
         WHERE id = '{id}'"
    ))
    .await;
    let (status, body) = json(app.get(&path, Some(&token)).await).await;
    assert_eq!(status, 500, "{body}");
    let public = format!("/v1/public/listings/{id}");
    let (status, body) = json(app.get(&public, None).await).await;
    assert_eq!(status, 500, "{body}");
}
