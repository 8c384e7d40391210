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
    domain::{
        ErrorCode, correction::CorrectionGround, credit_code::CreditCode, id_number::IdNumber,
        name::PersonName,
    },
    error::ApiError,
    listings::parties::{Errors, date, text},
    routes::{listings::parse_id as listing_id, parse_json},
    write::{Outcome, run_write},
};

/// Records a listed party's written application for correction (L13), received by the enforcing
/// court: 201 `under_review` with `review_due_on` (15 days, counted as L13 counts). The listing may
/// be in any status and stays as it is (public while active). 422 `invalid_received_on`; 409
/// `correction_open` while another application of the listing is under review or in
/// reconsideration.
#[utoipa::path(tag = "corrections", request_body = CorrectionIn, security(("bearer" = [])),
    params(("id" = String, Path, description = "The listing"),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses((status = 201, body = CorrectionOut), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
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
    let name = errs
        .take("applicant.name", PersonName::parse(&a.name))
        .map(|n| n.as_str().to_string());
    let (mut id_number, mut credit_code) = (None, None);
    match (a.id_number.as_deref(), a.credit_code.as_deref()) {
        (Some(i), None) => {
            id_number = errs
                .take("applicant.id_number", IdNumber::parse(i))
                .map(|i| i.as_str().to_string());
        }
        (None, Some(c)) => {
            credit_code = errs
                .take("applicant.credit_code", CreditCode::parse(c))
                .map(|c| c.as_str().to_string());
        }
        _ => errs.push(
            "applicant",
            ErrorCode::InvalidValue,
            "the applicant has an id_number or a credit_code, one of the two",
        ),
    }
    let grounds = errs.take("grounds", CorrectionGround::parse(&input.grounds));
    let statement = text(&mut errs, "statement", &input.statement, MAX_TEXT_CHARS);
    let received_on = date(&mut errs, "received_on", &input.received_on);
    let application = match (name, grounds, received_on) {
        (Some(applicant_name), Some(grounds), Some(received_on)) => Some(Application {
            applicant_name,
            applicant_id_number: id_number,
            applicant_credit_code: credit_code,
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
