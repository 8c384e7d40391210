use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{NaiveDate, Utc};
use diesel::{ExpressionMethods, QueryDsl};
use diesel_async::RunQueryDsl;

use super::{
    end_published, lock_for_change, out_json, parse_id, reload,
    wire::{ListingOut, Removal, RemovalIn},
};
use crate::{
    app::AppState,
    audit::{self, Actor},
    auth::Principal,
    db::schema::listings,
    domain::{
        calendar,
        grounds::Grounds,
        listing_rules::{ListingStatus, RemovalReason},
        today_cst,
    },
    error::ApiError,
    routes::{check_note, parse_json},
    write::{Outcome, if_match, run_write},
};

/// Remove (L3, L5) or revoke (L7) a listing; `If-Match` required. L5 reasons apply only to
/// listings without a fixed term (L6). `event_on` dates the removal event, from which the indicators
/// measure L5's 3 working days.
#[utoipa::path(tag = "listings", request_body = RemovalIn, security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ListingOut), (status = 409, body = crate::error::Problem),
        (status = 412, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/v1/listings/{id}/removal")]
pub async fn removal(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require_court_actor()?;
    let id = parse_id(&id)?;
    let expected = if_match(&req)?;
    let input: RemovalIn = parse_json(&req, &body)?;
    let reason = RemovalReason::parse(&input.reason).map_err(|e| ApiError::domain("reason", e))?;
    if reason == RemovalReason::TermExpired {
        return Err(ApiError::rule(
            "reason_not_applicable",
            Some("reason"),
            "a term expires by itself (L6)",
        ));
    }
    check_note(input.note.as_deref())?;
    let event_on = match input.event_on.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            ApiError::rule(
                "invalid_date",
                Some("event_on"),
                "a date is written YYYY-MM-DD",
            )
        })?),
    };
    let actor = Actor::from(&principal);
    let p = principal.clone();
    run_write(&state, &principal, &req, &body, move |conn| {
        Box::pin(async move {
            let row = lock_for_change(conn, &p, id, expected, true).await?;
            let grounds = Grounds::new(row.grounds.iter().copied())
                .map_err(|e| ApiError::internal(e.into()))?;
            reason
                .check_applicable(grounds.has_fixed_term())
                .map_err(|e| ApiError::domain("reason", e))?;
            if let Some(on) = event_on {
                calendar::check_event_on(on, row.decided_on, today_cst())
                    .map_err(|e| ApiError::domain("event_on", e))?;
            }
            let before = out_json(&reload(conn, id).await?)?;
            let now = Utc::now();
            let removal = Removal {
                reason: reason.code().to_string(),
                note: input.note.clone(),
                removed_at: now,
                event_on,
                keep_restriction: input.keep_restriction,
            };
            let status = if reason.is_revocation() {
                "revoked"
            } else {
                "removed"
            };
            diesel::update(listings::table.filter(listings::id.eq(id)))
                .set((
                    listings::status.eq(status),
                    listings::removal.eq(serde_json::to_value(&removal)?),
                    listings::version.eq(row.version + 1),
                    listings::updated_at.eq(now),
                ))
                .execute(conn)
                .await?;
            let after = reload(conn, id).await?;
            let after_json = out_json(&after)?;
            let action = if reason.is_revocation() {
                "listing.revoke"
            } else {
                "listing.remove"
            };
            audit::append(
                conn,
                &actor,
                action,
                "listing",
                &id.to_string(),
                Some(&before),
                Some(&after_json),
            )
            .await?;
            if row.status == ListingStatus::Active {
                end_published(conn, &actor, id, reason.code(), input.keep_restriction).await?;
            }
            Ok(Outcome::ok(after_json, after.row.version)
                .affecting([after.row.name_folded.clone()]))
        })
    })
    .await
}
