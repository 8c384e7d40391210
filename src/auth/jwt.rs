//! Bearer JWT verification (docs/API.md "Authentication") and minting for `shixin token`.

use std::collections::HashMap;

use anyhow::Context;
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header,
};
use serde::{Deserialize, Serialize};

use crate::config::Settings;

/// Clock leeway for `exp` and `nbf` (docs/API.md: at most 30 s).
pub const LEEWAY_SECS: u64 = 30;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: serde_json::Value,
    pub sub: String,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub court: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscriber_id: Option<String>,
}

pub struct JwtVerifier {
    secret: DecodingKey,
    public_keys: HashMap<String, (DecodingKey, Algorithm)>,
    issuer: String,
    audience: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token's algorithm is not accepted")]
    Algorithm,
    #[error("the token names an unknown key")]
    UnknownKey,
    #[error("the token is invalid: {0}")]
    Invalid(String),
}

fn load_public_key(path: &str) -> anyhow::Result<(DecodingKey, Algorithm)> {
    let pem = std::fs::read(path).with_context(|| format!("reading public key {path}"))?;
    if let Ok(k) = DecodingKey::from_rsa_pem(&pem) {
        return Ok((k, Algorithm::RS256));
    }
    if let Ok(k) = DecodingKey::from_ec_pem(&pem) {
        return Ok((k, Algorithm::ES256));
    }
    if let Ok(k) = DecodingKey::from_ed_pem(&pem) {
        return Ok((k, Algorithm::EdDSA));
    }
    anyhow::bail!("{path} is not an RSA, EC (P-256) or Ed25519 public key in PEM form")
}

impl JwtVerifier {
    pub fn from_settings(s: &Settings) -> anyhow::Result<Self> {
        let mut public_keys = HashMap::new();
        for (kid, path) in &s.jwt_public_keys {
            public_keys.insert(kid.clone(), load_public_key(path)?);
        }
        Ok(JwtVerifier {
            secret: DecodingKey::from_secret(s.jwt_secret.expose().as_bytes()),
            public_keys,
            issuer: s.jwt_issuer.clone(),
            audience: s.jwt_audience.clone(),
        })
    }

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header = decode_header(token).map_err(|_| TokenError::Malformed)?;
        // An HMAC token is verified with the shared secret only; an asymmetric token only with the
        // public key its `kid` names, and only with that key's own algorithm.
        let (key, alg) = match header.alg {
            Algorithm::HS256 => (&self.secret, Algorithm::HS256),
            Algorithm::RS256 | Algorithm::ES256 | Algorithm::EdDSA => {
                let kid = header.kid.as_deref().ok_or(TokenError::UnknownKey)?;
                let (key, alg) = self.public_keys.get(kid).ok_or(TokenError::UnknownKey)?;
                if *alg != header.alg {
                    return Err(TokenError::Algorithm);
                }
                (key, *alg)
            }
            _ => return Err(TokenError::Algorithm),
        };
        let mut v = Validation::new(alg);
        v.set_issuer(&[&self.issuer]);
        v.set_audience(&[&self.audience]);
        v.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        v.leeway = LEEWAY_SECS;
        v.validate_nbf = true;
        decode::<Claims>(token, key, &v)
            .map(|d| d.claims)
            .map_err(|e| TokenError::Invalid(e.kind_description()))
    }
}

trait KindDescription {
    fn kind_description(&self) -> String;
}

impl KindDescription for jsonwebtoken::errors::Error {
    fn kind_description(&self) -> String {
        use jsonwebtoken::errors::ErrorKind as K;
        match self.kind() {
            K::ExpiredSignature => "expired".into(),
            K::ImmatureSignature => "not valid yet".into(),
            K::InvalidIssuer => "wrong issuer".into(),
            K::InvalidAudience => "wrong audience".into(),
            K::InvalidSignature => "bad signature".into(),
            K::MissingRequiredClaim(c) => format!("missing claim {c}"),
            _ => "rejected".into(),
        }
    }
}

/// What `shixin token` and the OAuth endpoint put in a token.
#[derive(Debug, Clone)]
pub struct MintRequest {
    pub sub: String,
    pub role: String,
    pub court: Option<String>,
    pub sector: Option<String>,
    pub subscriber_id: Option<String>,
    pub ttl_secs: i64,
}

pub fn mint(settings: &Settings, req: &MintRequest) -> anyhow::Result<String> {
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        iss: settings.jwt_issuer.clone(),
        aud: serde_json::Value::String(settings.jwt_audience.clone()),
        sub: req.sub.clone(),
        exp: now + req.ttl_secs,
        iat: Some(now),
        nbf: None,
        role: req.role.clone(),
        court: req.court.clone(),
        sector: req.sector.clone(),
        subscriber_id: req.subscriber_id.clone(),
    };
    let key = EncodingKey::from_secret(settings.jwt_secret.expose().as_bytes());
    Ok(jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &key,
    )?)
}
