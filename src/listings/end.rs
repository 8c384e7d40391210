//! The changes of a listing's term and end: an extension (L2), a removal or revocation by the court
//! (L3, L5, L7), and the tick's own: publication when the grace period ends (L11) and expiry when
//! the term runs out (L6). Each runs inside the caller's transaction with its audit row.

use chrono::{NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::{
    Changed, announce, end_published, lock_for_change, publish, record, reload, wire::Removal,
};
use crate::{
    audit::Actor,
    auth::Principal,
    db::models::listing::Listing,
    domain::{
        calendar,
        grounds::{Ground, Grounds},
        listing_rules::{self, ListingStatus, RemovalReason},
        today_cst,
    },
    error::ApiError,
    events,
};

/// What a court asks when it ends a listing.
#[derive(Debug, Clone)]
pub struct RemovalRequest {
    pub reason: RemovalReason,
    pub note: Option<String>,
    pub event_on: Option<NaiveDate>,
    pub keep_restriction: bool,
}

/// The stored grounds as a set (a stored listing always has valid ones: 500 otherwise).
fn grounds_of(grounds: &[Ground]) -> Result<Grounds, ApiError> {
    Grounds::new(grounds.iter().copied()).map_err(|e| ApiError::internal(e.into()))
}

/// L2: extends a fixed-term listing by `years`, at most 3 in total, only on an aggravating ground.
pub async fn extend(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    actor: &Actor,
    id: Uuid,
    expected: i32,
    years: u32,
) -> Result<Changed, ApiError> {
    let row = lock_for_change(conn, principal, id, expected, true).await?;
    let grounds = grounds_of(&row.grounds)?;
    let current = u32::try_from(row.extension_years).unwrap_or(0);
    let total = listing_rules::check_extension(&grounds, current, years)
        .map_err(|e| ApiError::domain("years", e))?;
    let expires_on = listing_rules::expires_on(row.decided_on, &grounds, total);
    let before = super::view::out_json(&reload(conn, id).await?)?;
    let total = i32::try_from(total).unwrap_or(0);
    Listing::set_extension(conn, id, total, expires_on, row.version + 1, Utc::now()).await?;
    let after = reload(conn, id).await?;
    let changed = record(conn, actor, "listing.extend", Some(&before), after).await?;
    if row.status == ListingStatus::Active {
        announce(conn, events::LISTING_UPDATED, &changed.listing, None).await?;
    }
    Ok(changed)
}

/// L3, L5, L7: the court removes or revokes the listing; a published one tells its subscribers
/// and lifts its order unless the court keeps it (R1).
pub async fn remove(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    actor: &Actor,
    id: Uuid,
    expected: i32,
    asked: &RemovalRequest,
) -> Result<Changed, ApiError> {
    let row = lock_for_change(conn, principal, id, expected, true).await?;
    let reason = asked.reason;
    reason
        .check_applicable(grounds_of(&row.grounds)?.has_fixed_term())
        .map_err(|e| ApiError::domain("reason", e))?;
    if let Some(on) = asked.event_on {
        calendar::check_event_on(on, row.decided_on, today_cst())
            .map_err(|e| ApiError::domain("event_on", e))?;
    }
    let before = super::view::out_json(&reload(conn, id).await?)?;
    let now = Utc::now();
    let removal = Removal {
        reason: reason.code().to_string(),
        note: asked.note.clone(),
        removed_at: now,
        event_on: asked.event_on,
        keep_restriction: asked.keep_restriction,
    };
    let (status, action) = if reason.is_revocation() {
        (ListingStatus::Revoked, "listing.revoke")
    } else {
        (ListingStatus::Removed, "listing.remove")
    };
    let removal = serde_json::to_value(&removal)?;
    Listing::set_ended(conn, id, status, removal, row.version + 1, now).await?;
    let after = reload(conn, id).await?;
    let changed = record(conn, actor, action, Some(&before), after).await?;
    if row.status == ListingStatus::Active {
        end_published(
            conn,
            actor,
            &changed.listing,
            reason,
            asked.keep_restriction,
        )
        .await?;
    }
    Ok(changed)
}

/// L11: the grace period has ended without removal: publish. `Some` when this call did it (the row
/// is locked and its due condition checked again, so two ticks at once never double an event).
pub async fn publish_due(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<Option<Changed>, ApiError> {
    let Some(row) = Listing::lock(conn, id).await? else {
        return Ok(None);
    };
    if row.status != ListingStatus::Pending || row.grace_until.is_none_or(|g| g > today_cst()) {
        return Ok(None);
    }
    let actor = Actor::system();
    let before = super::view::out_json(&reload(conn, id).await?)?;
    Listing::set_published(conn, id, row.version + 1, Utc::now()).await?;
    publish(conn, &actor, id).await?;
    let after = reload(conn, id).await?;
    Ok(Some(
        record(conn, &actor, "listing.publish", Some(&before), after).await?,
    ))
}

/// L2, L6: the term has run out: `expired`, reason `term_expired`, its order lifted.
pub async fn expire_due(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<Option<Changed>, ApiError> {
    let Some(row) = Listing::lock(conn, id).await? else {
        return Ok(None);
    };
    if row.status != ListingStatus::Active || row.expires_on.is_none_or(|e| e > today_cst()) {
        return Ok(None);
    }
    let actor = Actor::system();
    let before = super::view::out_json(&reload(conn, id).await?)?;
    let reason = RemovalReason::TermExpired;
    let removal = Removal {
        reason: reason.code().to_string(),
        note: None,
        removed_at: Utc::now(),
        // L6: the event is the end of the term.
        event_on: row.expires_on,
        keep_restriction: false,
    };
    let removal = serde_json::to_value(&removal)?;
    Listing::set_ended(
        conn,
        id,
        ListingStatus::Expired,
        removal,
        row.version + 1,
        Utc::now(),
    )
    .await?;
    let after = reload(conn, id).await?;
    let changed = record(conn, &actor, "listing.expire", Some(&before), after).await?;
    end_published(conn, &actor, &changed.listing, reason, false).await?;
    Ok(Some(changed))
}
