use actix_web::{HttpResponse, get, web};

use super::{parse_id, wire::HistoryPage};
use crate::{app::AppState, audit, auth::Principal, db::models::listing::Listing, error::ApiError};

/// Every change of a listing, oldest first, with actor, time and the listing before and after.
#[utoipa::path(operation_id = "listings_history", tag = "listings", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "Success", body = HistoryPage), (status = 404, description = "Not found (problem+json)", body = crate::error::Problem)))]
#[get("/v1/listings/{id}/history")]
pub async fn history(
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
    let items = audit::history(&mut conn, "listing", &id.to_string()).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items, "next_cursor": null })))
}
