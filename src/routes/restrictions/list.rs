use actix_web::{HttpResponse, get, http::header, web};
use uuid::Uuid;

use super::{
    parse_id,
    wire::{RestrictionOut, RestrictionPage, RestrictionQuery},
};
use crate::{
    app::AppState,
    auth::Principal,
    db::models::restriction::{RestrictionFilter, RestrictionRow},
    domain::{
        case_number::CaseNumber, credit_code::CreditCode, id_number::IdNumber,
        status::RestrictionStatus,
    },
    error::ApiError,
    orders::view::{order_json, orders_json},
    routes::{decode_cursor, encode_cursor, opt, page_limit},
};

/// One restriction order with its subjects and releases (court, supervisor).
#[utoipa::path(operation_id = "restrictions_get", tag = "restrictions", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "Success", body = RestrictionOut)))]
#[get("/v1/restrictions/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require_court_actor()?;
    let id = parse_id(&id)?;
    let mut conn = state.db.get().await?;
    let body = order_json(&mut conn, id).await?;
    let version = body["version"].as_i64().unwrap_or(0);
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{version}\"")))
        .json(body))
}

/// Restriction orders filtered by court, status, subject, listing or case (court, supervisor).
#[utoipa::path(operation_id = "restrictions_list", tag = "restrictions", security(("bearer" = [])), params(RestrictionQuery),
    responses((status = 200, description = "Success", body = RestrictionPage)))]
#[get("/v1/restrictions")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<RestrictionQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require_court_actor()?;
    let limit = page_limit(q.limit)?;
    let bad = |name: &str| ApiError::invalid_parameter(format!("{name} is not valid"));
    let mut f = RestrictionFilter {
        court_code: opt(&q.court_code).map(str::to_string),
        ..Default::default()
    };
    if let Some(s) = opt(&q.status) {
        f.status = Some(RestrictionStatus::parse(s).map_err(|_| bad("status"))?);
    }
    if let Some(s) = opt(&q.id_number) {
        f.subject_key = Some(
            IdNumber::parse(s)
                .map_err(|_| bad("id_number"))?
                .as_str()
                .to_string(),
        );
    }
    if let Some(s) = opt(&q.credit_code) {
        f.subject_key = Some(
            CreditCode::parse(s)
                .map_err(|_| bad("credit_code"))?
                .org_code()
                .to_string(),
        );
    }
    if let Some(s) = opt(&q.listing_id) {
        f.listing_id = Some(Uuid::parse_str(s).map_err(|_| bad("listing_id"))?);
    }
    if let Some(s) = opt(&q.case_number) {
        f.case_number = Some(
            CaseNumber::parse(s)
                .map_err(|_| bad("case_number"))?
                .as_str()
                .to_string(),
        );
    }
    if let Some(c) = opt(&q.cursor) {
        f.after = Some(Uuid::parse_str(&decode_cursor(c)?).map_err(|_| bad("cursor"))?);
    }
    let mut conn = state.db.get().await?;
    let mut ids = RestrictionRow::page(&mut conn, &f, limit + 1).await?;
    let next_cursor = if ids.len() as i64 > limit {
        ids.truncate(usize::try_from(limit).unwrap_or(0));
        ids.last().map(|id| encode_cursor(&id.to_string()))
    } else {
        None
    };
    let items = orders_json(&mut conn, &ids).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"items": items, "next_cursor": next_cursor})))
}
