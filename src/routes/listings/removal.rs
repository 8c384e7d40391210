use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::NaiveDate;

use super::{
    changed, parse_id,
    wire::{ListingOut, RemovalIn},
};
use crate::domain::ErrorCode;
use crate::{
    app::AppState,
    audit::Actor,
    auth::Principal,
    domain::listing_rules::RemovalReason,
    error::ApiError,
    listings::{self, RemovalRequest},
    routes::{CourtChange, check_note, court_change},
    write::run_write,
};

/// Remove (L3, L5) or revoke (L7) a listing; `If-Match` required. L5 reasons apply only to
/// listings without a fixed term (L6). `event_on` dates the removal event, from which the indicators
/// measure L5's 3 working days.
#[utoipa::path(operation_id = "listings_removal", tag = "listings", request_body = RemovalIn, security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, description = "Success", body = ListingOut), (status = 409, description = "Conflicts with the current state (problem+json)", body = crate::error::Problem),
        (status = 412, description = "Stale `If-Match`: the resource changed (problem+json)", body = crate::error::Problem), (status = 422, description = "Invalid input; the problem names each field (problem+json)", body = crate::error::Problem)))]
#[post("/v1/listings/{id}/removal")]
pub async fn removal(
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
    } = court_change::<RemovalIn>(&principal, &req, &id, &body, parse_id)?;
    let asked = removal_request(input)?;
    let actor = Actor::from(&principal);
    let p = principal.clone();
    run_write(&state, &principal, &req, &body, move |conn| {
        Box::pin(
            async move { changed(listings::remove(conn, &p, &actor, id, expected, &asked).await?) },
        )
    })
    .await
}

/// A removal as the court asks it (here, or as the remedy of an upheld correction, L13): a reason
/// of L3, L5 or L7 (`term_expired` is the system's, `reason_not_applicable`), a note of at most
/// 2,000 characters, and the date of the event (`YYYY-MM-DD`).
pub fn removal_request(input: RemovalIn) -> Result<RemovalRequest, ApiError> {
    let reason = RemovalReason::parse(&input.reason).map_err(|e| ApiError::domain("reason", e))?;
    if reason == RemovalReason::TermExpired {
        return Err(ApiError::rule(
            ErrorCode::ReasonNotApplicable,
            Some("reason"),
            "a term expires by itself (L6)",
        ));
    }
    check_note(input.note.as_deref())?;
    let event_on = match input.event_on.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            ApiError::rule(
                ErrorCode::InvalidDate,
                Some("event_on"),
                "a date is written YYYY-MM-DD",
            )
        })?),
    };
    Ok(RemovalRequest {
        reason,
        note: input.note,
        event_on,
        keep_restriction: input.keep_restriction,
    })
}
