//! `GET /v1/listings/{id}/decision`: the decision of a listing (决定书, L14) for its court and the
//! supervisors above it: a printable page in Chinese without JavaScript (a person's ID number
//! masked only), or with `Accept: application/json` its fields.

use actix_web::{HttpRequest, HttpResponse, get, http::StatusCode, http::header, web};
use askama::Template;
use uuid::Uuid;

use super::html;
use crate::{
    app::AppState,
    auth::Principal,
    domain::status::PartyKind,
    error::ApiError,
    listings::decision::{DecisionDocument, document},
};

#[derive(Template)]
#[template(path = "decision.html")]
struct DecisionPage {
    d: DecisionDocument,
}

/// Whether the client asked for JSON rather than the page.
fn wants_json(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("application/json"))
}

/// The decision (决定书, L14) of a listing: court, case, debtor (a person's ID number masked),
/// the reasons (each ground's label and its article of the List Provisions), the term or
/// 无固定期限, the signatory, the date, and its service when recorded. HTML by default; with
/// `Accept: application/json` the same fields as JSON. A court in scope or a supervisor above it
/// (403 `court_not_in_scope`).
#[utoipa::path(operation_id = "listings_decision", tag = "listings", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "The printable decision (HTML), or its fields with `Accept: application/json`",
            content((String = "text/html"), (DecisionDocument = "application/json"))),
        (status = 403, description = "Not allowed for this caller (problem+json)", body = crate::error::Problem), (status = 404, description = "Not found (problem+json)", body = crate::error::Problem)))]
#[get("/v1/listings/{id}/decision")]
pub async fn decision(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = Uuid::parse_str(&id)
        .map_err(|_| ApiError::not_found("no such listing: listing ids are UUIDs"))?;
    let mut conn = state.db.get().await?;
    let d = document(&mut conn, &principal, id).await?;
    if wants_json(&req) {
        return Ok(HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(d));
    }
    let mut res = html(StatusCode::OK, &DecisionPage { d })?;
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}
