//! `shixin export corrections` (L13): the courts' statistics of the listed party's applications,
//! as NDJSON (the court view, the applicant's ID number masked) and CSV (dates, outcomes, days).

use crate::{
    bulk::{ok, shixin},
    corrections::{applied, listing},
    corrections_reconsideration::rejected_and_served,
    credit_repair,
    helpers::{make_id, spawn_app},
};

#[tokio::test]
async fn l13_export_corrections_as_ndjson_and_csv_with_the_applicants_id_masked() {
    let app = spawn_app().await;
    // Rejected on 2026-09-25 (9 days after receipt) and served on 2026-09-28; another under review.
    let (_, served) = rejected_and_served(&app, 51).await;
    let open = applied(
        &app,
        &listing(&app, 52, &["violates_asset_reporting"]).await,
    )
    .await;
    let full = make_id("110105", "19800101", 300);

    let ndjson = ok(&shixin(&app, &["export", "corrections", "--quiet"]));
    let lines: Vec<serde_json::Value> = ndjson
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{ndjson}");
    let first = lines.iter().find(|v| v["id"] == served.as_str()).unwrap();
    assert_eq!(first["status"], "rejected");
    assert_eq!(first["decision"]["decided_on"], "2026-09-25");
    assert_eq!(first["service"]["served_on"], "2026-09-28");
    assert_eq!(first["reconsideration_deadline"], "2026-10-08");
    let masked = format!("{}****{}", &full[..10], &full[14..]);
    assert_eq!(first["applicant"]["id_number_masked"], masked.as_str());
    assert!(first["applicant"].get("id_number").is_none());
    assert!(!ndjson.contains(&full), "no full ID number in the file");

    let csv = ok(&shixin(
        &app,
        &[
            "export",
            "corrections",
            "--format",
            "csv",
            "--status",
            "rejected",
            "--quiet",
        ],
    ));
    let mut rows = csv.lines();
    let header = rows.next().unwrap();
    assert!(header.starts_with("id,listing_id,court_code,status,grounds,applicant_kind,received_on,review_due_on,decided_on,outcome,late,days_to_decide,served_on"), "{header}");
    let row: Vec<&str> = rows.next().unwrap().split(',').collect();
    assert!(rows.next().is_none(), "only the rejected one: {csv}");
    assert_eq!(row[0], served);
    assert_eq!(
        &row[3..13],
        [
            "rejected",
            "inaccurate_information",
            "person",
            "2026-09-16",
            "2026-10-08",
            "2026-09-25",
            "rejected",
            "false",
            "9",
            "2026-09-28"
        ]
    );
    assert!(!csv.contains(&full) && !csv.contains(&open));

    let bad = shixin(&app, &["export", "corrections", "--status", "closed"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--status"));
}

#[tokio::test]
async fn l16_export_credit_repairs_with_the_days_taken_and_the_certificate() {
    let app = spawn_app().await;
    let granted = credit_repair::applied(&app, &credit_repair::listing(&app, 61).await).await;
    let (s, v) = credit_repair::decide(&app, &granted, 1, &credit_repair::granted(false)).await;
    assert_eq!(s, 200, "{v}");
    let certificate = v["certificate"]["id"].as_str().unwrap().to_string();
    let open = credit_repair::applied(&app, &credit_repair::listing(&app, 62).await).await;
    let full = make_id("110105", "19800101", 500);

    let ndjson = ok(&shixin(&app, &["export", "credit-repairs", "--quiet"]));
    assert_eq!(ndjson.lines().count(), 2, "{ndjson}");
    assert!(!ndjson.contains(&full), "no full ID number in the file");
    assert!(ndjson.contains("id_number_masked"));

    let csv = ok(&shixin(
        &app,
        &[
            "export",
            "credit-repairs",
            "--format",
            "csv",
            "--status",
            "granted",
            "--quiet",
        ],
    ));
    let mut rows = csv.lines();
    assert_eq!(
        rows.next().unwrap(),
        "id,listing_id,court_code,status,applicant_kind,received_on,decided_on,outcome,days_to_decide,keep_restriction,certificate_id,days_taken"
    );
    let row: Vec<&str> = rows.next().unwrap().split(',').collect();
    assert!(rows.next().is_none(), "only the granted one: {csv}");
    assert_eq!(
        (row[0], row[3], row[7]),
        (granted.as_str(), "granted", "granted")
    );
    assert_eq!(row[10], certificate);
    assert_eq!(row[8], row[11], "days to decide = days taken once decided");
    assert!(!csv.contains(&open) && !csv.contains(&full));
}
