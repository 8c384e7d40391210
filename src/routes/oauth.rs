//! `POST /v1/oauth/token`: OAuth 2.0 client credentials (RFC 6749 §4.4) for subscribers. The client
//! authenticates with HTTP Basic or with `client_id`/`client_secret` in the form; the answer is a
//! short-lived bearer JWT carrying the subscriber id and sector.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, http::header, post, web};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    app::AppState,
    auth::jwt::{MintRequest, mint},
    db::models::subscriber::{Subscriber, secret_matches},
    error::{ApiError, PROBLEM_JSON, title_for},
};

/// Lifetime of a subscriber token.
pub const TOKEN_TTL_SECS: i64 = 900;

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: i64,
}

/// An RFC 6749 §5.2 error (`error`, `error_description`) inside a problem+json body.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> HttpResponse {
    let body = serde_json::json!({
        "type": format!("https://shixin.example/problems/{error}"),
        "title": title_for(status),
        "status": status.as_u16(),
        "detail": description,
        "code": error,
        "error": error,
        "error_description": description,
    });
    let mut r = HttpResponse::build(status);
    r.insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    if status == StatusCode::UNAUTHORIZED {
        r.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"shixin\""));
    }
    r.body(body.to_string())
}

fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let v = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(rest.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    // RFC 6749 §2.3.1: both parts are form-urlencoded.
    let dec = |s: &str| {
        url::form_urlencoded::parse(format!("v={s}").as_bytes())
            .next()
            .map(|(_, v)| v.to_string())
    };
    Some((dec(id)?, dec(secret)?))
}

/// Exchange client credentials for a subscriber token (form body `grant_type=client_credentials`).
#[utoipa::path(operation_id = "oauth_token", tag = "subscribers",
    request_body(content = String, content_type = "application/x-www-form-urlencoded",
        description = "grant_type=client_credentials[&client_id=…&client_secret=…]"),
    responses((status = 200, description = "Success", body = TokenOut), (status = 400, description = "Malformed request (problem+json)", body = crate::error::Problem),
        (status = 401, description = "Missing, invalid or expired token (problem+json)", body = crate::error::Problem)))]
#[post("/v1/oauth/token")]
pub async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(&body).into_owned().collect();
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {}
        Some(_) => {
            return Ok(oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only client_credentials is supported",
            ));
        }
        None => {
            return Ok(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is required",
            ));
        }
    }
    let creds = basic_credentials(&req).or_else(|| {
        Some((
            form.get("client_id")?.clone(),
            form.get("client_secret")?.clone(),
        ))
    });
    let Some((client_id, secret)) = creds else {
        return Ok(oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "authenticate with HTTP Basic or client_id and client_secret",
        ));
    };
    let mut conn = state.db.get().await?;
    let sub = Subscriber::by_client_id(&mut conn, &client_id).await?;
    let Some(sub) = sub.filter(|s| s.enabled && secret_matches(&secret, &s.secret_hash)) else {
        return Ok(oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client, wrong secret or disabled subscriber",
        ));
    };
    let access_token = mint(
        &state.settings,
        &MintRequest {
            sub: sub.id.to_string(),
            role: "subscriber".into(),
            court: None,
            sector: Some(sub.sector.clone()),
            subscriber_id: Some(sub.id.to_string()),
            ttl_secs: TOKEN_TTL_SECS,
        },
    )?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TokenOut {
            access_token,
            token_type: "Bearer".into(),
            expires_in: TOKEN_TTL_SECS,
        }))
}
