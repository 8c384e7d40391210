//! Checks as evidence (docs/API.md "Checks", Evidence): the answer carries `check_id`; its row
//! (with `as_of`, each subject's decision and the restriction and release ids it rested on) is
//! committed before the answer leaves, also across `kill -9` right after it; the subscriber reads
//! its own check back, nobody else's; the person's court sees the same ids in the check log.

use serde_json::{Value, json};

use crate::{
    helpers::{json, make_id, person_listing, spawn_app},
    serve::Serve,
};

#[tokio::test]
async fn evidence_a_check_id_is_read_back_by_its_subscriber_only() {
    let app = spawn_app().await;
    let (_, airline) = app.subscriber_token("airline").await;
    let (_, other) = app.subscriber_token("airline").await;
    let listed = make_id("110105", "19800101", 501);
    app.create_listing(&person_listing(&listed, 501)).await;
    let free = make_id("110105", "19800101", 503);
    let (s, answer) = app
        .check(
            &airline,
            &json!({"subjects": [{"id_number": free}, {"id_number": listed}]}),
        )
        .await;
    assert_eq!(s, 200, "{answer}");
    let check_id = answer["check_id"].as_str().expect("check_id").to_string();
    let restriction = answer["results"][1]["matches"][0]["restriction_id"].clone();
    assert!(restriction.is_string(), "{answer}");

    let path = format!("/v1/checks/{check_id}");
    let (s, got) = json(app.get(&path, Some(&airline)).await).await;
    assert_eq!(s, 200, "{got}");
    assert_eq!(got["check_id"], check_id.as_str());
    assert_eq!(got["as_of"], answer["as_of"]);
    assert_eq!(
        got["results"],
        json!([
            {"index": 0, "decision": "allow", "restriction_ids": [], "release_ids": []},
            {"index": 1, "decision": "deny", "restriction_ids": [restriction], "release_ids": []}
        ])
    );
    assert!(
        !got.to_string().contains(&listed),
        "no ID number in the record"
    );
    // Another subscriber's view of it is the unknown id's: 404.
    let (s, v) = json(app.get(&path, Some(&other)).await).await;
    assert_eq!((s, v["code"].as_str()), (404, Some("not_found")), "{v}");
    let unknown = shixin::checks::check_id_at(chrono::Utc::now());
    let (s, _) = json(
        app.get(&format!("/v1/checks/{unknown}"), Some(&airline))
            .await,
    )
    .await;
    assert_eq!(s, 404);
    let (s, v) = json(app.get("/v1/checks/not-a-uuid", Some(&airline)).await).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (400, Some("invalid_parameter")),
        "{v}"
    );
    let (s, _) = json(app.get(&path, Some(&app.court("京0105"))).await).await;
    assert_eq!(s, 403);

    // The person's court sees the same evidence in the check log.
    let (s, log) = json(
        app.get(
            &format!("/v1/check-log?id_number={listed}"),
            Some(&app.court("京0105")),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200, "{log}");
    let item = &log["items"][0];
    assert_eq!(item["check_id"], check_id.as_str());
    assert_eq!(item["as_of"], answer["as_of"]);
    assert_eq!(item["restriction_ids"], json!([restriction]));
    assert_eq!(item["decision"], "deny");
}

#[tokio::test]
async fn evidence_a_check_answered_just_before_kill_9_is_in_the_log() {
    let app = spawn_app().await;
    let listed = make_id("110105", "19800101", 511);
    app.create_listing(&person_listing(&listed, 511)).await;
    let (_, token) = app.subscriber_token("airline").await;
    let mut serve = Serve::start(&app.db_url, &[]);
    let base = format!("http://127.0.0.1:{}", serve.port());
    let client = reqwest::Client::new();
    let mut ids: Vec<String> = Vec::new();
    for i in 0..20u32 {
        let body = json!({"subjects": [{"id_number": listed},
                                       {"id_number": make_id("110105", "19800101", 600 + i)}]});
        let r = client
            .post(format!("{base}/v1/checks"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        ids.push(v["check_id"].as_str().unwrap().to_string());
    }
    // Killed the moment the last answer arrived: no writer gets a chance to catch up.
    serve.kill_9();
    let in_log = app
        .scalar(&format!(
            "SELECT count(*) AS n FROM check_requests WHERE check_id::text IN ('{}')",
            ids.join("','")
        ))
        .await;
    assert_eq!(in_log, 20, "every answered check is in the log");
}

#[tokio::test]
async fn evidence_a_check_the_log_cannot_keep_is_not_answered() {
    let app = spawn_app().await;
    let (_, airline) = app.subscriber_token("airline").await;
    let body = json!({"subjects": [{"id_number": make_id("110105", "19800101", 521)}]});
    assert_eq!(app.check(&airline, &body).await.0, 200);
    // The log's table is gone (as if its disk failed): every write of it fails.
    app.sql("ALTER TABLE check_requests RENAME TO check_requests_away")
        .await;
    let (s, v) = app.check(&airline, &body).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (503, Some("service_unavailable")),
        "{v}"
    );
    assert!(v.get("results").is_none() && v.get("check_id").is_none());
    app.sql("ALTER TABLE check_requests_away RENAME TO check_requests")
        .await;
    let (s, v) = app.check(&airline, &body).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        app.scalar("SELECT count(*) AS n FROM check_requests").await,
        2,
        "the refused check left no row, the answered ones did"
    );
}
