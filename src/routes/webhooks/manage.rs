//! `GET /v1/webhooks`, `GET|PATCH|DELETE /v1/webhooks/{id}`.

use crate::domain::ErrorCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, patch, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::{
    check_url, not_found, owned, parse_description, parse_event_types, parse_id, subscriber,
};
use crate::{
    app::AppState,
    auth::Principal,
    db::models::webhook::{Webhook, WebhookSettings},
    domain::status::DisabledReason,
    error::ApiError,
    routes::{encode_cursor, page_limit, parse_json, uuid_cursor},
    write::{check_version, if_match},
};

#[derive(Debug, Deserialize, IntoParams)]
pub struct WebhookQuery {
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookPage {
    pub items: Vec<Webhook>,
    pub next_cursor: Option<String>,
}

/// A JSON merge patch (RFC 7396) of a webhook.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    pub url: Option<String>,
    #[schema(value_type = Option<Vec<String>>)]
    #[serde(default, deserialize_with = "present")]
    pub event_types: Option<Value>,
    #[schema(value_type = Option<String>)]
    #[serde(default, deserialize_with = "present")]
    pub description: Option<Value>,
    /// Re-enabling clears the failure record; pending deliveries then resume.
    pub enabled: Option<bool>,
}

/// Keeps an explicit `null` (merge patch: remove) apart from an absent field.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

fn respond(w: &Webhook) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{}\"", w.version)))
        .json(w)
}

/// The subscriber's webhooks.
#[utoipa::path(operation_id = "webhooks_list", tag = "webhooks", params(WebhookQuery), security(("bearer" = [])),
    responses((status = 200, description = "Success", body = WebhookPage)))]
#[get("/v1/webhooks")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<WebhookQuery>,
) -> Result<HttpResponse, ApiError> {
    let sub = subscriber(&state, &principal).await?;
    let limit = page_limit(q.limit)?;
    let after = uuid_cursor(&q.cursor)?;
    let mut conn = state.db.get().await?;
    let rows = Webhook::list(&mut conn, sub.id, after, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    let items: Vec<Webhook> = rows.into_iter().take(limit as usize).collect();
    let next_cursor = more
        .then(|| items.last().map(|w| encode_cursor(&w.id.to_string())))
        .flatten();
    Ok(HttpResponse::Ok().json(WebhookPage { items, next_cursor }))
}

/// One of the subscriber's webhooks (404 for another subscriber's).
#[utoipa::path(operation_id = "webhooks_get", tag = "webhooks", params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, description = "Success", body = Webhook)))]
#[get("/v1/webhooks/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(respond(&owned(&state, &principal, &path).await?))
}

/// Change the URL, event types, description, or enable/disable it (`If-Match` optional).
#[utoipa::path(operation_id = "webhooks_update", tag = "webhooks", params(("id" = Uuid, Path)), request_body = WebhookPatch,
    security(("bearer" = [])), responses((status = 200, description = "Success", body = Webhook)))]
#[patch("/v1/webhooks/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let sub = subscriber(&state, &principal).await?;
    let id = parse_id(&path)?;
    let expected = match req.headers().get(header::IF_MATCH) {
        Some(_) => Some(if_match(&req)?),
        None => None,
    };
    let raw: Value = parse_json(&req, &body)?;
    for key in raw.as_object().map(|o| o.keys()).into_iter().flatten() {
        if !["url", "event_types", "description", "enabled"].contains(&key.as_str()) {
            return Err(ApiError::rule(
                ErrorCode::FieldNotCorrectable,
                Some(key),
                format!("{key} cannot be changed; url, event_types, description and enabled can"),
            ));
        }
    }
    let p: WebhookPatch = serde_json::from_value(raw)
        .map_err(|e| ApiError::rule(ErrorCode::InvalidBody, None, e.to_string()))?;
    let url = match &p.url {
        Some(u) => Some(check_url(&state, u).await?),
        None => None,
    };
    let event_types = p
        .event_types
        .as_ref()
        .map(|v| parse_event_types(Some(v)))
        .transpose()?;
    let description = p
        .description
        .as_ref()
        .map(|v| parse_description(Some(v)))
        .transpose()?;
    let enabled = p.enabled;
    let mut conn = state.db.get().await?;
    let w = crate::write::in_transaction(&mut conn, move |conn| {
        Box::pin(async move {
            let w = Webhook::lock_owned(conn, sub.id, id)
                .await?
                .ok_or_else(not_found)?;
            if let Some(v) = expected {
                check_version(v, w.version)?;
            }
            let (enabled, reason, failing_since) = match enabled {
                Some(true) => (true, None, None),
                Some(false) if w.enabled => (false, Some(DisabledReason::Subscriber), None),
                _ => (w.enabled, w.disabled_reason, w.failing_since),
            };
            let settings = WebhookSettings {
                url: url.unwrap_or(w.url),
                event_types: event_types.unwrap_or(w.event_types),
                description: description.unwrap_or(w.description),
                enabled,
                disabled_reason: reason,
                failing_since,
                version: w.version + 1,
                updated_at: Utc::now(),
            };
            Ok(Webhook::update_settings(conn, id, settings).await?)
        })
    })
    .await?;
    if w.enabled {
        // Re-enabled: its pending deliveries are due now.
        let _ = crate::db::deliveries::wake_workers(&mut conn).await;
    }
    Ok(respond(&w))
}

/// Delete a webhook and its delivery log.
#[utoipa::path(operation_id = "webhooks_remove", tag = "webhooks", params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204, description = "Done, no content")))]
#[delete("/v1/webhooks/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let sub = subscriber(&state, &principal).await?;
    let id = parse_id(&path)?;
    let mut conn = state.db.get().await?;
    let n = Webhook::delete_owned(&mut conn, sub.id, id).await?;
    if n == 0 {
        return Err(not_found());
    }
    Ok(HttpResponse::NoContent().finish())
}
