//! Credit-repair certificates for anyone (docs/API.md "The listed party"; docs/LAW.md L16): no
//! authentication, rate-limited as every public path.

use actix_web::{HttpResponse, get, http::header, web};

use crate::{
    app::AppState,
    certificates::{find, issue::out, wire::CertificateOut},
    error::ApiError,
};

/// A credit-repair certificate (信用修复证明): the certified fields and `jws`, a compact JWS (EdDSA,
/// Ed25519) over exactly those fields, verifiable offline with the keys at `/.well-known/jwks.json`
/// (its header names the `kid`). 404, with the same body whatever the id, for any id that is not
/// an issued certificate's.
#[utoipa::path(operation_id = "public_certificate", tag = "public", params(("id" = String, Path)),
    responses((status = 200, description = "Success", body = CertificateOut), (status = 404, description = "Not found (problem+json)", body = crate::error::Problem),
        (status = 429, body = crate::error::Problem, description = "Over the rate limit (`rate_limited`), with `Retry-After`")))]
#[get("/v1/public/certificates/{id}")]
pub async fn certificate(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let row = find(&state, &id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .json(out(&row)?))
}
