//! The Art. 8 notices (L15): written with the listing events that owe them, settled by a webhook's
//! 2xx (`sql/record_deliveries.sql`) or a feed read that passed the event ([`received_by_feed`]),
//! read per listing and counted per court.

use chrono::{DateTime, Utc};
use diesel::{
    QueryableByName, sql_query,
    sql_types::{Array, BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::indicators::CourtIds;

type Db<T> = Result<T, diesel::result::Error>;

/// The publications and removals among the events selected by `events_where`, and the SQL that
/// records their notices (`record_notices`, a function of the migration).
fn record_sql(events_where: &str, agencies: bool) -> String {
    format!("SELECT record_notices(ARRAY(SELECT seq FROM events WHERE {events_where}), {agencies})")
}

const OWING: &str = "type IN ('listing.published', 'listing.removed')";

/// The notices owed for the event `event_id` (none unless it publishes or removes a listing).
pub async fn record_for_event(conn: &mut AsyncPgConnection, event_id: Uuid) -> Db<usize> {
    sql_query(record_sql(&format!("id = $1 AND {OWING}"), true))
        .bind::<SqlUuid, _>(event_id)
        .execute(conn)
        .await
}

/// L15: the update `event_id` names a new employer or supervising body, who is owed a notice.
pub async fn record_for_new_recipient(conn: &mut AsyncPgConnection, event_id: Uuid) -> Db<usize> {
    sql_query(record_sql("id = $1", false))
        .bind::<SqlUuid, _>(event_id)
        .execute(conn)
        .await
}

/// The notices owed for every listing event of the current transaction that has none yet (a bulk
/// import's publications), as SQL for the bulk connection.
pub fn record_for_transaction_sql() -> String {
    record_sql(&format!("txid = pg_current_xact_id() AND {OWING}"), true)
}

/// L15: the feed read of `subscriber_id` returned the events `seqs`: their notices are delivered.
pub async fn received_by_feed(
    conn: &mut AsyncPgConnection,
    subscriber_id: Uuid,
    seqs: &[i64],
) -> Db<usize> {
    sql_query(
        "UPDATE notices SET status = 'delivered', delivered_at = now() \
         WHERE event_seq = ANY ($2) AND subscriber_id = $1 AND status IN ('pending', 'failed')",
    )
    .bind::<SqlUuid, _>(subscriber_id)
    .bind::<Array<BigInt>, _>(seqs)
    .execute(conn)
    .await
}

/// A notice as stored.
#[derive(Debug, QueryableByName)]
pub struct NoticeRow {
    #[diesel(sql_type = Text)]
    pub recipient_kind: String,
    #[diesel(sql_type = Text)]
    pub recipient_name: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub subscriber_id: Option<Uuid>,
    #[diesel(sql_type = SqlUuid)]
    pub event_id: Uuid,
    #[diesel(sql_type = Text)]
    pub event_type: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub delivered_at: Option<DateTime<Utc>>,
}

/// Every notice of a listing, in the order they were owed.
pub async fn of_listing(conn: &mut AsyncPgConnection, listing_id: Uuid) -> Db<Vec<NoticeRow>> {
    sql_query(
        "SELECT recipient_kind, recipient_name, subscriber_id, event_id, event_type, status, \
                created_at, delivered_at \
         FROM notices WHERE listing_id = $1 ORDER BY id",
    )
    .bind::<SqlUuid, _>(listing_id)
    .load(conn)
    .await
}

/// L15: per court of `courts`, the listings with notices in `statuses` (`notices_outstanding_idx`):
/// `pending`/`failed` ones the service still owes, `unregistered` ones the court must send by other
/// means. Counts notices; lists the first 20 listings.
pub async fn undelivered(
    conn: &mut AsyncPgConnection,
    courts: &[String],
    statuses: &[&str],
) -> Db<Vec<CourtIds>> {
    sql_query(
        "SELECT l.court_code, count(*) AS n, \
                (array_agg(DISTINCT l.id))[1:20] AS ids \
         FROM notices n JOIN listings l ON l.id = n.listing_id \
         WHERE n.status <> 'delivered' AND n.status = ANY ($2) AND l.court_code = ANY ($1) \
         GROUP BY l.court_code ORDER BY l.court_code",
    )
    .bind::<Array<Text>, _>(courts)
    .bind::<Array<Text>, _>(statuses)
    .load(conn)
    .await
}
