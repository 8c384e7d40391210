use actix_web::{HttpRequest, HttpResponse, http::header, post, web};

use super::{
    MAX_TEXT_CHARS, answered, finish, parse_id,
    wire::{CorrectionOut, ReconsiderationIn, ServiceIn},
};
use crate::{
    app::AppState,
    audit::Actor,
    auth::Principal,
    corrections,
    domain::correction::ServiceMethod,
    error::ApiError,
    listings::parties::{Errors, date, text},
    routes::parse_json,
    write::{if_match, run_write},
};

/// `If-Match` when given (these steps are no decisions: it is optional).
fn optional_if_match(req: &HttpRequest) -> Result<Option<i32>, ApiError> {
    if req.headers().contains_key(header::IF_MATCH) {
        if_match(req).map(Some)
    } else {
        Ok(None)
    }
}

/// Records that a rejection was served on the applicant (L13): sets `reconsideration_deadline`,
/// 10 days from `served_on`. Only for a `rejected` application (409 `correction_not_rejected`),
/// once (409 `rejection_already_served`); 422 `invalid_served_on` in the future or before the
/// decision. `If-Match` is checked when given.
#[utoipa::path(operation_id = "corrections_service", tag = "corrections", request_body = ServiceIn, security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = Option<String>, Header),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses((status = 200, description = "Success", body = CorrectionOut), (status = 409, description = "Conflicts with the current state (problem+json)", body = crate::error::Problem),
        (status = 422, description = "Invalid input; the problem names each field (problem+json)", body = crate::error::Problem)))]
#[post("/v1/corrections/{id}/service")]
pub async fn service(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require_court_actor()?;
    let id = parse_id(&id)?;
    let expected = optional_if_match(&req)?;
    let input: ServiceIn = parse_json(&req, &body)?;
    let mut errs = Errors(Vec::new());
    let served_on = date(&mut errs, "served_on", &input.served_on);
    let method = errs.take("method", ServiceMethod::parse(&input.method));
    let (Some(served_on), Some(method)) = (served_on, method) else {
        return Err(ApiError::validation(errs.0));
    };
    let actor = Actor::from(&principal);
    let p = principal.clone();
    run_write(&state, &principal, &req, &body, move |conn| {
        Box::pin(async move {
            let r = corrections::serve(conn, &p, &actor, id, expected, served_on, method).await?;
            Ok(answered(r))
        })
    })
    .await
}

/// The next higher court records an application for reconsideration of a rejection (L13): only a
/// supervisor of the enforcing court's parent court or a court above it (403
/// `court_not_in_scope` for anyone else, the enforcing court's clerk included). The status becomes
/// `in_reconsideration` with `reconsideration.due_on`, 15 days from `received_on`. 409
/// `correction_not_rejected`; 422 `rejection_not_served`, `reconsideration_out_of_time` (after
/// `reconsideration_deadline`), `invalid_received_on`. `If-Match` is checked when given.
#[utoipa::path(operation_id = "corrections_reconsideration", tag = "corrections", request_body = ReconsiderationIn, security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = Option<String>, Header),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses((status = 200, description = "Success", body = CorrectionOut), (status = 403, description = "Not allowed for this caller (problem+json)", body = crate::error::Problem),
        (status = 409, description = "Conflicts with the current state (problem+json)", body = crate::error::Problem), (status = 422, description = "Invalid input; the problem names each field (problem+json)", body = crate::error::Problem)))]
#[post("/v1/corrections/{id}/reconsideration")]
pub async fn reconsideration(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require_court_actor()?;
    let id = parse_id(&id)?;
    let expected = optional_if_match(&req)?;
    let input: ReconsiderationIn = parse_json(&req, &body)?;
    let mut errs = Errors(Vec::new());
    let received_on = date(&mut errs, "received_on", &input.received_on);
    let statement = text(&mut errs, "statement", &input.statement, MAX_TEXT_CHARS);
    let Some(received_on) = received_on else {
        return Err(ApiError::validation(errs.0));
    };
    let statement = finish(errs, statement)?;
    let actor = Actor::from(&principal);
    let p = principal.clone();
    run_write(&state, &principal, &req, &body, move |conn| {
        Box::pin(async move {
            let r =
                corrections::reconsider(conn, &p, &actor, id, expected, received_on, &statement)
                    .await?;
            Ok(answered(r))
        })
    })
    .await
}
