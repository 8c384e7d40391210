//! `GET /v1/webhooks/{id}/deliveries?status=`: the delivery log, newest first, with the last attempt
//! of each; `GET /v1/webhooks/{id}/deliveries/{delivery_id}` with every attempt.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use diesel::{
    QueryableByName, sql_query,
    sql_types::{BigInt, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid},
};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::owned;
use crate::{
    app::AppState,
    auth::Principal,
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

#[derive(Debug, Serialize, ToSchema, QueryableByName)]
pub struct Attempt {
    #[diesel(sql_type = Timestamptz)]
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status (null when no answer came).
    #[diesel(sql_type = Nullable<Integer>)]
    pub status_code: Option<i32>,
    #[diesel(sql_type = Integer)]
    pub duration_ms: i32,
    /// The start of the receiver's answer (at most 1 KiB).
    #[diesel(sql_type = Nullable<Text>)]
    pub response: Option<String>,
    /// `timeout`, `connection_failed`, `webhook_url_not_allowed`, `http_status` …
    #[diesel(sql_type = Nullable<Text>)]
    pub error: Option<String>,
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

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Nullable<Text>)]
    event_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    event_type: Option<String>,
    #[diesel(sql_type = Text)]
    status: DeliveryStatus,
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Timestamptz)]
    next_attempt_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    delivered_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    attempted_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Integer>)]
    status_code: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    duration_ms: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    response: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    error: Option<String>,
}

impl From<Row> for Delivery {
    fn from(r: Row) -> Self {
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

const SELECT: &str = "SELECT d.id, COALESCE(e.id::text, d.payload->>'id') AS event_id, \
       COALESCE(e.type, d.payload->>'type') AS event_type, d.status, d.attempts, \
       d.next_attempt_at, d.created_at, d.delivered_at, \
       a.attempted_at, a.status_code, a.duration_ms, a.response, a.error \
     FROM webhook_deliveries d \
     LEFT JOIN events e ON e.seq = d.event_seq \
     LEFT JOIN LATERAL (SELECT * FROM webhook_attempts a WHERE a.delivery_id = d.id \
                        ORDER BY a.id DESC LIMIT 1) a ON true";

/// The webhook's deliveries, newest first, each with its last attempt.
#[utoipa::path(tag = "webhooks", params(("id" = Uuid, Path), DeliveryQuery),
    security(("bearer" = [])), responses((status = 200, body = DeliveryPage)))]
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
    let rows: Vec<Row> = sql_query(format!(
        "{SELECT} WHERE d.webhook_id = $1 AND d.id < $2 AND ($3::text IS NULL OR d.status = $3) \
         ORDER BY d.id DESC LIMIT $4"
    ))
    .bind::<SqlUuid, _>(id)
    .bind::<BigInt, _>(before)
    .bind::<Nullable<Text>, _>(status.as_ref().map(DeliveryStatus::code))
    .bind::<BigInt, _>(limit + 1)
    .load(&mut conn)
    .await?;
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
#[utoipa::path(tag = "webhooks", params(("id" = Uuid, Path), ("delivery_id" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = DeliveryDetail)))]
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
    let row: Option<Row> = sql_query(format!("{SELECT} WHERE d.webhook_id = $1 AND d.id = $2"))
        .bind::<SqlUuid, _>(id)
        .bind::<BigInt, _>(delivery)
        .load(&mut conn)
        .await?
        .into_iter()
        .next();
    let row = row.ok_or_else(|| ApiError::not_found("no such delivery"))?;
    let attempts_log: Vec<Attempt> = sql_query(
        "SELECT attempted_at, status_code, duration_ms, response, error FROM webhook_attempts \
         WHERE delivery_id = $1 ORDER BY id",
    )
    .bind::<BigInt, _>(delivery)
    .load(&mut conn)
    .await?;
    Ok(HttpResponse::Ok().json(DeliveryDetail {
        delivery: row.into(),
        attempts_log,
    }))
}
