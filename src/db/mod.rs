//! PostgreSQL: the pool, database creation, embedded migrations and the transaction helper.

pub mod bulk;
pub mod check_log;
pub mod checks;
pub mod claims;
pub mod connect;
pub mod deliveries;
pub mod embedded;
pub mod error;
pub mod models;
pub mod prepared;
pub mod public_reads;
pub mod replica;
pub mod replica_probe;
pub mod schema;
pub mod snapshot;
pub mod status;
pub mod subject_filter;

pub use error::DbError;

use std::time::Duration;

use anyhow::Context;
use diesel::{QueryableByName, sql_query, sql_types::Bool};
use diesel_async::{
    AsyncConnection, AsyncMigrationHarness, AsyncPgConnection, RunQueryDsl, TransactionManager,
    pooled_connection::{
        AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
        deadpool::{Object, Pool},
    },
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use futures_util::future::BoxFuture;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

pub type DbPool = Pool<AsyncPgConnection>;
pub type DbConn = Object<AsyncPgConnection>;

/// The pool. A connection handed out again is not pinged (`RecyclingMethod::Fast`: diesel-async's
/// default sends `SELECT 1` on every checkout, a second round trip per request); one whose socket
/// closed (a PostgreSQL restart) is still found broken and replaced at checkout, and a query on a
/// connection that died unnoticed fails with 503 `database_unavailable` and discards it.
pub fn build_pool(url: &str, max_size: usize) -> anyhow::Result<DbPool> {
    build_pool_waiting(url, max_size, Duration::from_secs(5))
}

/// A pool whose connection waits (for a free slot, to open one, to recycle one) end after `wait`:
/// the replica's is short, so that a replica that does not answer sends reads to the primary soon.
pub fn build_pool_waiting(url: &str, max_size: usize, wait: Duration) -> anyhow::Result<DbPool> {
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, config);
    Pool::builder(manager)
        .max_size(max_size)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(wait))
        .create_timeout(Some(wait))
        .recycle_timeout(Some(wait))
        .build()
        .context("building the database pool")
}

/// Splits `postgres://…/name?opts` into the URL of the `postgres` maintenance database and `name`.
fn maintenance_url(url: &str) -> anyhow::Result<(String, String)> {
    let mut parsed = url::Url::parse(url).context("DATABASE_URL is not a URL")?;
    let name = parsed.path().trim_start_matches('/').to_string();
    anyhow::ensure!(!name.is_empty(), "DATABASE_URL names no database");
    parsed.set_path("/postgres");
    Ok((parsed.to_string(), name))
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = Bool)]
    exists: bool,
}

/// Creates the database named by `url` when it does not exist yet.
pub async fn ensure_database(url: &str) -> anyhow::Result<()> {
    if AsyncPgConnection::establish(url).await.is_ok() {
        return Ok(());
    }
    let (admin_url, name) = maintenance_url(url)?;
    let mut conn = AsyncPgConnection::establish(&admin_url)
        .await
        .context("connecting to PostgreSQL to create the database")?;
    let found: Vec<Exists> =
        sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<diesel::sql_types::Text, _>(&name)
            .load(&mut conn)
            .await?;
    if !found.iter().any(|e| e.exists) {
        let quoted = name.replace('"', "\"\"");
        // A concurrent creator may win the race: that is fine.
        if let Err(e) = sql_query(format!("CREATE DATABASE \"{quoted}\""))
            .execute(&mut conn)
            .await
        {
            tracing::warn!(error = %e, "CREATE DATABASE failed; continuing if it exists now");
        }
    }
    Ok(())
}

/// Runs the embedded migrations on a dedicated connection.
pub async fn migrate(url: &str) -> anyhow::Result<usize> {
    ensure_database(url).await?;
    let url = url.to_string();
    tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
        // The harness uses `block_in_place`, which needs a multi-threaded runtime of its own.
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        rt.block_on(async {
            let mut conn = AsyncPgConnection::establish(&url).await?;
            // Instances starting together on a new database migrate one at a time; the lock is
            // released when this connection closes.
            sql_query("SELECT pg_advisory_lock(7324155001)")
                .execute(&mut conn)
                .await?;
            let mut harness = AsyncMigrationHarness::new(conn);
            let ran = harness
                .run_pending_migrations(MIGRATIONS)
                .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
            Ok(ran.len())
        })
    })
    .await?
}

type Tm = <AsyncPgConnection as AsyncConnection>::TransactionManager;

/// Opens a transaction on `conn`; end it with [`finish`].
pub async fn begin(conn: &mut AsyncPgConnection) -> Result<(), diesel::result::Error> {
    Tm::begin_transaction(conn).await
}

/// Ends the transaction [`begin`] opened: committed when `result` is `Ok`, rolled back otherwise.
pub async fn finish<T, E>(conn: &mut AsyncPgConnection, result: Result<T, E>) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    match result {
        Ok(v) => {
            Tm::commit_transaction(conn).await?;
            Ok(v)
        }
        Err(e) => {
            if let Err(rb) = Tm::rollback_transaction(conn).await {
                tracing::warn!(error = %rb, "rollback failed");
            }
            Err(e)
        }
    }
}

/// Ends a read-only transaction [`begin`] opened (nothing to keep).
pub async fn rollback(conn: &mut AsyncPgConnection) -> Result<(), diesel::result::Error> {
    Tm::rollback_transaction(conn).await
}

/// Runs `body` inside one transaction: committed when it returns `Ok`, rolled back otherwise.
/// (A change of the service also writes its audit rows there: `crate::write::in_transaction`.)
pub async fn transaction<T, E, F>(conn: &mut AsyncPgConnection, body: F) -> Result<T, E>
where
    E: From<diesel::result::Error>,
    F: for<'c> FnOnce(&'c mut AsyncPgConnection) -> BoxFuture<'c, Result<T, E>>,
{
    begin(conn).await?;
    let result = body(conn).await;
    finish(conn, result).await
}

/// Whether the database answers (`/readyz`).
pub async fn ping(conn: &mut AsyncPgConnection) -> Result<usize, diesel::result::Error> {
    sql_query("SELECT 1").execute(conn).await
}

/// Makes the open transaction one read-only repeatable-read snapshot (indicators, `/v1/snapshot`).
pub async fn read_only_snapshot(conn: &mut AsyncPgConnection) -> Result<(), diesel::result::Error> {
    diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(conn)
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    #[test]
    fn maintenance_url_points_at_postgres() {
        let (u, n) =
            super::maintenance_url("postgres://postgres@127.0.0.1:5432/shixin?sslmode=disable")
                .unwrap_or_default();
        assert_eq!(n, "shixin");
        assert!(u.starts_with("postgres://postgres@127.0.0.1:5432/postgres"));
    }
}
