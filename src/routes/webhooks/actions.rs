//! `POST /v1/webhooks/{id}/secret/rotate`, `/replay` and `/test`.

use crate::domain::ErrorCode;
use actix_web::{HttpRequest, HttpResponse, http::header, post, web};
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{WebhookWithSecret, not_found, owned, parse_id, subscriber};
use crate::{
    app::AppState,
    auth::Principal,
    db::{
        deliveries::wake_workers,
        models::{
            delivery,
            webhook::{SecretRotation, Webhook},
        },
    },
    error::ApiError,
    events::cursor::Cursor,
    routes::parse_json,
    webhooks::signing::new_secret,
};

/// How long the previous secret keeps signing after a rotation.
pub const ROTATION_OVERLAP_HOURS: i64 = 24;

/// Replace the signing secret; the old one keeps signing alongside the new one for 24 h.
#[utoipa::path(operation_id = "webhooks_rotate", tag = "webhooks", params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, description = "Success", body = WebhookWithSecret)))]
#[post("/v1/webhooks/{id}/secret/rotate")]
pub async fn rotate(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let sub = subscriber(&state, &principal).await?;
    let id = parse_id(&path)?;
    let secret = new_secret();
    let new = secret.clone();
    let mut conn = state.db.get().await?;
    let w = crate::write::in_transaction(&mut conn, move |conn| {
        Box::pin(async move {
            let w = Webhook::lock_owned(conn, sub.id, id)
                .await?
                .ok_or_else(not_found)?;
            let now = Utc::now();
            let rotation = SecretRotation {
                previous: w.secret,
                previous_until: now + Duration::hours(ROTATION_OVERLAP_HOURS),
                secret: new,
                version: w.version + 1,
                updated_at: now,
            };
            Ok(Webhook::rotate_secret(conn, id, rotation).await?)
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{}\"", w.version)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(WebhookWithSecret { webhook: w, secret }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReplayIn {
    /// A feed cursor: every event after it that the webhook wants is queued again. Absent: the
    /// deliveries that `failed` (retries exhausted) are queued again.
    pub after: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Queued {
    /// How many deliveries were queued.
    pub queued: u64,
    /// The id of the test event (its `webhook-id` header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<Uuid>,
}

/// Queue events again: those after a feed cursor, or the failed ones.
#[utoipa::path(operation_id = "webhooks_replay", tag = "webhooks", params(("id" = Uuid, Path)), request_body = ReplayIn,
    security(("bearer" = [])), responses((status = 202, description = "Accepted", body = Queued)))]
#[post("/v1/webhooks/{id}/replay")]
pub async fn replay(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let id = owned(&state, &principal, &path).await?.id;
    let input: ReplayIn = if body.is_empty() {
        ReplayIn { after: None }
    } else {
        parse_json(&req, &body)?
    };
    let after = match input.after.as_deref().map(str::trim) {
        Some("") => Some(Cursor::START),
        Some(c) => Some(Cursor::decode(c).map_err(|_| {
            ApiError::rule(
                ErrorCode::InvalidValue,
                Some("after"),
                "after must be a cursor of the feed",
            )
        })?),
        None => None,
    };
    let mut conn = state.db.get().await?;
    let queued = match after {
        Some(c) => delivery::replay_after(&mut conn, id, c.txid.to_string(), c.seq).await?,
        None => {
            let n = delivery::requeue_failed(&mut conn, id).await?;
            wake_workers(&mut conn).await?;
            n
        }
    };
    Ok(HttpResponse::Accepted().json(Queued {
        queued: queued as u64,
        event_id: None,
    }))
}

/// Send a `webhook.test` event now.
#[utoipa::path(operation_id = "webhooks_test", tag = "webhooks", params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 202, description = "Accepted", body = Queued)))]
#[post("/v1/webhooks/{id}/test")]
pub async fn test(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = owned(&state, &principal, &path).await?.id;
    let mut conn = state.db.get().await?;
    let event_id = Uuid::now_v7();
    let payload = json!({"id": event_id, "type": "webhook.test", "occurred_at": Utc::now(),
        "data": {"webhook_id": id, "message": "a test event from shixin"}});
    delivery::queue_payload(&mut conn, id, payload).await?;
    Ok(HttpResponse::Accepted().json(Queued {
        queued: 1,
        event_id: Some(event_id),
    }))
}
