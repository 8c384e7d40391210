//! Credit repair (docs/LAW.md L16): a listed party who has performed, or corrected the conduct,
//! applies in writing to the enforcing court, which decides with no statutory deadline (the days
//! taken are shown). A grant deletes the listing early (L3, `early_deletion`) through
//! `crate::listings` in the same transaction, with its usual events and its order lifted unless the
//! court keeps it, and issues a signed certificate (`crate::certificates`). Each step runs inside
//! the caller's transaction (`crate::write::run_write`) with its audit row.

pub mod decide;
pub mod view;
pub mod wire;

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use serde_json::Value;
use uuid::Uuid;

pub use decide::decide;

use crate::{
    audit::{Actor, Change},
    auth::{Principal, scope::changeable},
    db::models::{
        credit_repair::{CreditRepairRow, NewCreditRepair, OPEN_CREDIT_REPAIR_INDEX},
        listing::Listing,
    },
    domain::{ErrorCode, applicant::check_received_on, today_cst},
    error::{ApiError, is_unique_violation},
};

/// What a court records of a written application (parsed by the route).
#[derive(Clone)]
pub struct Application {
    pub applicant_name: String,
    pub applicant_id_number: Option<String>,
    pub applicant_credit_code: Option<String>,
    pub statement: String,
    pub received_on: NaiveDate,
}

/// (No `Debug`: these carry the applicant's name and ID number; nothing logs them.)
///
/// An application as a step left it: the court's view (the audit row's `after` and the answer), its
/// version (`ETag`), and the public names a grant changed (their cache entries are invalidated).
pub struct Recorded {
    pub id: Uuid,
    pub json: Value,
    pub version: i32,
    pub names: Vec<String>,
}

/// The audit row of a step of application `id` (`before`: the court's view before it).
async fn record(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    action: &str,
    before: Option<&Value>,
    id: Uuid,
    names: Vec<String>,
) -> Result<Recorded, ApiError> {
    let after = CreditRepairRow::find(conn, id).await?.ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!(
            "credit repair vanished inside its transaction"
        ))
    })?;
    let json = view::out_json(&after)?;
    Change::new(action, "credit_repair", id)
        .before(before)
        .after(&json)
        .append(conn, actor)
        .await?;
    Ok(Recorded {
        id,
        json,
        version: after.version,
        names,
    })
}

/// Records an application for credit repair of listing `listing_id`, received by its court: 404,
/// 403 `court_not_in_scope`, 409 `listing_not_active` (it has ended), 422 `invalid_received_on`,
/// 409 `credit_repair_open` (another is under review).
pub async fn apply(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    actor: &Actor,
    listing_id: Uuid,
    a: Application,
) -> Result<Recorded, ApiError> {
    let listing = Listing::find(conn, listing_id).await?.map(|l| l.row);
    let listing = changeable(conn, principal, listing, None, || {
        format!("no listing {listing_id}")
    })
    .await?;
    if !listing.status.is_open() {
        return Err(ApiError::conflict(
            ErrorCode::ListingNotActive,
            format!(
                "the listing is already {}: there is nothing to repair",
                listing.status
            ),
        ));
    }
    check_received_on(a.received_on, listing.decided_on, today_cst())
        .map_err(|e| ApiError::domain("received_on", e))?;
    crate::listings::check_applicant(
        &listing,
        a.applicant_id_number.as_deref(),
        a.applicant_credit_code.as_deref(),
    )?;
    let id = Uuid::now_v7();
    let new = NewCreditRepair {
        id,
        listing_id,
        court_code: listing.court_code.clone(),
        applicant_name: a.applicant_name,
        applicant_id_number: a.applicant_id_number,
        applicant_credit_code: a.applicant_credit_code,
        statement: a.statement,
        received_on: a.received_on,
    };
    match CreditRepairRow::insert(conn, &new).await {
        Err(e) if is_unique_violation(&e, OPEN_CREDIT_REPAIR_INDEX) => {
            return Err(ApiError::conflict(
                ErrorCode::CreditRepairOpen,
                "another application for credit repair of this listing is under review",
            ));
        }
        other => other?,
    }
    record(conn, actor, "credit_repair.apply", None, id, Vec::new()).await
}
