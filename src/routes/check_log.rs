//! `GET /v1/check-log?id_number=`: who checked a person, when, and the answer — for admins and for the
//! courts with a listing or order binding that person (docs/API.md "Check log").

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::ErrorCode;
use crate::{
    app::AppState,
    auth::{Principal, Role},
    db::{
        check_log::{checks_of, courts_binding},
        models::court::ancestors,
    },
    domain::id_number::IdNumber,
    error::ApiError,
    routes::{decode_cursor, encode_cursor, opt, page_limit},
};

#[derive(Debug, Deserialize, IntoParams)]
pub struct CheckLogQuery {
    pub id_number: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckLogItem {
    pub subscriber_id: Uuid,
    pub subscriber_name: String,
    pub sector: String,
    pub checked_at: DateTime<Utc>,
    pub decision: String,
    /// The check's id (null for checks logged before check ids existed).
    pub check_id: Option<Uuid>,
    /// The feed position the answer was consistent with.
    pub as_of: Option<String>,
    /// The orders and releases this subject's answer rested on.
    pub restriction_ids: Vec<Uuid>,
    pub release_ids: Vec<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckLogPage {
    pub items: Vec<CheckLogItem>,
    pub next_cursor: Option<String>,
}

/// The checks of one person (admin; a court or supervisor with a listing or order binding them).
#[utoipa::path(operation_id = "check_log_list", tag = "checks", params(CheckLogQuery), security(("bearer" = [])),
    responses((status = 200, description = "Success", body = CheckLogPage)))]
#[get("/v1/check-log")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<CheckLogQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = page_limit(q.limit)?;
    let id =
        opt(&q.id_number).ok_or_else(|| ApiError::invalid_parameter("id_number is required"))?;
    let id = IdNumber::parse(id)
        .map_err(|_| ApiError::invalid_parameter("id_number is not valid"))?
        .as_str()
        .to_string();
    // The cursor is the last (request, position) returned.
    let after: (i64, i64) = match opt(&q.cursor) {
        Some(c) => decode_cursor(c)?
            .split_once(':')
            .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
            .ok_or_else(|| ApiError::invalid_parameter("cursor is not valid"))?,
        None => (0, 0),
    };
    let mut conn = state.db.get().await?;
    match principal.role {
        Role::Admin => {}
        Role::Court | Role::Supervisor => {
            let own = principal.require_court_actor()?.as_str().to_string();
            let courts = courts_binding(&mut conn, &id).await?;
            let mut allowed = false;
            for c in courts {
                let ok = match principal.role {
                    Role::Court => c == own,
                    _ => ancestors(&mut conn, &c).await?.contains(&own),
                };
                if ok {
                    allowed = true;
                    break;
                }
            }
            if !allowed {
                return Err(ApiError::forbidden(
                    ErrorCode::CourtNotInScope,
                    "no listing or order of your court binds this person",
                ));
            }
        }
        Role::Subscriber => {
            return Err(ApiError::forbidden(
                ErrorCode::Forbidden,
                "the check log is for admins and courts",
            ));
        }
    }
    let rows = checks_of(&mut conn, &id, after, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    let rows: Vec<_> = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    let next_cursor = if more {
        rows.last()
            .map(|r| encode_cursor(&format!("{}:{}", r.id, r.pos)))
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(|r| {
            let index = usize::try_from(r.pos - 1).unwrap_or(0);
            let (restriction_ids, release_ids) =
                crate::checks::evidence::matched_ids(r.matches.as_ref(), index);
            CheckLogItem {
                subscriber_id: r.subscriber_id,
                subscriber_name: r.subscriber_name,
                sector: r.sector,
                checked_at: r.checked_at,
                decision: r.decision,
                check_id: r.check_id,
                as_of: r.as_of,
                restriction_ids,
                release_ids,
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(CheckLogPage { items, next_cursor }))
}
