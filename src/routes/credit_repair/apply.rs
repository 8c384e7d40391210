use actix_web::{HttpRequest, HttpResponse, post, web};

use super::wire::{CreditRepairIn, CreditRepairOut};
use crate::{
    app::AppState,
    audit::Actor,
    auth::Principal,
    credit_repair::{self, Application},
    error::ApiError,
    listings::parties::{Errors, applicant, date, text},
    routes::{corrections::MAX_TEXT_CHARS, listings::parse_id as listing_id, parse_json},
    write::{Outcome, run_write},
};

/// Records a listed party's written application for credit repair (L16), received by the
/// enforcing court: 201 `under_review`. No statutory deadline binds the decision; `days_taken`
/// shows the time it takes. 409 `listing_not_active` for a listing that has ended; 422
/// `invalid_received_on` (in the future or before the listing was decided); 409
/// `credit_repair_open` while another application of the listing is under review.
#[utoipa::path(operation_id = "listings_credit_repair_apply", tag = "credit repair", request_body = CreditRepairIn, security(("bearer" = [])),
    params(("id" = String, Path, description = "The listing"),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses((status = 201, description = "Created", body = CreditRepairOut), (status = 403, description = "Not allowed for this caller (problem+json)", body = crate::error::Problem),
        (status = 409, description = "Conflicts with the current state (problem+json)", body = crate::error::Problem), (status = 422, description = "Invalid input; the problem names each field (problem+json)", body = crate::error::Problem)))]
#[post("/v1/listings/{id}/credit-repair")]
pub async fn apply(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require_court_actor()?;
    let listing = listing_id(&id)?;
    let input: CreditRepairIn = parse_json(&req, &body)?;
    let application = parse_application(input)?;
    let actor = Actor::from(&principal);
    let p = principal.clone();
    run_write(&state, &principal, &req, &body, move |conn| {
        Box::pin(async move {
            let r = credit_repair::apply(conn, &p, &actor, listing, application).await?;
            let location = format!("/v1/credit-repairs/{}", r.id);
            Ok(Outcome::created(r.json, Some(r.version), location))
        })
    })
    .await
}

/// The applicant (a name and exactly one of `id_number`, I1, or `credit_code`, I2, normalised as
/// listings store them), the statement and the date received.
fn parse_application(input: CreditRepairIn) -> Result<Application, ApiError> {
    let mut errs = Errors(Vec::new());
    let a = &input.applicant;
    let applicant = applicant(
        &mut errs,
        &a.name,
        a.id_number.as_deref(),
        a.credit_code.as_deref(),
    );
    let statement = text(&mut errs, "statement", &input.statement, MAX_TEXT_CHARS);
    let received_on = date(&mut errs, "received_on", &input.received_on);
    match (applicant, received_on) {
        (Some(applicant), Some(received_on)) if errs.0.is_empty() => Ok(Application {
            applicant_name: applicant.name,
            applicant_id_number: applicant.id_number,
            applicant_credit_code: applicant.credit_code,
            statement,
            received_on,
        }),
        _ => Err(ApiError::validation(errs.0)),
    }
}
