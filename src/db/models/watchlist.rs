//! `watchlist_items`: a subscriber's watched subjects as keyed hashes (`crate::watchlist`), and the
//! documents a watched subject may be named by.

use diesel::{
    QueryableByName, sql_query,
    sql_types::{Array, BigInt, Bytea, Text, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

#[derive(QueryableByName)]
struct Hash {
    #[diesel(sql_type = Bytea)]
    key_hash: Vec<u8>,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Adds the hashes not yet on the subscriber's list; returns those it added.
pub async fn add(
    conn: &mut AsyncPgConnection,
    subscriber_id: Uuid,
    hashes: &[Vec<u8>],
) -> Result<Vec<Vec<u8>>, diesel::result::Error> {
    let rows: Vec<Hash> = sql_query(
        "INSERT INTO watchlist_items (subscriber_id, key_hash) \
         SELECT $1, h FROM unnest($2::bytea[]) AS h ON CONFLICT DO NOTHING RETURNING key_hash",
    )
    .bind::<SqlUuid, _>(subscriber_id)
    .bind::<Array<Bytea>, _>(hashes)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.key_hash).collect())
}

/// Removes the hashes from the subscriber's list; returns those it removed.
pub async fn remove(
    conn: &mut AsyncPgConnection,
    subscriber_id: Uuid,
    hashes: &[Vec<u8>],
) -> Result<Vec<Vec<u8>>, diesel::result::Error> {
    let rows: Vec<Hash> = sql_query(
        "DELETE FROM watchlist_items WHERE subscriber_id = $1 AND key_hash = ANY ($2::bytea[]) \
         RETURNING key_hash",
    )
    .bind::<SqlUuid, _>(subscriber_id)
    .bind::<Array<Bytea>, _>(hashes)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.key_hash).collect())
}

/// How many subjects the subscriber watches.
pub async fn count(
    conn: &mut AsyncPgConnection,
    subscriber_id: Uuid,
) -> Result<i64, diesel::result::Error> {
    let rows: Vec<Count> =
        sql_query("SELECT count(*) AS n FROM watchlist_items WHERE subscriber_id = $1")
            .bind::<SqlUuid, _>(subscriber_id)
            .load(conn)
            .await?;
    Ok(rows.into_iter().next().map_or(0, |r| r.n))
}

#[derive(QueryableByName)]
pub struct BoundId {
    #[diesel(sql_type = Text)]
    pub doc_type: String,
    #[diesel(sql_type = Text)]
    pub doc_number: String,
    #[diesel(sql_type = Text)]
    pub id_number: String,
}

/// The ID numbers courts have bound to each of the documents (`types[i]`, `numbers[i]`).
pub async fn bound_ids(
    conn: &mut AsyncPgConnection,
    types: &[String],
    numbers: &[String],
) -> Result<Vec<BoundId>, diesel::result::Error> {
    sql_query(
        "SELECT d.doc_type, d.doc_number, d.id_number FROM person_documents d \
         JOIN unnest($1::text[], $2::text[]) AS q(t, n) ON d.doc_type = q.t AND d.doc_number = q.n",
    )
    .bind::<Array<Text>, _>(types)
    .bind::<Array<Text>, _>(numbers)
    .load(conn)
    .await
}

#[derive(QueryableByName)]
struct Horizon {
    #[diesel(sql_type = Text)]
    xmax: String,
}

#[derive(QueryableByName)]
struct Passed {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    passed: bool,
}

/// The first transaction id not yet started: once every transaction below it has ended
/// ([`horizon_passed`]), every write that was in flight at this moment is committed or gone.
pub async fn horizon(conn: &mut AsyncPgConnection) -> Result<String, diesel::result::Error> {
    let rows: Vec<Horizon> =
        sql_query("SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax")
            .load(conn)
            .await?;
    Ok(rows.into_iter().next().map(|r| r.xmax).unwrap_or_default())
}

/// Whether every transaction below `xmax` has ended.
pub async fn horizon_passed(
    conn: &mut AsyncPgConnection,
    xmax: &str,
) -> Result<bool, diesel::result::Error> {
    let rows: Vec<Passed> =
        sql_query("SELECT pg_snapshot_xmin(pg_current_snapshot()) >= $1::text::xid8 AS passed")
            .bind::<Text, _>(xmax)
            .load(conn)
            .await?;
    Ok(rows.into_iter().next().is_some_and(|r| r.passed))
}
