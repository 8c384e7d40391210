//! A certificate as the public reads it (`GET /v1/public/certificates/{id}`), and the claims its
//! JWS signs: the same fields without `jws`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{listing_rules::RemovalReason, status::PartyKind};

/// What a certificate certifies, exactly as signed (the JWS payload). A person carries
/// `id_number_masked` (first 10, `****`, last 4), an organisation `credit_code`. (No `Debug`, nor
/// on [`CertificateOut`]: they carry a name; nothing logs them.)
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateClaims {
    pub id: Uuid,
    pub listing_id: Uuid,
    pub name: String,
    pub kind: PartyKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number_masked: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_code: Option<String>,
    pub court_name: String,
    pub case_number: String,
    pub listed_on: NaiveDate,
    pub removed_on: NaiveDate,
    pub reason: RemovalReason,
    pub issued_at: DateTime<Utc>,
}

/// A credit-repair certificate (信用修复证明, L16): the certified fields and `jws`, a compact JWS
/// (EdDSA, Ed25519, `kid` in its header) whose payload is exactly the other fields; verify it with
/// the keys at `/.well-known/jwks.json`.
#[derive(Clone, Serialize, ToSchema)]
pub struct CertificateOut {
    pub id: Uuid,
    /// The listing that was deleted early.
    pub listing_id: Uuid,
    pub name: String,
    /// `person` or `organization`.
    #[schema(value_type = String)]
    pub kind: PartyKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_number_masked: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_code: Option<String>,
    pub court_name: String,
    pub case_number: String,
    /// The date the court decided to list the debtor.
    pub listed_on: NaiveDate,
    /// The date (CST) the listing was deleted.
    pub removed_on: NaiveDate,
    /// Always `early_deletion` (L3).
    #[schema(value_type = String)]
    pub reason: RemovalReason,
    pub issued_at: DateTime<Utc>,
    pub jws: String,
}

/// Where a certificate is: its id and the printable page.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CertificateLink {
    pub id: Uuid,
    /// The printable page (信用修复证明); the JSON is at `/v1/public/certificates/{id}`.
    pub url: String,
}

impl CertificateLink {
    pub fn of(id: Uuid) -> Self {
        CertificateLink {
            id,
            url: format!("/certificates/{id}"),
        }
    }
}
