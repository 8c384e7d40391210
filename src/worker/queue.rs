//! The delivery queue in PostgreSQL: claim due deliveries by lease with `FOR UPDATE SKIP LOCKED`,
//! and record the attempts of a claim, each guarded by the lease it was claimed with (a process
//! whose lease ran out never overwrites the work of the one that took over).

use chrono::{DateTime, Utc};
use diesel::{
    QueryableByName, sql_query,
    sql_types::{
        Array, BigInt, Bool, Integer, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid,
    },
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use crate::events::feed::event_json;

#[derive(QueryableByName, Debug)]
pub struct Claimed {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = SqlUuid)]
    pub webhook_id: Uuid,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Timestamptz)]
    pub locked_until: DateTime<Utc>,
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

impl Claimed {
    /// The message id (`webhook-id`: the event id, the same on every retry) and the body: the event
    /// as the feed shows it to the subscriber, its items filtered to the subscriber's sector.
    pub fn message(&mut self) -> (String, Value) {
        if let Some(p) = self.payload.take() {
            let id = p["id"].as_str().unwrap_or_default().to_string();
            return (id, p);
        }
        let id = self.event_id.unwrap_or_default();
        let body = event_json(
            id,
            self.txid_text.as_deref().unwrap_or("0"),
            self.seq.unwrap_or(0),
            self.event_type.as_deref().unwrap_or_default(),
            self.occurred_at.unwrap_or_default(),
            self.data.take().unwrap_or(Value::Null),
            &self.items,
        );
        (id.to_string(), body)
    }

    pub fn signing_secrets(&self, now: DateTime<Utc>) -> Vec<&str> {
        let mut s = vec![self.secret.as_str()];
        if let (Some(p), Some(until)) = (&self.previous_secret, self.previous_secret_until)
            && until > now
        {
            s.push(p.as_str());
        }
        s
    }
}

const CLAIM_SQL: &str = "WITH due AS ( \
       SELECT d.id FROM webhooks w \
         JOIN subscribers s ON s.id = w.subscriber_id AND s.enabled \
         CROSS JOIN LATERAL ( \
           SELECT d.id FROM webhook_deliveries d \
            WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.next_attempt_at <= now() \
              AND (d.locked_until IS NULL OR d.locked_until < now()) \
            ORDER BY d.next_attempt_at, d.id LIMIT $2 \
            FOR UPDATE SKIP LOCKED) d \
        WHERE w.enabled AND w.id <> ALL ($1)), \
     claimed AS ( \
       UPDATE webhook_deliveries d SET locked_until = statement_timestamp() + $3 * interval '1 millisecond' \
         FROM due WHERE d.id = due.id \
       RETURNING d.id, d.webhook_id, d.attempts, d.locked_until, d.event_seq, d.payload) \
     SELECT c.id, c.webhook_id, c.attempts, c.locked_until, w.url, w.secret, w.previous_secret, \
            w.previous_secret_until, w.items, c.payload, e.id AS event_id, e.txid::text AS txid_text, \
            e.seq, e.type AS event_type, e.occurred_at, e.data \
       FROM claimed c JOIN webhooks w ON w.id = c.webhook_id \
       LEFT JOIN events e ON e.seq = c.event_seq \
      ORDER BY c.id";

/// Claims up to `per_webhook` due deliveries of each enabled webhook not in `busy`, for `lease_ms`.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    busy: &[Uuid],
    per_webhook: i64,
    lease_ms: i64,
) -> Result<Vec<Claimed>, diesel::result::Error> {
    sql_query(CLAIM_SQL)
        .bind::<Array<SqlUuid>, _>(busy)
        .bind::<BigInt, _>(per_webhook)
        .bind::<BigInt, _>(lease_ms)
        .load(conn)
        .await
}

/// What became of one claimed delivery.
pub struct Recorded {
    pub delivery_id: i64,
    /// The lease it was claimed with.
    pub lease: DateTime<Utc>,
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
    /// Claimed but not sent (the lease was running out, or the webhook was disabled), with their
    /// leases.
    pub released: Vec<(i64, DateTime<Utc>)>,
    /// The last answer was a success.
    pub last_ok: bool,
    /// The receiver answered 410.
    pub gone: bool,
}

impl GroupOutcome {
    /// A claim handed back unsent (the process is stopping).
    pub fn released(webhook_id: Uuid, rows: &[Claimed]) -> Self {
        GroupOutcome {
            webhook_id,
            recorded: Vec::new(),
            released: rows.iter().map(|r| (r.id, r.locked_until)).collect(),
            last_ok: true,
            gone: false,
        }
    }
}

