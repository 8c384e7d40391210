//! The outbox: events written in the caller's transaction (API.md "Change feed"), and the feed
//! that reads them back in commit-safe order.

pub mod cursor;
pub mod feed;

use chrono::Utc;
use diesel::{
    sql_query,
    sql_types::{Array, Jsonb, Text, Timestamptz, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use crate::error::ApiError;

pub const LISTING_PUBLISHED: &str = "listing.published";
pub const LISTING_UPDATED: &str = "listing.updated";
pub const LISTING_REMOVED: &str = "listing.removed";

/// Appends one event and queues its deliveries to every enabled webhook that wants it, in one
/// statement of the caller's transaction: a committed change always has its notices (API.md
/// "Webhooks"). `items` are the restriction items it concerns (empty for `listing.*`).
pub async fn append(
    conn: &mut AsyncPgConnection,
    event_type: &str,
    entity_id: Uuid,
    items: &[String],
    data: Value,
) -> Result<Uuid, ApiError> {
    let id = Uuid::now_v7();
    sql_query(APPEND_SQL)
        .bind::<SqlUuid, _>(id)
        .bind::<Text, _>(event_type)
        .bind::<Timestamptz, _>(Utc::now())
        .bind::<SqlUuid, _>(entity_id)
        .bind::<Array<Text>, _>(items)
        .bind::<Jsonb, _>(data)
        .execute(conn)
        .await?;
    metrics::counter!(crate::metrics::EVENTS, "type" => event_type.to_string()).increment(1);
    Ok(id)
}

/// The fan-out of the events in the CTE `e(seq, type, items)` to the webhooks that want them:
/// `listing.*` to every enabled webhook of an enabled subscriber, others when they carry an item
/// of the webhook's sector. Shared by [`append`] and bulk import ([`append_bulk_sql`]).
macro_rules! fanout {
    () => {
        "INSERT INTO webhook_deliveries (webhook_id, event_seq) \
         SELECT w.id, e.seq FROM e \
           JOIN webhooks w ON w.enabled \
            AND (w.event_types IS NULL OR e.type = ANY (w.event_types)) \
            AND (e.type LIKE 'listing.%' OR e.items && w.items) \
           JOIN subscribers s ON s.id = w.subscriber_id AND s.enabled"
    };
}

const APPEND_SQL: &str = concat!(
    "WITH e AS ( \
       INSERT INTO events (id, type, occurred_at, entity_id, items, data) \
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq, type, items) ",
    fanout!()
);

/// Appends in one statement the events that `source` selects as
/// `(id, type, occurred_at, entity_id, items, data)`, in its order, with their deliveries (bulk
/// import). `source` is a constant query of the caller.
pub fn append_bulk_sql(source: &str) -> String {
    format!(
        "WITH e AS (INSERT INTO events (id, type, occurred_at, entity_id, items, data) {source} \
         RETURNING seq, type, items) {}",
        fanout!()
    )
}
