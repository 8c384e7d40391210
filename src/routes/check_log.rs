//! `GET /v1/check-log?id_number=`: who checked a person, when, and the answer — for admins and for the
//! courts with a listing or order binding that person (API.md "Check log").

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use diesel::{ExpressionMethods, QueryDsl};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::{Principal, Role, scope::ancestors},
    db::schema::{check_log, listings, restriction_subjects, restrictions, subscribers},
    domain::id_number::IdNumber,
    error::ApiError,
    routes::{decode_cursor, encode_cursor, opt, page_limit},
    startup::AppState,
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
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckLogPage {
    pub items: Vec<CheckLogItem>,
    pub next_cursor: Option<String>,
}

/// The checks of one person (admin; a court or supervisor with a listing or order binding them).
#[utoipa::path(tag = "checks", params(CheckLogQuery), security(("bearer" = [])),
    responses((status = 200, body = CheckLogPage)))]
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
    let after = match opt(&q.cursor) {
        Some(c) => decode_cursor(c)?
            .parse::<i64>()
            .map_err(|_| ApiError::invalid_parameter("cursor is not valid"))?,
        None => 0,
    };
    let mut conn = state.db.get().await?;
    match principal.role {
        Role::Admin => {}
        Role::Court | Role::Supervisor => {
            let own = principal.require_court_actor()?.as_str().to_string();
            let mut courts: Vec<String> = restriction_subjects::table
                .inner_join(restrictions::table)
                .filter(restriction_subjects::subject_key.eq(&id))
                .select(restrictions::court_code)
                .distinct()
                .load(&mut conn)
                .await?;
            let listed: Vec<String> = listings::table
                .filter(listings::debtor_key.eq(&id))
                .select(listings::court_code)
                .distinct()
                .load(&mut conn)
                .await?;
            courts.extend(listed);
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
                    "court_not_in_scope",
                    "no listing or order of your court binds this person",
                ));
            }
        }
        Role::Subscriber => {
            return Err(ApiError::forbidden(
                "forbidden",
                "the check log is for admins and courts",
            ));
        }
    }
    let rows: Vec<(i64, Uuid, String, String, DateTime<Utc>, String)> = check_log::table
        .inner_join(subscribers::table)
        .filter(check_log::subject_key.eq(&id))
        .filter(check_log::id.gt(after))
        .order(check_log::id.asc())
        .limit(limit + 1)
        .select((
            check_log::id,
            check_log::subscriber_id,
            subscribers::name,
            subscribers::sector,
            check_log::checked_at,
            check_log::decision,
        ))
        .load(&mut conn)
        .await?;
    let more = rows.len() as i64 > limit;
    let rows: Vec<_> = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    let next_cursor = if more {
        rows.last().map(|r| encode_cursor(&r.0.to_string()))
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(
            |(_, subscriber_id, subscriber_name, sector, checked_at, decision)| CheckLogItem {
                subscriber_id,
                subscriber_name,
                sector,
                checked_at,
                decision,
            },
        )
        .collect();
    Ok(HttpResponse::Ok().json(CheckLogPage { items, next_cursor }))
}
