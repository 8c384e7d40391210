//! A decision on an application (the enforcing court's review) or on its reconsideration (the next
//! higher court's): `upheld` applies its remedy to the listing in the same transaction, through the
//! listing's own service (its rules, audit row and events); a refused remedy refuses the whole
//! decision and the application stays as it was. A decision after its due date is accepted, `late`.

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::{
    DecisionRequest, Recorded, Remedy, lock, record,
    view::out_json,
    wire::{DecidedBy, DecisionOut},
};
use crate::{
    audit::Actor,
    auth::{
        Principal,
        scope::{changeable, ensure_court_scope, ensure_higher_court},
    },
    db::models::{correction::CorrectionRow, listing::Listing},
    domain::{
        ErrorCode,
        correction::{Outcome, Stage, check_decided_on},
        today_cst,
    },
    error::ApiError,
    listings::{self, Changed},
};

/// Decides application `id` read at version `expected` at `stage`: 404; 403 `court_not_in_scope`
/// (the review: the enforcing court or above; the reconsideration: a supervisor of the court that
/// received it or above, which is above the enforcing court); 412; 409
/// `correction_not_under_review` / `correction_not_in_reconsideration`; 422 `invalid_decided_on`;
/// the remedy's own refusals.
pub async fn decide(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    actor: &Actor,
    id: Uuid,
    expected: i32,
    stage: Stage,
    asked: DecisionRequest,
) -> Result<Recorded, ApiError> {
    let row = lock(conn, id).await?;
    let row = match stage {
        Stage::Review => {
            changeable(conn, principal, Some(row), Some(expected), String::new).await?
        }
        Stage::Reconsideration => {
            ensure_higher_court(conn, principal, &row.court_code).await?;
            if let Some(court) = &row.reconsideration_court_code {
                ensure_court_scope(conn, principal, court).await?;
            }
            crate::write::check_version(expected, row.version)?;
            row
        }
    };
    if row.status != stage.open_status() {
        let (code, what) = match stage {
            Stage::Review => (ErrorCode::CorrectionNotUnderReview, "under review"),
            Stage::Reconsideration => (
                ErrorCode::CorrectionNotInReconsideration,
                "in reconsideration",
            ),
        };
        return Err(ApiError::conflict(
            code,
            format!("the application is {}, not {what}", row.status),
        ));
    }
    let received_on = match stage {
        Stage::Review => Some(row.received_on),
        Stage::Reconsideration => row.reconsideration_received_on,
    }
    .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a reconsideration without its receipt")))?;
    let late = check_decided_on(stage, asked.decided_on, received_on, today_cst())
        .map_err(|e| ApiError::domain("decided_on", e))?;
    let before = out_json(&row)?;
    let changed = match (asked.outcome, &asked.remedy) {
        (Outcome::Upheld, Some(remedy)) => {
            Some(apply_remedy(conn, principal, actor, row.listing_id, remedy).await?)
        }
        (Outcome::Upheld, None) => {
            return Err(ApiError::rule(
                ErrorCode::RemedyRequired,
                Some("remedy"),
                "an upheld application carries its remedy: patch, revoke or removal",
            ));
        }
        (Outcome::Rejected, _) => None,
    };
    let now = Utc::now();
    let decision = DecisionOut {
        outcome: asked.outcome,
        reasons: asked.reasons,
        decided_on: asked.decided_on,
        late,
        remedy: asked.remedy_json,
        listing_version: changed.as_ref().map(|c| c.listing.row.version),
        decided_by: DecidedBy {
            sub: actor.sub.clone(),
            role: actor.role.clone(),
            court: actor.court.clone(),
        },
        decided_at: now,
    };
    let decision = serde_json::to_value(&decision)?;
    let status = stage.status_after(asked.outcome);
    let version = row.version + 1;
    let action = match stage {
        Stage::Review => {
            CorrectionRow::set_decision(conn, id, status, decision, version, now).await?;
            "correction.decide"
        }
        Stage::Reconsideration => {
            CorrectionRow::set_reconsideration_decision(conn, id, status, decision, version, now)
                .await?;
            "correction.reconsideration.decide"
        }
    };
    let names = changed.map(|c| c.names).unwrap_or_default();
    record(conn, actor, action, Some(&before), id, names).await
}

/// Applies `remedy` to the listing at its current version, as the court would by `PATCH` or
/// `/removal` (L7): the same rules, audit row and events.
async fn apply_remedy(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    actor: &Actor,
    listing_id: Uuid,
    remedy: &Remedy,
) -> Result<Changed, ApiError> {
    let current = Listing::lock(conn, listing_id)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("the listing of a correction vanished")))?
        .version;
    match remedy {
        Remedy::Patch(fields) => {
            listings::correct(conn, principal, actor, listing_id, current, fields.clone()).await
        }
        Remedy::End(asked) => {
            listings::remove(conn, principal, actor, listing_id, current, asked).await
        }
    }
}
