use actix_web::{HttpResponse, get, http::header, web};

use super::{parse_id, to_out, wire::ListingOut};
use crate::{app::AppState, auth::Principal, db::models::listing::Listing, error::ApiError};

/// One listing, whatever its status (court, supervisor).
#[utoipa::path(operation_id = "listings_get", tag = "listings", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "Success", body = ListingOut), (status = 404, description = "Not found (problem+json)", body = crate::error::Problem)))]
#[get("/v1/listings/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require_court_actor()?;
    let id = parse_id(&id)?;
    let mut conn = state.db.get().await?;
    let listing = Listing::find(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no listing {id}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{}\"", listing.row.version)))
        .json(to_out(&listing)?))
}
