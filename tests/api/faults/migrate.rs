//! Three real `shixin serve` processes started at the same moment on a new, empty database: each
//! migrates (one at a time, under the migration lock) and serves; the migrations ran once each, and
//! a change made through one instance is read through the others.

use std::{collections::HashMap, time::Duration};

use diesel::{QueryableByName, sql_query, sql_types::Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::json;
use shixin::{
    auth::jwt::{MintRequest, mint},
    config::Settings,
};

use crate::{
    helpers::{TEST_SECRET, base_url, json, make_id, person_listing},
    serve::Serve,
};

/// A new, empty database, dropped when the guard goes (also when the test fails).
struct Database {
    name: String,
    url: String,
}

impl Database {
    async fn create() -> Database {
        let name = format!("shixin_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = AsyncPgConnection::establish(&format!("{}/postgres", base_url()))
            .await
            .expect("connect to postgres");
        sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .await
            .expect("create database");
        let url = format!("{}/{name}", base_url());
        Database { name, url }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let name = self.name.clone();
        // From a plain thread with its own runtime: the test's runtime may be shutting down.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                let admin = format!("{}/postgres", base_url());
                if let Ok(mut c) = AsyncPgConnection::establish(&admin).await {
                    let drop = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                    let _ = sql_query(drop).execute(&mut c).await;
                }
            });
        })
        .join();
    }
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = Text)]
    version: String,
}

/// The versions diesel records for the directories of `migrations/` (`2026-11-27-000001_x` →
/// `20261127000001`).
fn migration_versions() -> Vec<String> {
    let mut versions: Vec<String> = std::fs::read_dir("migrations")
        .expect("migrations/")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            name.split('_').next().unwrap_or_default().replace('-', "")
        })
        .collect();
    versions.sort();
    versions
}

fn token(db_url: &str, role: &str, court: Option<&str>) -> String {
    let vars = HashMap::from([
        ("DATABASE_URL".to_string(), db_url.to_string()),
        ("SHIXIN_JWT_SECRET".to_string(), TEST_SECRET.to_string()),
    ]);
    let settings = Settings::from_map(&vars).expect("settings");
    let request = MintRequest {
        sub: format!("test-{role}"),
        role: role.into(),
        court: court.map(str::to_string),
        sector: None,
        subscriber_id: None,
        ttl_secs: 3600,
    };
    mint(&settings, &request).expect("mint")
}

#[tokio::test]
async fn three_processes_starting_together_on_a_new_database_migrate_once_and_serve() {
    let db = Database::create().await;
    // Started at the same moment, each one racing the others to migrate the empty database.
    let mut serves: Vec<Serve> = (0..3).map(|_| Serve::start(&db.url, &[])).collect();
    let ports: Vec<u16> = serves.iter_mut().map(Serve::port).collect();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let base: Vec<String> = ports
        .iter()
        .map(|p| format!("http://127.0.0.1:{p}"))
        .collect();
    for b in &base {
        let r = client.get(format!("{b}/readyz")).send().await.unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    }

    let mut conn = AsyncPgConnection::establish(&db.url).await.unwrap();
    let recorded: Vec<Version> =
        sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version")
            .load(&mut conn)
            .await
            .unwrap();
    let recorded: Vec<String> = recorded.into_iter().map(|v| v.version).collect();
    assert_eq!(
        recorded,
        migration_versions(),
        "each migration exactly once"
    );
    drop(conn);

    // A change through each instance, read through the others: the admin adds a court on the
    // first, then its child court on the second; that court lists a debtor on the third.
    let admin = token(&db.url, "admin", None);
    let courts = [
        json!({"code": "京01", "name": "北京市第一中级人民法院", "province": "北京市", "level": "intermediate", "parent_code": "京"}),
        json!({"code": "京0105", "name": "北京市朝阳区人民法院", "province": "北京市", "level": "basic", "parent_code": "京01"}),
    ];
    for (b, court) in base.iter().zip(&courts) {
        let r = client.post(format!("{b}/v1/courts")).bearer_auth(&admin);
        let (s, v) = json(r.json(court).send().await.unwrap()).await;
        assert_eq!(s, 201, "{v}");
    }
    let court = token(&db.url, "court", Some("京0105"));
    let body = person_listing(&make_id("110105", "19800101", 101), 1);
    let r = client
        .post(format!("{}/v1/listings", base[2]))
        .bearer_auth(&court);
    let (s, v) = json(r.json(&body).send().await.unwrap()).await;
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    let name = crate::public_helpers::q("张三");
    for b in &base {
        let r = client.get(format!("{b}/v1/courts/京0105")).send().await;
        assert_eq!(r.unwrap().status(), 200);
        let r = client.get(format!("{b}/v1/public/listings?name={name}"));
        let (s, v) = json(r.send().await.unwrap()).await;
        crate::public_helpers::scan(&v.to_string());
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["items"].as_array().map(Vec::len), Some(1), "{v}");
        assert_eq!(v["items"][0]["id"], id.as_str());
    }

    for s in &mut serves {
        let status = s.stop();
        assert!(
            status.is_some_and(|s| s.success()),
            "exit after SIGTERM: {status:?}"
        );
    }
}
