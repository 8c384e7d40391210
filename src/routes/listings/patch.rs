use actix_web::{HttpRequest, HttpResponse, patch, web};
use serde_json::Value;

use super::{
    changed, parse_id,
    wire::{ListingIn, ListingOut},
};
use crate::domain::ErrorCode;
use crate::{
    app::AppState,
    audit::Actor,
    auth::Principal,
    error::ApiError,
    listings,
    routes::{CourtChange, court_change},
    write::run_write,
};

/// Correct a listing (L7) with a JSON merge patch (RFC 7396); `If-Match` required.
#[utoipa::path(operation_id = "listings_patch", tag = "listings", request_body(content = ListingIn, content_type = "application/merge-patch+json"),
    security(("bearer" = [])), params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, description = "Success", body = ListingOut), (status = 412, description = "Stale `If-Match`: the resource changed (problem+json)", body = crate::error::Problem),
        (status = 422, description = "Invalid input; the problem names each field (problem+json)", body = crate::error::Problem), (status = 428, description = "`If-Match` required (problem+json)", body = crate::error::Problem)))]
#[patch("/v1/listings/{id}")]
pub async fn patch(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let CourtChange {
        id,
        expected,
        input: patch,
    } = court_change::<Value>(&principal, &req, &id, &body, parse_id)?;
    let Some(fields) = patch.as_object().cloned() else {
        return Err(ApiError::rule(
            ErrorCode::InvalidBody,
            None,
            "a merge patch is a JSON object",
        ));
    };
    let actor = Actor::from(&principal);
    let p = principal.clone();
    run_write(&state, &principal, &req, &body, move |conn| {
        Box::pin(async move {
            changed(listings::correct(conn, &p, &actor, id, expected, fields).await?)
        })
    })
    .await
}
