//! The webhook delivery queue in PostgreSQL, as the worker uses it: find the webhooks whose next
//! delivery in feed order is due, read one webhook's due deliveries in that order (the worker holds
//! the webhook's claim, `crate::worker::owner`, while it does), and record the attempts (a delivery
//! once delivered is never set back to pending); wake the workers (`LISTEN`/`NOTIFY` on
//! [`CHANNEL`]), prune, vacuum and count the queue.

use chrono::{DateTime, Utc};
use diesel::{
    QueryableByName, sql_query,
    sql_types::{
        Array, BigInt, Bool, Double, Integer, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid,
    },
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use super::connect;

/// The channel the queue's trigger notifies when a delivery is queued.
pub const CHANNEL: &str = "shixin_webhooks";

/// A claimed delivery with its webhook and its event (the message is built by the worker).
#[derive(QueryableByName, Debug)]
pub struct Claimed {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = SqlUuid)]
    pub webhook_id: Uuid,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    /// Its next attempt is due now (else it waits for its retry, and holds back those behind it).
    #[diesel(sql_type = Bool)]
    pub due: bool,
    #[diesel(sql_type = Text)]
    pub url: String,
    #[diesel(sql_type = Text)]
    pub secret: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub previous_secret: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub previous_secret_until: Option<DateTime<Utc>>,
    #[diesel(sql_type = Array<Text>)]
    pub items: Vec<String>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub payload: Option<Value>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub event_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub txid_text: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub seq: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub event_type: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub occurred_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub data: Option<Value>,
}

/// Webhooks whose next delivery in feed order is due, not in `busy`, at most `limit`, the longest
/// waiting first (`sql/due_webhooks.sql`).
pub async fn due_webhooks(
    conn: &mut AsyncPgConnection,
    busy: &[Uuid],
    limit: i64,
) -> Result<Vec<Uuid>, diesel::result::Error> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = SqlUuid)]
        webhook_id: Uuid,
    }
    let rows: Vec<Row> = sql_query(include_str!("sql/due_webhooks.sql"))
        .bind::<Array<SqlUuid>, _>(busy)
        .bind::<BigInt, _>(limit)
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|r| r.webhook_id).collect())
}

/// The webhook's next deliveries in feed order while they are due, at most `limit`; none when the
/// webhook or its subscriber is disabled (`sql/webhook_due_rows.sql`). Call it only while holding
/// the webhook's claim.
pub async fn due_rows(
    conn: &mut AsyncPgConnection,
    webhook_id: Uuid,
    limit: i64,
) -> Result<Vec<Claimed>, diesel::result::Error> {
    let rows: Vec<Claimed> = sql_query(include_str!("sql/webhook_due_rows.sql"))
        .bind::<SqlUuid, _>(webhook_id)
        .bind::<BigInt, _>(limit)
        .load(conn)
        .await?;
    Ok(rows.into_iter().take_while(|r| r.due).collect())
}

/// What became of one claimed delivery.
pub struct Recorded {
    pub delivery_id: i64,
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub duration_ms: i32,
    pub response: Option<String>,
    pub error: Option<String>,
    /// `delivered`, `pending` (to be retried at `next_attempt_at`) or `failed`.
    pub status: &'static str,
    pub next_attempt_at: DateTime<Utc>,
}

/// The outcome of sending part of a claim to one webhook.
pub struct GroupOutcome {
    pub webhook_id: Uuid,
    pub recorded: Vec<Recorded>,
    /// The last answer was a success.
    pub last_ok: bool,
    /// The receiver answered 410.
    pub gone: bool,
}

