//! The outbox's `events`: appending events with the webhook deliveries they queue (one statement,
//! for one event or a bulk import's many), and reading them back in commit-safe order (the feed
//! and its newest position).

use chrono::{DateTime, Utc};
use diesel::{
    QueryableByName, sql_query,
    sql_types::{Array, BigInt, Bytea, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

/// The fan-out of the events in the CTE `e(seq, type, items, audience, subject_keys)` to the
/// webhooks that want them: `listing.*` to every enabled webhook of an enabled subscriber, others
/// when they carry an item of the webhook's sector; for a subscriber of scope `watchlist`, only
/// events of a subject on its list, compared by keyed hash with the key in parameter `key_param`
/// (`crate::watchlist`). Shared by [`insert`] and bulk import ([`append_bulk_sql`]).
fn fanout(key_param: &str) -> String {
    include_str!("../sql/event_fanout.sql").replace("$KEY", key_param)
}

/// One event: an order's event (`subject_keys` null) concerns the order's subjects as they are now.
static APPEND_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "WITH e AS ( \
           INSERT INTO events (id, type, occurred_at, entity_id, items, data, audience, subject_keys) \
           VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE($8::text[], ARRAY( \
             SELECT subject_key FROM restriction_subjects WHERE restriction_id = $4 \
              ORDER BY subject_key))) \
           RETURNING seq, type, items, audience, subject_keys) {}",
        fanout("$9")
    )
});

/// One event to append: `audience` is the notice recipient (L15) that may see it besides the
/// sectors.
pub struct NewEvent<'a> {
    pub id: Uuid,
    pub event_type: &'a str,
    pub occurred_at: DateTime<Utc>,
    pub entity_id: Uuid,
    pub items: &'a [String],
    pub data: Value,
    pub audience: Option<Uuid>,
    /// The subject keys it concerns (a listing's debtor, a release's subject); `None` for an order's
    /// event: its subjects as stored.
    pub subject_keys: Option<&'a [String]>,
}

/// Inserts one event and queues its deliveries to every enabled webhook that wants it, in one
/// statement (`crate::events::append`).
pub async fn insert(
    conn: &mut AsyncPgConnection,
    ev: NewEvent<'_>,
) -> Result<usize, diesel::result::Error> {
    sql_query(APPEND_SQL.as_str())
        .bind::<SqlUuid, _>(ev.id)
        .bind::<Text, _>(ev.event_type)
        .bind::<Timestamptz, _>(ev.occurred_at)
        .bind::<SqlUuid, _>(ev.entity_id)
        .bind::<Array<Text>, _>(ev.items)
        .bind::<Jsonb, _>(ev.data)
        .bind::<Nullable<SqlUuid>, _>(ev.audience)
        .bind::<Nullable<Array<Text>>, _>(ev.subject_keys)
        .bind::<Bytea, _>(crate::watchlist::key())
        .execute(conn)
        .await
}

/// Appends in one statement the events that `source` selects as
/// `(id, type, occurred_at, entity_id, items, data, audience, subject_keys)`, in its order, with
/// their deliveries (bulk import); the watch-list key is parameter `key_param`. `source` is a
/// constant query of the caller.
pub fn append_bulk_sql(source: &str, key_param: &str) -> String {
    format!(
        "WITH e AS (INSERT INTO events \
           (id, type, occurred_at, entity_id, items, data, audience, subject_keys) \
         {source} RETURNING seq, type, items, audience, subject_keys) {}",
        fanout(key_param)
    )
}

/// An event as stored, with its position (`txid`, `seq`).
#[derive(QueryableByName)]
pub struct EventRow {
    #[diesel(sql_type = Text)]
    pub txid_text: String,
    #[diesel(sql_type = BigInt)]
    pub seq: i64,
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub event_type: String,
    #[diesel(sql_type = Timestamptz)]
    pub occurred_at: DateTime<Utc>,
    #[diesel(sql_type = Jsonb)]
    pub data: Value,
}

/// A position in the feed.
#[derive(QueryableByName)]
pub struct PositionRow {
    #[diesel(sql_type = Text)]
    pub txid_text: String,
    #[diesel(sql_type = BigInt)]
    pub seq: i64,
}

/// Up to `limit` events after the position (`txid`, `seq`), in commit-safe order, that a sector
/// with `sector_items` may see: every `listing.*` event, and the others carrying one of its items;
/// for a notice recipient (`audience`), only the `listing.*` events addressed to it (L15); for a
/// subscriber of scope `watchlist` (`watcher`), only events of a subject on its list.
pub async fn page(
    conn: &mut AsyncPgConnection,
    txid: String,
    seq: i64,
    sector_items: &[String],
    audience: Option<Uuid>,
    watcher: Option<Uuid>,
    limit: i64,
) -> Result<Vec<EventRow>, diesel::result::Error> {
    sql_query(include_str!("../sql/event_page.sql"))
        .bind::<Text, _>(txid)
        .bind::<BigInt, _>(seq)
        .bind::<Array<Text>, _>(sector_items)
        .bind::<BigInt, _>(limit)
        .bind::<Nullable<SqlUuid>, _>(audience)
        .bind::<Nullable<SqlUuid>, _>(watcher)
        .bind::<Bytea, _>(crate::watchlist::key())
        .load(conn)
        .await
}

/// The newest position every reader can already see (also prepared by `db::checks`).
pub(crate) const POSITION_SQL: &str = "SELECT txid::text AS txid_text, seq FROM events \
     WHERE txid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY txid DESC, seq DESC LIMIT 1";

/// The newest position every reader can already see (none while no event is visible).
pub async fn position(
    conn: &mut AsyncPgConnection,
) -> Result<Option<PositionRow>, diesel::result::Error> {
    let rows: Vec<PositionRow> = sql_query(POSITION_SQL).load(conn).await?;
    Ok(rows.into_iter().next())
}
