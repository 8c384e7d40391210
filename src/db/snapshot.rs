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
/// of `items`; with a `watcher` (scope `watchlist`), only the subjects on its watch-list.
pub async fn chunk(
    conn: &mut AsyncPgConnection,
    items: &[String],
    watcher: Option<Uuid>,
    last: &(Uuid, String, String),
    limit: i64,
) -> Result<Vec<Line>, DbError> {
    Ok(sql_query(include_str!("sql/snapshot_chunk.sql"))
        .bind::<Array<Text>, _>(items)
        .bind::<SqlUuid, _>(last.0)
        .bind::<Text, _>(&last.1)
        .bind::<Text, _>(&last.2)
        .bind::<BigInt, _>(limit)
        .bind::<Nullable<SqlUuid>, _>(watcher)
        .bind::<diesel::sql_types::Bytea, _>(crate::watchlist::key())
        .load(conn)
        .await?)
}

/// L15: one active listing that names the reading notice recipient.
#[derive(QueryableByName)]
pub struct ListingLine {
    #[diesel(sql_type = SqlUuid)]
    pub listing_id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub id_number: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub credit_code: Option<String>,
    #[diesel(sql_type = Text)]
    pub court_name: String,
    #[diesel(sql_type = Text)]
    pub case_number: String,
    #[diesel(sql_type = Nullable<Date>)]
    pub expires_on: Option<NaiveDate>,
    #[diesel(sql_type = Integer)]
    pub version: i32,
}

/// Up to `limit` active listings after `last` that name `subscriber_id` as employer or
/// supervising body (L15), in id order (`listings_notice_subscriber_idx`).
pub async fn listing_chunk(
    conn: &mut AsyncPgConnection,
    subscriber_id: Uuid,
    last: Uuid,
    limit: i64,
) -> Result<Vec<ListingLine>, DbError> {
    Ok(sql_query(
        "SELECT l.id AS listing_id, l.debtor_name AS name, l.id_number, l.credit_code, \
                c.name AS court_name, l.case_number, l.expires_on, l.version \
         FROM listings l JOIN courts c ON c.code = l.court_code \
         WHERE l.notice_subscriber_id = $1 AND l.status = 'active' AND l.id > $2 \
         ORDER BY l.id LIMIT $3",
    )
    .bind::<SqlUuid, _>(subscriber_id)
    .bind::<SqlUuid, _>(last)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?)
}
