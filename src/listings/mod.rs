//! The life of a listing (DOMAIN L1–L17): locking it for a change, publishing it (L11, R1) and
//! ending it (L3, L5–L7), with the events and orders that follow. Used by the routes, the tick and
//! bulk imports alike; each caller runs it inside its one transaction with the audit row.

pub mod parties;
pub mod validate;
pub mod view;
pub mod wire;

use uuid::Uuid;

use crate::{db::models::listing::Listing, domain::restriction::LiftReason, error::ApiError};
use view::event_data;

/// Locks a listing for a change by `principal` who read `expected`: 404, 403 `court_not_in_scope`,
/// 412 `version_mismatch`; with `open_only`, 409 `listing_not_active` once it has ended.
pub async fn lock_for_change(
    conn: &mut diesel_async::AsyncPgConnection,
    principal: &crate::auth::Principal,
    id: Uuid,
    expected: i32,
    open_only: bool,
) -> Result<crate::db::models::listing::ListingRow, ApiError> {
    let row = Listing::lock(conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no listing {id}")))?;
    crate::auth::scope::ensure_court_scope(conn, principal, &row.court_code).await?;
    crate::write::check_version(expected, row.version)?;
    if open_only && !row.status.is_open() {
        return Err(ApiError::conflict(
            "listing_not_active",
            format!("the listing is already {}", row.status),
        ));
    }
    Ok(row)
}

/// Publishing (L11, R1): the public `listing.published` event and the order the listing carries.
pub async fn publish(
    conn: &mut diesel_async::AsyncPgConnection,
    actor: &crate::audit::Actor,
    id: Uuid,
) -> Result<(), ApiError> {
    let listing = reload(conn, id).await?;
    crate::events::append(
        conn,
        crate::events::LISTING_PUBLISHED,
        id,
        &[],
        event_data(&listing, None),
    )
    .await?;
    crate::orders::impose_for_listing(conn, actor, &listing).await?;
    Ok(())
}

/// A listing ended (L3, L5, L6, L7): `listing.removed`, and its order lifted (`listing_ended`)
/// unless the court keeps it (R1).
pub async fn end_published(
    conn: &mut diesel_async::AsyncPgConnection,
    actor: &crate::audit::Actor,
    id: Uuid,
    reason: &str,
    keep_restriction: bool,
) -> Result<(), ApiError> {
    let listing = reload(conn, id).await?;
    crate::events::append(
        conn,
        crate::events::LISTING_REMOVED,
        id,
        &[],
        event_data(&listing, Some(reason)),
    )
    .await?;
    if let (Some(order), false) = (listing.row.restriction_id, keep_restriction) {
        crate::orders::lift(conn, actor, order, LiftReason::ListingEnded, None).await?;
    }
    Ok(())
}

pub async fn reload(
    conn: &mut diesel_async::AsyncPgConnection,
    id: Uuid,
) -> Result<Listing, ApiError> {
    Listing::find(conn, id).await?.ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!("listing vanished inside its transaction"))
    })
}
