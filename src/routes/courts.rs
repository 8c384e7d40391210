//! Courts: created by admins, readable by anyone (docs/API.md "Courts and subscribers").

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::ErrorCode;
use crate::{
    app::AppState,
    audit::{Actor, Change},
    auth::Principal,
    courts::{CourtIn, validate},
    db::models::court::{Court, NewCourt},
    error::{ApiError, is_unique_violation},
    routes::{decode_cursor, encode_cursor, opt, page_limit, parse_json},
    write::{Outcome, run_write},
};

#[derive(Debug, Serialize, ToSchema)]
pub struct CourtPage {
    pub items: Vec<Court>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CourtQuery {
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    pub parent_code: Option<String>,
    pub province: Option<String>,
}

/// Add a court (admin).
#[utoipa::path(operation_id = "courts_create", tag = "courts", request_body = CourtIn, security(("bearer" = [])),
    responses((status = 201, description = "Created", body = Court), (status = 409, description = "Conflicts with the current state (problem+json)", body = crate::error::Problem), (status = 422, description = "Invalid input; the problem names each field (problem+json)", body = crate::error::Problem)))]
#[post("/v1/courts")]
pub async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require_admin()?;
    let input: CourtIn = parse_json(&req, &body)?;
    let (code, level) = validate(&input)?;
    let actor = Actor::from(&principal);
    run_write(&state, &principal, &req, &body, move |conn| {
        Box::pin(async move {
            if let Some(parent) = &input.parent_code
                && Court::find(conn, parent).await?.is_none()
            {
                return Err(ApiError::rule(
                    ErrorCode::UnknownCourt,
                    Some("parent_code"),
                    format!("no court {parent}"),
                ));
            }
            let new = NewCourt {
                code: code.as_str(),
                name: input.name.trim(),
                province: input.province.trim(),
                level: level.as_str(),
                parent_code: input.parent_code.as_deref(),
            };
            let inserted = Court::insert(conn, &new).await;
            match inserted {
                Err(e) if is_unique_violation(&e, "courts_pkey") => {
                    return Err(ApiError::conflict(
                        ErrorCode::CourtExists,
                        format!("court {} exists", code.as_str()),
                    ));
                }
                other => other?,
            };
            let court = Court::find(conn, code.as_str())
                .await?
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("court vanished")))?;
            let after = serde_json::to_value(&court)?;
            Change::new("court.create", "court", code.as_str())
                .after(&after)
                .append(conn, &actor)
                .await?;
            Ok(Outcome::created(
                after,
                None,
                format!("/v1/courts/{}", code.as_str()),
            ))
        })
    })
    .await
}

/// List courts (no authentication).
#[utoipa::path(operation_id = "courts_list", tag = "courts", params(CourtQuery), responses((status = 200, description = "Success", body = CourtPage)))]
#[get("/v1/courts")]
pub async fn list(
    state: web::Data<AppState>,
    q: web::Query<CourtQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = page_limit(q.limit)?;
    let after = opt(&q.cursor).map(decode_cursor).transpose()?;
    let mut conn = state.db.get().await?;
    let mut items = Court::page(
        &mut conn,
        after.as_deref(),
        opt(&q.parent_code),
        opt(&q.province),
        limit + 1,
    )
    .await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|c| encode_cursor(&c.code))
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(CourtPage { items, next_cursor }))
}

/// One court (no authentication).
#[utoipa::path(operation_id = "courts_get", tag = "courts", params(("code" = String, Path)), responses((status = 200, description = "Success", body = Court), (status = 404, description = "Not found (problem+json)", body = crate::error::Problem)))]
#[get("/v1/courts/{code}")]
pub async fn get(
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.db.get().await?;
    match Court::find(&mut conn, &code).await? {
        Some(c) => Ok(HttpResponse::Ok().json(c)),
        None => Err(ApiError::not_found(format!("no court {}", code.as_str()))),
    }
}
