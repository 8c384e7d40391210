//! Watch-lists (issue 20, docs/API.md "Watch-lists"): what a call may not do (each refusal adds
//! nothing), and the identifiers a subject is watched by (I1 ID numbers, I2 organisation codes,
//! documents bound by a court).

use serde_json::{Value, json};

use crate::{
    helpers::{json, make_id, org_listing, person_listing, spawn_app},
    watchlist::{feed, snapshot_ids, watch, watching_subscriber},
};

#[tokio::test]
async fn watchlist_bad_input_is_refused_and_adds_nothing() {
    let app = spawn_app().await;
    let (_, token) = watching_subscriber(&app, "finance").await;
    let (_, all_token) = app.subscriber_token("finance").await;
    let good = make_id("110105", "19800101", 51);
    // Malformed subjects: 422 naming each index; nothing added.
    let (s, v) = watch(
        &app,
        &token,
        json!([{"id_number": good}, {"id_number": "123"}, {"credit_code": "x"}, {}]),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec![
            "subjects[1].id_number",
            "subjects[2].credit_code",
            "subjects[3]"
        ]
    );
    // A document no court bound to anyone: 422 at its index, nothing added.
    let (s, v) = watch(
        &app,
        &token,
        json!([{"id_number": good}, {"document": {"type": "passport", "number": "E99999999"}}]),
    )
    .await;
    assert_eq!(
        (s, v["errors"][0]["field"].as_str()),
        (422, Some("subjects[1].document")),
        "{v}"
    );
    assert_eq!(v["errors"][0]["code"], "document_not_bound");
    assert_eq!(app.get_json("/v1/watchlist", &token).await["count"], 0);
    // Over 10,000: 413.
    let many: Vec<Value> = (0..10_001)
        .map(|i| json!({"id_number": make_id("110105", "19800101", i % 1000)}))
        .collect();
    let (s, v) = watch(&app, &token, json!(many)).await;
    assert_eq!((s, v["code"].as_str()), (413, Some("batch_too_large")));
    let (s, v) = watch(&app, &token, json!([])).await;
    assert_eq!(s, 422, "{v}");
    // A subscriber of scope all: 409 on every watch-list route.
    let (s, v) = watch(&app, &all_token, json!([{"id_number": good}])).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("watchlist_scope_required"))
    );
    let r = app.get("/v1/watchlist", Some(&all_token)).await;
    assert_eq!(r.status(), 409);
    // A scope is set at creation: a change is refused, an unknown one too.
    let (sub, _) = watching_subscriber(&app, "airline").await;
    let (s, v) = json(
        app.patch(
            &format!("/v1/subscribers/{sub}"),
            &app.admin(),
            0,
            &json!({"enabled": true, "scope": "all"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("scope_not_changeable")),
        "{v}"
    );
    let (s, v) = json(
        app.post(
            "/v1/subscribers",
            &app.admin(),
            &json!({"name": "x", "sector": "finance", "scope": "some"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, v["errors"][0]["field"].as_str()),
        (422, Some("scope")),
        "{v}"
    );
    // A document bound to a person is watched as that person.
    app.create_listing(&person_listing(&good, 51)).await;
    let (s, v) = watch(
        &app,
        &token,
        json!([{"document": {"type": "passport", "number": "E12345678"}}]),
    )
    .await;
    assert_eq!((s, v["added"].as_u64()), (200, Some(1)), "{v}");
    assert_eq!(v["restricted"][0]["index"], 0);
    let (s, v) = watch(&app, &token, json!([{"id_number": good}])).await;
    assert_eq!((s, v["already"].as_u64()), (200, Some(1)), "{v}");
}

/// I2: an organisation is watched by its organisation code, whether named by its unified social
/// credit code or by the legacy code inside it; its listing's events reach the watcher.
#[tokio::test]
async fn watchlist_i2_an_organisation_is_one_subject_by_uscc_or_legacy_code() {
    let app = spawn_app().await;
    let (_, token) = watching_subscriber(&app, "finance").await;
    let uscc = "91310110666007217T";
    let (s, v) = watch(&app, &token, json!([{"credit_code": uscc}])).await;
    assert_eq!((s, v["added"].as_u64()), (200, Some(1)), "{v}");
    // Positions 9-17 of the USCC: the legacy organisation code of the same organisation.
    let (s, v) = watch(&app, &token, json!([{"credit_code": &uscc[8..17]}])).await;
    assert_eq!((s, v["already"].as_u64()), (200, Some(1)), "{v}");
    let l = app.create_listing(&org_listing(uscc, 61)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let events = feed(&app, &token, 2).await;
    assert!(
        events.iter().all(|(_, id)| *id == l) && events.len() >= 2,
        "{events:?}"
    );
    assert_eq!(
        snapshot_ids(&app, &token).await.len(),
        1,
        "the organisation's line"
    );
}
