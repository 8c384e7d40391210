//! The outbox: events written in the caller's transaction (API.md "Change feed"), and the feed
//! that reads them back in commit-safe order.

pub mod cursor;
pub mod feed;

use chrono::Utc;
use diesel::{ExpressionMethods, insert_into};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use crate::{db::schema::events, error::ApiError};

pub const LISTING_PUBLISHED: &str = "listing.published";
pub const LISTING_UPDATED: &str = "listing.updated";
pub const LISTING_REMOVED: &str = "listing.removed";

/// Appends one event; `items` are the restriction items it concerns (empty for `listing.*`).
pub async fn append(
    conn: &mut AsyncPgConnection,
    event_type: &str,
    entity_id: Uuid,
    items: &[String],
    data: Value,
) -> Result<Uuid, ApiError> {
    let id = Uuid::now_v7();
    insert_into(events::table)
        .values((
            events::id.eq(id),
            events::event_type.eq(event_type),
            events::occurred_at.eq(Utc::now()),
            events::entity_id.eq(entity_id),
            events::items.eq(items),
            events::data.eq(data),
        ))
        .execute(conn)
        .await?;
    Ok(id)
}
