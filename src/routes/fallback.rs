//! 404 and 405 as problem+json, and a safety net that turns any error response actix builds by itself
//! (payload too large, bad path, …) into problem+json with a stable code.

use actix_web::{
    Error, HttpRequest, HttpResponse, ResponseError,
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{StatusCode, header},
    middleware::{ErrorHandlerResponse, ErrorHandlers, Next},
    web,
};

use crate::domain::ErrorCode;
use crate::error::{ApiError, PROBLEM_JSON};

/// A path of the API with `{param}` segments, and the methods it answers.
#[derive(Debug, Clone)]
pub struct RouteTemplate {
    segments: Vec<Option<String>>,
    methods: Vec<String>,
}

impl RouteTemplate {
    fn matches(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        parts.len() == self.segments.len()
            && self
                .segments
                .iter()
                .zip(parts)
                .all(|(s, p)| s.as_deref().is_none_or(|lit| lit == p))
    }
}

/// Every path template of the API (served by the router beside the state).
pub struct Templates(pub Vec<RouteTemplate>);

pub fn templates(api: &utoipa::openapi::OpenApi) -> Vec<RouteTemplate> {
    let mut out: Vec<RouteTemplate> = api
        .paths
        .paths
        .iter()
        .map(|(path, item)| {
            let segments = path
                .trim_matches('/')
                .split('/')
                .map(|s| (!s.starts_with('{')).then(|| s.to_string()))
                .collect();
            let methods = [
                (item.get.is_some(), "GET"),
                (item.post.is_some(), "POST"),
                (item.put.is_some(), "PUT"),
                (item.patch.is_some(), "PATCH"),
                (item.delete.is_some(), "DELETE"),
            ]
            .into_iter()
            .filter(|(has, _)| *has)
            .map(|(_, m)| m.to_string())
            .collect();
            RouteTemplate { segments, methods }
        })
        .collect();
    for (p, m) in [("/", "GET"), ("/openapi.json", "GET"), ("/docs", "GET")] {
        out.push(RouteTemplate {
            segments: p
                .trim_matches('/')
                .split('/')
                .map(|s| Some(s.to_string()))
                .collect(),
            methods: vec![m.to_string()],
        });
    }
    out
}

pub async fn not_found(req: HttpRequest, templates: web::Data<Templates>) -> HttpResponse {
    let path = req.path();
    let allowed: Vec<String> = templates
        .0
        .iter()
        .filter(|t| t.matches(path))
        .flat_map(|t| t.methods.clone())
        .collect();
    if allowed.is_empty() {
        ApiError::not_found("no resource at this path").error_response()
    } else {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::MethodNotAllowed,
            format!(
                "{} is not allowed here; use {}",
                req.method(),
                allowed.join(", ")
            ),
        )
        .with_header(header::ALLOW, allowed.join(", "))
        .error_response()
    }
}

fn code_for(status: StatusCode) -> ErrorCode {
    match status.as_u16() {
        400 => ErrorCode::BadRequest,
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        406 => ErrorCode::NotAcceptable,
        408 => ErrorCode::RequestTimeout,
        411 => ErrorCode::LengthRequired,
        413 => ErrorCode::PayloadTooLarge,
        414 => ErrorCode::UriTooLong,
        415 => ErrorCode::UnsupportedMediaType,
        431 => ErrorCode::RequestHeaderFieldsTooLarge,
        503 => ErrorCode::ServiceUnavailable,
        s if s >= 500 => ErrorCode::InternalError,
        _ => ErrorCode::BadRequest,
    }
}

fn rewrite<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON) || v.starts_with("text/html"));
    // problem+json already, or a page of the public web site (its own 400/404 in HTML)
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let detail = match status.as_u16() {
        413 => "the request body is too large".to_string(),
        s if s >= 500 => "the server could not complete the request".to_string(),
        _ => status.canonical_reason().unwrap_or("error").to_string(),
    };
    let keep: Vec<_> = [header::ALLOW, header::WWW_AUTHENTICATE, header::RETRY_AFTER]
        .into_iter()
        .filter_map(|h| res.headers().get(&h).map(|v| (h, v.clone())))
        .collect();
    let (req, _) = res.into_parts();
    let mut resp = ApiError::new(status, code_for(status), detail).error_response();
    for (h, v) in keep {
        resp.headers_mut().insert(h, v);
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, resp).map_into_right_body(),
    ))
}

pub fn problem_errors<B: 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(rewrite)
}

/// No parameter may hold a NUL character, which PostgreSQL's text cannot: 400 `invalid_parameter`
/// before any handler sees the request (schemathesis found `GET /v1/courts?province=%00` answering
/// 500).
pub async fn refuse_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    if req.query_string().contains("%00") || req.uri().path().contains("%00") {
        let resp = ApiError::invalid_parameter("a parameter may not contain a NUL character")
            .error_response();
        return Ok(req.into_response(resp).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}
