//! The outbox: events written in the caller's transaction (docs/API.md "Events and webhooks"), and
//! the feed that reads them back in commit-safe order.

pub mod cursor;
pub mod feed;

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use serde_json::Value;
use uuid::Uuid;

use crate::db::{DbError, models::event};

pub const LISTING_PUBLISHED: &str = "listing.published";
pub const LISTING_UPDATED: &str = "listing.updated";
pub const LISTING_REMOVED: &str = "listing.removed";

/// Appends one event and queues its deliveries to every enabled webhook that wants it, in one
/// statement of the caller's transaction: a committed change always has its notices (docs/API.md
/// "Webhooks"). `items` are the restriction items it concerns (empty for `listing.*`).
pub async fn append(
    conn: &mut AsyncPgConnection,
    event_type: &str,
    entity_id: Uuid,
    items: &[String],
    data: Value,
) -> Result<Uuid, DbError> {
    append_for(conn, event_type, entity_id, items, data, None, None).await
}

/// [`append`], with the notice recipient (L15) that may see the event besides the sectors, and
/// the subject keys the event concerns (watch-lists; `None`: the subjects of the order
/// `entity_id`).
pub async fn append_for(
    conn: &mut AsyncPgConnection,
    event_type: &str,
    entity_id: Uuid,
    items: &[String],
    data: Value,
    audience: Option<Uuid>,
    subject_keys: Option<&[String]>,
) -> Result<Uuid, DbError> {
    let id = Uuid::now_v7();
    event::insert(
        conn,
        event::NewEvent {
            id,
            event_type,
            occurred_at: Utc::now(),
            entity_id,
            items,
            data,
            audience,
            subject_keys,
        },
    )
    .await?;
    metrics::counter!(crate::metrics::EVENTS, "type" => event_type.to_string()).increment(1);
    Ok(id)
}
