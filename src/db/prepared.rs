//! Connections of our own for the hot read paths (the passenger checks, the public search): plain
//! tokio-postgres clients with their statements prepared once, using generic plans, and shared by
//! concurrent requests (a client pipelines the queries sent to it). A closed connection is replaced
//! on its next use.

use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use tokio::sync::RwLock;
use tokio_postgres::Client;

use super::DbError;

/// The statements a connection prepares when it opens.
pub trait Statements: Sized + Send + Sync + 'static {
    fn prepare(client: &Client)
    -> impl Future<Output = Result<Self, tokio_postgres::Error>> + Send;
}

/// One connection with its statements.
pub struct Prepared<S> {
    pub client: Client,
    pub statements: S,
}

/// A few connections, used in turn.
pub struct Connections<S> {
    url: String,
    slots: Vec<RwLock<Option<Arc<Prepared<S>>>>>,
    next: AtomicUsize,
}

/// A PostgreSQL error of a prepared connection (`DbError::is_unavailable` when it is closed).
pub fn pg_error(e: tokio_postgres::Error) -> DbError {
    DbError::Postgres(e)
}

async fn connect<S: Statements>(url: &str) -> Result<Prepared<S>, tokio_postgres::Error> {
    let (client, _driver) = super::connect::open(url, |e| {
        tracing::debug!(error_kind = ?e.code(), "a prepared connection closed");
    })
    .await?;
    // The statements are written so that the generic plan is the good one; planning each call
    // would cost as much as running it.
    client
        .batch_execute("SET plan_cache_mode = force_generic_plan")
        .await?;
    let statements = S::prepare(&client).await?;
    Ok(Prepared { client, statements })
}

impl<S: Statements> Connections<S> {
    pub fn new(url: &str, connections: usize) -> Self {
        Self {
            url: url.to_string(),
            slots: (0..connections.max(1)).map(|_| RwLock::new(None)).collect(),
            next: AtomicUsize::new(0),
        }
    }

    /// The next connection in turn, opened (and its statements prepared) when it is not open.
    pub async fn get(&self) -> Result<Arc<Prepared<S>>, DbError> {
        let slot = &self.slots[self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len()];
        if let Some(p) = slot.read().await.as_ref().filter(|p| !p.client.is_closed()) {
            return Ok(p.clone());
        }
        let mut w = slot.write().await;
        if let Some(p) = w.as_ref().filter(|p| !p.client.is_closed()) {
            return Ok(p.clone());
        }
        let p = Arc::new(connect(&self.url).await.map_err(pg_error)?);
        *w = Some(p.clone());
        Ok(p)
    }
}
