use actix_web::{HttpRequest, HttpResponse, post, web};

use super::wire::{ListingIn, ListingOut};
use crate::{
    app::AppState,
    audit::Actor,
    auth::Principal,
    domain::today_cst,
    error::ApiError,
    listings::{
        self,
        validate::{Mode, validate},
    },
    routes::parse_json,
    write::{Outcome, run_write},
};

/// List a debtor (court, supervisor). Enforces L1–L11 and I1–I4; a grace period makes it `pending`.
#[utoipa::path(operation_id = "listings_create", tag = "listings", request_body = ListingIn, security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses((status = 201, description = "Created", body = ListingOut), (status = 403, description = "Not allowed for this caller (problem+json)", body = crate::error::Problem),
        (status = 409, description = "Conflicts with the current state (problem+json)", body = crate::error::Problem), (status = 422, description = "Invalid input; the problem names each field (problem+json)", body = crate::error::Problem)))]
#[post("/v1/listings")]
pub async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require_court_actor()?;
    let input: ListingIn = parse_json(&req, &body)?;
    let valid = validate(&input, today_cst(), Mode::Create)?;
    let actor = Actor::from(&principal);
    let p = principal.clone();
    run_write(&state, &principal, &req, &body, move |conn| {
        Box::pin(async move {
            let c = listings::create(conn, &p, &actor, &valid).await?;
            let id = c.listing.row.id;
            Ok(Outcome::created(c.json, Some(1), format!("/v1/listings/{id}")).affecting(c.names))
        })
    })
    .await
}
