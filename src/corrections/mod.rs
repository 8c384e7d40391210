//! Correction applications and reconsideration (docs/LAW.md L13): a listed party applies in writing
//! to the enforcing court, which decides within 15 days: when the reasons hold it corrects the
//! listing (a remedy: patch, revocation or removal, applied through `crate::listings` in the same
//! transaction, with the listing's own rules and events); otherwise it rejects, and the rejection
//! is served. Within 10 days of the service the applicant may apply to the next higher court,
//! which decides within 15 days. Neither suspends the listing. Each step runs inside the caller's
//! transaction (`crate::write::run_write`) with its audit row; no event is written for the
//! application itself.

pub mod decide;
pub mod steps;
pub mod view;
pub mod wire;

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use serde_json::{Map, Value};
use uuid::Uuid;

pub use decide::decide;
pub use steps::{reconsider, serve};

use crate::{
    audit::{Actor, Change},
    auth::{Principal, scope::changeable},
    db::models::{
        correction::{CorrectionRow, NewCorrection, OPEN_CORRECTION_INDEX},
        listing::Listing,
    },
    domain::{
        ErrorCode,
        applicant::check_received_on,
        correction::{CorrectionGround, Outcome},
        remedy_period::RemedyPeriod,
        today_cst,
    },
    error::{ApiError, is_unique_violation},
    listings::RemovalRequest,
};

/// What a court records of a written application (parsed by the route).
#[derive(Clone)]
pub struct Application {
    pub applicant_name: String,
    pub applicant_id_number: Option<String>,
    pub applicant_credit_code: Option<String>,
    pub grounds: CorrectionGround,
    pub statement: String,
    pub received_on: NaiveDate,
}

/// How an upheld application corrects the listing (L7): a merge patch of its correctable fields,
/// or its end (a revocation is a removal with reason `wrongful_listing`).
#[derive(Clone)]
pub enum Remedy {
    Patch(Map<String, Value>),
    End(RemovalRequest),
}

/// A decision as the route parsed it; `remedy_json` is the remedy as the court wrote it (recorded).
#[derive(Clone)]
pub struct DecisionRequest {
    pub outcome: Outcome,
    pub reasons: String,
    pub decided_on: NaiveDate,
    pub remedy: Option<Remedy>,
    pub remedy_json: Option<Value>,
}

/// (No `Debug`: these carry what the court wrote, ID numbers included; nothing logs them.)
///
/// An application as a step left it: the court's view (the audit row's `after` and the answer), its
/// version (`ETag`), and the public names a remedy changed (their cache entries are invalidated).
pub struct Recorded {
    pub id: Uuid,
    pub json: Value,
    pub version: i32,
    pub names: Vec<String>,
}

/// The audit row of a step of application `after` (`before`: the court's view before it).
async fn record(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    action: &str,
    before: Option<&Value>,
    id: Uuid,
    names: Vec<String>,
) -> Result<Recorded, ApiError> {
    let after = reload(conn, id).await?;
    let json = view::out_json(&after)?;
    Change::new(action, "correction", id)
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

async fn reload(conn: &mut AsyncPgConnection, id: Uuid) -> Result<CorrectionRow, ApiError> {
    CorrectionRow::find(conn, id).await?.ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!(
            "correction vanished inside its transaction"
        ))
    })
}

/// Records an application for correction of listing `listing_id` (any status), received by its
/// court: 404, 403 `court_not_in_scope`, 422 `invalid_received_on`, 409 `correction_open`.
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
    check_received_on(a.received_on, listing.decided_on, today_cst())
        .map_err(|e| ApiError::domain("received_on", e))?;
    crate::listings::check_applicant(
        &listing,
        a.applicant_id_number.as_deref(),
        a.applicant_credit_code.as_deref(),
    )?;
    let id = Uuid::now_v7();
    let new = NewCorrection {
        id,
        listing_id,
        court_code: listing.court_code.clone(),
        applicant_name: a.applicant_name,
        applicant_id_number: a.applicant_id_number,
        applicant_credit_code: a.applicant_credit_code,
        grounds: a.grounds,
        statement: a.statement,
        received_on: a.received_on,
        review_due_on: RemedyPeriod::Review.due_on(a.received_on),
    };
    match CorrectionRow::insert(conn, &new).await {
        Err(e) if is_unique_violation(&e, OPEN_CORRECTION_INDEX) => {
            return Err(ApiError::conflict(
                ErrorCode::CorrectionOpen,
                "another application for this listing is under review or in reconsideration",
            ));
        }
        other => other?,
    }
    record(conn, actor, "correction.apply", None, id, Vec::new()).await
}

/// Locks application `id`: 404 when there is none.
async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> Result<CorrectionRow, ApiError> {
    CorrectionRow::lock(conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no correction {id}")))
}
