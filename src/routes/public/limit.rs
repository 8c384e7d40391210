//! The rate-limit middleware: counts `/v1/public/*` and the HTML pages per client (API.md "Rate limit").

use actix_web::{
    Error, HttpMessage, ResponseError,
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{StatusCode, header},
    middleware::Next,
    web,
};

use crate::{
    cache::rate_limit::{DeferredLimit, client_ip},
    error::ApiError,
    startup::AppState,
};

/// Whether a path is public (rate-limited).
pub fn is_public_path(path: &str) -> bool {
    path == "/"
        || path.starts_with("/v1/public/")
        || path == "/v1/public"
        || path.starts_with("/listings/")
}

/// 429 `rate_limited` with `Retry-After`.
pub fn too_many(retry_after: u64) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("too many requests; retry in {retry_after} s"),
    )
    .with_header(header::RETRY_AFTER, retry_after.to_string())
}

pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    if is_public_path(req.path())
        && let Some(state) = req.app_data::<web::Data<AppState>>().cloned()
    {
        let xff = req
            .headers()
            .get("X-Forwarded-For")
            .and_then(|v| v.to_str().ok());
        let peer = req.peer_addr().map(|a| a.ip());
        let client = client_ip(peer, xff, state.rate_limiter.trusted());
        if let Some(client) = client {
            if req.path() == "/v1/public/listings" && state.cache.conn().is_some() {
                // The search handler counts the client in its cache round trip.
                req.extensions_mut().insert(DeferredLimit(client));
            } else if let Err(retry_after) = state.rate_limiter.check(&state.cache, client).await {
                let resp = too_many(retry_after).error_response();
                return Ok(req.into_response(resp).map_into_right_body());
            }
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}
