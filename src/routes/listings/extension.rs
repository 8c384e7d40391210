use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Utc;
use diesel::{ExpressionMethods, QueryDsl};
use diesel_async::RunQueryDsl;

use super::{
    event_data, lock_for_change, out_json, parse_id, reload,
    wire::{ExtensionIn, ListingOut},
};
use crate::{
    app::AppState,
    audit::{self, Actor},
    auth::Principal,
    db::schema::listings,
    domain::{
        grounds::Grounds,
        listing_rules::{self, ListingStatus},
    },
    error::ApiError,
    events,
    routes::parse_json,
    write::{Outcome, if_match, run_write},
};

/// Extend a fixed-term listing by 1 to 3 years, at most 3 in total, only with an aggravating
/// ground (L2); `If-Match` required.
#[utoipa::path(tag = "listings", request_body = ExtensionIn, security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ListingOut), (status = 409, body = crate::error::Problem),
        (status = 412, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/v1/listings/{id}/extension")]
pub async fn extension(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require_court_actor()?;
    let id = parse_id(&id)?;
    let expected = if_match(&req)?;
    let input: ExtensionIn = parse_json(&req, &body)?;
    if input.years < 1 {
        return Err(ApiError::rule(
            "invalid_value",
            Some("years"),
            "years is 1 to 3",
        ));
    }
    let years = u32::try_from(input.years.min(100)).unwrap_or(100);
    let actor = Actor::from(&principal);
    let p = principal.clone();
    run_write(&state, &principal, &req, &body, move |conn| {
        Box::pin(async move {
            let row = lock_for_change(conn, &p, id, expected, true).await?;
            let grounds = Grounds::new(row.grounds.iter().copied())
                .map_err(|e| ApiError::internal(e.into()))?;
            let current = u32::try_from(row.extension_years).unwrap_or(0);
            let total = listing_rules::check_extension(&grounds, current, years)
                .map_err(|e| ApiError::domain("years", e))?;
            let expires_on = listing_rules::expires_on(row.decided_on, &grounds, total);
            let before = out_json(&reload(conn, id).await?)?;
            diesel::update(listings::table.filter(listings::id.eq(id)))
                .set((
                    listings::extension_years.eq(i32::try_from(total).unwrap_or(0)),
                    listings::expires_on.eq(expires_on),
                    listings::version.eq(row.version + 1),
                    listings::updated_at.eq(Utc::now()),
                ))
                .execute(conn)
                .await?;
            let after = reload(conn, id).await?;
            let after_json = out_json(&after)?;
            audit::append(
                conn,
                &actor,
                "listing.extend",
                "listing",
                &id.to_string(),
                Some(&before),
                Some(&after_json),
            )
            .await?;
            if row.status == ListingStatus::Active {
                events::append(
                    conn,
                    events::LISTING_UPDATED,
                    id,
                    &[],
                    event_data(&after, None),
                )
                .await?;
            }
            Ok(Outcome::ok(after_json, after.row.version)
                .affecting([after.row.name_folded.clone()]))
        })
    })
    .await
}
