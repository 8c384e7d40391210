//! `POST /v1/restrictions`: a court issues a restriction order alone (without a listing), and the
//! parsing of R2 items shared with the releases.

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::NaiveDate;

use super::wire::{RestrictionIn, RestrictionOut};
use crate::domain::ErrorCode;
use crate::{
    app::AppState,
    audit::Actor,
    auth::{Principal, scope::ensure_court_scope},
    db::models::court::Court,
    domain::{
        case_number::CaseNumber, court_code::CourtCode, restriction::RestrictionItem, today_cst,
    },
    error::ApiError,
    listings::parties::{Errors, date, parse_parties},
    orders::{self, NewOrder},
    routes::parse_json,
    write::{Outcome, run_write},
};

/// Parses the R2 items of an order or a release: known codes, at least one, without repeats.
pub fn parse_items(e: &mut Errors, field: &str, items: &[String]) -> Vec<RestrictionItem> {
    let mut out: Vec<RestrictionItem> = Vec::new();
    if items.is_empty() {
        e.push(
            field,
            ErrorCode::InvalidValue,
            "name at least one restricted item (R2)",
        );
    }
    for (i, item) in items.iter().enumerate() {
        if let Some(it) = e.take(&format!("{field}[{i}]"), RestrictionItem::parse(item))
            && !out.contains(&it)
        {
            out.push(it);
        }
    }
    out
}

struct Valid {
    court: CourtCode,
    case: CaseNumber,
    issued_on: NaiveDate,
    items: Vec<RestrictionItem>,
    parties: crate::listings::parties::Parties,
    valid_until: Option<NaiveDate>,
    signed_by: Option<String>,
}

/// R6: the period's last day, after `issued_on` (`invalid_valid_until`), and the signatory.
fn period(
    e: &mut Errors,
    input: &RestrictionIn,
    issued_on: Option<NaiveDate>,
) -> (Option<NaiveDate>, Option<String>) {
    let valid_until = input
        .valid_until
        .as_ref()
        .and_then(|d| date(e, "valid_until", d));
    if let (Some(until), Some(issued)) = (valid_until, issued_on)
        && until <= issued
    {
        e.push(
            "valid_until",
            ErrorCode::InvalidValidUntil,
            "the period of restriction must end after the day the order is issued (R6)",
        );
    }
    let signed_by = input.signed_by.as_deref().map(str::trim);
    if signed_by.is_some_and(str::is_empty) {
        e.push(
            "signed_by",
            ErrorCode::InvalidValue,
            "name the president who signed the order, or leave it out (R6)",
        );
    }
    (valid_until, signed_by.map(str::to_string))
}

fn validate(input: &RestrictionIn) -> Result<Valid, ApiError> {
    let mut e = Errors(Vec::new());
    let court = e.take("court_code", CourtCode::parse(&input.court_code));
    let case = e.take(
        "case_number",
        CaseNumber::parse_enforcement(&input.case_number),
    );
    if let (Some(court), Some(case)) = (&court, &case)
        && case.court().is_some_and(|c| c.as_str() != court.as_str())
    {
        e.push(
            "case_number",
            ErrorCode::CaseCourtMismatch,
            "the case number must carry the order's own court code (I3)",
        );
    }
    let issued_on = date(&mut e, "issued_on", &input.issued_on);
    if issued_on.is_some_and(|d| d > today_cst()) {
        e.push(
            "issued_on",
            ErrorCode::InvalidDate,
            "an order cannot be issued in the future",
        );
    }
    let all = orders::all_items();
    let items = parse_items(&mut e, "items", input.items.as_deref().unwrap_or(&all));
    let parties = parse_parties(&mut e, &input.debtor, &input.associated_persons, None);
    crate::listings::recipient::refuse_on_order(&mut e, &input.debtor);
    let (valid_until, signed_by) = period(&mut e, input, issued_on);
    match (court, case, issued_on) {
        (Some(court), Some(case), Some(issued_on)) if e.0.is_empty() => Ok(Valid {
            court,
            case,
            issued_on,
            items,
            parties,
            valid_until,
            signed_by,
        }),
        _ => Err(ApiError::validation(e.0)),
    }
}

/// Issue a standalone restriction order (court, supervisor): a debtor restricted without a listing.
#[utoipa::path(operation_id = "restrictions_create", tag = "restrictions", request_body = RestrictionIn, security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses((status = 201, description = "Created", body = RestrictionOut)))]
#[post("/v1/restrictions")]
pub async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require_court_actor()?;
    let input: RestrictionIn = parse_json(&req, &body)?;
    let v = validate(&input)?;
    let actor = Actor::from(&principal);
    let p = principal.clone();
    run_write(&state, &principal, &req, &body, move |conn| {
        Box::pin(async move {
            let court = v.court.as_str();
            if Court::find(conn, court).await?.is_none() {
                return Err(ApiError::rule(
                    ErrorCode::UnknownCourt,
                    Some("court_code"),
                    format!("no court {court} is registered"),
                ));
            }
            ensure_court_scope(conn, &p, court).await?;
            for person in &v.parties.persons {
                person.upsert(conn).await?;
            }
            let parties = (&v.parties.debtor_json, &v.parties.associated_json);
            let order = NewOrder::standalone(&v.court, &v.case, parties, &v.items, v.issued_on)
                .period(v.valid_until, v.signed_by.as_deref());
            let state = orders::issue(conn, &actor, order).await?;
            let location = format!(
                "/v1/restrictions/{}",
                state["id"].as_str().unwrap_or_default()
            );
            Ok(Outcome::created(state, Some(1), location))
        })
    })
    .await
}
