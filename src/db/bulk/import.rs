//! The staging of `shixin import listings`: temporary tables (dropped at commit) filled by binary
//! COPY, the checks of the staged lines against the database, and the statements that move them
//! into place, all on the import's one transaction.

use chrono::{DateTime, Utc};
use tokio_postgres::{Error, Transaction, binary_copy::BinaryCopyInWriter, types::Type};

use super::first_load::Deferred;

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

/// Creates the staging tables for a file of `bytes`. They live in this session's temporary
/// buffers, 8 MB by default: read back from disk three times over for a large file. So the session
/// may keep up to twice the file's size (at most 1 GB; set before the session's first temporary
/// table, as PostgreSQL requires). The joins of the import and the rows its statement triggers
/// see (the counters) get up to 256 MB each before they spill to disk (4 MB by default).
pub async fn create_staging(tx: &Transaction<'_>, bytes: u64) -> Result<(), Error> {
    let mb = (bytes / (1 << 20) * 2).clamp(8, 1024);
    let work = (bytes / (1 << 20) / 2).clamp(4, 256);
    tx.batch_execute(&format!(
        "SET LOCAL temp_buffers = '{mb}MB'; SET LOCAL work_mem = '{work}MB'"
    ))
    .await?;
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

/// The tables an import fills, in the order the service's writes lock them: those still empty get
/// their indexes and foreign keys built after the rows (`super::first_load`).
pub const FILLED_TABLES: &[&str] = &[
    "listings",
    "persons",
    "person_documents",
    "restrictions",
    "restriction_subjects",
    "events",
    "notices",
];

/// Upserts the staged persons (updated at `now`) and binds their documents; returns how many
/// persons. Into a table a first load holds empty and locked (`deferred`), the rows go in without
/// the conflict clause: nothing can clash there (the staged rows are distinct), and `ON CONFLICT`
/// costs a speculative probe per row (3.8 s against 11.4 s for a million persons).
pub async fn upsert_persons(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    deferred: &Deferred,
) -> Result<u64, Error> {
    let with = |sql: &str, table: &str, conflict: &str| {
        if deferred.fresh(table) {
            sql.to_string()
        } else {
            format!("{sql}{conflict}")
        }
    };
    let persons = with(
        include_str!("../sql/import_upsert_persons.sql"),
        "persons",
        "ON CONFLICT (id_number) DO UPDATE SET name = excluded.name, \
         name_folded = excluded.name_folded, updated_at = excluded.updated_at",
    );
    let n = tx.execute(persons.as_str(), &[&now]).await?;
    let documents = with(
        include_str!("../sql/import_insert_documents.sql"),
        "person_documents",
        "ON CONFLICT DO NOTHING",
    );
    tx.execute(documents.as_str(), &[]).await?;
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
