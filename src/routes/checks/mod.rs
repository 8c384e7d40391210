//! `POST /v1/checks`: may these persons buy this ticket? (docs/API.md "Checks"). The check itself
//! is the service `crate::checks`.

use actix_web::{HttpRequest, HttpResponse, get, post, web};

pub use crate::checks::wire;
use crate::domain::ErrorCode;
use crate::{
    app::AppState,
    auth::Principal,
    checks::parse::{MAX_SUBJECTS, batch_size},
    error::ApiError,
    routes::parse_json,
};
use wire::{CheckIn, CheckOut};

/// Check up to 1,000 subjects (subscriber). Denied when an active order binds a subject with an item of
/// the subscriber's sector (that the journey touches) and no release valid now covers it.
#[utoipa::path(operation_id = "checks_check", tag = "checks", request_body = CheckIn, security(("bearer" = [])),
    responses((status = 200, description = "Success", body = CheckOut), (status = 413, description = "Too large (problem+json)", body = crate::error::Problem)))]
#[post("/v1/checks")]
pub async fn check(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let subscriber = state.subscribers.require(&state.db, &principal).await?;
    if subscriber.sector.is_notice_recipient() {
        return Err(ApiError::forbidden(
            ErrorCode::Forbidden,
            "a notice recipient is told of the listings that name it and checks nobody (L15; docs/LAW.md \"Roles\")",
        ));
    }
    let input: CheckIn = parse_json(&req, &body)?;
    batch_size(input.subjects.len(), MAX_SUBJECTS, "check")?;
    let out = crate::checks::check(&state, &subscriber, &input).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// A check this subscriber made, as the log holds it (404 for another subscriber's or an unknown
/// id, 400 for an id that is no UUID).
#[utoipa::path(operation_id = "checks_logged", tag = "checks", security(("bearer" = [])), params(("check_id" = String, Path)),
    responses((status = 200, description = "Success", body = crate::checks::evidence::LoggedCheckOut),
        (status = 404, description = "Not found (problem+json)", body = crate::error::Problem)))]
#[get("/v1/checks/{check_id}")]
pub async fn logged(
    state: web::Data<AppState>,
    principal: Principal,
    check_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let subscriber = state.subscribers.require(&state.db, &principal).await?;
    let out = crate::checks::evidence::find(&state.db, &subscriber, &check_id).await?;
    Ok(HttpResponse::Ok().json(out))
}
