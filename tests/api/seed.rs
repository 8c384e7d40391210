//! `shixin seed`: valid identifiers, consistent case numbers, a mix of statuses, searchable names.

use diesel::{
    QueryableByName, sql_query,
    sql_types::{Nullable, Text},
};
use diesel_async::RunQueryDsl;
use shixin::domain::{
    case_number::CaseNumber, court_code::CourtCode, credit_code::CreditCode, id_number::IdNumber,
};

use crate::{
    helpers::spawn_app_with,
    public_helpers::{NO_LIMIT, search_ids},
};

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    court_code: String,
    #[diesel(sql_type = Text)]
    case_number: String,
    #[diesel(sql_type = Text)]
    debtor_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    id_number: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    credit_code: Option<String>,
    #[diesel(sql_type = Text)]
    status: String,
}

#[tokio::test]
async fn seed_writes_valid_realistic_listings() {
    let app = spawn_app_with(&[NO_LIMIT, ("REDIS_URL", "none")]).await;
    shixin::seed::seed(&app.db_url, 3000, 7, true)
        .await
        .unwrap();
    shixin::seed::seed(&app.db_url, 1000, 7, true)
        .await
        .unwrap(); // a second seed adds more
    let mut c = app.db().await;
    let rows: Vec<Row> = sql_query(
        "SELECT court_code, case_number, debtor_name, id_number, credit_code, status FROM listings",
    )
    .load(&mut c)
    .await
    .unwrap();
    assert_eq!(rows.len(), 4000);
    let mut orgs = 0;
    for r in &rows {
        let cn = CaseNumber::parse_enforcement(&r.case_number).unwrap();
        assert!(
            cn.belongs_to(&CourtCode::parse(&r.court_code).unwrap()),
            "{}",
            r.case_number
        );
        match (&r.id_number, &r.credit_code) {
            (Some(id), None) => assert_eq!(IdNumber::parse(id).unwrap().as_str(), id),
            (None, Some(cc)) => {
                CreditCode::parse(cc).unwrap();
                orgs += 1;
            }
            _ => panic!("a debtor is a person or an organisation"),
        }
    }
    assert!(orgs > 300 && orgs < 1000, "{orgs} organisations");
    let active = rows.iter().filter(|r| r.status == "active").count();
    assert!(active > 2400 && active < 3200, "{active} active");
    for s in ["pending", "removed", "expired", "revoked"] {
        assert!(rows.iter().any(|r| r.status == s), "{s}");
    }
    // A seeded name is found when typed in traditional characters.
    let person = rows
        .iter()
        .find(|r| r.status == "active" && r.debtor_name.starts_with('张'))
        .unwrap();
    let traditional = person.debtor_name.replacen('张', "張", 1);
    assert!(!search_ids(&app, &traditional).await.is_empty());
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[tokio::test]
async fn r1_seeded_active_listings_carry_restriction_orders_that_checks_find() {
    let app = spawn_app_with(&[NO_LIMIT, ("REDIS_URL", "none")]).await;
    shixin::seed::seed(&app.db_url, 1500, 11, true)
        .await
        .unwrap();
    let mut c = app.db().await;
    let count = |q: &'static str| sql_query(q);
    let without: Vec<Count> = count(
        "SELECT count(*) AS n FROM listings WHERE status = 'active' AND restriction_id IS NULL",
    )
    .load(&mut c)
    .await
    .unwrap();
    assert_eq!(without[0].n, 0);
    let inactive: Vec<Count> = count(
        "SELECT count(*) AS n FROM restrictions r JOIN listings l ON l.id = r.listing_id WHERE l.status <> 'active'",
    )
    .load(&mut c)
    .await
    .unwrap();
    assert_eq!(inactive[0].n, 0, "only published listings are restricted");
    let reps: Vec<Count> =
        count("SELECT count(*) AS n FROM restriction_subjects WHERE role = 'legal_representative'")
            .load(&mut c)
            .await
            .unwrap();
    assert!(reps[0].n > 0);
    #[derive(QueryableByName)]
    struct Key {
        #[diesel(sql_type = Text)]
        subject_key: String,
    }
    let key: Vec<Key> =
        count("SELECT subject_key FROM restriction_subjects WHERE kind = 'person' LIMIT 1")
            .load(&mut c)
            .await
            .unwrap();
    let (_, token) = app.subscriber_token("airline").await;
    let (s, v) = app
        .check(
            &token,
            &serde_json::json!({"subjects": [{"id_number": key[0].subject_key}]}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["results"][0]["decision"], "deny");
}
