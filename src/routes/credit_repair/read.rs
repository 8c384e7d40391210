use actix_web::{HttpResponse, get, http::header, web};

use super::{
    parse_id,
    wire::{CreditRepairOut, CreditRepairPage, CreditRepairQuery},
};
use crate::{
    app::AppState,
    auth::{
        Principal,
        scope::{courts_in_scope, ensure_court_scope},
    },
    credit_repair::view::to_out,
    db::models::credit_repair::{CreditRepairFilter, CreditRepairRow},
    db::models::listing::Listing,
    domain::credit_repair::CreditRepairStatus,
    error::ApiError,
    routes::{
        corrections::wire::PageQuery, encode_cursor, listings::parse_id as listing_id, opt,
        page_limit, uuid_cursor,
    },
};

/// One application for credit repair with its decision, days taken and certificate (the enforcing
/// court, or a supervisor above it).
#[utoipa::path(operation_id = "credit_repairs_get", tag = "credit repair", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "Success", body = CreditRepairOut), (status = 403, description = "Not allowed for this caller (problem+json)", body = crate::error::Problem),
        (status = 404, description = "Not found (problem+json)", body = crate::error::Problem)))]
#[get("/v1/credit-repairs/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require_court_actor()?;
    let id = parse_id(&id)?;
    let mut conn = state.db.get().await?;
    let row = CreditRepairRow::find(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no credit repair {id}")))?;
    ensure_court_scope(&mut conn, &principal, &row.court_code).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{}\"", row.version)))
        .json(to_out(&row)?))
}

/// Applications for credit repair of the courts in the caller's scope: `court_code` (403
/// `court_not_in_scope` when out of it), else the caller's court (a supervisor's: every court
/// under it too); by `status`; the oldest first.
#[utoipa::path(operation_id = "credit_repairs_list", tag = "credit repair", security(("bearer" = [])), params(CreditRepairQuery),
    responses((status = 200, description = "Success", body = CreditRepairPage), (status = 400, description = "Malformed request (problem+json)", body = crate::error::Problem),
        (status = 403, description = "Not allowed for this caller (problem+json)", body = crate::error::Problem)))]
#[get("/v1/credit-repairs")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<CreditRepairQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = page_limit(q.limit)?;
    let status = opt(&q.status)
        .map(|s| {
            CreditRepairStatus::parse(s)
                .map_err(|_| ApiError::invalid_parameter("status is not valid"))
        })
        .transpose()?;
    let after = uuid_cursor(&q.cursor)?;
    let mut conn = state.db.get().await?;
    let courts = courts_in_scope(&mut conn, &principal, opt(&q.court_code)).await?;
    drop(conn);
    let f = CreditRepairFilter {
        courts: Some(courts),
        status,
        after,
        ..Default::default()
    };
    page(&state, &f, limit).await
}

/// A page of `f`, `limit` long, with the cursor of the next one.
async fn page(
    state: &AppState,
    f: &CreditRepairFilter,
    limit: i64,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.db.get().await?;
    let mut rows = CreditRepairRow::page(&mut conn, f, limit + 1).await?;
    drop(conn);
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        rows.last().map(|r| encode_cursor(&r.id.to_string()))
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(CreditRepairPage {
        items: rows.iter().map(to_out).collect::<Result<_, _>>()?,
        next_cursor,
    }))
}

/// Every application for credit repair of a listing, the oldest first (the listing's court, or a
/// supervisor above it).
#[utoipa::path(operation_id = "listings_credit_repairs_of_listing", tag = "credit repair", security(("bearer" = [])),
    params(("id" = String, Path, description = "The listing"), PageQuery),
    responses((status = 200, description = "Success", body = CreditRepairPage), (status = 403, description = "Not allowed for this caller (problem+json)", body = crate::error::Problem),
        (status = 404, description = "Not found (problem+json)", body = crate::error::Problem)))]
#[get("/v1/listings/{id}/credit-repairs")]
pub async fn of_listing(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require_court_actor()?;
    let id = listing_id(&id)?;
    let limit = page_limit(q.limit)?;
    let after = uuid_cursor(&q.cursor)?;
    let mut conn = state.db.get().await?;
    let listing = Listing::find(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no listing {id}")))?;
    ensure_court_scope(&mut conn, &principal, &listing.row.court_code).await?;
    drop(conn);
    let f = CreditRepairFilter {
        listing_id: Some(id),
        after,
        ..Default::default()
    };
    page(&state, &f, limit).await
}
