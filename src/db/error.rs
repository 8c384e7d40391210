//! The database layer's error: a failed query, no connection from a pool, or a failed raw
//! PostgreSQL connection. Callers above `db/` decide what it means for them; the API answers 503
//! when the database is unreachable and 500 otherwise (`crate::error`), never quoting it.

use diesel::result::{DatabaseErrorKind, Error as QueryError};
use diesel_async::pooled_connection::deadpool::PoolError;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("the database query failed")]
    Query(#[from] QueryError),
    #[error("no database connection could be had")]
    Pool(#[from] PoolError),
    #[error("the PostgreSQL connection failed")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("a stored value could not be read")]
    Decode(#[from] serde_json::Error),
}

impl DbError {
    /// The database is unreachable (connection closed, server shutting down, pool exhausted): the
    /// request may succeed if retried shortly.
    pub fn is_unavailable(&self) -> bool {
        match self {
            DbError::Pool(_) => true,
            DbError::Postgres(e) => {
                e.is_closed()
                    || e.as_db_error()
                        .is_none_or(|d| is_unavailable_state(d.code()))
            }
            DbError::Query(e) => is_connection_error(e),
            DbError::Decode(_) => false,
        }
    }
}

/// The server refuses or ends connections: class 08 (connection exception) and 57P (operator
/// intervention: shutting down, crashed, starting up or in recovery, "cannot connect now"). Found by
/// tests/api/pg_fault_checks.rs: a prepared connection opened while the cluster was shutting down
/// got `FATAL: the database system is shutting down` (57P03) and the check answered 500.
fn is_unavailable_state(code: &tokio_postgres::error::SqlState) -> bool {
    let c = code.code();
    c.starts_with("08") || c.starts_with("57P")
}

/// Whether a diesel error means the connection is gone rather than the query wrong.
pub fn is_connection_error(e: &QueryError) -> bool {
    match e {
        QueryError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => true,
        // tokio-postgres reports a dropped socket as "error communicating with the server" or
        // "connection closed"; the server's own goodbye says "terminating connection …" (found by
        // the PostgreSQL crash test, tests/api/pg_fault.rs).
        QueryError::DatabaseError(_, info) => {
            let m = info.message();
            [
                "connection",
                "terminating",
                "communicating with the server",
                "shutting down",
            ]
            .iter()
            .any(|s| m.contains(s))
        }
        QueryError::BrokenTransactionManager => true,
        _ => false,
    }
}
