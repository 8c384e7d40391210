//! `GET /v1/indicators` (issue 7): counts by court and status, scope of supervisors, flows per
//! period, and the deadlines of L5, L6 and L11; `event_on` on removals.

use chrono::{Datelike, Duration, Months, NaiveDate};
use serde_json::{Value, json};
use shixin::domain::calendar::add_working_days;

use crate::helpers::{TestApp, json, make_id, person_listing, spawn_app, today};

/// A listing of `court` (a fixture court), with these grounds; returns its id.
pub(crate) async fn listing_in(app: &TestApp, court: &str, seq: u32, grounds: &[&str]) -> String {
    let mut body = person_listing(&make_id("110105", "19800101", 300 + 2 * seq), seq);
    let year = body["filed_on"].as_str().unwrap()[..4].to_string();
    body["court_code"] = json!(court);
    body["case_number"] = json!(format!("（{year}）{court}执{seq}号"));
    body["grounds"] = json!(grounds);
    let (s, v) = json(app.post("/v1/listings", &app.court(court), &body).await).await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_str().unwrap().to_string()
}

pub(crate) async fn remove(app: &TestApp, court: &str, id: &str, body: Value) -> (u16, Value) {
    json(
        app.post_if(
            &format!("/v1/listings/{id}/removal"),
            &app.court(court),
            1,
            &body,
        )
        .await,
    )
    .await
}

pub(crate) async fn indicators(app: &TestApp, token: &str, query: &str) -> Value {
    app.get_json(&format!("/v1/indicators{query}"), token).await
}

pub(crate) fn court<'a>(v: &'a Value, code: &str) -> &'a Value {
    v["by_court"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["court_code"] == code)
        .unwrap_or(&Value::Null)
}

/// The latest date with exactly `n` working days between it and today.
/// The earliest day whose `n`-th working day after it is today or later: `n` working days ago on a
/// working day; on a weekend or holiday, the day whose L5 deadline has not passed yet (a removal on
/// Saturday of an event on Tuesday is late: its third working day was Friday).
pub(crate) fn working_days_ago(n: u32) -> NaiveDate {
    (1..40)
        .map(|i| today() - Duration::days(i))
        .take_while(|d| add_working_days(*d, n) >= today())
        .last()
        .unwrap()
}

#[tokio::test]
async fn indicators_counts_per_court_and_status_match_what_was_created() {
    let app = spawn_app().await;
    let a = listing_in(&app, "京0105", 1, &["violates_asset_reporting"]).await;
    listing_in(&app, "京0105", 2, &["violates_asset_reporting"]).await;
    listing_in(&app, "京0106", 3, &["able_but_refuses"]).await;
    let mut pending = person_listing(&make_id("110105", "19800101", 399), 4);
    let decided = today() - Duration::days(1);
    pending["decided_on"] = json!(decided.to_string());
    pending["grace_until"] = json!((decided + Months::new(1)).to_string());
    assert_eq!(app.create_listing(&pending).await["status"], "pending");
    let (s, _) = remove(&app, "京0105", &a, json!({"reason": "early_deletion"})).await;
    assert_eq!(s, 200);

    let v = indicators(&app, &app.admin(), "").await;
    let c = court(&v, "京0105");
    assert_eq!(c["court_name"], "北京市朝阳区人民法院");
    assert_eq!(c["province"], "北京市");
    assert_eq!(
        c["listings"],
        json!({"pending": 1, "active": 1, "removed": 1, "expired": 0, "revoked": 0})
    );
    assert_eq!(c["orders"], json!({"active": 1, "lifted": 1}));
    let c = court(&v, "京0106");
    assert_eq!(c["listings"]["active"], 1);
    assert_eq!(c["orders"]["active"], 1);
    assert_eq!(
        v["by_court"].as_array().unwrap().len(),
        2,
        "courts with nothing are left out"
    );
    let beijing = &v["by_province"][0];
    assert_eq!(beijing["province"], "北京市");
    assert_eq!(beijing["courts"], 2);
    assert_eq!(beijing["listings"]["active"], 2);
    assert_eq!(v["totals"]["listings"]["pending"], 1);
    assert_eq!(v["totals"]["orders"], json!({"active": 2, "lifted": 1}));
    assert_eq!(v["scope"]["role"], "admin");
    assert_eq!(v["period"], "month");
    assert_eq!(v["to"], today().to_string());
    assert_eq!(v["from"], (today() - Duration::days(29)).to_string());
}

