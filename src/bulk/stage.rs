//! The staging tables of a listing import (temporary, dropped at commit), the binary COPY into
//! them, the checks against the database, and the statements that move the rows into place.

use crate::domain::ErrorCode;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use tokio_postgres::{
    Transaction,
    binary_copy::BinaryCopyInWriter,
    types::{Json, Type},
};

use super::{line::Staged, report::BadLine};
use crate::domain::grounds::Ground;

pub const CREATE: &str = "
CREATE TEMP TABLE import_listings (
    line bigint NOT NULL, id uuid NOT NULL, court_code text NOT NULL, case_number text NOT NULL,
    debtor_kind text NOT NULL, debtor_key text NOT NULL, debtor_name text NOT NULL,
    name_folded text NOT NULL, id_number text, credit_code text, debtor jsonb NOT NULL,
    associated_persons jsonb NOT NULL, filed_on date NOT NULL, basis_document_number text NOT NULL,
    basis_issuer text NOT NULL, obligation text NOT NULL, performance text NOT NULL,
    grounds text[] NOT NULL, extension_years integer NOT NULL, decided_on date NOT NULL,
    grace_until date, initiated_by text NOT NULL, status text NOT NULL, version integer NOT NULL,
    published_at timestamptz,
    expires_on date, restriction_id uuid, removal jsonb, created_at timestamptz NOT NULL,
    listing_event_id uuid, listing_event jsonb, restriction_event_id uuid, restriction_event jsonb
) ON COMMIT DROP;
CREATE TEMP TABLE import_persons (line bigint NOT NULL, id_number text NOT NULL, name text NOT NULL,
    name_folded text NOT NULL) ON COMMIT DROP;
CREATE TEMP TABLE import_documents (id_number text NOT NULL, doc_type text NOT NULL,
    doc_number text NOT NULL) ON COMMIT DROP;";

pub const COPY_LISTINGS: &str = "COPY import_listings FROM STDIN (FORMAT binary)";
pub const COPY_PERSONS: &str = "COPY import_persons FROM STDIN (FORMAT binary)";
pub const COPY_DOCUMENTS: &str = "COPY import_documents FROM STDIN (FORMAT binary)";

pub const LISTING_TYPES: [Type; 33] = [
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
];
pub const PERSON_TYPES: [Type; 4] = [Type::INT8, Type::TEXT, Type::TEXT, Type::TEXT];
pub const DOCUMENT_TYPES: [Type; 3] = [Type::TEXT, Type::TEXT, Type::TEXT];

/// Writes one valid line into the listings COPY.
pub async fn write_listing(
    w: Pin<&mut BinaryCopyInWriter>,
    s: &Staged,
) -> Result<(), tokio_postgres::Error> {
    let v = &s.values;
    let line = i64::try_from(s.line).unwrap_or(i64::MAX);
    let grounds: Vec<&str> = v.grounds.iter().map(Ground::code).collect();
    let (le_id, le, re_id, re) = match &s.events {
        Some(e) => (
            Some(e.published.0),
            Some(Json(&e.published.1)),
            Some(e.imposed.0),
            Some(&e.imposed.1),
        ),
        None => (None, None, None, None),
    };
    w.write(&[
        &line,
        &s.id,
        &v.court_code,
        &v.case_number,
        &v.debtor_kind.code(),
        &v.debtor_key,
        &v.debtor_name,
        &v.name_folded,
        &v.id_number,
        &v.credit_code,
        &v.debtor,
        &v.associated_persons,
        &v.filed_on,
        &v.basis_document_number,
        &v.basis_issuer,
        &v.obligation,
        &v.performance.code(),
        &grounds,
        &v.extension_years,
        &v.decided_on,
        &v.grace_until,
        &v.initiated_by.code(),
        &s.status.code(),
        &s.version,
        &s.published_at,
        &v.expires_on,
        &s.restriction_id,
        &s.removal,
        &s.created_at,
        &le_id,
        &le,
        &re_id,
        &re,
    ])
    .await
}

/// The lines that clash with the database (409 `listing_exists` of the API, by id, by open
/// listing of the debtor in the case, or by the same decision) or that L8 bars.
const CONFLICTS: &str = "
SELECT s.line, 'id', 'listing_exists', 'a listing with this id exists'
  FROM import_listings s JOIN listings l ON l.id = s.id
UNION ALL
SELECT s.line, 'case_number', 'listing_exists', 'this debtor already has an active or pending listing in this case'
  FROM import_listings s JOIN listings l ON l.debtor_key = s.debtor_key AND l.case_number = s.case_number
 WHERE s.status IN ('pending', 'active') AND l.status IN ('pending', 'active')
UNION ALL
SELECT s.line, 'decided_on', 'listing_exists', 'a listing of this debtor in this case decided on this date exists'
  FROM import_listings s JOIN listings l ON l.debtor_key = s.debtor_key AND l.case_number = s.case_number
       AND l.decided_on = s.decided_on
 WHERE NOT (s.status IN ('pending', 'active') AND l.status IN ('pending', 'active'))
