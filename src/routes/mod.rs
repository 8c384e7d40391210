//! HTTP routes: thin handlers that parse, authorise, call the models and answer.

pub mod audit;
pub mod check_log;
pub mod checks;
pub mod courts;
pub mod fallback;
pub mod feed;
pub mod indicators;
pub mod listings;
pub mod oauth;
pub mod ops;
pub mod parties;
pub mod public;
pub mod restrictions;
pub mod subscribers;
pub mod webhooks;

use actix_web::{HttpRequest, http::header, web};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::de::DeserializeOwned;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::error::ApiError;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "shixin",
        description = "National publication service for the list of dishonest judgment debtors (失信被执行人名单) and consumption restriction orders (限制消费令).",
    ),
    modifiers(&BearerAuth),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

pub fn base_openapi() -> utoipa::openapi::OpenApi {
    let mut api = ApiDoc::openapi();
    api.info.version = env!("CARGO_PKG_VERSION").to_string();
    api
}

/// Documented routes (collected into the OpenAPI document).
pub fn configure(cfg: &mut ServiceConfig) {
    // Routes are tried in this order (twice: the metrics middleware resolves the pattern before
    // routing), so the busiest come first.
    cfg.service(ops::healthz)
        .service(public::search)
        .service(public::detail)
        .service(checks::check)
        .service(ops::readyz)
        .service(ops::metrics)
        .service(courts::create)
        .service(courts::list)
        .service(courts::get)
        .service(listings::create::create)
        .service(listings::list::list)
        .service(listings::get::get)
        .service(listings::patch::patch)
        .service(listings::removal::removal)
        .service(listings::extension::extension)
        .service(listings::history::history)
        .service(audit::list)
        .service(restrictions::create::create)
        .service(restrictions::list::list)
        .service(restrictions::list::get)
        .service(restrictions::lifting::lifting)
        .service(restrictions::releases::grant)
        .service(restrictions::releases::revoke)
        .service(subscribers::create)
        .service(subscribers::list)
        .service(subscribers::update)
        .service(subscribers::rotate)
        .service(oauth::token)
        .service(check_log::list)
        .service(indicators::indicators)
        .service(feed::feed)
        .service(feed::snapshot::snapshot)
        .service(webhooks::create::create)
        .service(webhooks::manage::list)
        .service(webhooks::manage::get)
        .service(webhooks::manage::update)
        .service(webhooks::manage::remove)
        .service(webhooks::actions::rotate)
        .service(webhooks::actions::replay)
        .service(webhooks::actions::test)
        .service(webhooks::deliveries::list)
        .service(webhooks::deliveries::get);
}

/// Routes outside the API document.
pub fn configure_plain(cfg: &mut web::ServiceConfig) {
    cfg.route("/openapi.json", web::get().to(ops::openapi_json))
        .route("/docs", web::get().to(ops::docs))
        .route("/", web::get().to(crate::web::index))
        .route("/listings/{id}", web::get().to(crate::web::detail))
        .route("/supervise", web::get().to(crate::web::supervise::form))
        .route("/supervise", web::post().to(crate::web::supervise::show));
}

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(|e, _| json_error(&e.to_string()).into())
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default()
        .error_handler(|e, _| ApiError::invalid_parameter(e.to_string()).into())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|e, _| ApiError::invalid_parameter(e.to_string()).into())
}

fn json_error(msg: &str) -> ApiError {
    ApiError::bad_request(
        "malformed_json",
        format!("the body is not valid JSON: {msg}"),
    )
}

/// Parses a JSON body read as bytes (so the raw bytes also serve the idempotency fingerprint):
/// 415 for another content type, 400 for malformed JSON, 422 for well-formed JSON of the wrong shape.
pub fn parse_json<T: DeserializeOwned>(req: &HttpRequest, body: &[u8]) -> Result<T, ApiError> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime != "application/json" && !mime.ends_with("+json") {
        return Err(ApiError::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as application/json",
        ));
    }
    // One pass: syntax errors are 400, well-formed JSON of the wrong shape is 422.
    serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ApiError::rule(
            "invalid_body",
            None,
            format!("the body does not have the expected shape: {e}"),
        ),
        _ => json_error(&e.to_string()),
    })
}

