//! The life of a listing (docs/LAW.md L1–L17): created, corrected, extended, removed or revoked by
//! a court; published and expired by the tick; with the events and orders that follow (R1). Used by
//! the routes, the tick and bulk imports alike. Each change runs inside the caller's one
//! transaction (`crate::write::run_write` for the API) and writes its audit row there.

pub mod correct;
pub mod create;
pub mod decision;
pub mod end;
pub mod parties;
pub mod recipient;
pub mod validate;
pub mod view;
pub mod wire;

use diesel_async::AsyncPgConnection;
use serde_json::Value;
use uuid::Uuid;

pub use correct::correct;
pub use create::create;
pub use end::{RemovalRequest, expire_due, extend, publish_due, remove};

use crate::domain::ErrorCode;
use crate::{
    audit::{Actor, Change},
    auth::scope::changeable,
    db::models::listing::Listing,
    domain::{listing_rules::RemovalReason, restriction::LiftReason},
    error::ApiError,
};
use view::{event_data, out_json};

/// A listing as a change left it, its court's view (`ListingOut` as JSON: the audit row's `after`
/// and the answer), and the folded names (I4) whose public answers changed with it (their cache
/// entries are invalidated after the commit).
#[derive(Debug)]
pub struct Changed {
    pub listing: Listing,
    pub json: Value,
    pub names: Vec<String>,
}

impl Changed {
    fn and_name(mut self, name: String) -> Self {
        self.names.push(name);
        self
    }
}

/// The audit row of a change of listing `after`: the listing as it was (`before`, the court's view)
/// and as it is now; answers the change.
async fn record(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    action: &str,
    before: Option<&Value>,
    after: Listing,
) -> Result<Changed, ApiError> {
    let json = out_json(&after)?;
    Change::new(action, "listing", after.row.id)
        .before(before)
        .after(&json)
        .append(conn, actor)
        .await?;
    let names = vec![after.row.name_folded.clone()];
    Ok(Changed {
        listing: after,
        json,
        names,
    })
}

/// A `listing.*` event carrying the listing's public state (and the reason it ended), seen also by
/// the notice recipient the listing names; a publication or removal owes its Art. 8 notices (L15).
async fn announce(
    conn: &mut AsyncPgConnection,
    event_type: &str,
    listing: &Listing,
    reason: Option<RemovalReason>,
) -> Result<Uuid, ApiError> {
    let data = serde_json::to_value(event_data(listing, reason))?;
    let audience = listing.row.notice_subscriber_id();
    let keys = [listing.row.debtor_key.clone()];
    let id = crate::events::append_for(
        conn,
        event_type,
        listing.row.id,
        &[],
        data,
        audience,
        Some(&keys),
    )
    .await?;
    if event_type != crate::events::LISTING_UPDATED {
        crate::db::models::notice::record_for_event(conn, id).await?;
    }
    Ok(id)
}

/// Locks a listing for a change by `principal` who read `expected`: 404, 403 `court_not_in_scope`,
/// 412 `version_mismatch`; with `open_only`, 409 `listing_not_active` once it has ended.
pub async fn lock_for_change(
    conn: &mut diesel_async::AsyncPgConnection,
    principal: &crate::auth::Principal,
    id: Uuid,
    expected: i32,
    open_only: bool,
) -> Result<crate::db::models::listing::ListingRow, ApiError> {
    let row = Listing::lock(conn, id).await?;
    let row = changeable(conn, principal, row, Some(expected), || {
        format!("no listing {id}")
    })
    .await?;
    if open_only && !row.status.is_open() {
        return Err(ApiError::conflict(
            ErrorCode::ListingNotActive,
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
    announce(conn, crate::events::LISTING_PUBLISHED, &listing, None).await?;
    crate::orders::impose_for_listing(conn, actor, &listing).await?;
    Ok(())
}

/// A listing ended (L3, L5, L6, L7): `listing.removed`, and its order lifted (`listing_ended`)
/// unless the court keeps it (R1). `listing` is the listing as it ended.
pub async fn end_published(
    conn: &mut diesel_async::AsyncPgConnection,
    actor: &crate::audit::Actor,
    listing: &Listing,
    reason: RemovalReason,
    keep_restriction: bool,
) -> Result<(), ApiError> {
    announce(conn, crate::events::LISTING_REMOVED, listing, Some(reason)).await?;
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

/// 422 `applicant_not_listed_party` unless the applicant (`id_number` or `credit_code`,
/// normalised) is the listing's debtor or, for an organisation, its legal representative: only
/// the listed party applies for correction (L13) or credit repair (L16).
pub fn check_applicant(
    listing: &crate::db::models::listing::ListingRow,
    id_number: Option<&str>,
    credit_code: Option<&str>,
) -> Result<(), ApiError> {
    use crate::domain::applicant::{Party, check_listed_party};
    let debtor = Party {
        id_number: listing.id_number.as_deref(),
        credit_code: listing.credit_code.as_deref(),
    };
    let representative = listing.debtor["legal_representative"]["id_number"].as_str();
    let applicant = Party {
        id_number,
        credit_code,
    };
    check_listed_party(debtor, representative, applicant)
        .map_err(|e| ApiError::domain("applicant", e))
}
