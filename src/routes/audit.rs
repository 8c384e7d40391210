//! The audit trail, for administrators (docs/LAW.md "Roles").

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::{
    app::AppState,
    audit,
    auth::Principal,
    error::ApiError,
    routes::{decode_cursor, encode_cursor, opt, page_limit},
};

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// `listing` or `court`.
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The hash-chained audit trail, oldest first (admin).
#[utoipa::path(operation_id = "audit_list", tag = "audit", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, description = "`{items: [{seq, at, actor, action, entity_type, entity_id, before, after, prev_hash, hash}], next_cursor}`"),
        (status = 403, description = "Not allowed for this caller (problem+json)", body = crate::error::Problem)))]
#[get("/v1/audit")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require_admin()?;
    let limit = page_limit(q.limit)?;
    let after = match opt(&q.cursor) {
        Some(c) => decode_cursor(c)?
            .parse::<i64>()
            .map_err(|_| ApiError::invalid_parameter("cursor is not one this service issued"))?,
        None => 0,
    };
    let mut conn = state.db.get().await?;
    let mut items = audit::page(
        &mut conn,
        opt(&q.entity_type),
        opt(&q.entity_id),
        after,
        limit + 1,
    )
    .await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(usize::try_from(limit).unwrap_or(0));
        items
            .last()
            .and_then(|i| i["seq"].as_i64())
            .map(|s| encode_cursor(&s.to_string()))
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(serde_json::json!({"items": items, "next_cursor": next_cursor})))
}
