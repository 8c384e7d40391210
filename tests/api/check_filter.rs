//! The in-memory set of restricted keys that spares PostgreSQL the unrestricted 95 % of a check
//! (`src/routes/checks/filter.rs`) never lets a restricted subject through (R2, R3): an order is seen
//! by the very next check after its commit, whether the set has caught up with it or not, and on an
//! instance that started before it.

use std::time::Duration;

use diesel::{QueryableByName, sql_query, sql_types::Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, make_id, org_listing, person_listing, spawn_app_with, spawn_instance,
};

fn subjects(keys: &[&str]) -> Value {
    json!({"subjects": keys.iter().map(|k| json!({"id_number": k})).collect::<Vec<_>>()})
}

async fn decisions(app: &TestApp, token: &str, keys: &[&str]) -> Vec<String> {
    let (s, v) = app.check(token, &subjects(keys)).await;
    assert_eq!(s, 200, "{v}");
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["decision"].as_str().unwrap().to_string())
        .collect()
}

async fn filter_keys(app: &TestApp) -> u64 {
    let text = app.get("/metrics", None).await.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("shixin_check_filter_keys "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .expect("the filter gauge") as u64
}

#[tokio::test]
async fn r2_an_order_committed_after_the_sets_last_catch_up_is_denied_at_once() {
    // The set is loaded at start and then not refreshed for an hour: only the `txid` clause can
    // find what is committed afterwards.
    let app = spawn_app_with(&[("SHIXIN_CHECK_FILTER_REFRESH", "1h")]).await;
    let (_, airline) = app.subscriber_token("airline").await;
    let person = make_id("110105", "19800101", 301);
    let unknown = make_id("110105", "19800101", 303);
    assert_eq!(
        decisions(&app, &airline, &[&person, &unknown]).await,
        ["allow", "allow"]
    );
    app.create_listing(&person_listing(&person, 301)).await;
    assert_eq!(
        decisions(&app, &airline, &[&person, &unknown]).await,
        ["deny", "allow"]
    );
    // R3: the legal representative and the actual controller of an organisation listed now.
    app.create_listing(&org_listing("91310110666007217T", 302))
        .await;
    let rep = make_id("110105", "19700101", 11);
    let controller = make_id("110105", "19650505", 21);
    assert_eq!(
        decisions(&app, &airline, &[&rep, &controller]).await,
        ["deny", "deny"]
    );
    assert_eq!(
        filter_keys(&app).await,
        0,
        "nothing was restricted at start"
    );
}

#[derive(QueryableByName)]
struct Xid {
    #[diesel(sql_type = Text)]
    xid: String,
}

#[tokio::test]
async fn r2_the_set_catches_up_past_a_transaction_held_open_and_loses_nothing() {
    let app = spawn_app_with(&[("SHIXIN_CHECK_FILTER_REFRESH", "50ms")]).await;
    let (_, airline) = app.subscriber_token("airline").await;
    // Another session holds an old snapshot open: the watermark cannot pass its transaction.
    let mut held = AsyncPgConnection::establish(&app.db_url).await.unwrap();
    sql_query("BEGIN").execute(&mut held).await.unwrap();
    let x: Xid = sql_query("SELECT pg_current_xact_id()::text AS xid")
        .get_result(&mut held)
        .await
        .unwrap();
    assert!(!x.xid.is_empty());
    let a = make_id("110105", "19800101", 311);
    app.create_listing(&person_listing(&a, 311)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(decisions(&app, &airline, &[&a]).await, ["deny"]);
    assert!(filter_keys(&app).await >= 1, "the set took the new key");
    sql_query("COMMIT").execute(&mut held).await.unwrap();

    // Once the watermark has passed both orders, only the set can find them: still denied.
    let b = make_id("110105", "19800101", 313);
    app.create_listing(&person_listing(&b, 313)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(filter_keys(&app).await, 2);
    let none = make_id("110105", "19800101", 315);
    assert_eq!(
        decisions(&app, &airline, &[&a, &none, &b]).await,
        ["deny", "allow", "deny"]
    );

    // A second instance loads the set when it starts.
    let other = spawn_instance(&app, &[("SHIXIN_CHECK_FILTER_REFRESH", "1h")]).await;
    assert_eq!(filter_keys(&other).await, 2);
    assert_eq!(
        decisions(&other, &airline, &[&a, &none, &b]).await,
        ["deny", "allow", "deny"]
    );
}

#[tokio::test]
async fn r2_checks_without_the_set_give_the_same_answers() {
    let app = spawn_app_with(&[("SHIXIN_CHECK_FILTER_REFRESH", "off")]).await;
    let (_, airline) = app.subscriber_token("airline").await;
    let a = make_id("110105", "19800101", 321);
    app.create_listing(&person_listing(&a, 321)).await;
    let none = make_id("110105", "19800101", 323);
    assert_eq!(
        decisions(&app, &airline, &[&none, &a]).await,
        ["allow", "deny"]
    );
    assert_eq!(filter_keys(&app).await, 0);
}

/// README.md "Configuration": `DATABASE_READ_URL` serves checks only while it is a synchronous
/// standby of the primary (`shixin::db::replica`; the real replica is tested in `pg_replica`):
/// another database, which the primary does not wait for, is not read, and checks (and the key set)
/// read the primary.
#[tokio::test]
async fn r2_a_database_read_url_that_is_no_standby_of_the_primary_is_not_read() {
    let other = spawn_app_with(&[]).await;
    let on_other = make_id("110105", "19800101", 331);
    other.create_listing(&person_listing(&on_other, 331)).await;
    let app = spawn_app_with(&[("DATABASE_READ_URL", &other.db_url)]).await;
    let on_primary = make_id("110105", "19800101", 333);
    app.create_listing(&person_listing(&on_primary, 333)).await;
    let (_, airline) = app.subscriber_token("airline").await;
    assert_eq!(
        decisions(&app, &airline, &[&on_other, &on_primary]).await,
        ["allow", "deny"],
        "answered from the primary, not the other database"
    );
}