/// Cursor pagination: `?limit=` (1..=1000, default 100) and an opaque `?cursor=`.
pub fn page_limit(limit: Option<i64>) -> Result<i64, ApiError> {
    match limit {
        None => Ok(100),
        Some(n) if (1..=1000).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::invalid_parameter(
            "limit must be between 1 and 1000",
        )),
    }
}

pub fn encode_cursor(s: &str) -> String {
    URL_SAFE_NO_PAD.encode(s)
}

/// `?cursor=` of a list ordered by UUID: the id to continue after, if any.
pub fn uuid_cursor(cursor: &Option<String>) -> Result<Option<Uuid>, ApiError> {
    opt(cursor)
        .map(|c| {
            Uuid::parse_str(&decode_cursor(c)?)
                .map_err(|_| ApiError::invalid_parameter("cursor is not one this service issued"))
        })
        .transpose()
}

pub fn decode_cursor(c: &str) -> Result<String, ApiError> {
    URL_SAFE_NO_PAD
        .decode(c)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| ApiError::invalid_parameter("cursor is not one this service issued"))
}

/// Every error response is `application/problem+json` with the `Problem` schema, and every operation
/// documents the errors any request may meet (malformed input, authentication, limits, outages).
pub fn document_problems(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let problem = |d: &str| {
        ResponseBuilder::new()
            .description(d)
            .content(
                crate::error::PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
    };
    for (path, item) in api.paths.paths.iter_mut() {
        let has_params = path.contains('{');
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.patch,
            &mut item.put,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            for (code, resp) in op.responses.responses.iter_mut() {
                if (code.starts_with('4') || code.starts_with('5'))
                    && let RefOr::T(r) = resp
                {
                    let entries: Vec<_> = r.content.drain(..).collect();
                    for (_, c) in entries {
                        r.content.insert(crate::error::PROBLEM_JSON.to_string(), c);
                    }
                }
            }
            let mut codes = vec![
                ("400", "Malformed parameters (`invalid_parameter`)"),
                ("405", "Wrong method"),
                ("500", "Internal error (never carries internals)"),
                ("503", "The database is unavailable"),
            ];
            if op.security.is_some() {
                codes.push(("401", "No or invalid bearer token"));
                codes.push(("403", "Not allowed for this principal"));
            }
            if has_params {
                codes.push(("404", "Not found"));
            }
            let has_if_match = op.parameters.as_ref().is_some_and(|ps| {
                ps.iter()
                    .any(|p| matches!(p, RefOr::T(p) if p.name == "If-Match"))
            });
            if has_if_match {
                codes.push((
                    "412",
                    "The version in If-Match is stale (`version_mismatch`)",
                ));
                codes.push(("428", "If-Match is missing (`precondition_required`)"));
            }
            if op.request_body.is_some() {
                codes.push(("413", "Body too large"));
                codes.push(("415", "Not JSON"));
                codes.push(("422", "Well-formed but invalid or against a rule"));
            }
            for (c, d) in codes {
                op.responses
                    .responses
                    .entry(c.to_string())
                    .or_insert_with(|| RefOr::T(problem(d)));
            }
        }
    }
}

/// A query parameter, absent when empty (`?id_number=` filters nothing).
pub fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub const MAX_NOTE_CHARS: usize = 2000;

/// A court's free-text note on a removal, lifting or release: at most 2,000 characters.
pub fn check_note(note: Option<&str>) -> Result<(), ApiError> {
    match note {
        Some(n) if n.chars().count() > MAX_NOTE_CHARS => Err(ApiError::rule(
            "invalid_value",
            Some("note"),
            "note is at most 2000 characters",
        )),
        _ => Ok(()),
    }
}
