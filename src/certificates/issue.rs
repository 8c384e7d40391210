//! Issuing a certificate when a court grants credit repair (L16), inside the grant's transaction:
//! the listing's public fields (a person's ID number masked), signed with the current key.

use chrono::{SubsecRound, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::{
    SigningKeys,
    wire::{CertificateClaims, CertificateOut},
};
use crate::{
    db::models::{certificate::CertificateRow, listing::Listing},
    domain::{calendar::cst_date, listing_rules::RemovalReason},
    error::ApiError,
    listings::view::public_item,
};

/// The claims a stored certificate signed (its stored `reason` reads back as a removal reason).
pub fn claims(row: &CertificateRow) -> Result<CertificateClaims, ApiError> {
    let reason = RemovalReason::parse(&row.reason)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("certificate {}: {e}", row.id)))?;
    Ok(CertificateClaims {
        id: row.id,
        listing_id: row.listing_id,
        name: row.name.clone(),
        kind: row.kind,
        id_number_masked: row.id_number_masked.clone(),
        credit_code: row.credit_code.clone(),
        court_name: row.court_name.clone(),
        case_number: row.case_number.clone(),
        listed_on: row.listed_on,
        removed_on: row.removed_on,
        reason,
        issued_at: row.issued_at,
    })
}

/// The public answer: the claims and their JWS.
pub fn out(row: &CertificateRow) -> Result<CertificateOut, ApiError> {
    let c = claims(row)?;
    Ok(CertificateOut {
        id: c.id,
        listing_id: c.listing_id,
        name: c.name,
        kind: c.kind,
        id_number_masked: c.id_number_masked,
        credit_code: c.credit_code,
        court_name: c.court_name,
        case_number: c.case_number,
        listed_on: c.listed_on,
        removed_on: c.removed_on,
        reason: c.reason,
        issued_at: c.issued_at,
        jws: row.jws.clone(),
    })
}

/// Issues the certificate of credit repair `repair_id` for `listing` as its grant just deleted it
/// (in the same transaction).
/// The id is random (v4): it says nothing of how many were issued, or when.
pub async fn issue(
    conn: &mut AsyncPgConnection,
    keys: &SigningKeys,
    repair_id: Uuid,
    listing: &Listing,
) -> Result<CertificateRow, ApiError> {
    let item = public_item(listing);
    // Whole seconds: the stored timestamp reads back as the one signed.
    let issued_at = Utc::now().trunc_subsecs(0);
    let claims = CertificateClaims {
        id: Uuid::new_v4(),
        listing_id: listing.row.id,
        name: item.name,
        kind: item.kind,
        id_number_masked: item.id_number_masked,
        credit_code: item.credit_code,
        court_name: item.court_name,
        case_number: item.case_number,
        listed_on: listing.row.decided_on,
        // The CST day of the listing's last change: the removal this transaction just made.
        removed_on: cst_date(listing.row.updated_at),
        reason: RemovalReason::EarlyDeletion,
        issued_at,
    };
    let jws = keys.sign(&claims).map_err(ApiError::internal)?;
    let row = CertificateRow {
        id: claims.id,
        listing_id: claims.listing_id,
        credit_repair_id: repair_id,
        kind: claims.kind,
        name: claims.name,
        id_number_masked: claims.id_number_masked,
        credit_code: claims.credit_code,
        court_name: claims.court_name,
        case_number: claims.case_number,
        listed_on: claims.listed_on,
        removed_on: claims.removed_on,
        reason: claims.reason.code().to_string(),
        issued_at,
        jws,
    };
    CertificateRow::insert(conn, &row).await?;
    Ok(row)
}
