//! Writes that cannot go wrong twice: one transaction per change holding the change, its audit row, its
//! event row and its `Idempotency-Key` record; `If-Match` versions.

use crate::domain::ErrorCode;
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, http::header};
use diesel_async::AsyncPgConnection;
use futures_util::future::BoxFuture;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{app::AppState, auth::Principal, db::models::idempotency, error::ApiError};

pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// What a write answers; stored with its idempotency key and replayed from it.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: StatusCode,
    pub body: Value,
    pub etag: Option<i32>,
    pub location: Option<String>,
    /// Folded debtor names (I4) whose public answers this change affects: their cache entries are
    /// invalidated after the commit returns (not stored with the idempotency key).
    pub affects_names: Vec<String>,
}

impl Outcome {
    pub fn ok(body: Value, version: i32) -> Self {
        Outcome {
            status: StatusCode::OK,
            body,
            etag: Some(version),
            location: None,
            affects_names: Vec::new(),
        }
    }
    pub fn created(body: Value, version: Option<i32>, location: String) -> Self {
        Outcome {
            status: StatusCode::CREATED,
            body,
            etag: version,
            location: Some(location),
            affects_names: Vec::new(),
        }
    }

    pub fn affecting(mut self, names: impl IntoIterator<Item = String>) -> Self {
        self.affects_names.extend(names);
        self
    }

    fn headers_json(&self) -> Value {
        serde_json::json!({ "etag": self.etag, "location": self.location })
    }

    pub fn into_response(self, replayed: bool) -> HttpResponse {
        let mut r = HttpResponse::build(self.status);
        if let Some(v) = self.etag {
            r.insert_header((header::ETAG, format!("\"{v}\"")));
        }
        if let Some(l) = self.location {
            r.insert_header((header::LOCATION, l));
        }
        if replayed {
            r.insert_header(("Idempotency-Replayed", "true"));
        }
        if self.status == StatusCode::NO_CONTENT {
            r.finish()
        } else {
            r.json(self.body)
        }
    }
}

fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(v) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let key = v
        .to_str()
        .map_err(|_| ApiError::invalid_parameter("Idempotency-Key must be visible ASCII"))?
        .trim()
        .to_string();
    if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY_LEN {
        return Err(ApiError::invalid_parameter(
            "Idempotency-Key must be 1 to 255 characters",
        ));
    }
    Ok(Some(key))
}

fn fingerprint(req: &HttpRequest, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(req.method().as_str().as_bytes());
    h.update(b" ");
    h.update(req.path().as_bytes());
    h.update(b"\n");
    h.update(body);
    hex::encode(h.finalize())
}

/// Runs one write in one transaction. With an `Idempotency-Key`, the key is inserted first: a
/// concurrent duplicate blocks on it until this transaction ends, then replays what it stored.
pub async fn run_write<F>(
    state: &AppState,
    principal: &Principal,
    req: &HttpRequest,
    body: &[u8],
    f: F,
) -> Result<HttpResponse, ApiError>
where
    F: for<'c> FnOnce(&'c mut AsyncPgConnection) -> BoxFuture<'c, Result<Outcome, ApiError>>
        + Send
        + 'static,
{
    let key = idempotency_key(req)?;
    let hash = fingerprint(req, body);
    let sub = principal.sub.clone();
    let cache = state.cache.clone();
    let mut conn = state.db.get().await?;
    let result = in_transaction(&mut conn, move |conn| {
        Box::pin(async move {
            if let Some(key) = &key
                && !idempotency::claim(conn, &sub, key, &hash).await?
            {
                return Ok(Err((key.clone(), hash)));
            }
            let outcome = f(conn).await?;
            // The invalidation is owed in the same transaction, so a request cut off after the
            // commit still gets it done (`cache::sweep`).
            let owed = crate::cache::owe(&cache, conn, &outcome.affects_names).await?;
            if let Some(key) = &key {
                let status = i32::from(outcome.status.as_u16());
                idempotency::store_response(
                    conn,
                    &sub,
                    key,
                    status,
                    outcome.headers_json(),
                    &outcome.body,
                )
                .await?;
            }
            Ok(Ok((outcome, owed)))
        })
    })
    .await?;
    match result {
        Ok((outcome, owed)) => {
            crate::cache::after_commit(&state.cache, &mut conn, &outcome.affects_names, owed).await;
            Ok(outcome.into_response(false))
        }
        Err((key, hash)) => replay(&mut conn, &principal.sub, &key, &hash).await,
    }
}

async fn replay(
    conn: &mut AsyncPgConnection,
    sub: &str,
    key: &str,
    hash: &str,
) -> Result<HttpResponse, ApiError> {
    let Some(stored) = idempotency::find(conn, sub, key).await? else {
        return Err(ApiError::conflict(
            ErrorCode::IdempotencyRequestInProgress,
            "a request with this Idempotency-Key is still running; retry shortly",
        ));
    };
    if stored.request_hash != hash {
        return Err(ApiError::rule(
            ErrorCode::IdempotencyKeyReused,
            None,
            "this Idempotency-Key was used with another request",
        ));
    }
    let status = StatusCode::from_u16(u16::try_from(stored.status).unwrap_or(0)).map_err(|_| {
        ApiError::conflict(
            ErrorCode::IdempotencyRequestInProgress,
            "a request with this Idempotency-Key is still running; retry shortly",
        )
    })?;
    let headers = stored.headers;
    let outcome = Outcome {
        status,
        body: stored.body,
        etag: headers
            .get("etag")
            .and_then(Value::as_i64)
            .and_then(|v| i32::try_from(v).ok()),
        location: headers
            .get("location")
            .and_then(Value::as_str)
            .map(str::to_string),
        affects_names: Vec::new(),
    };
    Ok(outcome.into_response(true))
}

/// `If-Match: "<version>"`: 428 when missing, 400 when unreadable.
pub fn if_match(req: &HttpRequest) -> Result<i32, ApiError> {
    let v = req.headers().get(header::IF_MATCH).ok_or_else(|| {
        ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            ErrorCode::PreconditionRequired,
            "send If-Match with the version (ETag) you read",
        )
    })?;
    let s = v.to_str().unwrap_or("").trim();
    let s = s.strip_prefix("W/").unwrap_or(s).trim_matches('"');
    s.parse::<i32>().map_err(|_| {
        ApiError::invalid_parameter("If-Match must be an ETag this service issued, like \"3\"")
    })
}

/// 412 when the resource moved on since the caller read it.
pub fn check_version(expected: i32, current: i32) -> Result<(), ApiError> {
    if expected == current {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            ErrorCode::VersionMismatch,
            format!("the resource is at version {current}, not {expected}; read it again"),
        ))
    }
}

/// Runs a change of the service inside one transaction with its audit rows: the rows the change
/// appends are collected while it runs and sealed into the hash chain just before the commit
/// (`crate::audit`); an error rolls all of it back.
pub async fn in_transaction<T, F>(conn: &mut AsyncPgConnection, body: F) -> Result<T, ApiError>
where
    F: for<'c> FnOnce(&'c mut AsyncPgConnection) -> BoxFuture<'c, Result<T, ApiError>>,
{
    crate::db::begin(conn).await?;
    let (result, rows) = crate::audit::collect(body(conn)).await;
    let result = match result {
        Ok(v) => crate::audit::seal(conn, rows).await.map(|()| v),
        Err(e) => Err(e),
    };
    crate::db::finish(conn, result).await
}
