//! Restriction orders (API.md "Restriction orders"): one file per action.

pub mod create;
pub mod lifting;
pub mod list;
pub mod releases;
pub mod wire;

use crate::domain::ErrorCode;
use uuid::Uuid;

use crate::{
    auth::{Principal, scope::ensure_court_scope},
    db::models::restriction::RestrictionRow,
    error::ApiError,
    write::check_version,
};

pub fn parse_id(s: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(s).map_err(|_| ApiError::not_found("no such restriction order: ids are UUIDs"))
}

/// Locks an order for a change by `principal`: 404, 403 `court_not_in_scope`, 412 when `expected`
/// is stale, 409 `restriction_not_active` once lifted.
pub async fn lock_active(
    conn: &mut diesel_async::AsyncPgConnection,
    principal: &Principal,
    id: Uuid,
    expected: Option<i32>,
) -> Result<RestrictionRow, ApiError> {
    let row = RestrictionRow::lock(conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no restriction order {id}")))?;
    ensure_court_scope(conn, principal, &row.court_code).await?;
    if let Some(v) = expected {
        check_version(v, row.version)?;
    }
    if !row.status.is_active() {
        return Err(ApiError::conflict(
            ErrorCode::RestrictionNotActive,
            "the order has been lifted",
        ));
    }
    Ok(row)
}
