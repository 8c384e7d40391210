use actix_web::{HttpRequest, HttpResponse, post, web};

use super::{
    changed, parse_id,
    wire::{ListingOut, ListingServiceIn},
};
use crate::{
    app::AppState,
    audit::Actor,
    auth::Principal,
    domain::correction::ServiceMethod,
    error::ApiError,
    listings::{
        decision::serve,
        parties::{Errors, date},
    },
    routes::{CourtChange, court_change},
    write::run_write,
};

/// Records that the listing's decision (决定书, L14) was served on the parties; the listing then
/// shows `served_on` and `service_method`. `If-Match` required. Once only (409
/// `decision_already_served`); 422 `invalid_served_on` in the future or before the decision was
/// made (or signed), `invalid_value` for an unknown method.
#[utoipa::path(operation_id = "listings_service", tag = "listings", request_body = ListingServiceIn, security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = String, Header),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses((status = 200, description = "Success", body = ListingOut), (status = 409, description = "Conflicts with the current state (problem+json)", body = crate::error::Problem),
        (status = 412, description = "Stale `If-Match`: the resource changed (problem+json)", body = crate::error::Problem), (status = 422, description = "Invalid input; the problem names each field (problem+json)", body = crate::error::Problem),
        (status = 428, description = "`If-Match` required (problem+json)", body = crate::error::Problem)))]
#[post("/v1/listings/{id}/service")]
pub async fn service(
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
    } = court_change::<ListingServiceIn>(&principal, &req, &id, &body, parse_id)?;
    let mut errs = Errors(Vec::new());
    let served_on = date(&mut errs, "served_on", &input.served_on);
    let method = errs.take("method", ServiceMethod::parse(&input.method));
    let (Some(served_on), Some(method)) = (served_on, method) else {
        return Err(ApiError::validation(errs.0));
    };
    let actor = Actor::from(&principal);
    let p = principal.clone();
    run_write(&state, &principal, &req, &body, move |conn| {
        Box::pin(
            async move { changed(serve(conn, &p, &actor, id, expected, served_on, method).await?) },
        )
    })
    .await
}
