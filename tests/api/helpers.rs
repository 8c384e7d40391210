//! The test harness: the real application on port 0, a fresh database per test copied from a migrated
//! template, tokens the app accepts, and builders of valid bodies.

use std::collections::HashMap;

use diesel::{QueryableByName, sql_query, sql_types::Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use sha2::{Digest, Sha256};
use shixin::{
    auth::jwt::{MintRequest, mint},
    config::Settings,
    startup::Application,
};

pub use crate::{
    bodies::{make_id, order_body, org_listing, person_listing, today},
    helpers_subscribers::events,
};

/// Where test processes keep what they keep on disk (the development signing key).
pub const TEST_DATA_DIR: &str = "target/test-data";

pub const TEST_SECRET: &str = "test-secret-0123456789abcdef-0123456789";

pub fn base_url() -> String {
    std::env::var("SHIXIN_TEST_DATABASE_BASE")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    datname: String,
}

fn migrations_hash() -> String {
    let mut h = Sha256::new();
    let mut entries: Vec<_> = std::fs::read_dir("migrations")
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    for dir in entries {
        for f in ["up.sql", "down.sql"] {
            h.update(std::fs::read(dir.join(f)).unwrap_or_default());
        }
    }
    h.update(FIXTURE_SQL.as_bytes());
    hex::encode(h.finalize())[..12].to_string()
}

/// Courts below the high courts that the tests use (京01 → 京0105, 京0106; 粤03 → 粤0304).
const FIXTURE_SQL: &str = "INSERT INTO courts (code, name, province, level, parent_code) VALUES
    ('京01', '北京市第一中级人民法院', '北京市', 'intermediate', '京'),
    ('京0105', '北京市朝阳区人民法院', '北京市', 'basic', '京01'),
    ('京0106', '北京市丰台区人民法院', '北京市', 'basic', '京01'),
    ('粤03', '广东省深圳市中级人民法院', '广东省', 'intermediate', '粤'),
    ('粤0304', '深圳市福田区人民法院', '广东省', 'basic', '粤03')";

/// Creates (once, under an advisory lock shared by every test process) the migrated template database.
async fn template() -> String {
    let name = format!("shixin_tpl_{}", migrations_hash());
    let admin = format!("{}/postgres", base_url());
    let mut conn = AsyncPgConnection::establish(&admin)
        .await
        .expect("connect to postgres");
    sql_query("SELECT pg_advisory_lock(424242)")
        .execute(&mut conn)
        .await
        .expect("lock");
    let found: Vec<Name> = sql_query("SELECT datname FROM pg_database WHERE datname = $1")
        .bind::<Text, _>(&name)
        .load(&mut conn)
        .await
        .expect("query");
    if !found.iter().any(|n| n.datname == name) {
        let building = format!("{name}_building");
        sql_query(format!(
            "DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"
        ))
        .execute(&mut conn)
        .await
        .expect("drop");
        sql_query(format!("CREATE DATABASE \"{building}\""))
            .execute(&mut conn)
            .await
            .expect("create template");
        let url = format!("{}/{building}", base_url());
        shixin::db::migrate(&url).await.expect("migrate template");
        let mut t = AsyncPgConnection::establish(&url)
            .await
            .expect("connect template");
        sql_query(FIXTURE_SQL)
            .execute(&mut t)
            .await
            .expect("fixtures");
        drop(t);
        sql_query(format!(
            "ALTER DATABASE \"{building}\" RENAME TO \"{name}\""
        ))
        .execute(&mut conn)
        .await
        .expect("rename");
    }
    sql_query("SELECT pg_advisory_unlock(424242)")
        .execute(&mut conn)
        .await
        .expect("unlock");
    name
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub settings: Settings,
    pub db_name: String,
    pub db_url: String,
    /// The first instance drops the database when it goes.
    pub owns_db: bool,
    /// The clock of the instance's in-process time windows (`shixin::clock`): tests move it.
    pub clock: std::sync::Arc<shixin::clock::Clock>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if !self.owns_db {
            return;
        }
        let name = self.db_name.clone();
        // Dropped from a plain thread with its own runtime: the test's runtime is shutting down.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(rt) = rt {
                rt.block_on(async move {
                    if let Ok(mut c) =
                        AsyncPgConnection::establish(&format!("{}/postgres", base_url())).await
                    {
                        let _ =
                            sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                                .execute(&mut c)
                                .await;
                    }
                });
            }
        })
        .join();
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let db_name = fresh_database().await;
    let mut app = start(&db_name, extra).await;
    app.owns_db = true;
    app
}

/// A second instance of the service on the database of `other` (scale-out tests).
pub async fn spawn_instance(other: &TestApp, extra: &[(&str, &str)]) -> TestApp {
    start(&other.db_name, extra).await
}

async fn fresh_database() -> String {
    let tpl = template().await;
    let db_name = format!("shixin_test_{}", uuid::Uuid::new_v4().simple());
    let mut c = AsyncPgConnection::establish(&format!("{}/postgres", base_url()))
        .await
        .expect("connect");
    sql_query(format!("CREATE DATABASE \"{db_name}\" TEMPLATE \"{tpl}\""))
        .execute(&mut c)
        .await
        .expect("create test db");
    db_name
}

