//! `GET /v1/webhooks/{id}/deliveries?status=`: the delivery log, newest first, with the last attempt
//! of each; `GET /v1/webhooks/{id}/deliveries/{delivery_id}` with every attempt.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::owned;
use crate::{
    app::AppState,
    auth::Principal,
    db::models::delivery::{self as delivery_log, Attempt, DeliveryRow},
    domain::status::DeliveryStatus,
    error::ApiError,
    routes::{decode_cursor, encode_cursor, opt, page_limit},
};

#[derive(Debug, Deserialize, IntoParams)]
pub struct DeliveryQuery {
    /// `pending`, `delivered` or `failed`.
    pub status: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    pub id: i64,
    /// The event (the `webhook-id` header of every attempt).
    pub event_id: Option<Uuid>,
    pub event_type: Option<String>,
    /// `pending`, `delivered` or `failed` (every retry used; replayable).
    #[schema(value_type = String)]
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// When it is tried next (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub last_attempt: Option<Attempt>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPage {
    pub items: Vec<Delivery>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDetail {
    #[serde(flatten)]
    pub delivery: Delivery,
    pub attempts_log: Vec<Attempt>,
}

impl From<DeliveryRow> for Delivery {
    fn from(r: DeliveryRow) -> Self {
        Delivery {
            id: r.id,
            event_id: r.event_id.and_then(|s| Uuid::parse_str(&s).ok()),
            event_type: r.event_type,
            next_attempt_at: (r.status == DeliveryStatus::Pending).then_some(r.next_attempt_at),
            status: r.status,
            attempts: r.attempts,
            created_at: r.created_at,
            delivered_at: r.delivered_at,
            last_attempt: r.attempted_at.map(|at| Attempt {
                attempted_at: at,
                status_code: r.status_code,
                duration_ms: r.duration_ms.unwrap_or(0),
                response: r.response,
                error: r.error,
            }),
        }
    }
}

/// The webhook's deliveries, newest first, each with its last attempt.
#[utoipa::path(operation_id = "webhooks_deliveries_list", tag = "webhooks", params(("id" = Uuid, Path), DeliveryQuery),
    security(("bearer" = [])), responses((status = 200, description = "Success", body = DeliveryPage)))]
#[get("/v1/webhooks/{id}/deliveries")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    q: web::Query<DeliveryQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = owned(&state, &principal, &path).await?.id;
    let limit = page_limit(q.limit)?;
    let status = opt(&q.status)
        .map(DeliveryStatus::parse)
        .transpose()
        .map_err(|_| ApiError::invalid_parameter("status must be pending, delivered or failed"))?;
    let before = match opt(&q.cursor) {
        Some(c) => decode_cursor(c)?
            .parse::<i64>()
            .map_err(|_| ApiError::invalid_parameter("cursor is not valid"))?,
        None => i64::MAX,
    };
    let mut conn = state.db.get().await?;
    let rows = delivery_log::page(&mut conn, id, before, status, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    let items: Vec<Delivery> = rows
        .into_iter()
        .take(limit as usize)
        .map(Delivery::from)
        .collect();
    let next_cursor = more
        .then(|| items.last().map(|d| encode_cursor(&d.id.to_string())))
        .flatten();
    Ok(HttpResponse::Ok().json(DeliveryPage { items, next_cursor }))
}

/// One delivery with every attempt, oldest first.
#[utoipa::path(operation_id = "webhooks_deliveries_get", tag = "webhooks", params(("id" = Uuid, Path), ("delivery_id" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, description = "Success", body = DeliveryDetail)))]
#[get("/v1/webhooks/{id}/deliveries/{delivery_id}")]
pub async fn get(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery) = path.into_inner();
    let id = owned(&state, &principal, &id).await?.id;
    let delivery: i64 = delivery
        .parse()
        .map_err(|_| ApiError::not_found("no such delivery"))?;
    let mut conn = state.db.get().await?;
    let row = delivery_log::find(&mut conn, id, delivery).await?;
    let row = row.ok_or_else(|| ApiError::not_found("no such delivery"))?;
    let attempts_log = delivery_log::attempts(&mut conn, delivery).await?;
    Ok(HttpResponse::Ok().json(DeliveryDetail {
        delivery: row.into(),
        attempts_log,
    }))
}
