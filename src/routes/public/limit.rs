//! The rate-limit middleware: counts `/v1/public/*` and the HTML pages per client (docs/API.md
//! "Rate limit").

use actix_web::{
    Error, HttpMessage, HttpResponse, ResponseError,
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header,
    middleware::Next,
    web,
};

use crate::{
    app::AppState,
    cache::rate_limit::{DeferredLimit, client_ip},
    public::too_many,
};

/// Whether a path is public (rate-limited).
pub fn is_public_path(path: &str) -> bool {
    path == "/"
        || path.starts_with("/v1/public/")
        || path == "/v1/public"
        || path.starts_with("/listings/")
        || path.starts_with("/certificates/")
}

/// The web page's 429: a short page in Chinese, with `Retry-After`.
fn too_many_page(retry_after: u64) -> HttpResponse {
    metrics::counter!(crate::metrics::RATE_LIMITED).increment(1);
    HttpResponse::TooManyRequests()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::RETRY_AFTER, retry_after.to_string()))
        .body(format!(
            "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>查询过于频繁</title></head>\
             <body><main><h1>查询过于频繁</h1><p role=\"alert\">请在 {retry_after} 秒后再试。</p>\
             <p><a href=\"/\">返回查询页</a></p></main></body></html>"
        ))
}

pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    if is_public_path(req.path())
        && let Some(state) = req.app_data::<web::Data<AppState>>().cloned()
    {
        // Every X-Forwarded-For line, in order: a client's own line comes first, the proxies' after.
        let xff = req
            .headers()
            .get_all(header::X_FORWARDED_FOR)
            .map(header::HeaderValue::as_bytes);
        let peer = req.peer_addr().map(|a| a.ip());
        let client = client_ip(peer, xff, state.rate_limiter.trusted());
        if let Some(client) = client {
            if req.path() == "/v1/public/listings" && state.cache.conn().is_some() {
                // The search handler counts the client in its cache round trip.
                req.extensions_mut().insert(DeferredLimit(client));
            } else if let Err(retry_after) = state.rate_limiter.check(&state.cache, client).await {
                let resp = if req.path().starts_with("/v1/") {
                    too_many(retry_after).error_response()
                } else {
                    too_many_page(retry_after)
                };
                return Ok(req.into_response(resp).map_into_right_body());
            }
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}
