//! The queries behind `GET /v1/indicators`, each answered from a counter table or an index
//! (migration `2026-11-27-000007_indicators`). `courts` is the scope: the codes to count.

use crate::domain::ErrorCode;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::{
    QueryableByName, sql_query,
    sql_types::{Array, BigInt, Date, Text, Timestamptz, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::domain::{DomainError, listing_rules::ListingStatus, status::RestrictionStatus};

type Db<T> = Result<T, diesel::result::Error>;

/// Reasons whose deletion is due within 3 working days of the event (L5) or that end a term (L6).
pub const NOT_DEADLINE_REASONS: &str = "('early_deletion', 'wrongful_listing')";

/// What a count is of: listings or restriction orders in one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    Listing(ListingStatus),
    Restriction(RestrictionStatus),
}

/// A row of `status_counts` as stored: the entity (`listing`, `restriction`) and the status as text.
#[derive(QueryableByName)]
struct StatusCountRow {
    #[diesel(sql_type = Text)]
    entity: String,
    #[diesel(sql_type = Text)]
    court_code: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(Debug)]
pub struct StatusCount {
    pub court_code: String,
    pub counted: Counted,
    pub n: i64,
}

impl TryFrom<StatusCountRow> for StatusCount {
    type Error = diesel::result::Error;

    /// The status is read as the entity's own status type; an unknown entity or status is an error.
    fn try_from(r: StatusCountRow) -> Db<StatusCount> {
        let counted = match r.entity.as_str() {
            "listing" => ListingStatus::parse(&r.status).map(Counted::Listing),
            "restriction" => RestrictionStatus::parse(&r.status).map(Counted::Restriction),
            other => Err(DomainError::new(
                ErrorCode::InvalidValue,
                format!("status_counts names an unknown entity `{other}`"),
            )),
        }
        .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?;
        Ok(StatusCount {
            court_code: r.court_code,
            counted,
            n: r.n,
        })
    }
}

/// Listings and orders by court and status, from the maintained counters (delta rows, summed:
/// migration 2026-12-05-000006).
pub async fn status_counts(
    conn: &mut AsyncPgConnection,
    courts: &[String],
) -> Db<Vec<StatusCount>> {
    let rows: Vec<StatusCountRow> = sql_query(
        "SELECT entity, court_code, status, sum(n)::int8 AS n FROM status_counts
         WHERE court_code = ANY($1) GROUP BY entity, court_code, status HAVING sum(n) <> 0",
    )
    .bind::<Array<Text>, _>(courts)
    .load(conn)
    .await?;
    rows.into_iter().map(StatusCount::try_from).collect()
}

#[derive(Debug, QueryableByName)]
pub struct DayCount {
    #[diesel(sql_type = Date)]
    pub day: NaiveDate,
    #[diesel(sql_type = Text)]
    pub reason: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
    /// Of them, L5/L6 removals without an event date.
    #[diesel(sql_type = BigInt)]
    pub unknown: i64,
}

/// Listings decided per day (reason `new`), from the maintained `decided_counts`.
pub async fn new_per_day(
    conn: &mut AsyncPgConnection,
    courts: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> Db<Vec<DayCount>> {
    sql_query(
        "SELECT decided_on AS day, 'new' AS reason, sum(n)::int8 AS n, 0::int8 AS unknown
         FROM decided_counts
         WHERE decided_on BETWEEN $2 AND $3 AND court_code = ANY($1) GROUP BY decided_on",
    )
    .bind::<Array<Text>, _>(courts)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .load(conn)
    .await
}

/// Listings ended per day and reason, from the maintained `removal_counts`.
pub async fn removals_per_day(
    conn: &mut AsyncPgConnection,
    courts: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> Db<Vec<DayCount>> {
    sql_query(
        "SELECT removed_on AS day, reason, sum(n)::int8 AS n, sum(unknown)::int8 AS unknown
         FROM removal_counts
         WHERE removed_on BETWEEN $2 AND $3 AND court_code = ANY($1) GROUP BY removed_on, reason",
    )
    .bind::<Array<Text>, _>(courts)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .load(conn)
    .await
}

#[derive(Debug, QueryableByName)]
pub struct LateCandidate {
    #[diesel(sql_type = SqlUuid)]
    pub listing_id: Uuid,
    #[diesel(sql_type = Text)]
    pub court_code: String,
    #[diesel(sql_type = Date)]
    pub event_on: NaiveDate,
    #[diesel(sql_type = Date)]
    pub removed_on: NaiveDate,
}

/// L5/L6 removals in the period more than 3 calendar days after their event (the partial index
/// `listing_removals_late_idx`); the working-day calendar decides which of them are late.
pub async fn late_candidates(
    conn: &mut AsyncPgConnection,
    courts: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> Db<Vec<LateCandidate>> {
    sql_query(format!(
        "SELECT listing_id, court_code, event_on, removed_on FROM listing_removals
         WHERE removed_on > event_on + 3 AND reason NOT IN {NOT_DEADLINE_REASONS}
           AND removed_on BETWEEN $2 AND $3 AND court_code = ANY($1)
         ORDER BY removed_on, listing_id"
    ))
    .bind::<Array<Text>, _>(courts)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .load(conn)
    .await
}

#[derive(Debug, QueryableByName)]
pub struct CourtIds {
    #[diesel(sql_type = Text)]
    pub court_code: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
    #[diesel(sql_type = Array<SqlUuid>)]
    pub ids: Vec<Uuid>,
}

/// L11: listings with a grace period published in `[start, end)` on a CST date after `grace_until`
/// (the partial index `listings_published_after_grace_idx`), per court with the first 20 ids.
pub async fn published_late(
    conn: &mut AsyncPgConnection,
    courts: &[String],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Db<Vec<CourtIds>> {
    sql_query(
        "SELECT court_code, count(*) AS n, (array_agg(id ORDER BY published_at, id))[1:20] AS ids
         FROM listings
         WHERE grace_until IS NOT NULL AND published_at IS NOT NULL
           AND published_at >= $2 AND published_at < $3 AND court_code = ANY($1)
           AND (published_at AT TIME ZONE 'Asia/Shanghai')::date > grace_until
         GROUP BY court_code ORDER BY court_code",
    )
    .bind::<Array<Text>, _>(courts)
    .bind::<Timestamptz, _>(start)
    .bind::<Timestamptz, _>(end)
    .load(conn)
    .await
}

/// L11: listings still pending although `grace_until` is before `today` (`listings_pending_due_idx`).
pub async fn pending_overdue(
    conn: &mut AsyncPgConnection,
    courts: &[String],
    today: NaiveDate,
) -> Db<Vec<CourtIds>> {
    sql_query(
        "SELECT court_code, count(*) AS n, (array_agg(id ORDER BY grace_until, id))[1:20] AS ids
         FROM listings
         WHERE status = 'pending' AND grace_until < $2 AND court_code = ANY($1)
         GROUP BY court_code ORDER BY court_code",
    )
    .bind::<Array<Text>, _>(courts)
    .bind::<Date, _>(today)
    .load(conn)
    .await
}

/// L14: published listings (active now) whose decision has not been served
/// (`listings_unserved_idx`).
pub async fn unserved(conn: &mut AsyncPgConnection, courts: &[String]) -> Db<Vec<CourtIds>> {
    sql_query(
        "SELECT court_code, count(*) AS n, (array_agg(id ORDER BY published_at, id))[1:20] AS ids
         FROM listings
         WHERE status = 'active' AND served_on IS NULL AND court_code = ANY($1)
         GROUP BY court_code ORDER BY court_code",
    )
    .bind::<Array<Text>, _>(courts)
    .load(conn)
    .await
}

/// Folds the counters' delta rows into one row per key (`shixin_compact_counts`, by the tick).
pub async fn compact_counts(conn: &mut AsyncPgConnection) -> Db<()> {
    sql_query("SELECT shixin_compact_counts()")
        .execute(conn)
        .await
        .map(|_| ())
}
