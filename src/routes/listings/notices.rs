use actix_web::{HttpResponse, get, web};

use super::parse_id;
use crate::{
    app::AppState, auth::Principal, db::models::listing::Listing, error::ApiError,
    notices::NoticesPage,
};

/// L15: the Art. 8 notices of a listing: to whom, for which event, and whether each arrived
/// (`delivered` on the recipient's webhook 2xx or feed read; `unregistered`: notify by other means).
#[utoipa::path(operation_id = "listings_notices", tag = "listings", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "Success", body = NoticesPage), (status = 404, description = "Not found (problem+json)", body = crate::error::Problem)))]
#[get("/v1/listings/{id}/notices")]
pub async fn notices(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require_court_actor()?;
    let id = parse_id(&id)?;
    let mut conn = state.db.get().await?;
    if Listing::find(&mut conn, id).await?.is_none() {
        return Err(ApiError::not_found(format!("no listing {id}")));
    }
    let page = crate::notices::of_listing(&mut conn, id).await?;
    Ok(HttpResponse::Ok().json(page))
}
