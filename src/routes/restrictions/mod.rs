//! Restriction orders (docs/API.md "Restriction orders"): one file per action.

pub mod create;
pub mod lifting;
pub mod list;
pub mod releases;
pub mod wire;

use uuid::Uuid;

use crate::error::ApiError;

pub fn parse_id(s: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(s).map_err(|_| ApiError::not_found("no such restriction order: ids are UUIDs"))
}
