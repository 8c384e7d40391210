//! `POST /v1/restrictions/{id}/releases` and `DELETE /v1/restrictions/{id}/releases/{release_id}`:
//! a court grants a release of some items to one subject of an order (R4), or revokes it.

use actix_web::{HttpRequest, HttpResponse, delete, http::StatusCode, post, web};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    create::parse_items,
    parse_id,
    wire::{ReleaseIn, ReleaseOut},
};
use crate::domain::ErrorCode;
use crate::{
    app::AppState,
    audit::Actor,
    auth::Principal,
    domain::{id_number::IdNumber, restriction::ReleaseReason},
    error::ApiError,
    listings::parties::Errors,
    orders::{court, release::NewRelease},
    routes::{check_note, parse_json},
    write::{Outcome, run_write},
};

fn timestamp(e: &mut Errors, field: &str, s: &str) -> Option<DateTime<Utc>> {
    let t = DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc));
    if t.is_none() {
        e.push(
            field,
            ErrorCode::InvalidValue,
            "an RFC 3339 timestamp, e.g. 2026-12-01T08:00:00+08:00",
        );
    }
    t
}

fn validate(input: &ReleaseIn) -> Result<NewRelease, ApiError> {
    let mut e = Errors(Vec::new());
    let id = e.take("id_number", IdNumber::parse(&input.id_number));
    let items = parse_items(&mut e, "items", &input.items);
    let from = timestamp(&mut e, "valid_from", &input.valid_from);
    let until = timestamp(&mut e, "valid_until", &input.valid_until);
    if let (Some(f), Some(u)) = (from, until)
        && u <= f
    {
        e.push(
            "valid_until",
            ErrorCode::InvalidValue,
            "valid_until must be after valid_from",
        );
    }
    let reason = e.take("reason", ReleaseReason::parse(&input.reason));
    if let Err(err) = check_note(input.note.as_deref()) {
        e.0.extend(err.errors);
    }
    match (id, from, until, reason) {
        (Some(id), Some(valid_from), Some(valid_until), Some(reason)) if e.0.is_empty() => {
            Ok(NewRelease {
                subject_key: id.as_str().to_string(),
                items: items.iter().map(|i| i.code().to_string()).collect(),
                valid_from,
                valid_until,
                reason,
                note: input.note.clone(),
            })
        }
        _ => Err(ApiError::validation(e.0)),
    }
}

/// Grant a release (R4): one subject of the order may do some of its items inside a window.
#[utoipa::path(operation_id = "restrictions_grant", tag = "restrictions", request_body = ReleaseIn, security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 201, description = "Created", body = ReleaseOut), (status = 409, description = "Conflicts with the current state (problem+json)", body = crate::error::Problem)))]
#[post("/v1/restrictions/{id}/releases")]
pub async fn grant(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require_court_actor()?;
    let id = parse_id(&id)?;
    let input: ReleaseIn = parse_json(&req, &body)?;
    let new = validate(&input)?;
    let actor = Actor::from(&principal);
    let p = principal.clone();
    run_write(&state, &principal, &req, &body, move |conn| {
        Box::pin(async move {
            let state = court::grant_release(conn, &p, &actor, id, new).await?;
            let location = format!(
                "/v1/restrictions/{id}/releases/{}",
                state["id"].as_str().unwrap_or_default()
            );
            Ok(Outcome::created(state, Some(1), location))
        })
    })
    .await
}

/// Revoke a release (204).
#[utoipa::path(operation_id = "restrictions_revoke", tag = "restrictions", security(("bearer" = [])),
    params(("id" = String, Path), ("release_id" = String, Path)),
    responses((status = 204, description = "Revoked"), (status = 409, description = "Conflicts with the current state (problem+json)", body = crate::error::Problem)))]
#[delete("/v1/restrictions/{id}/releases/{release_id}")]
pub async fn revoke(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    principal.require_court_actor()?;
    let id = parse_id(&path.0)?;
    let release_id =
        Uuid::parse_str(&path.1).map_err(|_| ApiError::not_found("no such release"))?;
    let actor = Actor::from(&principal);
    let p = principal.clone();
    run_write(&state, &principal, &req, &[], move |conn| {
        Box::pin(async move {
            court::revoke_release(conn, &p, &actor, id, release_id).await?;
            Ok(Outcome {
                status: StatusCode::NO_CONTENT,
                body: serde_json::Value::Null,
                etag: None,
                location: None,
                affects_names: Vec::new(),
            })
        })
    })
    .await
}
