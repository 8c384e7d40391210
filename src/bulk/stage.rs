//! A listing import's lines as they are staged (`crate::db::bulk::import`): one valid line as a row
//! of the listings COPY, and the staged lines that clash with the database as bad lines.

use crate::domain::ErrorCode;
use std::pin::Pin;

use tokio_postgres::{Transaction, binary_copy::BinaryCopyInWriter, types::Json};

use super::{line::Staged, report::BadLine};
use crate::{db::bulk::import, domain::grounds::Ground};

/// Writes one valid line into the listings COPY, in the column order of
/// [`import::LISTING_TYPES`].
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
    let served_on = s.service.map(|(on, _)| on);
    let service_method = s.service.map(|(_, m)| m.code());
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
        &v.decision,
        &served_on,
        &service_method,
    ])
    .await
}

/// The staged lines that clash with the database (409 `listing_exists` of the API, by id, by open
/// listing of the debtor in the case, or by the same decision) or that L8 bars.
pub async fn conflicts(tx: &Transaction<'_>) -> Result<Vec<BadLine>, tokio_postgres::Error> {
    Ok(import::conflicts(tx)
        .await?
        .into_iter()
        .map(|c| {
            BadLine::new(
                u64::try_from(c.line).unwrap_or(0),
                Some(&c.field),
                ErrorCode::from_text(&c.code).unwrap_or(ErrorCode::InvalidValue),
                c.message,
            )
        })
        .collect())
}
