//! The staging of `shixin import listings`: temporary tables (dropped at commit) filled by binary
//! COPY, the checks of the staged lines against the database, and the statements that move them
//! into place, all on the import's one transaction.

use chrono::{DateTime, Utc};
use tokio_postgres::{Error, Transaction, binary_copy::BinaryCopyInWriter, types::Type};

/// The column types of `import_listings` (`../sql/import_staging.sql`), in its order: the order in
/// which `crate::bulk::stage::write_listing` writes a line.
pub const LISTING_TYPES: [Type; 36] = [
    Type::INT8,
    Type::UUID,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::JSONB,
    Type::JSONB,
    Type::DATE,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT_ARRAY,
    Type::INT4,
    Type::DATE,
    Type::DATE,
    Type::TEXT,
    Type::TEXT,
    Type::INT4,
    Type::TIMESTAMPTZ,
    Type::DATE,
    Type::UUID,
    Type::JSONB,
    Type::TIMESTAMPTZ,
    Type::UUID,
    Type::JSONB,
    Type::UUID,
    Type::JSONB,
    Type::JSONB,
    Type::DATE,
    Type::TEXT,
];
/// `import_persons`: line, ID number, name, folded name.
const PERSON_TYPES: [Type; 4] = [Type::INT8, Type::TEXT, Type::TEXT, Type::TEXT];
/// `import_documents`: ID number, document type, document number.
const DOCUMENT_TYPES: [Type; 3] = [Type::TEXT, Type::TEXT, Type::TEXT];

/// A staged line that clashes with the database: its line, field, error code and message.
pub struct Conflict {
    pub line: i64,
    pub field: String,
    pub code: String,
    pub message: String,
}

/// Creates the staging tables.
pub async fn create_staging(tx: &Transaction<'_>) -> Result<(), Error> {
    tx.batch_execute(include_str!("../sql/import_staging.sql"))
        .await
}

/// The binary COPY into `import_listings` (rows of [`LISTING_TYPES`]).
pub async fn copy_listings(tx: &Transaction<'_>) -> Result<BinaryCopyInWriter, Error> {
    let sink = tx
        .copy_in("COPY import_listings FROM STDIN (FORMAT binary)")
        .await?;
    Ok(BinaryCopyInWriter::new(sink, &LISTING_TYPES))
}

/// Stages the persons `(line, ID number, name, folded name)` by binary COPY.
pub async fn stage_persons(
    tx: &Transaction<'_>,
    persons: &[(i64, String, String, String)],
) -> Result<(), Error> {
    let sink = tx
        .copy_in("COPY import_persons FROM STDIN (FORMAT binary)")
        .await?;
    let mut w = std::pin::pin!(BinaryCopyInWriter::new(sink, &PERSON_TYPES));
    for (line, id, name, folded) in persons {
        w.as_mut().write(&[line, id, name, folded]).await?;
    }
    w.finish().await?;
    Ok(())
}

/// Stages the travel documents `(ID number, type, number)` by binary COPY.
pub async fn stage_documents(
    tx: &Transaction<'_>,
    documents: &[(String, String, String)],
) -> Result<(), Error> {
    let sink = tx
        .copy_in("COPY import_documents FROM STDIN (FORMAT binary)")
        .await?;
    let mut w = std::pin::pin!(BinaryCopyInWriter::new(sink, &DOCUMENT_TYPES));
    for (id, t, n) in documents {
        w.as_mut().write(&[id, t, n]).await?;
    }
    w.finish().await?;
    Ok(())
}

/// The staged lines that clash with the database (`../sql/import_conflicts.sql`), after fresh
/// statistics of the staged listings.
pub async fn conflicts(tx: &Transaction<'_>) -> Result<Vec<Conflict>, Error> {
    tx.batch_execute("ANALYZE import_listings").await?;
    Ok(tx
        .query(include_str!("../sql/import_conflicts.sql"), &[])
        .await?
        .iter()
        .map(|r| Conflict {
            line: r.get(0),
            field: r.get(1),
            code: r.get(2),
            message: r.get(3),
        })
        .collect())
}

/// Moves the staged listings into `listings`, updated at `now`; returns how many.
pub async fn insert_listings(tx: &Transaction<'_>, now: DateTime<Utc>) -> Result<u64, Error> {
    tx.execute(include_str!("../sql/import_insert_listings.sql"), &[&now])
        .await
}

/// Upserts the staged persons (updated at `now`) and binds their documents; returns how many
/// persons.
pub async fn upsert_persons(tx: &Transaction<'_>, now: DateTime<Utc>) -> Result<u64, Error> {
    let n = tx
        .execute(include_str!("../sql/import_upsert_persons.sql"), &[&now])
        .await?;
    tx.execute(include_str!("../sql/import_insert_documents.sql"), &[])
        .await?;
    Ok(n)
}

/// Each staged active listing's two events (`listing.published`, then `restriction.imposed` with
/// `items`), in the order of the file, occurred at `now`, with their webhook deliveries.
pub async fn insert_events(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    items: &[String],
) -> Result<(), Error> {
    tx.execute(
        &crate::db::models::event::append_bulk_sql(
            include_str!("../sql/import_event_source.sql"),
            "$3",
        ),
        &[&now, &items, &crate::watchlist::key()],
    )
    .await?;
    // L15: the Art. 8 notices of the publications.
    tx.execute(
        &crate::db::models::notice::record_for_transaction_sql(),
        &[],
    )
    .await?;
    Ok(())
}
