//! The reads of `GET /v1/snapshot`: the subjects of the active orders a sector may see, a chunk at a
//! time in key order, inside the caller's read-only repeatable-read transaction.

use chrono::NaiveDate;
use diesel::{
    QueryableByName, sql_query,
    sql_types::{Array, BigInt, Date, Integer, Nullable, Text, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::DbError;
use crate::domain::status::PartyKind;

/// One subject of an active order, with the order's items.
#[derive(QueryableByName)]
pub struct Line {
    #[diesel(sql_type = SqlUuid)]
    pub restriction_id: Uuid,
    #[diesel(sql_type = Text)]
    pub role: String,
    #[diesel(sql_type = Text)]
    pub kind: PartyKind,
    #[diesel(sql_type = Text)]
    pub subject_key: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Array<Text>)]
    pub items: Vec<String>,
    #[diesel(sql_type = Date)]
    pub issued_on: NaiveDate,
    #[diesel(sql_type = Integer)]
    pub version: i32,
    #[diesel(sql_type = Nullable<Text>)]
    pub credit_code: Option<String>,
}

/// Up to `limit` lines after `last` (restriction id, subject key, role) of the orders carrying one
/// of `items`.
pub async fn chunk(
    conn: &mut AsyncPgConnection,
    items: &[String],
    last: &(Uuid, String, String),
    limit: i64,
) -> Result<Vec<Line>, DbError> {
    Ok(sql_query(include_str!("sql/snapshot_chunk.sql"))
        .bind::<Array<Text>, _>(items)
        .bind::<SqlUuid, _>(last.0)
        .bind::<Text, _>(&last.1)
        .bind::<Text, _>(&last.2)
        .bind::<BigInt, _>(limit)
        .load(conn)
        .await?)
}
