//! Webhooks (subscriber; docs/API.md "Change feed, snapshot, webhooks"): registration and
//! management, secret rotation, the delivery log, replay and the test event. Delivery is
//! `crate::worker`.

pub mod actions;
pub mod create;
pub mod deliveries;
pub mod manage;

use crate::domain::ErrorCode;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    app::AppState,
    auth::Principal,
    db::models::webhook::Webhook,
    error::ApiError,
    subscribers::ActiveSubscriber,
    webhooks::{EVENT_TYPES, guard},
};

/// A webhook with its signing secret (on creation and rotation only).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// `whsec_…` (Standard Webhooks): keep it, it is not shown again.
    pub secret: String,
}

pub(crate) async fn subscriber(
    state: &AppState,
    principal: &Principal,
) -> Result<ActiveSubscriber, ApiError> {
    state.subscribers.require(&state.db, principal).await
}

/// The principal's webhook `id` (404 when it belongs to another subscriber or does not exist).
pub(crate) async fn owned(
    state: &AppState,
    principal: &Principal,
    id: &str,
) -> Result<Webhook, ApiError> {
    let sub = subscriber(state, principal).await?;
    let id = parse_id(id)?;
    let mut conn = state.db.get().await?;
    Webhook::find_owned(&mut conn, sub.id, id)
        .await?
        .ok_or_else(not_found)
}

pub(crate) fn parse_id(s: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(s).map_err(|_| ApiError::not_found("no such webhook"))
}

pub(crate) fn not_found() -> ApiError {
    ApiError::not_found("no such webhook")
}

/// The URL check of registration and of every change of URL (the SSRF guard).
pub(crate) async fn check_url(state: &AppState, url: &str) -> Result<String, ApiError> {
    guard::check(url, state.settings.webhook_allow_private)
        .await
        .map(|u| u.to_string())
        .map_err(|e| match e {
            guard::UrlProblem::Invalid(_) => {
                ApiError::rule(ErrorCode::InvalidUrl, Some("url"), e.to_string())
            }
            guard::UrlProblem::NotAllowed(_) => {
                ApiError::rule(ErrorCode::WebhookUrlNotAllowed, Some("url"), e.to_string())
            }
        })
}

/// `event_types`: null or absent for every type, else a non-empty list of known types.
pub(crate) fn parse_event_types(v: Option<&Value>) -> Result<Option<Vec<String>>, ApiError> {
    let bad = |d: &str| ApiError::rule(ErrorCode::InvalidValue, Some("event_types"), d.to_string());
    let list = match v {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(bad("event_types must be a list of event types or null")),
    };
    if list.is_empty() {
        return Err(bad("event_types must not be empty (null sends every type)"));
    }
    let mut out = Vec::new();
    for t in list {
        match t.as_str() {
            Some(s) if EVENT_TYPES.contains(&s) => {
                if !out.iter().any(|o| o == s) {
                    out.push(s.to_string());
                }
            }
            _ => {
                return Err(bad(&format!(
                    "unknown event type {t}; known types: {}",
                    EVENT_TYPES.join(", ")
                )));
            }
        }
    }
    Ok(Some(out))
}

/// `description`: null or at most 500 characters.
pub(crate) fn parse_description(v: Option<&Value>) -> Result<Option<String>, ApiError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() <= 500 => {
            Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty()))
        }
        Some(_) => Err(ApiError::rule(
            ErrorCode::InvalidValue,
            Some("description"),
            "description must be a string of at most 500 characters",
        )),
    }
}
