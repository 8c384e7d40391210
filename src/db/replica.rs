//! The read replica (`DATABASE_READ_URL`): public searches, checks, the feed and the snapshot read
//! there while it is a **synchronous standby that applies each commit before the commit returns**,
//! and from the primary otherwise, so that a change is visible to the very next read (and no stale
//! answer reaches the cache, `crate::cache`).
//!
//! [`ReplicaHealth`] holds what the probe (`db::replica_probe`, every [`PROBE_EVERY`]) last found:
//! `up` (reads go to the replica), `down` (it does not answer) or `not_synchronous` (it answers but
//! the primary does not wait for it to apply commits: an asynchronous standby, `synchronous_commit`
//! other than `remote_apply`, or a standby of another cluster). A read that finds the replica
//! unreachable (connection refused or closed, SQLSTATE class 08 or 57P, a pool timeout) marks it
//! `down` at once and runs again on the primary, so no request fails for it; the probe brings reads
//! back once the replica answers and is synchronous again. A read the standby cancels for a conflict
//! with recovery (40001) also runs again on the primary.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU8, AtomicU64, Ordering},
    },
    time::Duration,
};

use diesel_async::AsyncPgConnection;

use super::{DbConn, DbError, DbPool};

/// How often the probe asks the replica and the primary.
pub const PROBE_EVERY: Duration = Duration::from_millis(250);

/// What `/readyz` says of the replica.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplicaStatus {
    /// No `DATABASE_READ_URL`: every read goes to the primary.
    None,
    Up,
    Down,
    NotSynchronous,
}

impl ReplicaStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplicaStatus::None => "none",
            ReplicaStatus::Up => "up",
            ReplicaStatus::Down => "down",
            ReplicaStatus::NotSynchronous => "not_synchronous",
        }
    }

    fn code(self) -> u8 {
        self as u8
    }

    fn of(code: u8) -> Self {
        match code {
            1 => ReplicaStatus::Up,
            3 => ReplicaStatus::NotSynchronous,
            _ => ReplicaStatus::Down,
        }
    }
}

/// The replica's state, shared by every read path; reads stay on the primary until the first
/// probe finds the replica synchronous.
pub struct ReplicaHealth {
    state: AtomicU8,
    /// Reads served by the replica and by the primary (`shixin_reads_total`).
    on_replica: AtomicU64,
    on_primary: AtomicU64,
}

impl Default for ReplicaHealth {
    fn default() -> Self {
        Self {
            state: AtomicU8::new(ReplicaStatus::Down.code()),
            on_replica: AtomicU64::new(0),
            on_primary: AtomicU64::new(0),
        }
    }
}

impl ReplicaHealth {
    pub fn status(&self) -> ReplicaStatus {
        ReplicaStatus::of(self.state.load(Ordering::Acquire))
    }

    /// Whether reads go to the replica now.
    pub fn usable(&self) -> bool {
        self.status() == ReplicaStatus::Up
    }

    pub(crate) fn set(&self, s: ReplicaStatus) {
        self.state.store(s.code(), Ordering::Release);
    }

    /// A read found the replica unreachable: reads go to the primary until the probe finds it again.
    pub fn failed(&self) {
        let up = ReplicaStatus::Up.code();
        if self
            .state
            .compare_exchange(
                up,
                ReplicaStatus::Down.code(),
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_ok()
        {
            tracing::warn!("a read found the replica unreachable; reads go to the primary");
        }
    }

    /// Counts a read served by the replica (`true`) or the primary.
    pub fn served(&self, replica: bool) {
        let n = if replica {
            &self.on_replica
        } else {
            &self.on_primary
        };
        n.fetch_add(1, Ordering::Relaxed);
    }

    /// Reads served so far by (the replica, the primary).
    pub fn counts(&self) -> (u64, u64) {
        (
            self.on_replica.load(Ordering::Relaxed),
            self.on_primary.load(Ordering::Relaxed),
        )
    }
}

/// Two of a read path's own connections (or anything else per server): the primary's, and the
/// replica's with its health when `DATABASE_READ_URL` is set.
#[derive(Clone)]
pub struct Routed<T> {
    pub primary: T,
    pub replica: Option<(T, Arc<ReplicaHealth>)>,
}

impl<T> Routed<T> {
    /// Where reads go now: the replica's (with its health) while it is up, else the primary's.
    pub fn pick(&self) -> (&T, Option<&ReplicaHealth>) {
        match &self.replica {
            Some((t, h)) if h.usable() => (t, Some(h)),
            _ => (&self.primary, None),
        }
    }

    /// Runs `read` where reads go now; when the replica turns out unreachable, marks it down and
    /// runs `read` again on the primary. Counts where it was served.
    pub async fn run<R, F>(&self, mut read: F) -> Result<R, DbError>
    where
        F: AsyncFnMut(&T) -> Result<R, DbError>,
    {
        if let (t, Some(h)) = self.pick() {
            match read(t).await {
                Ok(r) => {
                    h.served(true);
                    return Ok(r);
                }
                Err(e) if e.is_unavailable() => h.failed(),
                // A query the standby cancelled because it conflicted with the WAL it replays:
                // the primary answers it (the replica stays up).
                Err(e) if is_recovery_conflict(&e) => {}
                Err(e) => return Err(e),
            }
        }
        let r = read(&self.primary).await;
        if let Some((_, h)) = &self.replica {
            h.served(false);
        }
        r
    }

    pub fn status(&self) -> ReplicaStatus {
        self.replica
            .as_ref()
            .map_or(ReplicaStatus::None, |(_, h)| h.status())
    }
}

/// SQLSTATE 40001 on a standby, where a read-only query gets it only when recovery cancels it.
fn is_recovery_conflict(e: &DbError) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        DbError::Postgres(e) => {
            e.code() == Some(&tokio_postgres::error::SqlState::T_R_SERIALIZATION_FAILURE)
        }
        DbError::Query(Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _)) => true,
        _ => false,
    }
}

/// The diesel pools of the reads (`AppState::reads`).
pub type Reads = Routed<DbPool>;

impl Reads {
    /// The pool reads go to now (a read that may find the replica gone should use [`Reads::read`]).
    pub fn pool(&self) -> &DbPool {
        self.pick().0
    }

    /// Runs `read` on a connection of the pool reads go to now, falling back to the primary as
    /// [`Routed::run`] does; hands back the connection too (the snapshot streams on it).
    pub async fn read<R, F>(&self, mut read: F) -> Result<(DbConn, R), DbError>
    where
        F: AsyncFnMut(&mut AsyncPgConnection) -> Result<R, DbError>,
    {
        self.run(async |pool: &DbPool| {
            let mut conn = pool.get().await?;
            let r = read(&mut conn).await?;
            Ok((conn, r))
        })
        .await
    }
}
