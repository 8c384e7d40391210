//! A webhook's deliveries as its subscriber sees them (the log: each delivery with its last attempt,
//! or one with every attempt), and the deliveries the subscriber queues by hand: a replay of the
//! events after a feed cursor, the failed ones again, a test event. The worker's side of the queue
//! is `db::deliveries`.

use chrono::{DateTime, Utc};
use diesel::{
    QueryableByName, sql_query,
    sql_types::{BigInt, Integer, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::status::DeliveryStatus;

#[derive(Debug, Serialize, ToSchema, QueryableByName)]
pub struct Attempt {
    #[diesel(sql_type = Timestamptz)]
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status (null when no answer came).
    #[diesel(sql_type = Nullable<Integer>)]
    pub status_code: Option<i32>,
    #[diesel(sql_type = Integer)]
    pub duration_ms: i32,
    /// The start of the receiver's answer (at most 1 KiB).
    #[diesel(sql_type = Nullable<Text>)]
    pub response: Option<String>,
    /// `timeout`, `connection_failed`, `webhook_url_not_allowed`, `http_status` …
    #[diesel(sql_type = Nullable<Text>)]
    pub error: Option<String>,
}

/// A delivery with its event's id and type, and its last attempt (if any).
#[derive(QueryableByName)]
pub struct DeliveryRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Nullable<Text>)]
    pub event_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub event_type: Option<String>,
    #[diesel(sql_type = Text)]
    pub status: DeliveryStatus,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Timestamptz)]
    pub next_attempt_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub delivered_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub attempted_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub status_code: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub duration_ms: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    pub response: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub error: Option<String>,
}

const SELECT: &str = include_str!("../sql/delivery_log.sql");

/// Up to `limit` of the webhook's deliveries with an id below `before`, newest first, optionally
/// only those in `status`.
pub async fn page(
    conn: &mut AsyncPgConnection,
    webhook_id: Uuid,
    before: i64,
    status: Option<DeliveryStatus>,
    limit: i64,
) -> Result<Vec<DeliveryRow>, diesel::result::Error> {
    sql_query(format!(
        "{SELECT} WHERE d.webhook_id = $1 AND d.id < $2 AND ($3::text IS NULL OR d.status = $3) \
         ORDER BY d.id DESC LIMIT $4"
    ))
    .bind::<SqlUuid, _>(webhook_id)
    .bind::<BigInt, _>(before)
    .bind::<Nullable<Text>, _>(status.as_ref().map(DeliveryStatus::code))
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// The webhook's delivery `id`.
pub async fn find(
    conn: &mut AsyncPgConnection,
    webhook_id: Uuid,
    id: i64,
) -> Result<Option<DeliveryRow>, diesel::result::Error> {
    Ok(
        sql_query(format!("{SELECT} WHERE d.webhook_id = $1 AND d.id = $2"))
            .bind::<SqlUuid, _>(webhook_id)
            .bind::<BigInt, _>(id)
            .load(conn)
            .await?
            .into_iter()
            .next(),
    )
}

/// Every attempt of the delivery, oldest first.
pub async fn attempts(
    conn: &mut AsyncPgConnection,
    delivery_id: i64,
) -> Result<Vec<Attempt>, diesel::result::Error> {
    sql_query(
        "SELECT attempted_at, status_code, duration_ms, response, error FROM webhook_attempts \
         WHERE delivery_id = $1 ORDER BY id",
    )
    .bind::<BigInt, _>(delivery_id)
    .load(conn)
    .await
}

/// Queues again every event after the feed position (`txid`, `seq`) that the webhook wants (of a
/// subscriber of scope `watchlist`: those of subjects on its list now); returns how many.
pub async fn replay_after(
    conn: &mut AsyncPgConnection,
    webhook_id: Uuid,
    txid: String,
    seq: i64,
) -> Result<usize, diesel::result::Error> {
    sql_query(include_str!("../sql/replay_deliveries.sql"))
        .bind::<SqlUuid, _>(webhook_id)
        .bind::<Text, _>(txid)
        .bind::<BigInt, _>(seq)
        .bind::<diesel::sql_types::Bytea, _>(crate::watchlist::key())
        .execute(conn)
        .await
}

const REQUEUE_FAILED_SQL: &str = "UPDATE webhook_deliveries \
     SET status = 'pending', attempts = 0, next_attempt_at = now() \
     WHERE webhook_id = $1 AND status = 'failed'";

/// Queues again the webhook's deliveries that failed (retries exhausted); returns how many. They are
/// due now: wake the workers (`db::deliveries::wake_workers`).
pub async fn requeue_failed(
    conn: &mut AsyncPgConnection,
    webhook_id: Uuid,
) -> Result<usize, diesel::result::Error> {
    sql_query(REQUEUE_FAILED_SQL)
        .bind::<SqlUuid, _>(webhook_id)
        .execute(conn)
        .await
}

/// Queues a delivery of its own `payload` (the test event) to the webhook.
pub async fn queue_payload(
    conn: &mut AsyncPgConnection,
    webhook_id: Uuid,
    payload: Value,
) -> Result<usize, diesel::result::Error> {
    sql_query("INSERT INTO webhook_deliveries (webhook_id, payload) VALUES ($1, $2)")
        .bind::<SqlUuid, _>(webhook_id)
        .bind::<Jsonb, _>(payload)
        .execute(conn)
        .await
}
