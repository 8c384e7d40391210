//! The queries behind the listed party's part of `GET /v1/indicators` (L13, L16): correction
//! and credit-repair applications received, decided and open per court, the median days to the first decision, and
//! the applications past a due date. `corrections_court_status_idx` serves them; the numbers are
//! small (one row per application).

use chrono::NaiveDate;
use diesel::{
    QueryableByName, sql_query,
    sql_types::{Array, BigInt, Date, Double, Nullable, Text},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::indicators::CourtIds;

type Db<T> = Result<T, diesel::result::Error>;

/// One court's applications (`court_code` `None`: every court of the scope together).
#[derive(Debug, QueryableByName)]
pub struct RemedyFlowRow {
    #[diesel(sql_type = Nullable<Text>)]
    pub court_code: Option<String>,
    /// Received (`received_on`) in `from..=to`.
    #[diesel(sql_type = BigInt)]
    pub received: i64,
    /// First decision (`decision.decided_on`) in `from..=to`.
    #[diesel(sql_type = BigInt)]
    pub decided: i64,
    /// Under review or in reconsideration now.
    #[diesel(sql_type = BigInt)]
    pub open: i64,
    /// Median days from receipt to the first decision, of those decided in `from..=to`.
    #[diesel(sql_type = Nullable<Double>)]
    pub median_days: Option<f64>,
}

/// The flows of `table`'s applications per court of `courts`, and all of them together; `open`
/// counts the statuses `open`.
async fn flows(
    conn: &mut AsyncPgConnection,
    table: &str,
    open: &str,
    courts: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> Db<Vec<RemedyFlowRow>> {
    sql_query(format!(
        "WITH c AS (
           SELECT court_code, received_on, status, (decision->>'decided_on')::date AS decided_on
           FROM {table} WHERE court_code = ANY($1))
         SELECT court_code,
                count(*) FILTER (WHERE received_on BETWEEN $2 AND $3) AS received,
                count(*) FILTER (WHERE decided_on BETWEEN $2 AND $3) AS decided,
                count(*) FILTER (WHERE status IN {open}) AS open,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY decided_on - received_on)
                  FILTER (WHERE decided_on BETWEEN $2 AND $3) AS median_days
         FROM c GROUP BY GROUPING SETS ((court_code), ())
         ORDER BY court_code NULLS FIRST"
    ))
    .bind::<Array<Text>, _>(courts)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .load(conn)
    .await
}

/// Correction applications (L13) per court of `courts`, and all of them together.
pub async fn correction_flows(
    conn: &mut AsyncPgConnection,
    courts: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> Db<Vec<RemedyFlowRow>> {
    let open = "('under_review', 'in_reconsideration')";
    flows(conn, "corrections", open, courts, from, to).await
}

/// Credit-repair applications (L16) per court of `courts`, and all of them together.
pub async fn credit_repair_flows(
    conn: &mut AsyncPgConnection,
    courts: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> Db<Vec<RemedyFlowRow>> {
    flows(conn, "credit_repairs", "('under_review')", courts, from, to).await
}

/// L13: applications still under review after `review_due_on` (before `today`), per enforcing
/// court, with the first 20 ids, the longest overdue first.
pub async fn reviews_overdue(
    conn: &mut AsyncPgConnection,
    courts: &[String],
    today: NaiveDate,
) -> Db<Vec<CourtIds>> {
    sql_query(
        "SELECT court_code, count(*) AS n, (array_agg(id ORDER BY review_due_on, id))[1:20] AS ids
         FROM corrections
         WHERE status = 'under_review' AND review_due_on < $2 AND court_code = ANY($1)
         GROUP BY court_code ORDER BY court_code",
    )
    .bind::<Array<Text>, _>(courts)
    .bind::<Date, _>(today)
    .load(conn)
    .await
}

/// L13: reconsiderations still open after their `due_on` (before `today`), per court that
/// received them (the next higher court), with the first 20 ids.
pub async fn reconsiderations_overdue(
    conn: &mut AsyncPgConnection,
    courts: &[String],
    today: NaiveDate,
) -> Db<Vec<CourtIds>> {
    sql_query(
        "SELECT reconsideration_court_code AS court_code, count(*) AS n,
                (array_agg(id ORDER BY reconsideration_due_on, id))[1:20] AS ids
         FROM corrections
         WHERE status = 'in_reconsideration' AND reconsideration_due_on < $2
           AND reconsideration_court_code = ANY($1)
         GROUP BY reconsideration_court_code ORDER BY reconsideration_court_code",
    )
    .bind::<Array<Text>, _>(courts)
    .bind::<Date, _>(today)
    .load(conn)
    .await
}
