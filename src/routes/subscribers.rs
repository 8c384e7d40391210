//! Subscribers (admin): create, list, enable or disable, rotate the secret (docs/API.md "Courts and
//! subscribers"). The client secret is stored hashed and shown only on creation and rotation.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::ErrorCode;
use crate::{
    app::AppState,
    audit::{Actor, Change},
    auth::Principal,
    db::models::subscriber::{Subscriber, new_credentials},
    domain::{restriction::Sector, status::SubscriberScope},
    error::ApiError,
    routes::{encode_cursor, page_limit, parse_json, uuid_cursor},
    write::{Outcome, run_write},
};

#[derive(Debug, Deserialize, ToSchema)]
pub struct SubscriberIn {
    pub name: String,
    /// `airline`, `rail`, `shipping`, `hospitality`, `real_estate`, `finance`, `education`, `government`.
    pub sector: String,
    /// `all` (the default): everything of its sector in its feed, snapshot and webhooks;
    /// `watchlist`: only the events and subjects on its watch-list. Set here, never changed.
    #[serde(default)]
    pub scope: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SubscriberPatch {
    pub enabled: bool,
    /// Refused (422 `scope_not_changeable`): a scope is set at creation. Create a new subscriber
    /// for the other scope.
    #[serde(default)]
    pub scope: Option<String>,
}

/// A subscriber with its client secret (only on creation and rotation).
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriberCreated {
    pub id: Uuid,
    pub name: String,
    pub sector: String,
    /// `all` or `watchlist`.
    pub scope: String,
    pub client_id: String,
    pub client_secret: String,
    pub enabled: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriberPage {
    pub items: Vec<Subscriber>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SubscriberQuery {
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

fn public(s: &Subscriber) -> Result<Value, ApiError> {
    Ok(serde_json::to_value(s)?)
}

fn parse_id(s: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(s).map_err(|_| ApiError::not_found("no such subscriber"))
}

/// Register a subscriber (admin); answers its client id and secret once.
#[utoipa::path(operation_id = "subscribers_create", tag = "subscribers", request_body = SubscriberIn, security(("bearer" = [])),
    responses((status = 201, description = "Created", body = SubscriberCreated)))]
#[post("/v1/subscribers")]
pub async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require_admin()?;
    let input: SubscriberIn = parse_json(&req, &body)?;
    let sector = Sector::parse(&input.sector).map_err(|e| ApiError::domain("sector", e))?;
    let scope = match input.scope.as_deref() {
        None => SubscriberScope::All,
        Some(s) => SubscriberScope::parse(s).map_err(|e| ApiError::domain("scope", e))?,
    };
    let actor = Actor::from(&principal);
    // Not through run_write: an Idempotency-Key record would keep the secret in the database.
    let mut conn = state.db.get().await?;
    let created = crate::subscribers::create(&mut conn, actor, &input.name, sector, scope).await?;
    let (s, secret) = (created.subscriber, created.client_secret);
    let out = json!({"id": s.id, "name": s.name, "sector": s.sector, "scope": s.scope, "client_id": s.client_id,
        "client_secret": secret, "enabled": s.enabled, "created_at": s.created_at});
    let outcome = Outcome::created(out, None, format!("/v1/subscribers/{}", s.id));
    Ok(outcome.into_response(false))
}

/// List subscribers (admin).
#[utoipa::path(operation_id = "subscribers_list", tag = "subscribers", params(SubscriberQuery), security(("bearer" = [])),
    responses((status = 200, description = "Success", body = SubscriberPage)))]
#[get("/v1/subscribers")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<SubscriberQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require_admin()?;
    let limit = page_limit(q.limit)?;
    let after = uuid_cursor(&q.cursor)?;
    let mut conn = state.db.get().await?;
    let mut items = Subscriber::page(&mut conn, after, limit + 1).await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(usize::try_from(limit).unwrap_or(0));
        items.last().map(|s| encode_cursor(&s.id.to_string()))
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(SubscriberPage { items, next_cursor }))
}

/// Enable or disable a subscriber (admin); a disabled subscriber's tokens stop working within seconds.
#[utoipa::path(operation_id = "subscribers_update", tag = "subscribers", request_body = SubscriberPatch, security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, description = "Success", body = Subscriber)))]
#[patch("/v1/subscribers/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require_admin()?;
    let id = parse_id(&id)?;
    let input: SubscriberPatch = parse_json(&req, &body)?;
    if input.scope.is_some() {
        return Err(ApiError::rule(
            ErrorCode::ScopeNotChangeable,
            Some("scope"),
            "a subscriber's scope is set when it is created; create a new subscriber for the other scope",
        ));
    }
    let actor = Actor::from(&principal);
    let response = run_write(&state, &principal, &req, &body, move |conn| {
        Box::pin(async move {
            let before = Subscriber::find(conn, id)
                .await?
                .ok_or_else(|| ApiError::not_found("no such subscriber"))?;
            Subscriber::set_enabled(conn, id, input.enabled).await?;
            let after = Subscriber::find(conn, id)
                .await?
                .ok_or_else(|| ApiError::not_found("no such subscriber"))?;
            Change::new("subscriber.update", "subscriber", id)
                .before(&public(&before)?)
                .after(&public(&after)?)
                .append(conn, &actor)
                .await?;
            Ok(Outcome {
                status: actix_web::http::StatusCode::OK,
                body: public(&after)?,
                etag: None,
                location: None,
                affects_names: Vec::new(),
            })
        })
    })
    .await;
    state.subscribers.forget(id);
    response
}

/// Rotate a subscriber's client secret (admin); the old secret stops working at once.
#[utoipa::path(operation_id = "subscribers_rotate", tag = "subscribers", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "Success", body = SubscriberCreated)))]
#[post("/v1/subscribers/{id}/secret/rotate")]
pub async fn rotate(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require_admin()?;
    let id = parse_id(&id)?;
    let actor = Actor::from(&principal);
    let mut conn = state.db.get().await?;
    let outcome = crate::write::in_transaction(&mut conn, move |conn| {
        Box::pin(async move {
            let s = Subscriber::find(conn, id)
                .await?
                .ok_or_else(|| ApiError::not_found("no such subscriber"))?;
            let (_, secret, hash) = new_credentials();
            Subscriber::set_secret_hash(conn, id, &hash).await?;
            Change::new("subscriber.rotate_secret", "subscriber", id)
                .append(conn, &actor)
                .await?;
            let out = json!({"id": id, "name": s.name, "sector": s.sector, "scope": s.scope, "client_id": s.client_id,
                "client_secret": secret, "enabled": s.enabled, "created_at": s.created_at});
            Ok(Outcome {
                status: actix_web::http::StatusCode::OK,
                body: out,
                etag: None,
                location: None,
                affects_names: Vec::new(),
            })
        })
    })
    .await?;
    state.subscribers.forget(id);
    Ok(outcome.into_response(false))
}
