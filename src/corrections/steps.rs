//! The steps between the two decisions (L13): the rejection served on the applicant, which opens
//! the 10 days to apply for reconsideration, and the reconsideration received by the next higher
//! court, which it decides within 15 days.

use chrono::{NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::{Recorded, lock, record, view::out_json, wire::DecisionOut};
use crate::{
    audit::Actor,
    auth::{
        Principal,
        scope::{changeable, ensure_higher_court},
    },
    db::models::correction::{CorrectionRow, ReconsiderationReceived},
    domain::{
        ErrorCode,
        correction::{
            CorrectionStatus, ServiceMethod, check_reconsideration_received_on, check_served_on,
        },
        remedy_period::RemedyPeriod,
        today_cst,
    },
    error::ApiError,
};

fn not_rejected(status: CorrectionStatus) -> ApiError {
    ApiError::conflict(
        ErrorCode::CorrectionNotRejected,
        format!("the application is {status}, not rejected"),
    )
}

/// Records that the rejection of application `id` was served on `served_on` by `method`, and sets
/// `reconsideration_deadline` (10 days, L13). `expected` is checked when given (`If-Match`).
/// 404, 403, 412, 409 `correction_not_rejected` / `rejection_already_served`, 422
/// `invalid_served_on`.
pub async fn serve(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    actor: &Actor,
    id: Uuid,
    expected: Option<i32>,
    served_on: NaiveDate,
    method: ServiceMethod,
) -> Result<Recorded, ApiError> {
    let row = lock(conn, id).await?;
    let row = changeable(conn, principal, Some(row), expected, String::new).await?;
    if row.status != CorrectionStatus::Rejected {
        return Err(not_rejected(row.status));
    }
    if row.served_on.is_some() {
        return Err(ApiError::conflict(
            ErrorCode::RejectionAlreadyServed,
            "the rejection's service is already recorded",
        ));
    }
    let decision: DecisionOut = row
        .decision
        .clone()
        .map(serde_json::from_value)
        .transpose()?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a rejection without its decision")))?;
    check_served_on(served_on, decision.decided_on, today_cst())
        .map_err(|e| ApiError::domain("served_on", e))?;
    let before = out_json(&row)?;
    let deadline = RemedyPeriod::ReconsiderationApplication.due_on(served_on);
    let version = row.version + 1;
    CorrectionRow::set_service(conn, id, served_on, method, deadline, version, Utc::now()).await?;
    record(
        conn,
        actor,
        "correction.serve",
        Some(&before),
        id,
        Vec::new(),
    )
    .await
}

/// The next higher court received an application for reconsideration of the rejection of `id`
/// (only a supervisor of a court above the enforcing court): 404, 403 `court_not_in_scope`, 412
/// (when `expected` is given), 409 `correction_not_rejected`, 422 `rejection_not_served`,
/// `invalid_received_on`, `reconsideration_out_of_time`.
pub async fn reconsider(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    actor: &Actor,
    id: Uuid,
    expected: Option<i32>,
    received_on: NaiveDate,
    statement: &str,
) -> Result<Recorded, ApiError> {
    let row = lock(conn, id).await?;
    ensure_higher_court(conn, principal, &row.court_code).await?;
    if let Some(v) = expected {
        crate::write::check_version(v, row.version)?;
    }
    if row.status != CorrectionStatus::Rejected {
        return Err(not_rejected(row.status));
    }
    let Some(served_on) = row.served_on else {
        return Err(ApiError::rule(
            ErrorCode::RejectionNotServed,
            None,
            "the rejection has not been served: the time to apply for reconsideration has not begun",
        ));
    };
    check_reconsideration_received_on(received_on, served_on, today_cst())
        .map_err(|e| ApiError::domain("received_on", e))?;
    let before = out_json(&row)?;
    let court = principal.require_court_actor()?.as_str().to_string();
    let received = ReconsiderationReceived {
        court: &court,
        received_on,
        statement,
        due_on: RemedyPeriod::ReconsiderationReview.due_on(received_on),
    };
    CorrectionRow::set_reconsideration(conn, id, &received, row.version + 1, Utc::now()).await?;
    record(
        conn,
        actor,
        "correction.reconsider",
        Some(&before),
        id,
        Vec::new(),
    )
    .await
}
