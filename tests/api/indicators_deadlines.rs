//! `GET /v1/indicators`: the deadlines of L5 (removal within 3 working days of the event), L6
//! (expiries) and L11 (publication when the grace period ends); `event_on` on removals.

use chrono::{Datelike, Duration, Months};
use serde_json::json;

use crate::helpers::{make_id, person_listing, spawn_app, today};
use crate::indicators::{court, indicators, listing_in, remove, working_days_ago};

#[tokio::test]
async fn indicators_l5_removal_5_working_days_after_the_event_is_late_3_is_not() {
    let app = spawn_app().await;
    let late = listing_in(&app, "京0105", 1, &["able_but_refuses"]).await;
    let in_time = listing_in(&app, "京0105", 2, &["able_but_refuses"]).await;
    let unknown = listing_in(&app, "京0105", 3, &["able_but_refuses"]).await;
    let repaired = listing_in(&app, "京0105", 4, &["violates_asset_reporting"]).await;
    let five = working_days_ago(5);
    let (s, v) = remove(
        &app,
        "京0105",
        &late,
        json!({"reason": "performed", "event_on": five.to_string()}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["removal"]["event_on"], five.to_string());
    let three = working_days_ago(3);
    let (s, _) = remove(
        &app,
        "京0105",
        &in_time,
        json!({"reason": "settlement_performed", "event_on": three.to_string()}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, v) = remove(
        &app,
        "京0105",
        &unknown,
        json!({"reason": "enforcement_terminated"}),
    )
    .await;
    assert_eq!(s, 200);
    assert!(v["removal"]["event_on"].is_null());
    // An early deletion (L3) has no deadline: never late, never unknown.
    let (s, _) = remove(
        &app,
        "京0105",
        &repaired,
        json!({"reason": "early_deletion", "event_on": five.to_string()}),
    )
    .await;
    assert_eq!(s, 200);

    let v = indicators(&app, &app.supervisor("京01"), "").await;
    let d = &v["deadlines"];
    assert_eq!(d["removal_working_days"], 3);
    assert_eq!(
        d["removed_late"],
        json!([{"court_code": "京0105", "court_name": "北京市朝阳区人民法院", "count": 1, "listing_ids": [late]}])
    );
    assert_eq!(d["unknown_event_date"], 1);
    assert_eq!(d["calendar_covered"], today().year() <= 2026);
    // The listing shows the event date.
    let got = app
        .get_json(&format!("/v1/listings/{in_time}"), &app.court("京0105"))
        .await;
    assert_eq!(got["removal"]["event_on"], three.to_string());
    // Another supervisor's answer does not name them.
    let v = indicators(&app, &app.supervisor("粤"), "").await;
    assert_eq!(v["deadlines"]["removed_late"], json!([]));
    assert_eq!(v["deadlines"]["unknown_event_date"], 0);
}

#[tokio::test]
async fn indicators_l5_event_on_in_the_future_or_before_the_decision_is_refused() {
    let app = spawn_app().await;
    let id = listing_in(&app, "京0105", 1, &["able_but_refuses"]).await;
    let decided = today() - Duration::days(30);
    for (event_on, code) in [
        (
            (today() + Duration::days(1)).to_string(),
            "invalid_event_on",
        ),
        (
            (decided - Duration::days(1)).to_string(),
            "invalid_event_on",
        ),
        ("2026-13-01".to_string(), "invalid_date"),
    ] {
        let (s, v) = remove(
            &app,
            "京0105",
            &id,
            json!({"reason": "performed", "event_on": event_on}),
        )
        .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (422, Some(code)),
            "{event_on}: {v}"
        );
        assert_eq!(v["errors"][0]["field"], "event_on");
    }
    let got = app
        .get_json(&format!("/v1/listings/{id}"), &app.court("京0105"))
        .await;
    assert_eq!(
        (got["status"].as_str(), got["version"].as_i64()),
        (Some("active"), Some(1))
    );
    // The decision day itself and today are fine.
    let (s, v) = remove(
        &app,
        "京0105",
        &id,
        json!({"reason": "performed", "event_on": decided.to_string()}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
}

#[tokio::test]
async fn indicators_l6_late_expiry_and_l11_late_publication_are_counted() {
    let app = spawn_app().await;
    // L6: a term that ended a month ago, expired by today's tick: late.
    let id = listing_in(&app, "京0105", 1, &["violates_asset_reporting"]).await;
    let old = today() - Months::new(25);
    let r = app
        .patch(&format!("/v1/listings/{id}"), &app.court("京0105"), 1,
            &json!({"decided_on": old.to_string(), "filed_on": (old - Duration::days(5)).to_string()}))
        .await;
    assert_eq!(r.status(), 200);
    // L11: a grace period that ended five days ago (time travel), still pending.
    let mut body = person_listing(&make_id("110105", "19800101", 398), 2);
    let decided = today() - Duration::days(1);
    body["decided_on"] = json!(decided.to_string());
    body["grace_until"] = json!((decided + Months::new(1)).to_string());
    let pending = app.create_listing(&body).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.sql(&format!(
        "UPDATE listings SET grace_until = '{}' WHERE id = '{pending}'",
        today() - Duration::days(5)
    ))
    .await;
    let v = indicators(&app, &app.admin(), "").await;
    assert_eq!(
        v["deadlines"]["pending_overdue"][0]["listing_ids"],
        json!([pending])
    );
    assert_eq!(v["deadlines"]["published_late"], json!([]));

    let report = app.tick().await;
    assert_eq!((report.expired, report.published), (1, 1));
    let expired = app
        .get_json(&format!("/v1/listings/{id}"), &app.court("京0105"))
        .await;
    assert_eq!(expired["removal"]["event_on"], expired["expires_on"]);
    let v = indicators(&app, &app.admin(), "").await;
    let d = &v["deadlines"];
    assert_eq!(d["removed_late"][0]["listing_ids"], json!([id]));
    assert_eq!(d["published_late"][0]["count"], 1);
    assert_eq!(d["published_late"][0]["listing_ids"], json!([pending]));
    assert_eq!(d["pending_overdue"], json!([]));
    assert_eq!(
        v["periods"].as_array().unwrap().last().unwrap()["removals"]["term_expired"],
        1
    );

    // The correction moved the listing's decision date, and the new listings with it.
    let v = indicators(
        &app,
        &app.admin(),
        &format!("?period=day&from={old}&to={old}"),
    )
    .await;
    assert_eq!(v["periods"][0]["new_listings"], 1);
    let v = indicators(&app, &app.admin(), "?period=day").await;
    let new: Vec<i64> = v["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["new_listings"].as_i64().unwrap())
        .collect();
    assert_eq!(
        new.iter().sum::<i64>(),
        1,
        "only the pending listing, decided yesterday"
    );
    assert_eq!(new[new.len() - 2], 1);

    // The counters agree with the table after every kind of write.
    let v = indicators(&app, &app.admin(), "").await;
    let c = court(&v, "京0105");
    assert_eq!(
        c["listings"],
        json!({"pending": 0, "active": 1, "removed": 0, "expired": 1, "revoked": 0})
    );
    assert_eq!(c["orders"], json!({"active": 1, "lifted": 1}));
}
