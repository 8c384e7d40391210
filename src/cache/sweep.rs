//! The invalidations left behind: a change records the public names it affects in
//! `cache_invalidations` inside its transaction and deletes the row once it has replaced their
//! generations. A row older than [`LEFT_BEHIND`] belongs to a change whose request was cut off
//! between the commit and the invalidation (a shutdown deadline, `kill -9`); every instance with a
//! cache looks for such rows every [`PERIOD`] and invalidates their names, so a stale answer lives at
//! most about `LEFT_BEHIND + PERIOD` after such a commit (and never after one that answered).

use std::time::Duration;

use actix_web::web::Data;

use crate::{app::AppState, db::models::cache_invalidation};

/// How old an owed invalidation must be to count as left behind (a request settles its own within
/// milliseconds of its commit).
pub const LEFT_BEHIND: Duration = Duration::from_secs(2);
/// How often each instance looks.
pub const PERIOD: Duration = Duration::from_secs(1);

/// Sweeps until the process stops.
pub async fn run_forever(state: Data<AppState>) {
    let mut timer = tokio::time::interval(PERIOD);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            () = state.tasks.stopping() => return,
            _ = timer.tick() => {}
        }
        if let Err(e) = once(&state).await {
            tracing::warn!(error = %e, "the cache sweep failed; retrying");
        }
    }
}

/// Invalidates the names of every invalidation left behind; answers how many names.
pub async fn once(state: &AppState) -> Result<usize, crate::db::DbError> {
    let mut conn = state.db.get().await?;
    let ms = i64::try_from(LEFT_BEHIND.as_millis()).unwrap_or(i64::MAX);
    let names = cache_invalidation::take_left_behind(&mut conn, ms).await?;
    if !names.is_empty() {
        tracing::warn!(
            names = names.len(),
            "invalidating the public answers of changes cut off after their commit"
        );
        state.cache.invalidate(&names).await;
    }
    Ok(names.len())
}
