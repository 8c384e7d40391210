use actix_web::{HttpRequest, HttpResponse, post, web};

use super::{
    parse_id,
    wire::{LiftingIn, RestrictionOut},
};
use crate::domain::ErrorCode;
use crate::{
    app::AppState,
    audit::Actor,
    auth::Principal,
    domain::{id_number::IdNumber, restriction::LiftReason},
    error::ApiError,
    orders::court::{self, Lifting},
    routes::{CourtChange, check_note, court_change},
    write::{Outcome, run_write},
};

/// Lift an order (R5) — or, with `subject_removed`, take one R3 person off it; `If-Match` required.
/// An order that a published listing carries ends with that listing (R1): 409 `listing_still_active`.
#[utoipa::path(operation_id = "restrictions_lifting", tag = "restrictions", request_body = LiftingIn, security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, description = "Success", body = RestrictionOut), (status = 409, description = "Conflicts with the current state (problem+json)", body = crate::error::Problem)))]
#[post("/v1/restrictions/{id}/lifting")]
pub async fn lifting(
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
    } = court_change::<LiftingIn>(&principal, &req, &id, &body, parse_id)?;
    let reason = LiftReason::parse(&input.reason).map_err(|e| ApiError::domain("reason", e))?;
    if reason == LiftReason::ListingEnded {
        return Err(ApiError::rule(
            ErrorCode::ReasonNotApplicable,
            Some("reason"),
            "an order is lifted with its listing by the listing's removal (R1)",
        ));
    }
    if reason == LiftReason::PeriodEnded {
        return Err(ApiError::rule(
            ErrorCode::ReasonNotApplicable,
            Some("reason"),
            "an order is lifted at the end of its period by the service itself (R6)",
        ));
    }
    let subject = match (reason, &input.id_number) {
        (LiftReason::SubjectRemoved, Some(s)) => Some(
            IdNumber::parse(s)
                .map_err(|e| ApiError::domain("id_number", e))?
                .as_str()
                .to_string(),
        ),
        (LiftReason::SubjectRemoved, None) => {
            return Err(ApiError::rule(
                ErrorCode::InvalidValue,
                Some("id_number"),
                "subject_removed names the person who leaves the order",
            ));
        }
        _ => None,
    };
    check_note(input.note.as_deref())?;
    let lifting = match subject {
        Some(key) => Lifting::Subject { key },
        None => Lifting::Order {
            reason,
            note: input.note,
        },
    };
    let actor = Actor::from(&principal);
    let p = principal.clone();
    run_write(&state, &principal, &req, &body, move |conn| {
        Box::pin(async move {
            let after = court::lift(conn, &p, &actor, id, expected, &lifting).await?;
            let version = after["version"]
                .as_i64()
                .and_then(|v| i32::try_from(v).ok())
                .unwrap_or(0);
            Ok(Outcome::ok(after, version))
        })
    })
    .await
}