UNION ALL
SELECT s.line, 'initiated_by', 'relisting_barred',
       'within 6 months of a removal on the creditor''s request, the creditor may not apply again in the same case (L8)'
  FROM import_listings s
  JOIN (SELECT debtor_key, case_number,
               ((removal->>'removed_at')::timestamptz AT TIME ZONE 'Asia/Shanghai')::date AS removed_on
          FROM listings WHERE status = 'removed' AND removal->>'reason' = 'creditor_request'
        UNION ALL
        SELECT debtor_key, case_number,
               ((removal->>'removed_at')::timestamptz AT TIME ZONE 'Asia/Shanghai')::date
          FROM import_listings WHERE status = 'removed' AND removal->>'reason' = 'creditor_request') r
    ON r.debtor_key = s.debtor_key AND r.case_number = s.case_number
 WHERE s.initiated_by = 'creditor_application'
   AND r.removed_on <= s.decided_on AND s.decided_on < (r.removed_on + interval '6 months')::date
 GROUP BY s.line";

pub async fn conflicts(tx: &Transaction<'_>) -> Result<Vec<BadLine>, tokio_postgres::Error> {
    tx.batch_execute("ANALYZE import_listings").await?;
    Ok(tx
        .query(CONFLICTS, &[])
        .await?
        .iter()
        .map(|r| {
            let line: i64 = r.get(0);
            BadLine::new(
                u64::try_from(line).unwrap_or(0),
                Some(r.get(1)),
                ErrorCode::from_text(r.get(2)).unwrap_or(ErrorCode::InvalidValue),
                r.get::<_, String>(3),
            )
        })
        .collect())
}

const INSERT_LISTINGS: &str = "
INSERT INTO listings (id, court_code, case_number, debtor_kind, debtor_key, debtor_name, name_folded,
    id_number, credit_code, debtor, associated_persons, filed_on, basis_document_number, basis_issuer,
    obligation, performance, grounds, extension_years, decided_on, grace_until, initiated_by, status,
    version, published_at, expires_on, restriction_id, removal, created_at, updated_at)
SELECT id, court_code, case_number, debtor_kind, debtor_key, debtor_name, name_folded, id_number,
    credit_code, debtor, associated_persons, filed_on, basis_document_number, basis_issuer, obligation,
    performance, grounds, extension_years, decided_on, grace_until, initiated_by, status, version,
    published_at, expires_on, restriction_id, removal, created_at, $1
  FROM import_listings";

/// Persons as `PersonRecord::upsert` writes them: the last line's name wins; documents bound.
const UPSERT_PERSONS: &str = "
INSERT INTO persons (id_number, name, name_folded, updated_at)
SELECT DISTINCT ON (id_number) id_number, name, name_folded, $1
  FROM import_persons ORDER BY id_number, line DESC
ON CONFLICT (id_number) DO UPDATE
   SET name = excluded.name, name_folded = excluded.name_folded, updated_at = excluded.updated_at";

const INSERT_DOCUMENTS: &str = "
INSERT INTO person_documents (id_number, doc_type, doc_number)
SELECT DISTINCT id_number, doc_type, doc_number FROM import_documents
ON CONFLICT DO NOTHING";

/// The active listings of the import and the orders they carry (R1).
pub const ORDER_TARGETS: &str =
    "SELECT id AS listing_id, restriction_id FROM import_listings WHERE status = 'active'";

/// Each active listing's two events, one after the other, in the order of the file.
const EVENT_SOURCE: &str = "
SELECT v.id, v.type, $1::timestamptz, v.entity_id, v.items, v.data
  FROM import_listings s
 CROSS JOIN LATERAL (VALUES
       (s.listing_event_id, 'listing.published', s.id, '{}'::text[], s.listing_event),
       (s.restriction_event_id, 'restriction.imposed', s.restriction_id, $2::text[], s.restriction_event)
       ) AS v(id, type, entity_id, items, data)
 WHERE s.listing_event IS NOT NULL";

pub async fn insert_listings(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
) -> Result<u64, tokio_postgres::Error> {
    tx.execute(INSERT_LISTINGS, &[&now]).await
}

pub async fn upsert_persons(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
) -> Result<u64, tokio_postgres::Error> {
    let n = tx.execute(UPSERT_PERSONS, &[&now]).await?;
    tx.execute(INSERT_DOCUMENTS, &[]).await?;
    Ok(n)
}

/// Writes the events and queues their webhook deliveries.
pub async fn insert_events(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
) -> Result<(), tokio_postgres::Error> {
    let items = crate::orders::all_items();
    tx.execute(
        &crate::db::models::event::append_bulk_sql(EVENT_SOURCE),
        &[&now, &items],
    )
    .await?;
    Ok(())
}
