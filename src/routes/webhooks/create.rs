//! `POST /v1/webhooks`: register a webhook; answers its signing secret once.

use actix_web::{HttpRequest, HttpResponse, http::header, post, web};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{WebhookWithSecret, check_url, parse_description, parse_event_types, subscriber};
use crate::{
    app::AppState,
    auth::Principal,
    db::models::webhook::{NewWebhook, Webhook},
    error::ApiError,
    routes::parse_json,
    webhooks::signing::new_secret,
};

#[derive(Debug, Deserialize, ToSchema)]
pub struct WebhookIn {
    /// Where events are POSTed: http or https, resolving to a public address.
    pub url: String,
    /// The event types to send (null or absent: every type).
    #[schema(value_type = Option<Vec<String>>)]
    pub event_types: Option<Value>,
    #[schema(value_type = Option<String>)]
    pub description: Option<Value>,
}

/// Register a webhook. It receives the events written from now on that its subscriber may see
/// (older ones by `/replay`), signed with the secret in the answer.
#[utoipa::path(operation_id = "webhooks_create", tag = "webhooks", request_body = WebhookIn, security(("bearer" = [])),
    responses((status = 201, description = "Created", body = WebhookWithSecret)))]
#[post("/v1/webhooks")]
pub async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let sub = subscriber(&state, &principal).await?;
    let input: WebhookIn = parse_json(&req, &body)?;
    let url = check_url(&state, &input.url).await?;
    let event_types = parse_event_types(input.event_types.as_ref())?;
    let description = parse_description(input.description.as_ref())?;
    let id = Uuid::now_v7();
    let secret = new_secret();
    let mut conn = state.db.get().await?;
    let new = NewWebhook {
        id,
        subscriber_id: sub.id,
        url: &url,
        description: &description,
        event_types: &event_types,
        items: sub.item_codes(),
        secret: &secret,
    };
    let w = Webhook::insert(&mut conn, &new).await?;
    tracing::info!(webhook = %id, subscriber = %sub.id, "webhook registered");
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/webhooks/{id}")))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(WebhookWithSecret { webhook: w, secret }))
}
