//! HTTP routes: thin handlers that parse, authorise, call the services and answer. They are wired
//! to paths in `crate::router`; the helpers here are what handlers share (bodies, pages, cursors).

pub mod audit;
pub mod check_log;
pub mod checks;
pub mod corrections;
pub mod courts;
pub mod credit_repair;
pub mod docs;
pub mod fallback;
pub mod feed;
pub mod indicators;
pub mod listings;
pub mod oauth;
pub mod ops;
pub mod public;
pub mod restrictions;
pub mod subscribers;
pub mod watchlist;
pub mod webhooks;

use actix_web::{HttpRequest, http::header};
use serde::de::DeserializeOwned;

use crate::domain::ErrorCode;
use crate::error::ApiError;
pub use crate::paging::{decode_cursor, encode_cursor, opt, page_limit, uuid_cursor};

pub fn json_error(msg: &str) -> ApiError {
    ApiError::bad_request(
        ErrorCode::MalformedJson,
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
            ErrorCode::UnsupportedMediaType,
            "send the body as application/json",
        ));
    }
    // One pass: syntax errors are 400, well-formed JSON of the wrong shape is 422.
    serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ApiError::rule(
            ErrorCode::InvalidBody,
            None,
            format!("the body does not have the expected shape: {e}"),
        ),
        _ => json_error(&e.to_string()),
    })
}

pub const MAX_NOTE_CHARS: usize = 2000;

/// A court's free-text note on a removal, lifting or release: at most 2,000 characters.
pub fn check_note(note: Option<&str>) -> Result<(), ApiError> {
    match note {
        Some(n) if n.chars().count() > MAX_NOTE_CHARS => Err(ApiError::rule(
            ErrorCode::InvalidValue,
            Some("note"),
            "note is at most 2000 characters",
        )),
        _ => Ok(()),
    }
}

/// A court's change of one resource it read at a version: the principal acts for a court, the id
/// in the path parses, `If-Match` names the version read (428 when missing) and the body parses.
pub struct CourtChange<T> {
    pub id: uuid::Uuid,
    pub expected: i32,
    pub input: T,
}

/// Parses a [`CourtChange`]; `parse_id` answers 404 for an id of the wrong shape.
pub fn court_change<T: DeserializeOwned>(
    principal: &crate::auth::Principal,
    req: &HttpRequest,
    id: &str,
    body: &[u8],
    parse_id: fn(&str) -> Result<uuid::Uuid, ApiError>,
) -> Result<CourtChange<T>, ApiError> {
    principal.require_court_actor()?;
    let id = parse_id(id)?;
    let expected = crate::write::if_match(req)?;
    let input = parse_json(req, body)?;
    Ok(CourtChange {
        id,
        expected,
        input,
    })
}
