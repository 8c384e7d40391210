//! The public lookup (docs/API.md "Public"): no authentication, rate-limited, cached in Redis. The
//! search itself is the service `crate::public`, shared with the web page.

pub mod certificates;
pub mod limit;

use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, http::header, web};

pub use crate::public::wire;
use crate::{
    app::AppState,
    cache::rate_limit::DeferredLimit,
    error::ApiError,
    public::{find_item, parse_search, search_body, too_many},
};
use wire::{PublicItem, PublicPage, PublicQuery};

/// Searches published listings by name (no authentication; rate-limited).
#[utoipa::path(operation_id = "public_search", tag = "public", params(PublicQuery),
    responses((status = 200, description = "Success", body = PublicPage), (status = 400, description = "Malformed request (problem+json)", body = crate::error::Problem),
        (status = 429, body = crate::error::Problem, description = "Over the rate limit (`rate_limited`), with `Retry-After`")))]
#[get("/v1/public/listings")]
pub async fn search(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<PublicQuery>,
) -> Result<HttpResponse, ApiError> {
    let deferred = req.extensions().get::<DeferredLimit>().copied();
    let s = match parse_search(&q) {
        Ok(s) => s,
        Err(e) => {
            // A malformed request counts too.
            if let Some(DeferredLimit(ip)) = deferred {
                state
                    .rate_limiter
                    .check(&state.cache, ip)
                    .await
                    .map_err(too_many)?;
            }
            return Err(e);
        }
    };
    let body = search_body(&state, &s, deferred).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body))
}

/// One published listing (404 unless active; no authentication; rate-limited).
#[utoipa::path(operation_id = "public_detail", tag = "public", params(("id" = String, Path)),
    responses((status = 200, description = "Success", body = PublicItem), (status = 404, description = "Not found (problem+json)", body = crate::error::Problem),
        (status = 429, body = crate::error::Problem, description = "Over the rate limit (`rate_limited`), with `Retry-After`")))]
#[get("/v1/public/listings/{id}")]
pub async fn detail(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let item = find_item(&state, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("no published listing with this id"))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .json(item))
}
