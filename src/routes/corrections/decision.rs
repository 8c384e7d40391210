use actix_web::{HttpRequest, HttpResponse, post, web};

use super::{
    answered, parse_decision, parse_id,
    wire::{CorrectionOut, DecisionIn},
};
use crate::{
    app::AppState,
    audit::Actor,
    auth::Principal,
    corrections,
    domain::correction::Stage,
    error::ApiError,
    routes::{CourtChange, court_change},
    write::run_write,
};

/// Both decisions: parse, then decide at `stage` in one transaction.
async fn decide(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: &str,
    body: web::Bytes,
    stage: Stage,
) -> Result<HttpResponse, ApiError> {
    let CourtChange {
        id,
        expected,
        input,
    } = court_change::<DecisionIn>(&principal, &req, id, &body, parse_id)?;
    let asked = parse_decision(input)?;
    let actor = Actor::from(&principal);
    let p = principal.clone();
    run_write(&state, &principal, &req, &body, move |conn| {
        Box::pin(async move {
            let r = corrections::decide(conn, &p, &actor, id, expected, stage, asked).await?;
            Ok(answered(r))
        })
    })
    .await
}

/// The enforcing court decides an application under review (L13); `If-Match` required. `upheld`
/// applies its remedy to the listing in the same transaction (`{"patch"}`, `{"revoke"}` or
/// `{"removal"}`, with the listing's own rules and events) and makes it `corrected`; `rejected`
/// makes it `rejected`. A `decided_on` after `review_due_on` is accepted with `late: true`. 409
/// `correction_not_under_review`; 422 `remedy_required`, `invalid_decided_on` and the remedy's own
/// codes (e.g. `reason_not_applicable`), which leave the application and the listing unchanged.
#[utoipa::path(operation_id = "corrections_decision", tag = "corrections", request_body = DecisionIn, security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = String, Header),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses((status = 200, description = "Success", body = CorrectionOut), (status = 409, description = "Conflicts with the current state (problem+json)", body = crate::error::Problem),
        (status = 412, description = "Stale `If-Match`: the resource changed (problem+json)", body = crate::error::Problem), (status = 422, description = "Invalid input; the problem names each field (problem+json)", body = crate::error::Problem)))]
#[post("/v1/corrections/{id}/decision")]
pub async fn decision(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    decide(state, principal, req, &id, body, Stage::Review).await
}

/// The next higher court decides a reconsideration (L13; a supervisor of the court that received
/// it, or above); `If-Match` required. As the first decision: `upheld` applies its remedy and makes
/// it `corrected`, `rejected` makes it `rejection_upheld`; late after `reconsideration.due_on`.
/// 409 `correction_not_in_reconsideration`.
#[utoipa::path(operation_id = "corrections_reconsideration_decision", tag = "corrections", request_body = DecisionIn, security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = String, Header),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses((status = 200, description = "Success", body = CorrectionOut), (status = 403, description = "Not allowed for this caller (problem+json)", body = crate::error::Problem),
        (status = 409, description = "Conflicts with the current state (problem+json)", body = crate::error::Problem), (status = 412, description = "Stale `If-Match`: the resource changed (problem+json)", body = crate::error::Problem),
        (status = 422, description = "Invalid input; the problem names each field (problem+json)", body = crate::error::Problem)))]
#[post("/v1/corrections/{id}/reconsideration/decision")]
pub async fn reconsideration_decision(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    decide(state, principal, req, &id, body, Stage::Reconsideration).await
}
