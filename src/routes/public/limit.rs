//! The rate-limit middleware: counts `/v1/public/*` and the HTML pages per client (API.md "Rate limit").

use actix_web::{
    Error, ResponseError,
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{StatusCode, header},
    middleware::Next,
    web,
};

use crate::{cache::rate_limit::client_ip, error::ApiError, startup::AppState};

/// Whether a path is public (rate-limited).
pub fn is_public_path(path: &str) -> bool {
    path == "/"
        || path.starts_with("/v1/public/")
        || path == "/v1/public"
        || path.starts_with("/listings/")
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
        if let Some(client) = client_ip(peer, xff, state.rate_limiter.trusted())
            && let Err(retry_after) = state.rate_limiter.check(&state.cache, client).await
        {
            let err = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many requests; retry in {retry_after} s"),
            )
            .with_header(header::RETRY_AFTER, retry_after.to_string());
            let resp = err.error_response();
            return Ok(req.into_response(resp).map_into_right_body());
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}
