//! The check log's table `check_requests`: the writer's binary `COPY` of a batch of requests, the
//! retention, and the reads of `GET /v1/check-log` (the checks of one person, the courts whose
//! listings or orders bind them) and `GET /v1/checks/{check_id}`.
//!
//! The table is partitioned by UTC day (migration 2026-12-05-000008): a day's rows and their
//! indexes sit in one partition, the tick makes the next days' partitions ahead and drops whole
//! days past the retention. The open days are append-only with a BRIN index alone; a day gets the
//! GIN index on its keys (for "who checked this person") when it has closed (2026-12-05-000009):
//! maintaining it inside the COPY halved the rate of durably logged checks. A row whose day has no
//! partition goes to the default partition (never lost; it keeps its GIN index) and is pruned from
//! there row by row. A check is found by its id through the BRIN index: the id is a UUIDv7 of the
//! millisecond it was logged at.

use chrono::{DateTime, Utc};
use diesel::{
    ExpressionMethods, QueryDsl, QueryableByName, sql_query,
    sql_types::{BigInt, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::{
    checklog::Request,
    db::{
        DbPool,
        schema::{listings, restriction_subjects, restrictions},
    },
};

/// Writes the requests with binary `COPY` on the writer's own connection (far cheaper per row than
/// INSERT); returns how many subjects they hold.
pub async fn copy_batch(
    client: &tokio_postgres::Client,
    batch: &[Request],
) -> Result<u64, tokio_postgres::Error> {
    use futures_util::pin_mut;
    use tokio_postgres::{binary_copy::BinaryCopyInWriter, types::Type};
    let sink = client
        .copy_in(
            "COPY check_requests (check_id, subscriber_id, checked_at, as_of, subject_keys, \
             decisions, matches) FROM STDIN (FORMAT binary)",
        )
        .await?;
    let writer = BinaryCopyInWriter::new(
        sink,
        &[
            Type::UUID,
            Type::UUID,
            Type::TIMESTAMPTZ,
            Type::TEXT,
            Type::TEXT_ARRAY,
            Type::TEXT,
            Type::JSONB,
        ],
    );
    pin_mut!(writer);
    let mut subjects = 0;
    for r in batch {
        writer
            .as_mut()
            .write(&[
                &r.check_id,
                &r.subscriber_id,
                &r.checked_at,
                &r.as_of,
                &r.subject_keys,
                &r.decisions,
                &r.matches,
            ])
            .await?;
        subjects += r.subject_keys.len() as u64;
    }
    writer.finish().await?;
    Ok(subjects)
}

/// The check log's retention: drops the day partitions wholly older than `older_than` and deletes
/// older rows of the default partition (`shixin_prune_check_log`, migration 2026-12-05-000008);
/// then makes sure today's and the next two days' partitions exist and that every closed day has
/// its GIN index (`shixin_check_log_close_days`, migration 2026-12-05-000009). Answers the checks
/// removed.
pub async fn prune(db: &DbPool, older_than: DateTime<Utc>) -> Result<usize, super::DbError> {
    #[derive(QueryableByName)]
    struct Pruned {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let mut conn = db.get().await?;
    let pruned: Vec<Pruned> = sql_query("SELECT shixin_prune_check_log($1) AS n")
        .bind::<Timestamptz, _>(older_than)
        .load(&mut conn)
        .await?;
    sql_query("SELECT shixin_check_log_partitions(), shixin_check_log_close_days()")
        .execute(&mut conn)
        .await?;
    Ok(pruned
        .into_iter()
        .next()
        .map_or(0, |p| usize::try_from(p.n).unwrap_or(0)))
}

/// One subject of a check, with its subscriber and the decision.
#[derive(QueryableByName)]
pub struct LogRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = BigInt)]
    pub pos: i64,
    #[diesel(sql_type = SqlUuid)]
    pub subscriber_id: Uuid,
    #[diesel(sql_type = Text)]
    pub subscriber_name: String,
    #[diesel(sql_type = Text)]
    pub sector: String,
    #[diesel(sql_type = Timestamptz)]
    pub checked_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub decision: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub check_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub as_of: Option<String>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub matches: Option<serde_json::Value>,
}

/// A check as logged, for the subscriber that made it.
#[derive(QueryableByName)]
pub struct LoggedCheck {
    #[diesel(sql_type = SqlUuid)]
    pub check_id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub checked_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Text>)]
    pub as_of: Option<String>,
    #[diesel(sql_type = Text)]
    pub decisions: String,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub matches: Option<serde_json::Value>,
}

/// The check `check_id` of `subscriber_id`, logged in `[from, to)` (the millisecond of its UUIDv7:
/// the BRIN index on `checked_at` finds it without an index of its own).
pub async fn find_check(
    conn: &mut AsyncPgConnection,
    subscriber_id: Uuid,
    check_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Option<LoggedCheck>, diesel::result::Error> {
    let rows: Vec<LoggedCheck> = sql_query(
        "SELECT check_id, checked_at, as_of, decisions, matches FROM check_requests \
         WHERE checked_at >= $1 AND checked_at < $2 AND check_id = $3 AND subscriber_id = $4 \
         LIMIT 1",
    )
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .bind::<SqlUuid, _>(check_id)
    .bind::<SqlUuid, _>(subscriber_id)
    .load(conn)
    .await?;
    Ok(rows.into_iter().next())
}

/// Up to `limit` checks of the person `key` after `after` (request, position), oldest first. The
/// closed days' GIN indexes find the requests naming the person, the open days are scanned;
/// `unnest … WITH ORDINALITY` gives the positions.
pub async fn checks_of(
    conn: &mut AsyncPgConnection,
    key: &str,
    after: (i64, i64),
    limit: i64,
) -> Result<Vec<LogRow>, diesel::result::Error> {
    sql_query(include_str!("sql/check_log_of_person.sql"))
        .bind::<Text, _>(key)
        .bind::<BigInt, _>(after.0)
        .bind::<BigInt, _>(after.1)
        .bind::<BigInt, _>(limit)
        .load(conn)
        .await
}

/// The courts of the orders binding the person `key`, then those of the listings naming them (a
/// court may come twice).
pub async fn courts_binding(
    conn: &mut AsyncPgConnection,
    key: &str,
) -> Result<Vec<String>, diesel::result::Error> {
    let mut courts: Vec<String> = restriction_subjects::table
        .inner_join(restrictions::table)
        .filter(restriction_subjects::subject_key.eq(key))
        .select(restrictions::court_code)
        .distinct()
        .load(conn)
        .await?;
    let listed: Vec<String> = listings::table
        .filter(listings::debtor_key.eq(key))
        .select(listings::court_code)
        .distinct()
        .load(conn)
        .await?;
    courts.extend(listed);
    Ok(courts)
}
