use actix_web::{HttpRequest, HttpResponse, post, web};

use super::{
    MAX_TEXT_CHARS, finish,
    wire::{CorrectionIn, CorrectionOut},
};
use crate::{
    app::AppState,
    audit::Actor,
    auth::Principal,
    corrections::{self, Application},
    domain::correction::CorrectionGround,
    error::ApiError,
    listings::parties::{Errors, applicant, date, text},
    routes::{listings::parse_id as listing_id, parse_json},
    write::{Outcome, run_write},
};

/// Records a listed party's written application for correction (L13), received by the enforcing
/// court: 201 `under_review` with `review_due_on` (15 days, counted as L13 counts). The listing may
/// be in any status and stays as it is (public while active). 422 `invalid_received_on`; 409
/// `correction_open` while another application of the listing is under review or in
/// reconsideration.
#[utoipa::path(operation_id = "listings_corrections_apply", tag = "corrections", request_body = CorrectionIn, security(("bearer" = [])),
    params(("id" = String, Path, description = "The listing"),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses((status = 201, description = "Created", body = CorrectionOut), (status = 403, description = "Not allowed for this caller (problem+json)", body = crate::error::Problem),
        (status = 409, description = "Conflicts with the current state (problem+json)", body = crate::error::Problem), (status = 422, description = "Invalid input; the problem names each field (problem+json)", body = crate::error::Problem)))]
#[post("/v1/listings/{id}/corrections")]
pub async fn apply(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require_court_actor()?;
    let listing = listing_id(&id)?;
    let input: CorrectionIn = parse_json(&req, &body)?;
    let application = parse_application(input)?;
    let actor = Actor::from(&principal);
    let p = principal.clone();
    run_write(&state, &principal, &req, &body, move |conn| {
        Box::pin(async move {
            let r = corrections::apply(conn, &p, &actor, listing, application).await?;
            let location = format!("/v1/corrections/{}", r.id);
            Ok(Outcome::created(r.json, Some(r.version), location))
        })
    })
    .await
}

/// The applicant (a name and exactly one of `id_number`, I1, or `credit_code`, I2, normalised as
/// listings store them), the grounds, the statement and the date received.
fn parse_application(input: CorrectionIn) -> Result<Application, ApiError> {
    let mut errs = Errors(Vec::new());
    let a = &input.applicant;
    let applicant = applicant(
        &mut errs,
        &a.name,
        a.id_number.as_deref(),
        a.credit_code.as_deref(),
    );
    let grounds = errs.take("grounds", CorrectionGround::parse(&input.grounds));
    let statement = text(&mut errs, "statement", &input.statement, MAX_TEXT_CHARS);
    let received_on = date(&mut errs, "received_on", &input.received_on);
    let application = match (applicant, grounds, received_on) {
        (Some(applicant), Some(grounds), Some(received_on)) => Some(Application {
            applicant_name: applicant.name,
            applicant_id_number: applicant.id_number,
            applicant_credit_code: applicant.credit_code,
            grounds,
            statement,
            received_on,
        }),
        _ => None,
    };
    match application {
        Some(a) => finish(errs, a),
        None => Err(ApiError::validation(errs.0)),
    }
}
