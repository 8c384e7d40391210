//! The listed party's applications on the wall chart (L13): flows and median days per court, and
//! every application past its due date named by id under the court that owes the step, in
//! `GET /v1/indicators` and on `/supervise`.

use chrono::Duration;
use serde_json::{Value, json};

use crate::{
    corrections::{apply, listing},
    corrections_reconsideration::{reconsider, rejected_and_served},
    credit_repair,
    helpers::{TestApp, spawn_app, today},
};

async fn remedies(app: &TestApp, token: &str, range: &str) -> Value {
    app.get_json(&format!("/v1/indicators?{range}"), token)
        .await["remedies"]
        .clone()
}

#[tokio::test]
async fn l13_the_wall_chart_shows_overdue_reviews_and_reconsiderations_with_their_ids() {
    let app = spawn_app().await;
    // Received 30 days ago and still under review: past its 15 days, holidays or not.
    let old = listing(&app, 41, &["violates_asset_reporting"]).await;
    let thirty_days_ago = (today() - Duration::days(30)).to_string();
    let (s, overdue) = apply(&app, &old, &thirty_days_ago).await;
    assert_eq!(s, 201, "{overdue}");
    // Received today: open, not overdue.
    let fresh = listing(&app, 42, &["violates_asset_reporting"]).await;
    assert_eq!(apply(&app, &fresh, &today().to_string()).await.0, 201);
    // Received 2026-09-16, rejected 2026-09-25 (9 days), served, and reconsidered by 京01 on
    // 2026-09-30: due 2026-10-15, undecided since.
    let (_, reconsidered) = rejected_and_served(&app, 43).await;
    let (s, v) = reconsider(&app, &app.supervisor("京01"), &reconsidered, "2026-09-30").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["reconsideration"]["due_on"], "2026-10-15");

    // September 2026: one received, one decided after 9 days; open counts are now.
    let r = remedies(
        &app,
        &app.supervisor("京01"),
        "from=2026-09-01&to=2026-09-30",
    )
    .await;
    let counts = json!({"received": 1, "decided": 1, "open": 3, "median_days_to_decide": 9.0});
    let none = json!({"received": 0, "decided": 0, "open": 0, "median_days_to_decide": null});
    assert_eq!(r["totals"]["corrections"], counts, "{r}");
    assert_eq!(
        r["by_court"],
        json!([{"court_code": "京0105", "court_name": "北京市朝阳区人民法院", "corrections": counts,
                "credit_repairs": none}])
    );
    assert_eq!(
        r["review_overdue"],
        json!([{"court_code": "京0105", "court_name": "北京市朝阳区人民法院", "count": 1,
                "ids": [overdue["id"]]}]),
        "the review is owed by the enforcing court"
    );
    assert_eq!(
        r["reconsideration_overdue"],
        json!([{"court_code": "京01", "court_name": "北京市第一中级人民法院", "count": 1,
                "ids": [reconsidered]}]),
        "the reconsideration is owed by the court above"
    );

    // A supervisor of a sibling court sees none of it.
    let other = remedies(&app, &app.supervisor("京0106"), "").await;
    assert_eq!(other["review_overdue"], json!([]));
    assert_eq!(other["reconsideration_overdue"], json!([]));
    assert_eq!(other["totals"]["corrections"]["open"], 0);
    // The enforcing court's own supervisor sees its overdue review, not the court above's step.
    let own = remedies(&app, &app.supervisor("京0105"), "").await;
    assert_eq!(own["review_overdue"][0]["count"], 1);
    assert_eq!(own["reconsideration_overdue"], json!([]));

    // The page shows the overdue application by id.
    let page = app
        .client
        .post(app.url("/supervise"))
        .form(&[("token", app.supervisor("京01").as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("纠正申请逾期未审查"), "{page}");
    assert!(page.contains(overdue["id"].as_str().unwrap()), "{page}");
    assert!(page.contains(&reconsidered), "{page}");
}

#[tokio::test]
async fn l16_the_wall_chart_counts_credit_repairs_and_the_days_they_took() {
    let app = spawn_app().await;
    // Received 10 days ago and granted today; another received 10 days ago, still open.
    let granted = credit_repair::applied(&app, &credit_repair::listing(&app, 71).await).await;
    let (s, v) = credit_repair::decide(&app, &granted, 1, &credit_repair::granted(false)).await;
    assert_eq!(s, 200, "{v}");
    credit_repair::applied(&app, &credit_repair::listing(&app, 72).await).await;
    let r = remedies(&app, &app.supervisor("京01"), "").await;
    let repairs = json!({"received": 2, "decided": 1, "open": 1, "median_days_to_decide": 10.0});
    assert_eq!(r["totals"]["credit_repairs"], repairs, "{r}");
    assert_eq!(r["by_court"][0]["credit_repairs"], repairs);
    assert_eq!(r["by_court"][0]["court_code"], "京0105");
    // No deadline binds them (L16): nothing is overdue.
    assert_eq!(r["review_overdue"], json!([]));
}
