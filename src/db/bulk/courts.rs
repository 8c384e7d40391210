//! The courts as the bulk commands read and write them: the whole table (courts are few), locked
//! for an import; the insert of an import's courts; the seed's courts.

use std::collections::HashMap;

use tokio_postgres::{Client, Error, GenericClient, Transaction};

pub use crate::db::models::court::{Court, NewCourt};

/// Locks the courts so that none appears before the transaction ends, then reads them all.
pub async fn lock_all(tx: &Transaction<'_>) -> Result<Vec<Court>, Error> {
    tx.batch_execute("LOCK TABLE courts IN SHARE ROW EXCLUSIVE MODE")
        .await?;
    all(tx, ALL).await
}

/// Every court, by code (`shixin export courts`).
pub async fn all_by_code(client: &Client) -> Result<Vec<Court>, Error> {
    all(client, ALL_BY_CODE).await
}

const ALL: &str = "SELECT code, name, province, level, parent_code, created_at FROM courts";
const ALL_BY_CODE: &str =
    "SELECT code, name, province, level, parent_code, created_at FROM courts ORDER BY code";

async fn all<C: GenericClient>(client: &C, sql: &str) -> Result<Vec<Court>, Error> {
    Ok(client
        .query(sql, &[])
        .await?
        .iter()
        .map(|r| Court {
            code: r.get(0),
            name: r.get(1),
            province: r.get(2),
            level: r.get(3),
            parent_code: r.get(4),
            created_at: r.get(5),
        })
        .collect())
}

/// Every court's name and province, by code (an import's lines name them).
pub async fn names<C: GenericClient>(
    client: &C,
) -> Result<HashMap<String, (String, String)>, Error> {
    Ok(client
        .query("SELECT code, name, province FROM courts", &[])
        .await?
        .iter()
        .map(|r| {
            (
                r.get::<_, String>(0),
                (r.get::<_, String>(1), r.get::<_, String>(2)),
            )
        })
        .collect())
}

/// Inserts `courts` in one statement; returns how many.
pub async fn insert(tx: &Transaction<'_>, courts: &[NewCourt<'_>]) -> Result<u64, Error> {
    let col = |f: fn(&NewCourt<'_>) -> Option<String>| courts.iter().map(f).collect::<Vec<_>>();
    tx.execute(
        "INSERT INTO courts (code, name, province, level, parent_code)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])",
        &[
            &col(|c| Some(c.code.to_string())),
            &col(|c| Some(c.name.to_string())),
            &col(|c| Some(c.province.to_string())),
            &col(|c| Some(c.level.to_string())),
            &col(|c| c.parent_code.map(str::to_string)),
        ],
    )
    .await
}

/// Inserts a court unless its code is registered (the seed's courts).
pub async fn insert_missing(client: &Client, c: &NewCourt<'_>) -> Result<u64, Error> {
    client
        .execute(
            "INSERT INTO courts (code, name, province, level, parent_code) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (code) DO NOTHING",
            &[&c.code, &c.name, &c.province, &c.level, &c.parent_code],
        )
        .await
}