async fn start(db_name: &str, extra: &[(&str, &str)]) -> TestApp {
    start_at(&format!("{}/{db_name}", base_url()), db_name, extra).await
}

/// The application on the database at `db_url` (which may be on another server than the tests').
pub async fn start_at(db_url: &str, db_name: &str, extra: &[(&str, &str)]) -> TestApp {
    let db_url = db_url.to_string();
    let mut vars: HashMap<String, String> = HashMap::new();
    vars.insert("DATABASE_URL".into(), db_url.clone());
    vars.insert("SHIXIN_BIND".into(), "127.0.0.1:0".into());
    vars.insert("SHIXIN_JWT_SECRET".into(), TEST_SECRET.into());
    // The development certificate key, kept out of the working tree.
    vars.insert("SHIXIN_DATA_DIR".into(), TEST_DATA_DIR.into());
    // Tests run the tick themselves (`shixin::tick::run`) unless they ask for the loop.
    vars.insert("SHIXIN_TICK_INTERVAL".into(), "off".into());
    // No webhook delivery worker unless the test asks for one (`SHIXIN_WEBHOOK_CONCURRENCY`).
    vars.insert("SHIXIN_WEBHOOK_CONCURRENCY".into(), "0".into());
    vars.insert(
        "REDIS_URL".into(),
        std::env::var("SHIXIN_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into()),
    );
    for (k, v) in extra {
        vars.insert(k.to_string(), v.to_string());
    }
    let settings = Settings::from_map(&vars).expect("settings");
    let app = Application::build(settings.clone())
        .await
        .expect("build app");
    let port = app.port();
    let clock = app.clock();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        settings,
        db_name: db_name.to_string(),
        db_url,
        owns_db: false,
        clock,
    }
}

impl TestApp {
    pub fn token(&self, role: &str, court: Option<&str>) -> String {
        mint(
            &self.settings,
            &MintRequest {
                sub: format!("test-{role}-{}", court.unwrap_or("none")),
                role: role.into(),
                court: court.map(str::to_string),
                sector: None,
                subscriber_id: None,
                ttl_secs: 3600,
            },
        )
        .expect("mint")
    }
    pub fn court(&self, code: &str) -> String {
        self.token("court", Some(code))
    }
    pub fn supervisor(&self, code: &str) -> String {
        self.token("supervisor", Some(code))
    }
    pub fn admin(&self) -> String {
        self.token("admin", None)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut r = self.client.get(self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.expect("request")
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_if(
        &self,
        path: &str,
        token: &str,
        version: i64,
        body: &Value,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .header("If-Match", format!("\"{version}\""))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn patch(
        &self,
        path: &str,
        token: &str,
        version: i64,
        body: &Value,
    ) -> reqwest::Response {
        self.client
            .patch(self.url(path))
            .bearer_auth(token)
            .header("If-Match", format!("\"{version}\""))
            .header("Content-Type", "application/merge-patch+json")
            .body(body.to_string())
            .send()
            .await
            .expect("request")
    }

    /// Creates a listing as the court `京0105` and returns its body.
    pub async fn create_listing(&self, body: &Value) -> Value {
        let r = self.post("/v1/listings", &self.court("京0105"), body).await;
        let status = r.status();
        let v: Value = r.json().await.expect("json");
        assert_eq!(status, 201, "create failed: {v}");
        v
    }

    /// The value of a metric without labels in `/metrics` (0 when it was never recorded).
    pub async fn metric(&self, name: &str) -> u64 {
        let body = self.get("/metrics", None).await.text().await.unwrap();
        body.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
            .unwrap_or(0)
    }

    pub async fn db(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.db_url)
            .await
            .expect("connect test db")
    }
}

pub async fn json(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

impl TestApp {
    /// Runs the time-driven changes now, as `shixin tick` does.
    pub async fn tick(&self) -> shixin::tick::TickReport {
        let state = shixin::app::AppState::new(self.settings.clone())
            .await
            .expect("state");
        shixin::tick::run(&state).await.expect("tick")
    }

    pub async fn sql(&self, q: &str) {
        let mut conn = self.db().await;
        diesel_async::RunQueryDsl::execute(sql_query(q), &mut conn)
            .await
            .expect("sql");
    }

    /// The one text that `q` selects (as `t`).
    pub async fn scalar_text(&self, q: &str) -> String {
        #[derive(QueryableByName)]
        struct T {
            #[diesel(sql_type = diesel::sql_types::Text)]
            t: String,
        }
        let mut conn = self.db().await;
        let rows: Vec<T> = sql_query(q).load(&mut conn).await.expect("sql");
        rows.into_iter().next().expect("one row").t
    }

    /// The one whole number that `q` selects (as `n`, e.g. `SELECT count(*) AS n …`).
    pub async fn scalar(&self, q: &str) -> i64 {
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.db().await;
        let rows: Vec<N> = sql_query(q).load(&mut conn).await.expect("sql");
        rows[0].n
    }

    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        let (s, v) = json(self.get(path, Some(token)).await).await;
        assert_eq!(s, 200, "GET {path}: {v}");
        v
    }
}
