//! `GET /v1/indicators`: indicators for supervising courts (挂图作战, issue 7) — supervisors see
//! their court and every court under it, admins every court. Computed by `crate::indicators`.

use actix_web::{HttpResponse, get, web};

pub use crate::indicators::wire;
use crate::{app::AppState, auth::Principal, error::ApiError, indicators::compute};
use wire::{IndicatorsOut, IndicatorsQuery};

/// Indicators for supervising courts (supervisor: its court and the courts under it; admin: all).
///
/// One consistent snapshot (a read-only repeatable-read transaction) of:
/// - **by_court / by_province / totals**: listings by status and restriction orders by status, now,
///   from counters maintained by triggers on every write;
/// - **periods**: per `day`, `week` (Monday–Sunday) or `month` bucket of `from`..`to` (CST dates):
///   `new_listings` = listings whose `decided_on` is in the bucket; `removals` = listings ended in the
///   bucket (CST date of `removal.removed_at`) by reason; `credit_repairs` = those with reason
///   `early_deletion` (L3, 信用修复);
/// - **deadlines**: `removed_late` = listings ended in `from`..`to` with an L5 reason or by expiry (L6)
///   more than 3 working days (Chinese public holidays and exchanged working days counted, see
///   `src/domain/calendar.rs`) after the event: `removal.event_on` given by the court, or `expires_on`
///   for an expiry; those without an event date are counted in `unknown_event_date`, not as late.
///   `published_late` = listings with a grace period (L11) published in `from`..`to` on a CST date
///   after `grace_until` (the tick publishes on that date; the rest of the day is its allowance).
///   `pending_overdue` = listings still pending now whose `grace_until` is before today.
///   `unserved` = listings published (active now) whose decision's service is not recorded (L14).
///   `notices_outstanding` = Art. 8 notices pending or failed, `notices_unregistered` = notices to
///   recipients without a subscriber here (L15); these two count notices, not listings.
///   Each lists per court the count and the first 20 listing ids.
#[utoipa::path(operation_id = "indicators", tag = "indicators", params(IndicatorsQuery), security(("bearer" = [])),
    responses((status = 200, description = "Success", body = IndicatorsOut), (status = 400, description = "Malformed request (problem+json)", body = crate::error::Problem),
        (status = 403, description = "Not allowed for this caller (problem+json)", body = crate::error::Problem)))]
#[get("/v1/indicators")]
pub async fn indicators(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<IndicatorsQuery>,
) -> Result<HttpResponse, ApiError> {
    let out = compute(&state, &principal, &q).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(out))
}
