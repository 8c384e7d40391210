//! The court's decision on an application for credit repair (L16). `granted` deletes the listing
//! early (L3, `early_deletion`) through the listing's own service in the same transaction (its
//! rules, audit row, `listing.removed` event and its order lifted unless kept) and issues the
//! certificate; a refused removal refuses the whole decision and the application stays as it was.

use chrono::{NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::{
    Recorded, record,
    view::out_json,
    wire::{DecidedBy, RepairDecisionOut},
};
use crate::{
    audit::Actor,
    auth::{Principal, scope::changeable},
    certificates::{SigningKeys, issue::issue},
    db::models::{
        credit_repair::{CreditRepairRow, DecisionRecorded},
        listing::Listing,
    },
    domain::{
        ErrorCode,
        credit_repair::{CreditRepairStatus, RepairOutcome, check_decided_on},
        listing_rules::RemovalReason,
        today_cst,
    },
    error::ApiError,
    listings::{self, RemovalRequest},
};

/// A decision as the route parsed it.
#[derive(Debug, Clone)]
pub struct RepairDecision {
    pub outcome: RepairOutcome,
    pub reasons: String,
    pub decided_on: NaiveDate,
    pub keep_restriction: bool,
}

/// Decides application `id` read at version `expected`: 404; 403 `court_not_in_scope`; 412; 409
/// `credit_repair_not_under_review`; 422 `invalid_decided_on`; a grant also 409
/// `listing_not_active` when the listing ended meanwhile.
pub async fn decide(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    actor: &Actor,
    keys: &SigningKeys,
    id: Uuid,
    expected: i32,
    asked: RepairDecision,
) -> Result<Recorded, ApiError> {
    let row = CreditRepairRow::lock(conn, id).await?;
    let row = changeable(conn, principal, row, Some(expected), || {
        format!("no credit repair {id}")
    })
    .await?;
    if row.status != CreditRepairStatus::UnderReview {
        return Err(ApiError::conflict(
            ErrorCode::CreditRepairNotUnderReview,
            format!("the application is {}, not under review", row.status),
        ));
    }
    let days_to_decide = check_decided_on(asked.decided_on, row.received_on, today_cst())
        .map_err(|e| ApiError::domain("decided_on", e))?;
    let before = out_json(&row)?;
    let (listing_version, certificate_id, names) = match asked.outcome {
        RepairOutcome::Granted => {
            let current = Listing::lock(conn, row.listing_id)
                .await?
                .ok_or_else(|| {
                    ApiError::internal(anyhow::anyhow!("the listing of a credit repair vanished"))
                })?
                .version;
            let removal = RemovalRequest {
                reason: RemovalReason::EarlyDeletion,
                note: Some(format!("credit repair {id} granted")),
                event_on: Some(asked.decided_on),
                keep_restriction: asked.keep_restriction,
            };
            let changed =
                listings::remove(conn, principal, actor, row.listing_id, current, &removal).await?;
            let certificate = issue(conn, keys, id, &changed.listing).await?;
            (
                Some(changed.listing.row.version),
                Some(certificate.id),
                changed.names,
            )
        }
        RepairOutcome::Refused => (None, None, Vec::new()),
    };
    let now = Utc::now();
    let decision = RepairDecisionOut {
        outcome: asked.outcome,
        reasons: asked.reasons,
        decided_on: asked.decided_on,
        keep_restriction: asked.keep_restriction,
        days_to_decide,
        listing_version,
        decided_by: DecidedBy {
            sub: actor.sub.clone(),
            role: actor.role.clone(),
            court: actor.court.clone(),
        },
        decided_at: now,
    };
    let recorded = DecisionRecorded {
        status: asked.outcome.status(),
        decision: serde_json::to_value(&decision)?,
        certificate_id,
        version: row.version + 1,
        now,
    };
    CreditRepairRow::set_decision(conn, id, recorded).await?;
    record(
        conn,
        actor,
        "credit_repair.decide",
        Some(&before),
        id,
        names,
    )
    .await
}
