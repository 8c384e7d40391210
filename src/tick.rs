//! Time-driven changes (L2, L6, L11, R4): pending listings published when their grace period ends,
//! fixed-term listings expired on `expires_on`, releases ended after their window. Run by a loop in
//! `serve` and by `shixin tick`. Each change is its own transaction with its audit row and events;
//! the row is locked and its due condition checked again, so two ticks at once never double an event.

use chrono::Utc;
use diesel::{ExpressionMethods, QueryDsl};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::{
    app::AppState,
    audit::{self, Actor},
    db::{in_transaction, models::listing::Listing, schema::listings},
    domain::{
        listing_rules::{ListingStatus, RemovalReason},
        status::ReleaseStatus,
        today_cst,
    },
    error::ApiError,
    listings::{end_published, publish, reload, view::out_json, wire::Removal},
    orders::release,
};

const BATCH: i64 = 500;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    pub published: usize,
    pub expired: usize,
    pub releases_ended: usize,
    pub check_log_pruned: usize,
    pub deliveries_pruned: usize,
}

async fn due_pending(conn: &mut AsyncPgConnection) -> Result<Vec<Uuid>, ApiError> {
    Ok(listings::table
        .filter(listings::status.eq(ListingStatus::Pending))
        .filter(listings::grace_until.le(today_cst()))
        .select(listings::id)
        .order(listings::grace_until.asc())
        .limit(BATCH)
        .load(conn)
        .await?)
}

async fn due_expiry(conn: &mut AsyncPgConnection) -> Result<Vec<Uuid>, ApiError> {
    Ok(listings::table
        .filter(listings::status.eq(ListingStatus::Active))
        .filter(listings::expires_on.le(today_cst()))
        .select(listings::id)
        .order(listings::expires_on.asc())
        .limit(BATCH)
        .load(conn)
        .await?)
}

/// L11: the grace period has ended without removal: publish. `Some(name)` when this tick did it.
async fn publish_one(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<String>, ApiError> {
    let Some(row) = Listing::lock(conn, id).await? else {
        return Ok(None);
    };
    if row.status != ListingStatus::Pending || row.grace_until.is_none_or(|g| g > today_cst()) {
        return Ok(None);
    }
    let actor = Actor::system();
    let before = out_json(&reload(conn, id).await?)?;
    diesel::update(listings::table.filter(listings::id.eq(id)))
        .set((
            listings::status.eq(ListingStatus::Active),
            listings::published_at.eq(Some(Utc::now())),
            listings::version.eq(row.version + 1),
            listings::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await?;
    publish(conn, &actor, id).await?;
    let after = out_json(&reload(conn, id).await?)?;
    audit::append(
        conn,
        &actor,
        "listing.publish",
        "listing",
        &id.to_string(),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(Some(row.name_folded))
}

/// L2, L6: the term has run out: `expired`, reason `term_expired`, its order lifted.
async fn expire_one(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<String>, ApiError> {
    let Some(row) = Listing::lock(conn, id).await? else {
        return Ok(None);
    };
    if row.status != ListingStatus::Active || row.expires_on.is_none_or(|e| e > today_cst()) {
        return Ok(None);
    }
    let actor = Actor::system();
    let before = out_json(&reload(conn, id).await?)?;
    let removal = Removal {
        reason: RemovalReason::TermExpired.code().into(),
        note: None,
        removed_at: Utc::now(),
        // L6: the event is the end of the term.
        event_on: row.expires_on,
        keep_restriction: false,
    };
    diesel::update(listings::table.filter(listings::id.eq(id)))
        .set((
            listings::status.eq(ListingStatus::Expired),
            listings::removal.eq(serde_json::to_value(&removal)?),
            listings::version.eq(row.version + 1),
            listings::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await?;
    let after = out_json(&reload(conn, id).await?)?;
    audit::append(
        conn,
        &actor,
        "listing.expire",
        "listing",
        &id.to_string(),
        Some(&before),
        Some(&after),
    )
    .await?;
    end_published(conn, &actor, id, RemovalReason::TermExpired.code(), false).await?;
    Ok(Some(row.name_folded))
}

/// Runs every due change now.
pub async fn run(state: &AppState) -> Result<TickReport, ApiError> {
    let mut report = TickReport::default();
    let mut conn = state.db.get().await?;
    for id in due_pending(&mut conn).await? {
        if state.tasks.is_stopping() {
            return Ok(report);
        }
        let done = in_transaction(&mut conn, move |c| Box::pin(publish_one(c, id))).await?;
        if let Some(name) = done {
            crate::cache::after_commit(state, &[name]).await;
            report.published += 1;
        }
    }
    for id in due_expiry(&mut conn).await? {
        if state.tasks.is_stopping() {
            return Ok(report);
        }
        let done = in_transaction(&mut conn, move |c| Box::pin(expire_one(c, id))).await?;
        if let Some(name) = done {
            crate::cache::after_commit(state, &[name]).await;
            report.expired += 1;
        }
    }
    for id in release::due(&mut conn, Utc::now(), BATCH).await? {
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
    let retention = chrono::Duration::from_std(state.settings.check_log_retention)
        .unwrap_or_else(|_| chrono::Duration::days(180));
    report.check_log_pruned = crate::checklog::prune(&state.db, Utc::now() - retention).await?;
    let kept = chrono::Duration::from_std(state.settings.webhook_retention)
        .unwrap_or(chrono::Duration::days(30));
    report.deliveries_pruned =
        crate::worker::queue::prune_delivered(&mut *state.db.get().await?, Utc::now() - kept)
            .await?;
    Ok(report)
}

/// The loop inside `serve`: a tick at start, then one per `interval`.
/// Ends when the process stops (`crate::tasks`), between two changes: each is its own transaction.
pub async fn run_forever(state: actix_web::web::Data<AppState>, interval: std::time::Duration) {
    let mut timer = tokio::time::interval(interval);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = timer.tick() => {}
            () = state.tasks.stopping() => return,
        }
        match run(&state).await {
            Ok(r) if r != TickReport::default() => tracing::info!(
                published = r.published,
                expired = r.expired,
                releases_ended = r.releases_ended,
                "tick"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = ?e, "tick failed; retrying at the next interval"),
        }
    }
}
