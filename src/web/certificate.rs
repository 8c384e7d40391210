//! `GET /certificates/{id}`: the printable credit-repair certificate (信用修复证明, L16), in
//! Chinese, without JavaScript: what it certifies (a person's ID number masked only), and how
//! anyone verifies it offline (the JWS, the JWK Set's address, a few lines of Python).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;

use super::html;
use crate::{
    app::AppState,
    certificates::{find, issue::out, wire::CertificateOut},
    domain::{calendar::cst_date, status::PartyKind},
    error::ApiError,
};

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    cert: Option<CertificateOut>,
    issued_on: String,
    jwks_url: String,
    json_url: String,
}

/// The printable certificate, or a "not found" page (404) alike for every id that is not one.
pub async fn certificate(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let base = {
        let info = req.connection_info();
        format!("{}://{}", info.scheme(), info.host())
    };
    let cert = match find(&state, &id).await {
        Ok(row) => Some(out(&row)?),
        Err(e) if e.status == StatusCode::NOT_FOUND => None,
        Err(e) => return Err(e),
    };
    let status = if cert.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let page = CertificatePage {
        issued_on: cert
            .as_ref()
            .map(|c| cst_date(c.issued_at).to_string())
            .unwrap_or_default(),
        json_url: cert
            .as_ref()
            .map(|c| format!("{base}/v1/public/certificates/{}", c.id))
            .unwrap_or_default(),
        jwks_url: format!("{base}/.well-known/jwks.json"),
        cert,
    };
    html(status, &page)
}
