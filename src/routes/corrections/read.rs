use actix_web::{HttpResponse, get, http::header, web};
use uuid::Uuid;

use super::{
    parse_id,
    wire::{CorrectionOut, CorrectionPage, CorrectionQuery, PageQuery},
};
use crate::{
    app::AppState,
    auth::{
        Principal,
        scope::{courts_in_scope, ensure_court_scope},
    },
    corrections::view::to_out,
    db::models::{
        correction::{CorrectionFilter, CorrectionRow},
        listing::Listing,
    },
    domain::{correction::CorrectionStatus, today_cst},
    error::ApiError,
    routes::{encode_cursor, listings::parse_id as listing_id, opt, page_limit, uuid_cursor},
};

/// One application with its decisions, service and reconsideration (the enforcing court, or a
/// supervisor above it).
#[utoipa::path(operation_id = "corrections_get", tag = "corrections", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "Success", body = CorrectionOut), (status = 403, description = "Not allowed for this caller (problem+json)", body = crate::error::Problem)))]
#[get("/v1/corrections/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require_court_actor()?;
    let id = parse_id(&id)?;
    let mut conn = state.db.get().await?;
    let row = CorrectionRow::find(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no correction {id}")))?;
    ensure_court_scope(&mut conn, &principal, &row.court_code).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{}\"", row.version)))
        .json(to_out(&row)?))
}

/// A page of `f`, `limit` long, with the cursor of the next one.
async fn page(
    state: &AppState,
    f: &CorrectionFilter,
    limit: i64,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.db.get().await?;
    let mut rows = CorrectionRow::page(&mut conn, f, limit + 1).await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        rows.last().map(|r| encode_cursor(&r.id.to_string()))
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(CorrectionPage {
        items: rows.iter().map(to_out).collect::<Result<_, _>>()?,
        next_cursor,
    }))
}

/// Applications of the courts in the caller's scope: `court_code` (403 `court_not_in_scope` when
/// out of it), else the caller's court (a supervisor's: every court under it too); by `status`;
/// `overdue=true`: under review past `review_due_on`, or in reconsideration past its `due_on`.
#[utoipa::path(operation_id = "corrections_list", tag = "corrections", security(("bearer" = [])), params(CorrectionQuery),
    responses((status = 200, description = "Success", body = CorrectionPage), (status = 400, description = "Malformed request (problem+json)", body = crate::error::Problem),
        (status = 403, description = "Not allowed for this caller (problem+json)", body = crate::error::Problem)))]
#[get("/v1/corrections")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<CorrectionQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = page_limit(q.limit)?;
    let status = opt(&q.status)
        .map(|s| {
            CorrectionStatus::parse(s)
                .map_err(|_| ApiError::invalid_parameter("status is not valid"))
        })
        .transpose()?;
    let after = uuid_cursor(&q.cursor)?;
    let mut conn = state.db.get().await?;
    let courts = courts_in_scope(&mut conn, &principal, opt(&q.court_code)).await?;
    drop(conn);
    let f = CorrectionFilter {
        courts: Some(courts),
        status,
        overdue_on: (q.overdue == Some(true)).then(today_cst),
        after,
        ..Default::default()
    };
    page(&state, &f, limit).await
}

/// Every application for correction of a listing, the oldest first (the listing's court, or a
/// supervisor above it).
#[utoipa::path(operation_id = "listings_corrections_of_listing", tag = "corrections", security(("bearer" = [])),
    params(("id" = String, Path, description = "The listing"), PageQuery),
    responses((status = 200, description = "Success", body = CorrectionPage), (status = 403, description = "Not allowed for this caller (problem+json)", body = crate::error::Problem)))]
#[get("/v1/listings/{id}/corrections")]
pub async fn of_listing(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require_court_actor()?;
    let id: Uuid = listing_id(&id)?;
    let limit = page_limit(q.limit)?;
    let after = uuid_cursor(&q.cursor)?;
    let mut conn = state.db.get().await?;
    let listing = Listing::find(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no listing {id}")))?;
    ensure_court_scope(&mut conn, &principal, &listing.row.court_code).await?;
    drop(conn);
    let f = CorrectionFilter {
        listing_id: Some(id),
        after,
        ..Default::default()
    };
    page(&state, &f, limit).await
}
