//! L14: the decision (决定书) of a listing: its signatory on creation and by PATCH, its service
//! (`POST /v1/listings/{id}/service`), the printable page and its JSON, and the indicator of
//! published listings whose decision is not yet served.

use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::{TestApp, json, make_id, org_listing, person_listing, spawn_app, today};
use crate::indicators::indicators;

fn decided(v: &Value) -> chrono::NaiveDate {
    v["decided_on"].as_str().unwrap().parse().unwrap()
}

async fn serve(app: &TestApp, id: &str, version: i64, body: Value) -> (u16, Value) {
    json(
        app.post_if(
            &format!("/v1/listings/{id}/service"),
            &app.court("京0105"),
            version,
            &body,
        )
        .await,
    )
    .await
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

#[tokio::test]
async fn l14_decision_on_create_defaults_signed_on_and_stays_out_of_public_answers() {
    let app = spawn_app().await;
    let mut body = person_listing(&make_id("110105", "19800101", 1), 1);
    body["decision"] = json!({"signed_by": "李院长"});
    let v = app.create_listing(&body).await;
    assert_eq!(
        v["decision"],
        json!({"signed_by": "李院长", "signed_on": body["decided_on"]})
    );
    assert!(v["served_on"].is_null() && v["service_method"].is_null());
    let id = v["id"].as_str().unwrap();
    let got = app
        .get_json(&format!("/v1/listings/{id}"), &app.court("京0105"))
        .await;
    assert_eq!(got["decision"]["signed_by"], "李院长");
    let (s, public) = json(app.get(&format!("/v1/public/listings/{id}"), None).await).await;
    assert_eq!(s, 200, "{public}");
    assert!(!public.to_string().contains("李院长"), "{public}");
    assert!(public.get("decision").is_none() && public.get("served_on").is_none());

    // Without a decision, the listing shows none.
    let v = app
        .create_listing(&person_listing(&make_id("110105", "19800101", 2), 2))
        .await;
    assert!(v["decision"].is_null());
}

#[tokio::test]
async fn l14_signed_on_before_the_decision_or_in_the_future_and_an_empty_signatory_are_422() {
    let app = spawn_app().await;
    let body = person_listing(&make_id("110105", "19800101", 3), 3);
    let d = decided(&body);
    for (decision, field, code) in [
        (
            json!({"signed_by": "李院长", "signed_on": (d - Duration::days(1)).to_string()}),
            "decision.signed_on",
            "invalid_signed_on",
        ),
        (
            json!({"signed_by": "李院长", "signed_on": (today() + Duration::days(1)).to_string()}),
            "decision.signed_on",
            "invalid_signed_on",
        ),
        (
            json!({"signed_by": "李院长", "signed_on": "2026-13-01"}),
            "decision.signed_on",
            "invalid_date",
        ),
        (
            json!({"signed_by": "  "}),
            "decision.signed_by",
            "invalid_value",
        ),
    ] {
        let mut b = body.clone();
        b["decision"] = decision.clone();
        let (s, v) = json(app.post("/v1/listings", &app.court("京0105"), &b).await).await;
        assert_eq!(s, 422, "{decision}: {v}");
        assert_eq!(
            field_codes(&v),
            vec![(field.to_string(), code.to_string())],
            "{decision}"
        );
    }
}

#[tokio::test]
async fn l14_patch_records_and_changes_the_decision() {
    let app = spawn_app().await;
    let body = person_listing(&make_id("110105", "19800101", 4), 4);
    let d = decided(&body);
    let v = app.create_listing(&body).await;
    let id = v["id"].as_str().unwrap();
    let path = format!("/v1/listings/{id}");
    let court = app.court("京0105");
    let signed = (d + Duration::days(2)).to_string();
    let (s, v) = json(
        app.patch(
            &path,
            &court,
            1,
            &json!({"decision": {"signed_by": "李院长", "signed_on": signed}}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["decision"],
        json!({"signed_by": "李院长", "signed_on": signed})
    );
    // A merge patch of the signatory keeps the date.
    let (s, v) = json(
        app.patch(
            &path,
            &court,
            2,
            &json!({"decision": {"signed_by": "王副院长"}}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["decision"],
        json!({"signed_by": "王副院长", "signed_on": signed})
    );
    let future = (today() + Duration::days(3)).to_string();
    let (s, v) = json(
        app.patch(
            &path,
            &court,
            3,
            &json!({"decision": {"signed_on": future}}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(
        field_codes(&v),
        vec![("decision.signed_on".into(), "invalid_signed_on".into())]
    );
}

#[tokio::test]
async fn l14_service_is_recorded_once_with_its_codes_idempotency_and_audit() {
    let app = spawn_app().await;
    let body = person_listing(&make_id("110105", "19800101", 5), 5);
    let d = decided(&body);
    let v = app.create_listing(&body).await;
    let id = v["id"].as_str().unwrap();
    let path = format!("/v1/listings/{id}/service");
    let served = (d + Duration::days(1)).to_string();
    let ok = json!({"served_on": served, "method": "post"});

    let r = app.post(&path, &app.court("京0105"), &ok).await;
    assert_eq!(r.status(), 428);
    let (s, _) = serve(&app, id, 7, ok.clone()).await;
    assert_eq!(s, 412);
    let (s, v) = json(app.post_if(&path, &app.court("京0106"), 1, &ok).await).await;
    assert_eq!((s, v["code"].as_str()), (403, Some("court_not_in_scope")));
    for (b, field, code) in [
        (
            json!({"served_on": today().to_string(), "method": "fax"}),
            "method",
            "invalid_value",
        ),
        (
            json!({"served_on": (today() + Duration::days(1)).to_string(), "method": "direct"}),
            "served_on",
            "invalid_served_on",
        ),
        (
            json!({"served_on": (d - Duration::days(1)).to_string(), "method": "direct"}),
            "served_on",
            "invalid_served_on",
        ),
    ] {
        let (s, v) = serve(&app, id, 1, b.clone()).await;
        assert_eq!(s, 422, "{b}: {v}");
        assert_eq!(field_codes(&v), vec![(field.into(), code.into())], "{b}");
    }

    let send = || {
        app.client
            .post(app.url(&path))
            .bearer_auth(app.court("京0105"))
            .header("If-Match", "\"1\"")
            .header("Idempotency-Key", "serve-1")
            .json(&ok)
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["etag"], "\"2\"");
    let v: Value = first.json().await.unwrap();
    assert_eq!(v["served_on"], served);
    assert_eq!(v["service_method"], "post");
    let again = send().await.unwrap();
    assert_eq!(again.headers()["idempotency-replayed"], "true");

    // A correction cannot date the signing after the service.
    let late = json!({"decision": {"signed_by": "李院长", "signed_on": today().to_string()}});
    let (s, v) = json(
        app.patch(
            &format!("/v1/listings/{id}"),
            &app.court("京0105"),
            2,
            &late,
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("invalid_signed_on")),
        "{v}"
    );
    let (s, v) = serve(
        &app,
        id,
        2,
        json!({"served_on": d.to_string(), "method": "direct"}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("decision_already_served")),
        "{v}"
    );

    let h = app
        .get_json(&format!("/v1/listings/{id}/history"), &app.court("京0105"))
        .await;
    let serve_rows: Vec<&Value> = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["action"] == "listing.serve")
        .collect();
    assert_eq!(serve_rows.len(), 1, "{h}");
    assert!(serve_rows[0]["before"]["served_on"].is_null());
    assert_eq!(serve_rows[0]["after"]["service_method"], "post");
}

#[tokio::test]
async fn l14_decision_page_names_grounds_articles_term_and_masks_the_id_number() {
    let app = spawn_app().await;
    let id_number = make_id("110105", "19800101", 6);
    let mut body = person_listing(&id_number, 6);
    body["grounds"] = json!(["able_but_refuses"]);
    body["decision"] = json!({"signed_by": "李院长"});
    let v = app.create_listing(&body).await;
    let id = v["id"].as_str().unwrap();
    let path = format!("/v1/listings/{id}/decision");
    let r = app.get(&path, Some(&app.court("京0105"))).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = r.text().await.unwrap();
    for needle in [
        "决定书",
        "北京市朝阳区人民法院",
        body["case_number"].as_str().unwrap(),
        "张三",
        "有履行能力而拒不履行生效法律文书确定义务",
        "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条第一项",
        "无固定期限",
        "李院长",
        body["decided_on"].as_str().unwrap(),
        "尚未送达",
        &format!("{}****{}", &id_number[..10], &id_number[14..]),
    ] {
        assert!(page.contains(needle), "missing {needle}");
    }
    assert!(!page.contains(&id_number), "the full ID number is shown");
    assert!(!page.contains("<script") && !page.contains("（（"));
    // L13: the remedy the decision opens, instead of the public site's footer.
    assert!(page.contains("十五日内审查") && page.contains("十日内向上一级人民法院申请复议"));
    assert!(!page.contains("不予公布"));

    // A supervisor above reads it too; another court and the public do not.
    let r = app.get(&path, Some(&app.supervisor("京01"))).await;
    assert_eq!(r.status(), 200);
    let (s, v) = json(app.get(&path, Some(&app.court("京0106"))).await).await;
    assert_eq!((s, v["code"].as_str()), (403, Some("court_not_in_scope")));
    assert_eq!(app.get(&path, None).await.status(), 401);
}

#[tokio::test]
async fn l14_decision_as_json_with_a_term_service_and_an_organisation() {
    let app = spawn_app().await;
    let mut body = org_listing("91310110666007217T", 7);
    body["grounds"] = json!(["violates_asset_reporting", "refuses_settlement"]);
    body["extension_years"] = json!(1);
    let v = app.create_listing(&body).await;
    let id = v["id"].as_str().unwrap();
    let (s, _) = serve(
        &app,
        id,
        1,
        json!({"served_on": today().to_string(), "method": "electronic"}),
    )
    .await;
    assert_eq!(s, 200);
    let r = app
        .client
        .get(app.url(&format!("/v1/listings/{id}/decision")))
        .bearer_auth(app.court("京0105"))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["court_name"], "北京市朝阳区人民法院");
    assert_eq!(d["debtor"]["credit_code"], "91310110666007217T");
    assert!(d["debtor"]["id_number_masked"].is_null());
    assert_eq!(d["reasons"][1]["label"], "无正当理由拒不履行执行和解协议");
    assert_eq!(
        d["reasons"][1]["article"],
        "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条第六项"
    );
    assert_eq!(d["term"]["fixed"], true);
    assert_eq!(d["term"]["years"], 3);
    assert_eq!(d["term"]["expires_on"], v["expires_on"]);
    assert!(d["signed_by"].is_null());
    assert_eq!(d["service"]["method"], "electronic");
    assert_eq!(d["service"]["method_label"], "电子送达");
}

#[tokio::test]
async fn l14_indicator_counts_an_unserved_published_listing_until_it_is_served() {
    let app = spawn_app().await;
    let v = app
        .create_listing(&person_listing(&make_id("110105", "19800101", 8), 8))
        .await;
    let id = v["id"].as_str().unwrap();
    let mut pending = person_listing(&make_id("110105", "19800101", 9), 9);
    pending["decided_on"] = json!(today().to_string());
    pending["grace_until"] = json!((today() + Duration::days(40)).to_string());
    app.create_listing(&pending).await;

    let sup = app.supervisor("京01");
    let out = indicators(&app, &sup, "").await;
    assert_eq!(
        out["deadlines"]["unserved"],
        json!([{"court_code": "京0105", "court_name": "北京市朝阳区人民法院", "count": 1, "listing_ids": [id]}])
    );
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
    assert!(page.contains("已公布但决定书尚未送达") && page.contains(id));

    let (s, _) = serve(
        &app,
        id,
        1,
        json!({"served_on": today().to_string(), "method": "direct"}),
    )
    .await;
    assert_eq!(s, 200);
    let out = indicators(&app, &sup, "").await;
    assert_eq!(out["deadlines"]["unserved"], json!([]));
}
