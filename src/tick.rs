//! Time-driven changes (L2, L6, L11, R4): pending listings published when their grace period ends,
//! fixed-term listings expired on `expires_on`, releases ended after their window, standalone
//! orders lifted after their period (R6). Run by a loop in
//! `serve` and by `shixin tick`. Each change is its own transaction with its audit row and events;
//! the row is locked and its due condition checked again, so two ticks at once never double an event.

use chrono::Utc;

use crate::{
    app::AppState,
    audit::Actor,
    db::{
        DbError,
        models::{
            listing::Listing,
            restriction::{ReleaseRow, RestrictionRow},
        },
    },
    domain::{status::ReleaseStatus, today_cst},
    error::ApiError,
    listings, orders,
    orders::release,
    write::in_transaction,
};

const BATCH: i64 = 500;

/// Why a tick stopped: the database failed it, or one change was refused or failed (its own
/// transaction rolled back; the changes before it stay, the rest wait for the next tick).
#[derive(Debug, thiserror::Error)]
pub enum TickError {
    #[error("the database failed the tick")]
    Db(#[from] DbError),
    #[error("a change failed")]
    Change(#[from] ApiError),
}

impl From<diesel::result::Error> for TickError {
    fn from(e: diesel::result::Error) -> Self {
        TickError::Db(e.into())
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for TickError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        TickError::Db(e.into())
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    pub published: usize,
    pub expired: usize,
    pub releases_ended: usize,
    /// R6: standalone orders lifted because their period ended.
    pub orders_period_ended: usize,
    pub check_log_pruned: usize,
    pub deliveries_pruned: usize,
}

/// Runs every due change now.
pub async fn run(state: &AppState) -> Result<TickReport, TickError> {
    let mut report = TickReport::default();
    let mut conn = state.db.get().await?;
    for id in Listing::due_for_publication(&mut conn, today_cst(), BATCH).await? {
        if state.tasks.is_stopping() {
            return Ok(report);
        }
        let cache = state.cache.clone();
        let (done, owed) = in_transaction(&mut conn, move |c| {
            Box::pin(async move {
                let changed = listings::publish_due(c, id).await?;
                let names = changed.as_ref().map_or(&[][..], |ch| ch.names.as_slice());
                let owed = crate::cache::owe(&cache, c, names).await?;
                Ok::<_, crate::error::ApiError>((changed, owed))
            })
        })
        .await?;
        if let Some(changed) = done {
            crate::cache::after_commit(&state.cache, &mut conn, &changed.names, owed).await;
            report.published += 1;
        }
    }
    for id in Listing::due_for_expiry(&mut conn, today_cst(), BATCH).await? {
        if state.tasks.is_stopping() {
            return Ok(report);
        }
        let cache = state.cache.clone();
        let (done, owed) = in_transaction(&mut conn, move |c| {
            Box::pin(async move {
                let changed = listings::expire_due(c, id).await?;
                let names = changed.as_ref().map_or(&[][..], |ch| ch.names.as_slice());
                let owed = crate::cache::owe(&cache, c, names).await?;
                Ok::<_, crate::error::ApiError>((changed, owed))
            })
        })
        .await?;
        if let Some(changed) = done {
            crate::cache::after_commit(&state.cache, &mut conn, &changed.names, owed).await;
            report.expired += 1;
        }
    }
    for id in ReleaseRow::due(&mut conn, Utc::now(), BATCH).await? {
        if state.tasks.is_stopping() {
            return Ok(report);
        }
        let ended = in_transaction(&mut conn, move |c| {
            Box::pin(
                async move { release::end(c, &Actor::system(), id, ReleaseStatus::Expired).await },
            )
        })
        .await?;
        if ended.is_some() {
            report.releases_ended += 1;
        }
    }
    let today = today_cst();
    for id in RestrictionRow::period_ended(&mut conn, today, BATCH).await? {
        if state.tasks.is_stopping() {
            return Ok(report);
        }
        let lifted = in_transaction(&mut conn, move |c| {
            Box::pin(orders::lift_period_ended(c, id, today))
        })
        .await?;
        if lifted.is_some() {
            report.orders_period_ended += 1;
        }
    }
    if state.tasks.is_stopping() {
        return Ok(report);
    }
    let retention = chrono::Duration::from_std(state.settings.check_log_retention)
        .unwrap_or_else(|_| chrono::Duration::days(180));
    report.check_log_pruned =
        crate::db::check_log::prune(&state.db, Utc::now() - retention).await?;
    let kept = chrono::Duration::from_std(state.settings.webhook_retention)
        .unwrap_or(chrono::Duration::days(30));
    report.deliveries_pruned =
        crate::db::deliveries::prune_delivered(&mut *state.db.get().await?, Utc::now() - kept)
            .await?;
    crate::db::models::indicators::compact_counts(&mut *state.db.get().await?).await?;
    Ok(report)
}

/// The loop inside `serve`: a tick at start, then one per `interval`.
/// Ends when the process stops (`crate::tasks`), between two changes: each is its own transaction.
pub async fn run_forever(state: actix_web::web::Data<AppState>, interval: std::time::Duration) {
    let mut timer = tokio::time::interval(interval);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            () = state.tasks.stopping() => return,
            _ = timer.tick() => {}
        }
        match run(&state).await {
            Ok(r) if r != TickReport::default() => tracing::info!(
                published = r.published,
                expired = r.expired,
                releases_ended = r.releases_ended,
                orders_period_ended = r.orders_period_ended,
                "tick"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = ?e, "tick failed; retrying at the next interval"),
        }
    }
}
