//! Credit repair (L16) under concurrency and retries: two decisions at once, one wins and the
//! listing is deleted once with one certificate; a grant replayed by its Idempotency-Key answers the
//! same certificate.

use serde_json::Value;

use crate::{
    credit_repair::{applied, decide, granted, listing, listing_json},
    helpers::spawn_app,
    listings_change::event_types,
};

#[tokio::test]
async fn l16_two_decisions_at_once_one_wins_the_listing_is_removed_once_with_one_certificate() {
    let app = spawn_app().await;
    let l = listing(&app, 21).await;
    let id = applied(&app, &l).await;
    let refused = serde_json::json!({"outcome": "refused", "reasons": "否",
        "decided_on": crate::helpers::today().to_string()});
    let grant = granted(false);
    let (a, b) = tokio::join!(decide(&app, &id, 1, &grant), decide(&app, &id, 1, &grant));
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert!(
        statuses == [200, 409] || statuses == [200, 412],
        "{a:?} {b:?}"
    );
    let winner = if a.0 == 200 { &a.1 } else { &b.1 };
    let after = listing_json(&app, &l).await;
    assert_eq!(
        (after["status"].as_str(), after["version"].as_i64()),
        (Some("removed"), Some(2))
    );
    let types = event_types(&app).await;
    assert_eq!(types.iter().filter(|t| *t == "listing.removed").count(), 1);
    assert_eq!(
        types.iter().filter(|t| *t == "restriction.lifted").count(),
        1
    );
    assert_eq!(
        app.scalar("SELECT count(*) AS n FROM certificates").await,
        1
    );
    let stored = app
        .scalar(&format!(
            "SELECT count(*) AS n FROM certificates WHERE id = '{}'",
            winner["certificate"]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(stored, 1);
    // A grant and a refusal at once: still one decision.
    let l2 = listing(&app, 22).await;
    let id2 = applied(&app, &l2).await;
    let (a, b) = tokio::join!(
        decide(&app, &id2, 1, &grant),
        decide(&app, &id2, 1, &refused)
    );
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert!(
        statuses == [200, 409] || statuses == [200, 412],
        "{a:?} {b:?}"
    );
    let status = listing_json(&app, &l2).await["status"].clone();
    let certificates = app.scalar("SELECT count(*) AS n FROM certificates").await;
    if a.0 == 200 {
        assert_eq!((status.as_str(), certificates), (Some("removed"), 2));
    } else {
        assert_eq!((status.as_str(), certificates), (Some("active"), 1));
    }
}

#[tokio::test]
async fn l16_a_replayed_grant_answers_the_same_certificate() {
    let app = spawn_app().await;
    let l = listing(&app, 23).await;
    let id = applied(&app, &l).await;
    let body = granted(false);
    let send = || {
        app.client
            .post(app.url(&format!("/v1/credit-repairs/{id}/decision")))
            .bearer_auth(app.court("京0105"))
            .header("If-Match", "\"1\"")
            .header("Idempotency-Key", "repair-23")
            .json(&body)
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), 200);
    let first: Value = first.json().await.unwrap();
    assert!(first["certificate"]["id"].is_string(), "{first}");
    let again = send().await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers().get("idempotency-replayed").unwrap(), "true");
    assert_eq!(again.headers().get("etag").unwrap(), "\"2\"");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again, first);
    assert_eq!(again["certificate"], first["certificate"]);
    assert_eq!(
        app.scalar("SELECT count(*) AS n FROM certificates").await,
        1
    );
    let removed = event_types(&app).await;
    assert_eq!(
        removed.iter().filter(|t| *t == "listing.removed").count(),
        1
    );
}
