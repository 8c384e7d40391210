//! The queries of one batch: a bounded number (documents, orders, releases, feed position), each
//! answering every subject at once with `= ANY(…)` on an index, inside one repeatable-read snapshot.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{
    QueryableByName, sql_query,
    sql_types::{Array, Date, Nullable, Text, Timestamptz, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::ApiError;

#[derive(QueryableByName)]
pub struct DocHit {
    #[diesel(sql_type = Text)]
    pub doc_type: String,
    #[diesel(sql_type = Text)]
    pub doc_number: String,
    #[diesel(sql_type = Text)]
    pub id_number: String,
}

#[derive(QueryableByName, Clone)]
pub struct OrderHit {
    #[diesel(sql_type = Text)]
    pub subject_key: String,
    #[diesel(sql_type = Text)]
    pub role: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = SqlUuid)]
    pub restriction_id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub listing_id: Option<Uuid>,
    #[diesel(sql_type = Array<Text>)]
    pub items: Vec<String>,
    #[diesel(sql_type = Text)]
    pub case_number: String,
    #[diesel(sql_type = Date)]
    pub issued_on: NaiveDate,
    #[diesel(sql_type = Text)]
    pub court_name: String,
}

#[derive(QueryableByName, Clone)]
pub struct ReleaseHit {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub restriction_id: Uuid,
    #[diesel(sql_type = Text)]
    pub subject_key: String,
    #[diesel(sql_type = Array<Text>)]
    pub items: Vec<String>,
    #[diesel(sql_type = Timestamptz)]
    pub valid_from: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub valid_until: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub reason: String,
}

pub async fn documents(
    conn: &mut AsyncPgConnection,
    types: Vec<String>,
    numbers: Vec<String>,
) -> Result<Vec<DocHit>, ApiError> {
    if types.is_empty() {
        return Ok(Vec::new());
    }
    Ok(sql_query(
        "SELECT d.doc_type, d.doc_number, d.id_number FROM person_documents d \
         JOIN unnest($1::text[], $2::text[]) AS q(t, n) ON d.doc_type = q.t AND d.doc_number = q.n",
    )
    .bind::<Array<Text>, _>(types)
    .bind::<Array<Text>, _>(numbers)
    .load(conn)
    .await?)
}

pub async fn orders(
    conn: &mut AsyncPgConnection,
    keys: &[String],
) -> Result<Vec<OrderHit>, ApiError> {
    Ok(sql_query(
        "SELECT s.subject_key, s.role, s.name, r.id AS restriction_id, r.listing_id, r.items, \
                r.case_number, r.issued_on, c.name AS court_name \
         FROM restriction_subjects s \
         JOIN restrictions r ON r.id = s.restriction_id \
         JOIN courts c ON c.code = r.court_code \
         WHERE s.subject_key = ANY($1) AND r.status = 'active'",
    )
    .bind::<Array<Text>, _>(keys)
    .load(conn)
    .await?)
}

pub async fn releases(
    conn: &mut AsyncPgConnection,
    keys: &[String],
) -> Result<Vec<ReleaseHit>, ApiError> {
    Ok(sql_query(
        "SELECT id, restriction_id, subject_key, items, valid_from, valid_until, reason FROM releases \
         WHERE subject_key = ANY($1) AND status = 'active' AND valid_from <= now() AND valid_until > now()",
    )
    .bind::<Array<Text>, _>(keys)
    .load(conn)
    .await?)
}
