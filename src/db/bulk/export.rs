//! The reads of `shixin export listings`: a count, then the listings with their court through a
//! server-side cursor (a portal), a page at a time, inside the caller's read-only snapshot.

use tokio_postgres::{Error, Portal, Row, Transaction};

use crate::db::models::listing::{Listing, ListingRow};

const SELECT: &str =
    "SELECT l.id, l.court_code, l.case_number, l.debtor_kind, l.debtor_key, l.debtor_name,
    l.name_folded, l.id_number, l.credit_code, l.debtor, l.associated_persons, l.filed_on,
    l.basis_document_number, l.basis_issuer, l.obligation, l.performance, l.grounds,
    l.extension_years, l.decided_on, l.grace_until, l.initiated_by, l.status, l.version,
    l.published_at, l.expires_on, l.restriction_id, l.removal, l.created_at, l.updated_at,
    c.name, c.province, l.decision, l.served_on, l.service_method
  FROM listings l JOIN courts c ON c.code = l.court_code
 WHERE cardinality($1::text[]) = 0 OR l.status = ANY ($1::text[])
 ORDER BY l.id";

/// How many listings have one of `statuses` (all when empty).
pub async fn count(tx: &Transaction<'_>, statuses: &[String]) -> Result<i64, Error> {
    Ok(tx
        .query_one(
            "SELECT count(*) FROM listings WHERE cardinality($1::text[]) = 0 OR status = ANY ($1::text[])",
            &[&statuses],
        )
        .await?
        .get(0))
}

/// A cursor over the listings with one of `statuses` (all when empty), by id.
pub async fn open(tx: &Transaction<'_>, statuses: &[String]) -> Result<Portal, Error> {
    let stmt = tx.prepare(SELECT).await?;
    tx.bind(&stmt, &[&statuses]).await
}

/// The next (up to) `page` listings of the cursor; none at its end.
pub async fn next(tx: &Transaction<'_>, portal: &Portal, page: i32) -> Result<Vec<Listing>, Error> {
    tx.query_portal(portal, page)
        .await?
        .iter()
        .map(listing)
        .collect()
}

fn listing(r: &Row) -> Result<Listing, Error> {
    Ok(Listing {
        row: ListingRow {
            id: r.try_get(0)?,
            court_code: r.try_get(1)?,
            case_number: r.try_get(2)?,
            debtor_kind: r.try_get(3)?,
            debtor_key: r.try_get(4)?,
            debtor_name: r.try_get(5)?,
            name_folded: r.try_get(6)?,
            id_number: r.try_get(7)?,
            credit_code: r.try_get(8)?,
            debtor: r.try_get(9)?,
            associated_persons: r.try_get(10)?,
            filed_on: r.try_get(11)?,
            basis_document_number: r.try_get(12)?,
            basis_issuer: r.try_get(13)?,
            obligation: r.try_get(14)?,
            performance: r.try_get(15)?,
            grounds: r.try_get(16)?,
            extension_years: r.try_get(17)?,
            decided_on: r.try_get(18)?,
            grace_until: r.try_get(19)?,
            initiated_by: r.try_get(20)?,
            status: r.try_get(21)?,
            version: r.try_get(22)?,
            published_at: r.try_get(23)?,
            expires_on: r.try_get(24)?,
            restriction_id: r.try_get(25)?,
            removal: r.try_get(26)?,
            created_at: r.try_get(27)?,
            updated_at: r.try_get(28)?,
            decision: r.try_get(31)?,
            served_on: r.try_get(32)?,
            service_method: r.try_get(33)?,
        },
        court_name: r.try_get(29)?,
        province: r.try_get(30)?,
    })
}
