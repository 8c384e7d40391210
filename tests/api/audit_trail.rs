//! The audit trail's hash chain: `shixin audit verify` passes on an intact trail and names the
//! first bad row when one was altered or removed.

use diesel::sql_query;
use diesel_async::RunQueryDsl;
use serde_json::json;

use crate::helpers::{TestApp, make_id, person_listing, spawn_app};

fn verify(app: &TestApp) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shixin"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", &app.db_url)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

async fn three_changes(app: &TestApp) {
    let v = app
        .create_listing(&person_listing(&make_id("110105", "19800101", 301), 1))
        .await;
    let id = v["id"].as_str().unwrap();
    app.patch(
        &format!("/v1/listings/{id}"),
        &app.court("京0105"),
        1,
        &json!({"obligation": "改"}),
    )
    .await;
    app.post_if(
        &format!("/v1/listings/{id}/removal"),
        &app.court("京0105"),
        2,
        &json!({"reason": "early_deletion"}),
    )
    .await;
}

#[tokio::test]
async fn intact_trail_verifies() {
    let app = spawn_app().await;
    three_changes(&app).await;
    let (ok, text) = verify(&app);
    assert!(ok, "{text}");
    // create (+ its order), correct, remove (+ the order lifted): 5 rows.
    assert!(text.contains("5 rows verified"), "{text}");
}

#[tokio::test]
async fn an_altered_row_is_named() {
    let app = spawn_app().await;
    three_changes(&app).await;
    let mut conn = app.db().await;
    sql_query(
        "UPDATE audit_log SET after = jsonb_set(after, '{obligation}', '\"篡改\"') WHERE seq = 2",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let (ok, text) = verify(&app);
    assert!(!ok);
    assert!(text.contains("row 2"), "{text}");
}

#[tokio::test]
async fn a_removed_row_is_named() {
    let app = spawn_app().await;
    three_changes(&app).await;
    let mut conn = app.db().await;
    sql_query("DELETE FROM audit_log WHERE seq = 2")
        .execute(&mut conn)
        .await
        .unwrap();
    let (ok, text) = verify(&app);
    assert!(!ok);
    assert!(text.contains("row 2 is missing"), "{text}");
    // Removing the last row is caught by the chain head.
    let app = spawn_app().await;
    three_changes(&app).await;
    let mut conn = app.db().await;
    sql_query("DELETE FROM audit_log WHERE seq = 5")
        .execute(&mut conn)
        .await
        .unwrap();
    let (ok, text) = verify(&app);
    assert!(!ok);
    assert!(text.contains("row 5 is missing"), "{text}");
}

#[tokio::test]
async fn concurrent_writes_keep_the_chain_gapless() {
    let app = spawn_app().await;
    let mut handles = Vec::new();
    for i in 0..8u32 {
        let body = person_listing(&make_id("110105", "19800101", 401 + 2 * i), 100 + i);
        let client = app.client.clone();
        let url = app.url("/v1/listings");
        let token = app.court("京0105");
        handles.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for h in handles {
        assert_eq!(h.await.unwrap(), 201);
    }
    let (ok, text) = verify(&app);
    assert!(ok, "{text}");
    assert!(text.contains("16 rows verified"), "{text}"); // each listing and its order
}

#[tokio::test]
async fn s5_admin_reads_the_audit_trail_and_courts_do_not() {
    let app = spawn_app().await;
    three_changes(&app).await;
    let admin = app.admin();
    let (s, v) = crate::helpers::json(app.get("/v1/audit?limit=2", Some(&admin)).await).await;
    assert_eq!(s, 200);
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["seq"], 1);
    assert_eq!(items[1]["prev_hash"], items[0]["hash"]);
    let page = |v: &serde_json::Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["action"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, v) = crate::helpers::json(
        app.get("/v1/audit?entity_type=listing&limit=2", Some(&admin))
            .await,
    )
    .await;
    assert_eq!(page(&v), ["listing.create", "listing.correct"]);
    let cursor = v["next_cursor"].as_str().unwrap();
    let path = format!("/v1/audit?entity_type=listing&cursor={cursor}");
    let (_, v) = crate::helpers::json(app.get(&path, Some(&admin)).await).await;
    assert_eq!(page(&v), ["listing.remove"]);
    assert!(v["next_cursor"].is_null());
    assert_eq!(
        app.get("/v1/audit", Some(&app.court("京0105")))
            .await
            .status(),
        403
    );
}