#[tokio::test]
async fn indicators_supervisor_sees_only_its_subtree_and_clerks_are_refused() {
    let app = spawn_app().await;
    listing_in(&app, "京0105", 1, &["violates_asset_reporting"]).await;
    listing_in(&app, "粤0304", 2, &["violates_asset_reporting"]).await;

    let v = indicators(&app, &app.supervisor("京01"), "").await;
    assert_eq!(v["scope"]["role"], "supervisor");
    assert_eq!(v["scope"]["court_code"], "京01");
    assert_eq!(v["scope"]["courts"], 3, "京01, 京0105, 京0106");
    let codes: Vec<&str> = v["by_court"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["court_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["京0105"]);
    assert_eq!(v["totals"]["listings"]["active"], 1);
    let v = indicators(&app, &app.supervisor("粤"), "").await;
    assert_eq!(court(&v, "粤0304")["listings"]["active"], 1);
    assert!(court(&v, "京0105").is_null());
    // The supervisor narrows to a court under it; an admin to a province.
    let v = indicators(&app, &app.supervisor("京"), "?court=京0106").await;
    assert_eq!(v["scope"]["courts"], 1);
    assert!(v["by_court"].as_array().unwrap().is_empty());
    let v = indicators(&app, &app.admin(), "?province=广东省").await;
    assert_eq!(v["by_court"].as_array().unwrap().len(), 1);
    assert_eq!(v["by_province"][0]["province"], "广东省");

    let (s, p) = json(
        app.get("/v1/indicators?court=粤0304", Some(&app.supervisor("京01")))
            .await,
    )
    .await;
    assert_eq!((s, p["code"].as_str()), (403, Some("court_not_in_scope")));
    let (s, p) = json(app.get("/v1/indicators", Some(&app.court("京0105"))).await).await;
    assert_eq!((s, p["code"].as_str()), (403, Some("forbidden")));
    let (_, subscriber) = app.subscriber_token("airline").await;
    assert_eq!(
        app.get("/v1/indicators", Some(&subscriber)).await.status(),
        403
    );
    let r = app.get("/v1/indicators", None).await;
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("www-authenticate").is_some());
}

#[tokio::test]
async fn indicators_removals_by_reason_per_period() {
    let app = spawn_app().await;
    let a = listing_in(&app, "京0105", 1, &["able_but_refuses"]).await;
    let b = listing_in(&app, "京0105", 2, &["able_but_refuses"]).await;
    let c = listing_in(&app, "京0105", 3, &["violates_asset_reporting"]).await;
    let d = listing_in(&app, "京0105", 4, &["violates_asset_reporting"]).await;
    for (id, reason) in [
        (&a, "performed"),
        (&b, "creditor_request"),
        (&c, "early_deletion"),
        (&d, "wrongful_listing"),
    ] {
        let (s, v) = remove(&app, "京0105", id, json!({"reason": reason})).await;
        assert_eq!(s, 200, "{v}");
    }
    let v = indicators(
        &app,
        &app.supervisor("京"),
        "?period=day&from={t}&to={t}"
            .replace("{t}", &today().to_string())
            .as_str(),
    )
    .await;
    let periods = v["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 1);
    let p = &periods[0];
    assert_eq!(p["start"], today().to_string());
    assert_eq!(p["removals"]["performed"], 1);
    assert_eq!(p["removals"]["creditor_request"], 1);
    assert_eq!(p["removals"]["early_deletion"], 1);
    assert_eq!(p["removals"]["wrongful_listing"], 1);
    assert_eq!(p["removals"]["term_expired"], 0);
    assert_eq!(p["credit_repairs"], 1);
    assert_eq!(p["new_listings"], 0, "decided 30 days ago");
    // By week over 40 days: the four new listings fall in the week of their decision date.
    let from = today() - Duration::days(40);
    let v = indicators(&app, &app.admin(), &format!("?period=week&from={from}")).await;
    let periods = v["periods"].as_array().unwrap();
    let decided = (today() - Duration::days(30)).to_string();
    let holding = periods
        .iter()
        .find(|p| {
            p["start"].as_str().unwrap() <= decided.as_str()
                && decided.as_str() <= p["end"].as_str().unwrap()
        })
        .unwrap();
    assert_eq!(holding["new_listings"], 4);
    let total: i64 = periods
        .iter()
        .map(|p| p["new_listings"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 4);
    assert_eq!(periods.first().unwrap()["start"], from.to_string());
    let days = (from.weekday().num_days_from_monday() as i64 + 41 + 6) / 7;
    assert_eq!(periods.len() as i64, days);
    // The revocation (L7) is counted under its own reason, not as a credit repair.
    let revoked = app
        .get_json(&format!("/v1/listings/{d}"), &app.court("京0105"))
        .await;
    assert_eq!(revoked["status"], "revoked");
}

#[tokio::test]
async fn indicators_bad_parameters_are_400() {
    let app = spawn_app().await;
    for q in [
        "?period=year",
        "?from=2026-11-30&to=2026-11-01",
        "?from=yesterday",
        "?from=2020-01-01&to=2026-01-01",
        "?court=京9999",
        "?court=nonsense",
        "?from=%2B262143-12-01&to=%2B262143-12-31",
        "?to=-0001-01-01",
        "?to=9999-12-31&period=week",
    ] {
        let (s, v) = json(
            app.get(&format!("/v1/indicators{q}"), Some(&app.admin()))
                .await,
        )
        .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (400, Some("invalid_parameter")),
            "{q}: {v}"
        );
    }
}

#[tokio::test]
async fn indicators_counters_append_deltas_that_the_tick_folds_without_changing_a_count() {
    let app = spawn_app().await;
    for seq in 1..=4 {
        listing_in(&app, "京0105", seq, &["violates_asset_reporting"]).await;
    }
    let sup = app.supervisor("京01");
    let strip = |v: Value| {
        let mut v = v;
        v.as_object_mut().unwrap().remove("as_of");
        v
    };
    let before = strip(indicators(&app, &sup, "").await);
    assert_eq!(court(&before, "京0105")["listings"]["active"], 4);
    // One delta row per write: concurrent writes of a court append, none waits on another's row.
    let rows = "SELECT count(*) AS n FROM status_counts WHERE court_code = '京0105'";
    assert!(app.scalar(rows).await >= 8, "{}", app.scalar(rows).await);
    app.tick().await;
    assert_eq!(app.scalar(rows).await, 2, "one row per entity and status");
    assert_eq!(
        app.scalar("SELECT count(*) AS n FROM decided_counts").await,
        1
    );
    assert_eq!(strip(indicators(&app, &sup, "").await), before);
}
