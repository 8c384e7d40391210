use actix_web::{HttpRequest, HttpResponse, post, web};

use super::{
    parse_id,
    wire::{CreditRepairOut, RepairDecisionIn},
};
use crate::{
    app::AppState,
    audit::Actor,
    auth::Principal,
    credit_repair::{self, decide::RepairDecision},
    domain::{ErrorCode, credit_repair::RepairOutcome},
    error::ApiError,
    listings::parties::{Errors, date, text},
    routes::{CourtChange, corrections::MAX_TEXT_CHARS, court_change},
    write::{Outcome, run_write},
};

/// The enforcing court decides an application for credit repair (L16); `If-Match` required.
/// `granted` deletes the listing early (`early_deletion`) in the same transaction, with its
/// `listing.removed` event and its restriction order lifted unless `keep_restriction`, and issues
/// a certificate: the answer's `certificate` is `{id, url}`. `refused` changes nothing else. 409
/// `credit_repair_not_under_review`; 422 `invalid_decided_on`.
#[utoipa::path(operation_id = "credit_repairs_decision", tag = "credit repair", request_body = RepairDecisionIn, security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = String, Header),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses((status = 200, description = "Success", body = CreditRepairOut), (status = 403, description = "Not allowed for this caller (problem+json)", body = crate::error::Problem),
        (status = 409, description = "Conflicts with the current state (problem+json)", body = crate::error::Problem), (status = 412, description = "Stale `If-Match`: the resource changed (problem+json)", body = crate::error::Problem),
        (status = 422, description = "Invalid input; the problem names each field (problem+json)", body = crate::error::Problem), (status = 428, description = "`If-Match` required (problem+json)", body = crate::error::Problem)))]
#[post("/v1/credit-repairs/{id}/decision")]
pub async fn decision(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let CourtChange {
        id,
        expected,
        input,
    } = court_change::<RepairDecisionIn>(&principal, &req, &id, &body, parse_id)?;
    let asked = parse_decision(input)?;
    let actor = Actor::from(&principal);
    let p = principal.clone();
    let st = state.clone();
    run_write(&state, &principal, &req, &body, move |conn| {
        Box::pin(async move {
            let keys = &st.signing_keys;
            let r = credit_repair::decide(conn, &p, &actor, keys, id, expected, asked).await?;
            Ok(Outcome::ok(r.json, r.version).affecting(r.names))
        })
    })
    .await
}

/// The outcome, reasons and date; `keep_restriction` only with a grant.
fn parse_decision(input: RepairDecisionIn) -> Result<RepairDecision, ApiError> {
    let mut errs = Errors(Vec::new());
    let outcome = errs.take("outcome", RepairOutcome::parse(&input.outcome));
    let reasons = text(&mut errs, "reasons", &input.reasons, MAX_TEXT_CHARS);
    let decided_on = date(&mut errs, "decided_on", &input.decided_on);
    if outcome == Some(RepairOutcome::Refused) && input.keep_restriction {
        errs.push(
            "keep_restriction",
            ErrorCode::InvalidValue,
            "a refusal ends nothing: keep_restriction goes with a grant",
        );
    }
    match (outcome, decided_on) {
        (Some(outcome), Some(decided_on)) if errs.0.is_empty() => Ok(RepairDecision {
            outcome,
            reasons,
            decided_on,
            keep_restriction: input.keep_restriction,
        }),
        _ => Err(ApiError::validation(errs.0)),
    }
}
