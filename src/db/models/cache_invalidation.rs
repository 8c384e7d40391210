//! `cache_invalidations`: the public cache's invalidations owed by committed changes (`cache::sweep`).

use diesel::{
    QueryableByName, sql_query,
    sql_types::{Array, BigInt, Text},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

#[derive(QueryableByName)]
struct Names {
    #[diesel(sql_type = Array<Text>)]
    names: Vec<String>,
}

/// Records, in the caller's transaction, that `names` must be invalidated once it commits.
pub async fn owe(
    conn: &mut AsyncPgConnection,
    names: &[String],
) -> Result<i64, diesel::result::Error> {
    let rows: Vec<Id> =
        sql_query("INSERT INTO cache_invalidations (names) VALUES ($1) RETURNING id")
            .bind::<Array<Text>, _>(names)
            .load(conn)
            .await?;
    Ok(rows.into_iter().next().map_or(0, |r| r.id))
}

/// The invalidation `id` was done.
pub async fn paid(conn: &mut AsyncPgConnection, id: i64) -> Result<(), diesel::result::Error> {
    sql_query("DELETE FROM cache_invalidations WHERE id = $1")
        .bind::<BigInt, _>(id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Takes the invalidations left behind longer than `older_than_ms` (their requests were cut off
/// between the commit and the invalidation); returns their names.
pub async fn take_left_behind(
    conn: &mut AsyncPgConnection,
    older_than_ms: i64,
) -> Result<Vec<String>, diesel::result::Error> {
    let rows: Vec<Names> = sql_query(
        "DELETE FROM cache_invalidations \
          WHERE created_at < now() - make_interval(secs => $1::bigint / 1000.0) RETURNING names",
    )
    .bind::<BigInt, _>(older_than_ms)
    .load(conn)
    .await?;
    Ok(rows.into_iter().flat_map(|r| r.names).collect())
}
