//! What a court does to an order it issued (R4, R5): lift it, take one R3 person off it, grant or
//! revoke a release. Each runs inside the caller's transaction after the order is locked, its court
//! scope checked and, for a lifting, the version read (`If-Match`).

use diesel_async::AsyncPgConnection;
use serde_json::Value;
use uuid::Uuid;

use super::release::{self, NewRelease};
use crate::{
    audit::Actor,
    auth::{Principal, scope::changeable},
    db::models::{
        listing::Listing,
        restriction::{ReleaseRow, RestrictionRow},
    },
    domain::{
        ErrorCode, listing_rules::ListingStatus, restriction::LiftReason, status::ReleaseStatus,
    },
    error::ApiError,
};

/// Locks an order for a change by `principal`: 404, 403 `court_not_in_scope`, 412 when `expected`
/// is stale, 409 `restriction_not_active` once lifted.
pub async fn lock_active(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    id: Uuid,
    expected: Option<i32>,
) -> Result<RestrictionRow, ApiError> {
    let row = RestrictionRow::lock(conn, id).await?;
    let row = changeable(conn, principal, row, expected, || {
        format!("no restriction order {id}")
    })
    .await?;
    if !row.status.is_active() {
        return Err(ApiError::conflict(
            ErrorCode::RestrictionNotActive,
            "the order has been lifted",
        ));
    }
    Ok(row)
}

/// What a court lifts: the whole order (R5), or one R3 person (`subject_removed`).
#[derive(Debug, Clone)]
pub enum Lifting {
    Order {
        reason: LiftReason,
        note: Option<String>,
    },
    Subject {
        key: String,
    },
}

/// Lifts order `id` read at version `expected`; answers the order as it is now. An order that a
/// published listing carries ends with that listing (R1): 409 `listing_still_active`.
pub async fn lift(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    actor: &Actor,
    id: Uuid,
    expected: i32,
    lifting: &Lifting,
) -> Result<Value, ApiError> {
    let row = lock_active(conn, principal, id, Some(expected)).await?;
    let (reason, note) = match lifting {
        Lifting::Subject { key } => return super::remove_subject(conn, actor, &row, key).await,
        Lifting::Order { reason, note } => (reason, note),
    };
    if let Some(listing_id) = row.listing_id
        && let Some(l) = Listing::find(conn, listing_id).await?
        && l.row.status == ListingStatus::Active
    {
        return Err(ApiError::conflict(
            ErrorCode::ListingStillActive,
            "this order is carried by a published listing: it ends when the listing is removed (R1)",
        ));
    }
    super::lift(conn, actor, id, *reason, note.as_deref())
        .await?
        .ok_or_else(|| {
            ApiError::conflict(ErrorCode::RestrictionNotActive, "the order has been lifted")
        })
}

/// R4: grants `new` on order `id`; answers the release.
pub async fn grant_release(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    actor: &Actor,
    id: Uuid,
    new: NewRelease,
) -> Result<Value, ApiError> {
    let order = lock_active(conn, principal, id, None).await?;
    release::grant(conn, actor, &order, new).await
}

/// R4: revokes release `release_id` of order `id`: 404 unless it is one of the order's, 409
/// `release_not_active` once it has ended.
pub async fn revoke_release(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    actor: &Actor,
    id: Uuid,
    release_id: Uuid,
) -> Result<(), ApiError> {
    let order = lock_active(conn, principal, id, None).await?;
    let row = ReleaseRow::lock(conn, release_id).await?;
    if row.as_ref().is_none_or(|r| r.restriction_id != order.id) {
        return Err(ApiError::not_found("no such release on this order"));
    }
    release::end(conn, actor, release_id, ReleaseStatus::Revoked)
        .await?
        .ok_or_else(|| {
            ApiError::conflict(ErrorCode::ReleaseNotActive, "the release has already ended")
        })?;
    Ok(())
}
