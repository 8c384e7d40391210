//! Credit-repair certificates (信用修复证明, L16) that anyone can verify offline: each is a compact
//! JWS (RFC 7515, `alg: EdDSA` with Ed25519, RFC 8037) over the certificate's fields, signed by the
//! service's current key and checked against the public keys it publishes at
//! `/.well-known/jwks.json` (RFC 7517; each key named by its `kid`, the RFC 7638 thumbprint).
//! [`keys`] loads or creates the keys; [`SigningKeys::sign`] makes the JWS with `jsonwebtoken`;
//! [`issue`] issues one when a court grants credit repair; [`find`] reads one for the public.

pub mod issue;
pub mod keys;
pub mod wire;

pub use keys::SigningKeys;

use crate::{app::AppState, db::models::certificate::CertificateRow, error::ApiError};

/// 404 for any id that is not an issued certificate's, malformed or not: the same body whatever
/// the id, so that an answer never tells whether an id was ever issued.
pub fn not_found() -> ApiError {
    ApiError::not_found("no such certificate")
}

/// The certificate with id `id` (any text), or the one 404 of [`not_found`].
pub async fn find(state: &AppState, id: &str) -> Result<CertificateRow, ApiError> {
    let Ok(id) = uuid::Uuid::parse_str(id) else {
        return Err(not_found());
    };
    let mut conn = state.db.get().await?;
    CertificateRow::find(&mut conn, id)
        .await?
        .ok_or_else(not_found)
}
