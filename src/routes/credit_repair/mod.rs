//! Credit repair (docs/API.md "The listed party", docs/LAW.md L16): one file per action. The rules
//! and steps are the service `crate::credit_repair`.

pub mod apply;
pub mod decision;
pub mod read;

use uuid::Uuid;

pub use crate::credit_repair::wire;
use crate::error::ApiError;

pub fn parse_id(s: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(s)
        .map_err(|_| ApiError::not_found("no such credit repair: credit repair ids are UUIDs"))
}