/// Records the attempts and results of many groups in one transaction (the worker's recorder batches
/// what finished meanwhile).
pub async fn record(
    conn: &mut AsyncPgConnection,
    groups: &[GroupOutcome],
    disable_after_ms: i64,
) -> Result<(), super::DbError> {
    let r: Vec<&Recorded> = groups.iter().flat_map(|g| &g.recorded).collect();
    let ids: Vec<i64> = r.iter().map(|x| x.delivery_id).collect();
    let ats: Vec<DateTime<Utc>> = r.iter().map(|x| x.attempted_at).collect();
    let codes: Vec<Option<i32>> = r.iter().map(|x| x.status_code).collect();
    let durations: Vec<i32> = r.iter().map(|x| x.duration_ms).collect();
    let responses: Vec<Option<String>> = r.iter().map(|x| x.response.clone()).collect();
    let errors: Vec<Option<String>> = r.iter().map(|x| x.error.clone()).collect();
    let statuses: Vec<&str> = r.iter().map(|x| x.status).collect();
    let nexts: Vec<DateTime<Utc>> = r.iter().map(|x| x.next_attempt_at).collect();
    // Each webhook's state after the batch: its last group decides whether it is failing.
    let mut last: Vec<(Uuid, bool, bool)> = Vec::new();
    for g in groups.iter().filter(|g| !g.recorded.is_empty()) {
        match last.iter_mut().find(|(id, ..)| *id == g.webhook_id) {
            Some(e) => *e = (g.webhook_id, g.last_ok, e.2 || g.gone),
            None => last.push((g.webhook_id, g.last_ok, g.gone)),
        }
    }
    let healthy: Vec<Uuid> = last.iter().filter(|s| s.1).map(|s| s.0).collect();
    let states: Vec<(Uuid, bool)> = last
        .iter()
        .filter(|s| !s.1 || s.2)
        .map(|s| (s.0, s.2))
        .collect();
    crate::db::transaction(conn, move |conn| {
        Box::pin(async move {
            if !ids.is_empty() {
                sql_query(include_str!("sql/record_attempts.sql"))
                .bind::<Array<BigInt>, _>(&ids)
                .bind::<Array<Timestamptz>, _>(&ats)
                .bind::<Array<Nullable<Integer>>, _>(&codes)
                .bind::<Array<Integer>, _>(&durations)
                .bind::<Array<Nullable<Text>>, _>(&responses)
                .bind::<Array<Nullable<Text>>, _>(&errors)
                .execute(&mut *conn)
                .await?;
                sql_query(include_str!("sql/record_deliveries.sql"))
                .bind::<Array<BigInt>, _>(&ids)
                .bind::<Array<Text>, _>(&statuses)
                .bind::<Array<Timestamptz>, _>(&nexts)
                .bind::<Array<Timestamptz>, _>(&ats)
                .execute(&mut *conn)
                .await?;
            }
            if !healthy.is_empty() {
                sql_query(
                    "UPDATE webhooks SET failing_since = NULL \
                     WHERE id = ANY ($1) AND failing_since IS NOT NULL",
                )
                .bind::<Array<SqlUuid>, _>(&healthy)
                .execute(&mut *conn)
                .await?;
            }
            for (webhook_id, gone) in states {
                sql_query(
                    "UPDATE webhooks SET failing_since = now() WHERE id = $1 AND failing_since IS NULL",
                )
                .bind::<SqlUuid, _>(webhook_id)
                .execute(&mut *conn)
                .await?;
                {
                    sql_query(include_str!("sql/disable_webhook.sql"))
                    .bind::<SqlUuid, _>(webhook_id)
                    .bind::<Bool, _>(gone)
                    .bind::<BigInt, _>(disable_after_ms)
                    .execute(&mut *conn)
                    .await?;
                }
            }
            Ok(())
        })
    })
    .await
}

/// Wakes the delivery workers now (queued rows wake them by the table's trigger; this is for rows that
/// became due by an update: a webhook enabled again, failed deliveries queued again).
pub async fn wake_workers(conn: &mut AsyncPgConnection) -> Result<(), diesel::result::Error> {
    sql_query(format!("SELECT pg_notify('{CHANNEL}', '')"))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Deletes deliveries delivered before `before` (with their attempts), in bounded batches; pending
/// and failed deliveries are kept until they are delivered or their webhook is deleted.
pub async fn prune_delivered(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
) -> Result<usize, super::DbError> {
    let mut total = 0;
    loop {
        let n = sql_query(
            "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries \
             WHERE status = 'delivered' AND delivered_at < $1 LIMIT 10000)",
        )
        .bind::<Timestamptz, _>(before)
        .execute(conn)
        .await?;
        total += n;
        if n < 10_000 {
            return Ok(total);
        }
    }
}

/// Subscribes `client` (a connection opened with [`connect::open_listening`]) to [`CHANNEL`].
pub async fn listen(client: &tokio_postgres::Client) -> Result<(), tokio_postgres::Error> {
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await
}

/// Vacuums the queue on a connection of its own, unless another instance is at it (an advisory
/// lock): autovacuum may be slow or off, and the claim walks the queue's index, where every
/// delivered row leaves a dead entry until a vacuum. Nothing is done when the connection or the
/// lock cannot be had; the error of the `VACUUM` itself is returned.
pub async fn vacuum(url: &str) -> Result<(), tokio_postgres::Error> {
    const LOCK: i64 = 0x5348_4958_5643; // "SHIXVC"
    let Ok((client, driver)) = connect::open(url, |_| {}).await else {
        return Ok(());
    };
    let locked = client
        .query_one("SELECT pg_try_advisory_lock($1)", &[&LOCK])
        .await
        .map(|r| r.get::<_, bool>(0))
        .unwrap_or(false);
    let mut vacuumed = Ok(());
    if locked {
        vacuumed = client.batch_execute("VACUUM webhook_deliveries").await;
        let _ = client
            .batch_execute("SELECT pg_advisory_unlock_all()")
            .await;
    }
    drop(client);
    let _ = driver.await;
    vacuumed
}

/// The queue at a glance (`/metrics`).
#[derive(QueryableByName)]
pub struct QueueStats {
    #[diesel(sql_type = BigInt)]
    pub pending: i64,
    #[diesel(sql_type = BigInt)]
    pub failed: i64,
    #[diesel(sql_type = Double)]
    pub oldest_due_seconds: f64,
}

/// Deliveries pending and failed, and how long the oldest due one has waited.
pub async fn queue_stats(
    conn: &mut AsyncPgConnection,
) -> Result<Option<QueueStats>, diesel::result::Error> {
    let rows: Vec<QueueStats> = sql_query(include_str!("sql/queue_stats.sql"))
        .load(conn)
        .await?;
    Ok(rows.into_iter().next())
}
