//! The load of `shixin seed`: batches of synthetic listings, then what their orders imply
//! (persons, some passports), and the statistics refreshed after it.

use tokio_postgres::{Client, Error, Statement, types::ToSql};

/// The statement inserting one batch of listings, one text array per column.
pub async fn prepare_insert(client: &Client) -> Result<Statement, Error> {
    client
        .prepare(include_str!("../sql/seed_insert_listings.sql"))
        .await
}

/// Inserts one batch with the statement of [`prepare_insert`].
pub async fn insert(
    client: &Client,
    statement: &Statement,
    columns: &[Vec<Option<String>>],
) -> Result<u64, Error> {
    let params: Vec<&(dyn ToSql + Sync)> =
        columns.iter().map(|c| c as &(dyn ToSql + Sync)).collect();
    client.execute(statement, &params).await
}

/// How many listings there are.
pub async fn count_listings(client: &Client) -> Result<i64, Error> {
    Ok(client
        .query_one("SELECT count(*) FROM listings", &[])
        .await?
        .get(0))
}

/// The person's name shared by the most active listings (ties: the first in text order), which a
/// public search surely finds: the search `shixin serve --demo` suggests. `None` without any.
pub async fn most_listed_name(client: &Client) -> Result<Option<String>, Error> {
    Ok(client
        .query_opt(
            "SELECT debtor_name FROM listings WHERE status = 'active' AND debtor_kind = 'person' \
             GROUP BY debtor_name ORDER BY count(*) DESC, debtor_name LIMIT 1",
            &[],
        )
        .await?
        .map(|r| r.get(0)))
}

/// The persons the seeded orders bind, and a passport for some person debtors.
pub async fn persons_and_documents(client: &Client) -> Result<(), Error> {
    client
        .execute(include_str!("../sql/seed_persons.sql"), &[])
        .await?;
    client
        .execute(include_str!("../sql/seed_documents.sql"), &[])
        .await?;
    Ok(())
}

/// Refreshes the planner's statistics of `tables` after a load.
pub async fn analyze(client: &Client, tables: &[Table]) -> Result<(), Error> {
    for t in tables {
        client.execute(t.analyze(), &[]).await?;
    }
    Ok(())
}

/// The tables a load fills.
#[derive(Debug, Clone, Copy)]
pub enum Table {
    Listings,
    Restrictions,
    RestrictionSubjects,
}

impl Table {
    fn analyze(self) -> &'static str {
        match self {
            Table::Listings => "ANALYZE listings",
            Table::Restrictions => "ANALYZE restrictions",
            Table::RestrictionSubjects => "ANALYZE restriction_subjects",
        }
    }
}
