//! Listings (API.md "Listings"): one file per action. The life of a listing (its rules, its
//! changes, its views) is the service `crate::listings`, shared with the tick and bulk.

pub mod create;
pub mod extension;
pub mod get;
pub mod history;
pub mod list;
pub mod patch;
pub mod removal;

use uuid::Uuid;

use crate::error::ApiError;
pub use crate::listings::{
    end_published, lock_for_change, publish, reload,
    view::{as_input, event_data, out_json, public_item, to_out},
    wire,
};

pub fn parse_id(s: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(s).map_err(|_| ApiError::not_found("no such listing: listing ids are UUIDs"))
}
