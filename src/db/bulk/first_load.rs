//! A first load builds its indexes after its rows (issue 23). When an import finds a table it
//! fills still empty, it locks it and drops the table's indexes (all but its primary key and the
//! indexes of its constraints, which the import's `ON CONFLICT` clauses name) and its foreign
//! keys; after the inserts it creates them again from their own definitions (`pg_get_indexdef`,
//! `pg_get_constraintdef`) with a large `maintenance_work_mem`. One sorted build of a million rows
//! costs a fraction of a million inserts into a B-tree that no longer fits in `shared_buffers`,
//! and a foreign key added back checks every row in one join instead of a query per row.
//!
//! Nothing is weaker for it: a unique index built again still refuses duplicates (the import then
//! fails whole; the file's own duplicates were reported line by line before, `bulk::dedup`, and an
//! empty table holds none to clash with). Everything happens in the import's transaction: a failed
//! or killed import rolls the drops back with the rows.
//!
//! The price, stated in docs/BULK.md: the lock is `ACCESS EXCLUSIVE`, so while a first load runs,
//! reads of those tables (public lookups of a registry that is still empty) wait for its commit.
//! A table that already holds a row is left alone and keeps its indexes updated row by row.

use tokio_postgres::{Error, Transaction};

/// The indexes and the foreign keys dropped from the tables found empty, to be created again
/// by [`rebuild`] (indexes first, in the order they were dropped).
#[derive(Debug, Default)]
pub struct Deferred {
    definitions: Vec<String>,
    /// The tables found empty and locked, for the import's summary of phases.
    pub tables: Vec<String>,
}

impl Deferred {
    /// Whether `table` was found empty and is held locked by this import (nothing else writes it).
    pub fn fresh(&self, table: &str) -> bool {
        self.tables.iter().any(|t| t == table)
    }
}

async fn is_empty(tx: &Transaction<'_>, table: &str) -> Result<bool, Error> {
    let sql = format!("SELECT NOT EXISTS (SELECT 1 FROM {table})");
    Ok(tx.query_one(sql.as_str(), &[]).await?.get(0))
}

/// For each of `tables` (in this order, the order the service's writes take them in) that holds
/// no row: locks it, looks again, and drops its indexes and foreign keys, remembering their
/// definitions.
pub async fn defer_indexes(tx: &Transaction<'_>, tables: &[&str]) -> Result<Deferred, Error> {
    let mut deferred = Deferred::default();
    for table in tables {
        // Looked at without a lock first, so that a registry in use is never locked; the second
        // look, under the lock, is the one that counts (a row written in between keeps the
        // indexes; the lock then only makes that table's other writers wait for this import).
        if !is_empty(tx, table).await? {
            continue;
        }
        tx.batch_execute(&format!("LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
            .await?;
        if !is_empty(tx, table).await? {
            continue;
        }
        let indexes = tx
            .query(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                   FROM pg_index i
                  WHERE i.indrelid = $1::text::regclass
                    AND NOT i.indisprimary
                    AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                  ORDER BY 1",
                &[table],
            )
            .await?;
        for row in &indexes {
            let (name, definition): (String, String) = (row.get(0), row.get(1));
            tx.batch_execute(&format!("DROP INDEX {name}")).await?;
            deferred.definitions.push(definition);
        }
        // Its foreign keys too: a row-by-row check of each inserted row (a query per row) becomes
        // one join when the key is added back, which checks every row all the same.
        let keys = tx
            .query(
                "SELECT quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint
                  WHERE conrelid = $1::text::regclass AND contype = 'f' ORDER BY 1",
                &[table],
            )
            .await?;
        for row in &keys {
            let (name, definition): (String, String) = (row.get(0), row.get(1));
            tx.batch_execute(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))
                .await?;
            deferred.definitions.push(format!(
                "ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
            ));
        }
        deferred.tables.push((*table).to_string());
    }
    Ok(deferred)
}

/// Creates the dropped indexes again, each in one sorted pass, then gathers the statistics of the
/// tables it filled (the planner would otherwise plan the first queries for empty tables).
pub async fn rebuild(tx: &Transaction<'_>, deferred: &Deferred) -> Result<(), Error> {
    if deferred.tables.is_empty() {
        return Ok(());
    }
    tx.batch_execute("SET LOCAL maintenance_work_mem = '512MB'")
        .await?;
    for definition in &deferred.definitions {
        tx.batch_execute(definition).await?;
    }
    tx.batch_execute(&format!("ANALYZE {}", deferred.tables.join(", ")))
        .await
}
