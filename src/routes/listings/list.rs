use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use super::{
    to_out,
    wire::{ListingPage, ListingQuery},
};
use crate::{
    app::AppState,
    auth::Principal,
    db::models::listing::{Listing, ListingFilter},
    domain::{
        case_number::CaseNumber, credit_code::CreditCode, id_number::IdNumber,
        listing_rules::ListingStatus,
    },
    error::ApiError,
    routes::{decode_cursor, encode_cursor, opt, page_limit},
};

/// Listings filtered by court, status, debtor or case (court, supervisor).
#[utoipa::path(operation_id = "listings_list", tag = "listings", security(("bearer" = [])), params(ListingQuery),
    responses((status = 200, description = "Success", body = ListingPage), (status = 400, description = "Malformed request (problem+json)", body = crate::error::Problem)))]
#[get("/v1/listings")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<ListingQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require_court_actor()?;
    let limit = page_limit(q.limit)?;
    let bad = |name: &str| ApiError::invalid_parameter(format!("{name} is not valid"));
    let mut f = ListingFilter {
        court_code: opt(&q.court_code).map(str::to_string),
        ..Default::default()
    };
    if let Some(s) = opt(&q.status) {
        f.status = Some(
            ListingStatus::parse(s)
                .map_err(|_| bad("status"))?
                .code()
                .to_string(),
        );
    }
    if let Some(s) = opt(&q.id_number) {
        f.id_number = Some(
            IdNumber::parse(s)
                .map_err(|_| bad("id_number"))?
                .as_str()
                .to_string(),
        );
    }
    if let Some(s) = opt(&q.credit_code) {
        f.debtor_key = Some(
            CreditCode::parse(s)
                .map_err(|_| bad("credit_code"))?
                .org_code()
                .to_string(),
        );
    }
    if let Some(s) = opt(&q.case_number) {
        let c = CaseNumber::parse(s)
            .or_else(|_| CaseNumber::parse_legacy(s))
            .map_err(|_| bad("case_number"))?;
        f.case_number = Some(c.as_str().to_string());
    }
    if let Some(c) = opt(&q.cursor) {
        f.after = Some(Uuid::parse_str(&decode_cursor(c)?).map_err(|_| bad("cursor"))?);
    }
    let mut conn = state.db.get().await?;
    let mut rows = Listing::page(&mut conn, &f, limit + 1).await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|l| encode_cursor(&l.row.id.to_string()))
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(ListingPage {
        items: rows.iter().map(to_out).collect::<Result<_, _>>()?,
        next_cursor,
    }))
}
