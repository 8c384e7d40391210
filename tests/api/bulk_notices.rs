//! L15 in `shixin import`: a named employer or supervising body is checked like the API checks it
//! (an enabled `notice_recipient` subscriber), and imported publications owe their Art. 8 notices
//! and reach the recipient like any published listing.

use serde_json::json;

use crate::{
    bulk::{count, ok, shixin},
    helpers::spawn_app_with,
    notices::{notices, official},
    public_helpers::NO_LIMIT,
};

#[tokio::test]
async fn bulk_l15_import_checks_the_recipient_and_records_the_notices() {
    let app = spawn_app_with(&[NO_LIMIT]).await;
    let (employer, token) = app.subscriber_token("notice_recipient").await;
    let (airline, ..) = app.subscriber("airline").await;
    let good = official(
        41,
        "civil_servant",
        json!({"name": "某区财政局", "subscriber_id": employer}),
    );
    let wrong = official(
        42,
        "cppcc_member",
        json!({"name": "某航空公司", "subscriber_id": airline}),
    );
    let unknown = official(
        43,
        "npc_deputy",
        json!({"name": "某区人大", "subscriber_id": "0190a000-0000-7000-8000-000000000000"}),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("l15.ndjson");
    std::fs::write(
        &file,
        [&good, &wrong, &unknown]
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .unwrap();
    let out = shixin(
        &app,
        &["import", "listings", file.to_str().unwrap(), "--quiet"],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    for expected in [
        "line 2: not_a_notice_recipient: debtor.employer.subscriber_id",
        "line 3: unknown_subscriber: debtor.employer.subscriber_id",
    ] {
        assert!(
            stderr.contains(expected),
            "missing `{expected}` in:\n{stderr}"
        );
    }
    assert_eq!(count(&app, "listings").await, 0);
    assert_eq!(count(&app, "notices").await, 0);

    std::fs::write(&file, good.to_string()).unwrap();
    ok(&shixin(
        &app,
        &["import", "listings", file.to_str().unwrap(), "--quiet"],
    ));
    let id = app.scalar_text("SELECT id::text AS t FROM listings").await;
    let got: Vec<(String, String)> = notices(&app, &id)
        .await
        .into_iter()
        .map(|n| (n.0, n.1))
        .collect();
    assert_eq!(
        got,
        vec![
            ("credit_reference".into(), "unregistered".into()),
            ("employer".into(), "pending".into())
        ]
    );
    // The recipient reads the imported publication in its feed, and the read settles the notice.
    let mut events = Vec::new();
    for _ in 0..400 {
        let v = app.get_json("/v1/feed", &token).await;
        events = v["events"].as_array().unwrap().clone();
        if !events.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["data"]["listing_id"], id.as_str());
    assert_eq!(notices(&app, &id).await[1].1, "delivered");
}

#[tokio::test]
async fn bulk_l15_csv_round_trip_keeps_the_status_and_the_body_to_notify() {
    let a = spawn_app_with(&[NO_LIMIT]).await;
    a.create_listing(&official(
        44,
        "npc_deputy",
        json!({"name": "某区人大常委会"}),
    ))
    .await;
    let mut org = crate::helpers::org_listing("91310110666007217T", 45);
    org["debtor"]["ownership"] = json!("public_institution");
    org["debtor"]["supervising_body"] = json!({"name": "某区教育局"});
    a.create_listing(&org).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("listings.csv");
    ok(&shixin(
        &a,
        &[
            "export",
            "listings",
            "--quiet",
            "-o",
            file.to_str().unwrap(),
        ],
    ));
    let csv = std::fs::read_to_string(&file).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.ends_with(
            "debtor_official_status,debtor_employer,debtor_ownership,debtor_supervising_body"
        ),
        "{header}"
    );
    let b = spawn_app_with(&[NO_LIMIT]).await;
    ok(&shixin(
        &b,
        &["import", "listings", file.to_str().unwrap(), "--quiet"],
    ));
    let q_person = "SELECT debtor::text AS t FROM listings WHERE debtor_kind = 'person'";
    let q_org = "SELECT debtor::text AS t FROM listings WHERE debtor_kind = 'organization'";
    for q in [q_person, q_org] {
        let before: serde_json::Value = serde_json::from_str(&a.scalar_text(q).await).unwrap();
        let after: serde_json::Value = serde_json::from_str(&b.scalar_text(q).await).unwrap();
        assert_eq!(before, after);
    }
    // Neither body subscribes here: the imported publications owe unregistered notices.
    assert_eq!(
        b.scalar("SELECT count(*) AS n FROM notices WHERE status = 'unregistered' AND recipient_kind <> 'credit_reference'")
            .await,
        2
    );
}
