//! Listings (docs/API.md "Listings"): one file per action. The life of a listing (its rules, its
//! changes, its views) is the service `crate::listings`, shared with the tick and bulk.

pub mod create;
pub mod extension;
pub mod get;
pub mod history;
pub mod list;
pub mod notices;
pub mod patch;
pub mod removal;
pub mod service;

use uuid::Uuid;

pub use crate::listings::{view::to_out, wire};
use crate::{error::ApiError, listings::Changed, write::Outcome};

pub fn parse_id(s: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(s).map_err(|_| ApiError::not_found("no such listing: listing ids are UUIDs"))
}

/// The answer to a change: the listing as it is now, its version as the `ETag`, and the public
/// names to invalidate after the commit.
pub fn changed(c: Changed) -> Result<Outcome, ApiError> {
    Ok(Outcome::ok(c.json, c.listing.row.version).affecting(c.names))
}
