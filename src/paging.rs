//! Query parameters every list shares: `?limit=` pages and opaque `?cursor=`s (base64url of the
//! position to continue after), and optional parameters that are empty when blank.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use uuid::Uuid;

use crate::error::ApiError;

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

/// A query parameter, absent when empty (`?id_number=` filters nothing).
pub fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}
