use actix_web::{HttpRequest, HttpResponse, post, web};

use super::{
    changed, parse_id,
    wire::{ExtensionIn, ListingOut},
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

/// Extend a fixed-term listing by 1 to 3 years, at most 3 in total, only with an aggravating
/// ground (L2); `If-Match` required.
#[utoipa::path(operation_id = "listings_extension", tag = "listings", request_body = ExtensionIn, security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, description = "Success", body = ListingOut), (status = 409, description = "Conflicts with the current state (problem+json)", body = crate::error::Problem),
        (status = 412, description = "Stale `If-Match`: the resource changed (problem+json)", body = crate::error::Problem), (status = 422, description = "Invalid input; the problem names each field (problem+json)", body = crate::error::Problem)))]
#[post("/v1/listings/{id}/extension")]
pub async fn extension(
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
    } = court_change::<ExtensionIn>(&principal, &req, &id, &body, parse_id)?;
    if input.years < 1 {
        return Err(ApiError::rule(
            ErrorCode::InvalidValue,
            Some("years"),
            "years is 1 to 3",
        ));
    }
    let years = u32::try_from(input.years.min(100)).unwrap_or(100);
    let actor = Actor::from(&principal);
    let p = principal.clone();
    run_write(&state, &principal, &req, &body, move |conn| {
        Box::pin(
            async move { changed(listings::extend(conn, &p, &actor, id, expected, years).await?) },
        )
    })
    .await
}
