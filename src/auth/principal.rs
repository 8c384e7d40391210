//! The caller, as an actix extractor: `Principal` requires a valid bearer token.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use serde::Serialize;

use super::jwt::JwtVerifier;
use crate::domain::ErrorCode;
use crate::{domain::court_code::CourtCode, error::ApiError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Court,
    Supervisor,
    Admin,
    Subscriber,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Court => "court",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
            Role::Subscriber => "subscriber",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Principal {
    pub sub: String,
    pub role: Role,
    /// The court of a `court` or `supervisor` principal.
    pub court: Option<CourtCode>,
    pub sector: Option<String>,
    pub subscriber_id: Option<String>,
}

impl Principal {
    /// Court clerks and supervisors write listings; admins and subscribers may not (docs/LAW.md
    /// "Roles").
    pub fn require_court_actor(&self) -> Result<&CourtCode, ApiError> {
        match (self.role, &self.court) {
            (Role::Court | Role::Supervisor, Some(c)) => Ok(c),
            _ => Err(ApiError::forbidden(
                ErrorCode::Forbidden,
                format!(
                    "a {} may not do this; it is for courts and supervisors",
                    self.role.as_str()
                ),
            )),
        }
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self.role {
            Role::Admin => Ok(()),
            r => Err(ApiError::forbidden(
                ErrorCode::Forbidden,
                format!("a {} may not do this; it is for administrators", r.as_str()),
            )),
        }
    }

    pub fn actor_json(&self) -> serde_json::Value {
        serde_json::json!({
            "sub": self.sub,
            "role": self.role.as_str(),
            "court": self.court.as_ref().map(|c| c.as_str()),
        })
    }
}

fn bearer(req: &HttpRequest) -> Result<&str, ApiError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("a bearer token is required"))?
        .to_str()
        .map_err(|_| ApiError::unauthorized("the Authorization header is not readable"))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| ApiError::unauthorized("use Authorization: Bearer <token>"))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::unauthorized("use Authorization: Bearer <token>"));
    }
    Ok(token.trim())
}

pub fn authenticate(req: &HttpRequest) -> Result<Principal, ApiError> {
    let jwt = req
        .app_data::<web::Data<JwtVerifier>>()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("the token verifier is missing")))?;
    from_token(jwt, bearer(req)?)
}

/// The principal of a bearer token given otherwise than in the header (the supervisors' page
/// takes it from a form); 401 when it does not verify.
pub fn from_token(jwt: &JwtVerifier, token: &str) -> Result<Principal, ApiError> {
    let claims = jwt
        .verify(token)
        .map_err(|e| ApiError::unauthorized(e.to_string()))?;
    let role = match claims.role.as_str() {
        "court" => Role::Court,
        "supervisor" => Role::Supervisor,
        "admin" => Role::Admin,
        "subscriber" => Role::Subscriber,
        _ => return Err(ApiError::unauthorized("the token's role is not known")),
    };
    let court = match (role, claims.court.as_deref()) {
        (Role::Court | Role::Supervisor, Some(c)) => Some(
            CourtCode::parse(c)
                .map_err(|_| ApiError::unauthorized("the token's court code is invalid"))?,
        ),
        (Role::Court | Role::Supervisor, None) => {
            return Err(ApiError::unauthorized("a court token must name its court"));
        }
        _ => None,
    };
    Ok(Principal {
        sub: claims.sub,
        role,
        court,
        sector: claims.sector,
        subscriber_id: claims.subscriber_id,
    })
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}