/// Records the attempts and results of many groups in one transaction (the worker's recorder batches
/// what finished meanwhile).
pub async fn record(
    conn: &mut AsyncPgConnection,
    groups: &[GroupOutcome],
    disable_after_ms: i64,
) -> Result<(), crate::error::ApiError> {
    let r: Vec<&Recorded> = groups.iter().flat_map(|g| &g.recorded).collect();
    let ids: Vec<i64> = r.iter().map(|x| x.delivery_id).collect();
    let ats: Vec<DateTime<Utc>> = r.iter().map(|x| x.attempted_at).collect();
    let codes: Vec<Option<i32>> = r.iter().map(|x| x.status_code).collect();
    let durations: Vec<i32> = r.iter().map(|x| x.duration_ms).collect();
    let responses: Vec<Option<String>> = r.iter().map(|x| x.response.clone()).collect();
    let errors: Vec<Option<String>> = r.iter().map(|x| x.error.clone()).collect();
    let statuses: Vec<&str> = r.iter().map(|x| x.status).collect();
    let nexts: Vec<DateTime<Utc>> = r.iter().map(|x| x.next_attempt_at).collect();
    let leases: Vec<DateTime<Utc>> = r.iter().map(|x| x.lease).collect();
    let released: Vec<i64> = groups
        .iter()
        .flat_map(|g| g.released.iter().map(|x| x.0))
        .collect();
    let released_leases: Vec<DateTime<Utc>> = groups
        .iter()
        .flat_map(|g| g.released.iter().map(|x| x.1))
        .collect();
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
    crate::db::in_transaction(conn, move |conn| {
        Box::pin(async move {
            if !ids.is_empty() {
                sql_query(
                    "INSERT INTO webhook_attempts \
                       (delivery_id, attempted_at, status_code, duration_ms, response, error) \
                     SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::int[], $4::int[], \
                                          $5::text[], $6::text[])",
                )
                .bind::<Array<BigInt>, _>(&ids)
                .bind::<Array<Timestamptz>, _>(&ats)
                .bind::<Array<Nullable<Integer>>, _>(&codes)
                .bind::<Array<Integer>, _>(&durations)
                .bind::<Array<Nullable<Text>>, _>(&responses)
                .bind::<Array<Nullable<Text>>, _>(&errors)
                .execute(&mut *conn)
                .await?;
                sql_query(
                    "UPDATE webhook_deliveries d SET status = u.status, attempts = d.attempts + 1, \
                       next_attempt_at = u.next, locked_until = NULL, \
                       delivered_at = CASE WHEN u.status = 'delivered' THEN u.at END \
                     FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::timestamptz[], \
                                 $5::timestamptz[]) AS u(id, status, next, at, lease) \
                     WHERE d.id = u.id AND d.locked_until = u.lease",
                )
                .bind::<Array<BigInt>, _>(&ids)
                .bind::<Array<Text>, _>(&statuses)
                .bind::<Array<Timestamptz>, _>(&nexts)
                .bind::<Array<Timestamptz>, _>(&ats)
                .bind::<Array<Timestamptz>, _>(&leases)
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
                    sql_query(
                        "UPDATE webhooks SET enabled = false, version = version + 1, updated_at = now(), \
                           disabled_reason = CASE WHEN $2 THEN 'gone' ELSE 'failing' END \
                         WHERE id = $1 AND enabled \
                           AND ($2 OR failing_since < now() - $3 * interval '1 millisecond')",
                    )
                    .bind::<SqlUuid, _>(webhook_id)
                    .bind::<Bool, _>(gone)
                    .bind::<BigInt, _>(disable_after_ms)
                    .execute(&mut *conn)
                    .await?;
                }
            }
            if !released.is_empty() {
                sql_query(
                    "UPDATE webhook_deliveries d SET locked_until = NULL \
                     FROM unnest($1::bigint[], $2::timestamptz[]) AS u(id, lease) \
                     WHERE d.id = u.id AND d.locked_until = u.lease",
                )
                .bind::<Array<BigInt>, _>(&released)
                .bind::<Array<Timestamptz>, _>(&released_leases)
                .execute(&mut *conn)
                .await?;
            }
            Ok(())
        })
    })
    .await
}

/// Wakes the delivery workers now (queued rows wake them by the table's trigger; this is for rows that
/// became due by an update: a webhook enabled again, failed deliveries queued again).
pub async fn wake_workers(conn: &mut AsyncPgConnection) -> Result<(), diesel::result::Error> {
    sql_query("SELECT pg_notify('shixin_webhooks', '')")
        .execute(conn)
        .await
        .map(|_| ())
}

/// Deletes deliveries delivered before `before` (with their attempts), in bounded batches; pending
/// and failed deliveries are kept until they are delivered or their webhook is deleted.
pub async fn prune_delivered(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
) -> Result<usize, crate::error::ApiError> {
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
