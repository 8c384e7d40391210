//! L15 (Art. 8): whom a listing's publication and removal must reach: credit reference agencies
//! (b), an official's employer (c), a state debtor's supervising body (d); the bad inputs that name
//! them; `GET /v1/listings/{id}/notices`; and the wall chart's counts.

use serde_json::{Value, json};

use crate::helpers::{TestApp, json, make_id, org_listing, person_listing, spawn_app};
use crate::indicators::indicators;

/// A person listing of an official (`status`) with `employer`.
pub fn official(seq: u32, status: &str, employer: Value) -> Value {
    let mut b = person_listing(&make_id("110105", "19800101", seq), seq);
    b["debtor"]["official_status"] = json!(status);
    b["debtor"]["employer"] = employer;
    b
}

/// A listing's notices as (kind, status, subscriber_id, event_type).
pub async fn notices(app: &TestApp, id: &str) -> Vec<(String, String, Value, String)> {
    let v = app
        .get_json(&format!("/v1/listings/{id}/notices"), &app.court("京0105"))
        .await;
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| {
            (
                n["recipient"]["kind"].as_str().unwrap().to_string(),
                n["status"].as_str().unwrap().to_string(),
                n["recipient"]["subscriber_id"].clone(),
                n["event_type"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn field_codes(v: &Value) -> Vec<(String, String)> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
                    (s("field"), s("code"))
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn refused(app: &TestApp, body: &Value) -> (u16, Vec<(String, String)>) {
    let (s, v) = json(app.post("/v1/listings", &app.court("京0105"), body).await).await;
    (s, field_codes(&v))
}

#[tokio::test]
async fn l15_c_d_a_status_without_its_recipient_is_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let mut b = person_listing(&make_id("110105", "19800101", 1), 1);
    b["debtor"]["official_status"] = json!("npc_deputy");
    let (s, errs) = refused(&app, &b).await;
    assert_eq!(s, 422);
    assert_eq!(
        errs,
        vec![(
            "debtor.employer".to_string(),
            "notice_recipient_required".to_string()
        )]
    );
    let mut o = org_listing("91310110666007217T", 2);
    o["debtor"]["ownership"] = json!("state_owned_enterprise");
    let (s, errs) = refused(&app, &o).await;
    assert_eq!((s, errs[0].0.as_str()), (422, "debtor.supervising_body"));
    assert_eq!(errs[0].1, "notice_recipient_required");
    // A status outside the list, or on the wrong kind of debtor.
    b["debtor"]["official_status"] = json!("mayor");
    b["debtor"]["employer"] = json!({"name": "某区人民政府"});
    b["debtor"]["ownership"] = json!("state_organ");
    let (s, errs) = refused(&app, &b).await;
    assert_eq!(s, 422);
    for f in ["debtor.official_status", "debtor.ownership"] {
        assert!(
            errs.contains(&(f.into(), "invalid_value".into())),
            "{errs:?}"
        );
    }
    // An employer nobody must tell (a private person's) is not accepted either.
    let mut p = person_listing(&make_id("110105", "19800101", 3), 3);
    p["debtor"]["employer"] = json!({"name": "某公司"});
    let (s, errs) = refused(&app, &p).await;
    assert_eq!(
        (s, errs),
        (
            422,
            vec![("debtor.employer".into(), "invalid_value".into())]
        )
    );
    assert_eq!(app.scalar("SELECT count(*) AS n FROM listings").await, 0);
    assert_eq!(app.scalar("SELECT count(*) AS n FROM events").await, 0);
}

#[tokio::test]
async fn l15_a_named_recipient_must_be_an_enabled_notice_recipient_subscriber() {
    let app = spawn_app().await;
    let (airline, ..) = app.subscriber("airline").await;
    let (off, ..) = app.subscriber("notice_recipient").await;
    let r = app
        .client
        .patch(app.url(&format!("/v1/subscribers/{off}")))
        .bearer_auth(app.admin())
        .json(&json!({"enabled": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let field = "debtor.employer.subscriber_id".to_string();
    for (sub, code) in [
        (airline.as_str(), "not_a_notice_recipient"),
        (off.as_str(), "unknown_subscriber"),
        ("0190a000-0000-7000-8000-000000000000", "unknown_subscriber"),
    ] {
        let b = official(
            4,
            "civil_servant",
            json!({"name": "某局", "subscriber_id": sub}),
        );
        let (s, v) = json(app.post("/v1/listings", &app.court("京0105"), &b).await).await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(
            (v["code"].as_str(), v["errors"][0]["field"].as_str()),
            (Some(code), Some(field.as_str())),
            "{v}"
        );
    }
    let b = official(
        5,
        "civil_servant",
        json!({"name": "某局", "subscriber_id": "x"}),
    );
    assert_eq!(
        refused(&app, &b).await,
        (422, vec![(field.clone(), "invalid_value".into())])
    );
    assert_eq!(app.scalar("SELECT count(*) AS n FROM listings").await, 0);
}

#[tokio::test]
async fn l15_b_c_publication_and_removal_owe_notices_to_the_agency_and_the_employer() {
    let app = spawn_app().await;
    let (agency, ..) = app.subscriber("credit_reference").await;
    let (employer, ..) = app.subscriber("notice_recipient").await;
    let v = app
        .create_listing(&official(
            6,
            "civil_servant",
            json!({"name": "某区财政局", "subscriber_id": employer}),
        ))
        .await;
    assert_eq!(v["debtor"]["official_status"], "civil_servant");
    assert_eq!(v["debtor"]["employer"]["subscriber_id"], employer.as_str());
    let id = v["id"].as_str().unwrap();
    let published = |kind: &str, sub: &str| {
        (
            kind.to_string(),
            "pending".to_string(),
            json!(sub),
            "listing.published".to_string(),
        )
    };
    assert_eq!(
        notices(&app, id).await,
        vec![
            published("credit_reference", &agency),
            published("employer", &employer)
        ]
    );
    // A correction tells the subscribers (`listing.updated`) but owes no new notice.
    let (s, _) = json(
        app.patch(
            &format!("/v1/listings/{id}"),
            &app.court("京0105"),
            1,
            &json!({"obligation": "支付货款人民币90000元"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(notices(&app, id).await.len(), 2);
    let (s, _) = json(
        app.post_if(
            &format!("/v1/listings/{id}/removal"),
            &app.court("京0105"),
            2,
            &json!({"reason": "early_deletion", "note": "信用修复"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200);
    let after = notices(&app, id).await;
    assert_eq!(after.len(), 4, "{after:?}");
    assert_eq!(
        after[2..]
            .iter()
            .map(|n| (n.0.as_str(), n.3.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("credit_reference", "listing.removed"),
            ("employer", "listing.removed")
        ]
    );
    // The notices are the courts' to read.
    let (s, _) = json(app.get(&format!("/v1/listings/{id}/notices"), None).await).await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn l15_d_unregistered_recipients_are_counted_on_the_wall_chart() {
    let app = spawn_app().await;
    let mut o = org_listing("91310110666007217T", 7);
    o["debtor"]["ownership"] = json!("state_owned_enterprise");
    o["debtor"]["supervising_body"] = json!({"name": "北京市国资委"});
    let v = app.create_listing(&o).await;
    let id = v["id"].as_str().unwrap();
    // No credit reference agency subscribes here and the body has no subscriber: both notices are
    // for the court to send by other means.
    let got = notices(&app, id).await;
    assert_eq!(
        got.iter()
            .map(|n| (n.0.as_str(), n.1.as_str(), n.2.is_null()))
            .collect::<Vec<_>>(),
        vec![
            ("credit_reference", "unregistered", true),
            ("supervising_body", "unregistered", true)
        ]
    );
    let sup = app.supervisor("京01");
    let out = indicators(&app, &sup, "").await;
    assert_eq!(
        out["deadlines"]["notices_unregistered"],
        json!([{"court_code": "京0105", "court_name": "北京市朝阳区人民法院", "count": 2, "listing_ids": [id]}])
    );
    assert_eq!(out["deadlines"]["notices_outstanding"], json!([]));
    let page = app
        .client
        .post(app.url("/supervise"))
        .form(&[("token", sup.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = page.find("通报对象未登记").expect("the unregistered table");
    assert!(page[at..].contains(id), "the listing is named on the chart");
}

#[tokio::test]
async fn l15_a_standalone_order_takes_no_body_to_notify() {
    let app = spawn_app().await;
    let mut body = crate::helpers::order_body(&make_id("110105", "19800101", 8), 8);
    body["debtor"]["official_status"] = json!("civil_servant");
    body["debtor"]["employer"] = json!({"name": "某局"});
    let (s, v) = json(
        app.post("/v1/restrictions", &app.court("京0105"), &body)
            .await,
    )
    .await;
    assert_eq!(s, 422, "{v}");
    let errs = field_codes(&v);
    for f in ["debtor.official_status", "debtor.employer"] {
        assert!(
            errs.contains(&(f.into(), "invalid_value".into())),
            "{errs:?}"
        );
    }
    assert_eq!(
        app.scalar("SELECT count(*) AS n FROM restrictions").await,
        0
    );
}
