//! One error type, one envelope: every failure becomes RFC 9457 `application/problem+json` with a stable
//! `code`. Internals are logged once, with their cause chain, and never sent to the client.

use actix_web::{
    HttpResponse, ResponseError,
    http::{StatusCode, header},
};
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::domain::ErrorCode;
use crate::{db::DbError, domain::DomainError};

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    #[schema(value_type = String)]
    pub code: ErrorCode,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: ErrorCode, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            code,
            message: message.into(),
        }
    }
    pub fn from_domain(field: impl Into<String>, e: DomainError) -> Self {
        FieldError::new(field, e.code, e.message)
    }
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[schema(value_type = String)]
    pub code: ErrorCode,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub headers: Vec<(header::HeaderName, String)>,
    /// The internal cause of a 5xx: logged, never answered.
    pub source: Option<anyhow::Error>,
}

/// Only the status and code: `detail` and field messages may quote what the client sent (an ID number,
/// a name), and middleware logs errors with `Debug`.
impl std::fmt::Debug for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiError({} {})", self.status.as_u16(), self.code)?;
        if let Some(src) = &self.source {
            write!(f, ": {src:#}")?;
        }
        Ok(())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.code)
    }
}

/// The internal cause, for whoever prints the chain (`main.rs` prints `{e:#}` through anyhow).
impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e.as_ref() as &(dyn std::error::Error + 'static))
    }
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            headers: Vec::new(),
            source: None,
        }
    }
    pub fn with_header(mut self, name: header::HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
    pub fn bad_request(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }
    pub fn invalid_parameter(detail: impl Into<String>) -> Self {
        Self::bad_request(ErrorCode::InvalidParameter, detail)
    }
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, detail).with_header(
            header::WWW_AUTHENTICATE,
            "Bearer realm=\"shixin\", error=\"invalid_token\"",
        )
    }
    pub fn forbidden(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, detail)
    }
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, detail)
    }
    pub fn conflict(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }
    /// 422 with one rule failure.
    pub fn rule(code: ErrorCode, field: Option<&str>, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        let mut e = Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail.clone());
        if let Some(f) = field {
            e.errors.push(FieldError::new(f, code, detail));
        }
        e
    }
    pub fn domain(field: &str, e: DomainError) -> Self {
        Self::rule(e.code, Some(field), e.message)
    }
    /// 422 with every field error; the first one gives the top-level code.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let code = errors
            .first()
            .map(|e| e.code)
            .unwrap_or(ErrorCode::InvalidBody);
        let detail = match errors.len() {
            1 => errors
                .first()
                .map(|e| format!("{}: {}", e.field, e.message))
                .unwrap_or_default(),
            n => format!("{n} fields are invalid; see errors"),
        };
        let mut e = Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail);
        e.errors = errors;
        e
    }
    pub fn internal(source: anyhow::Error) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "The server could not complete the request; it has been logged.",
        );
        e.source = Some(source);
        e
    }
    pub fn unavailable(source: anyhow::Error) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::DatabaseUnavailable,
            "The database is unavailable; retry shortly.",
        )
        .with_header(header::RETRY_AFTER, "5");
        e.source = Some(source);
        e
    }

    pub fn problem(&self) -> Problem {
        Problem {
            problem_type: format!("https://shixin.example/problems/{}", self.code),
            title: title_for(self.status).to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code,
            errors: self.errors.clone(),
        }
    }
}

pub fn title_for(status: StatusCode) -> &'static str {
    status.canonical_reason().unwrap_or("Error")
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }
    fn error_response(&self) -> HttpResponse {
        if self.status.is_server_error() {
            match &self.source {
                Some(src) => tracing::error!(code = %self.code, error = ?src, "request failed"),
                None => tracing::error!(code = %self.code, "request failed"),
            }
        }
        let mut resp = HttpResponse::build(self.status);
        resp.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        for (k, v) in &self.headers {
            resp.insert_header((k.clone(), v.clone()));
        }
        resp.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        DbError::Query(e).into()
    }
}

/// 503 `database_unavailable` when the database is unreachable, else 500; the cause is logged.
impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        if e.is_unavailable() {
            ApiError::unavailable(e.into())
        } else {
            ApiError::internal(e.into())
        }
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for ApiError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        DbError::Pool(e).into()
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::internal(e)
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        ApiError::internal(e.into())
    }
}

/// Whether a diesel error is a unique violation of the named index.
pub fn is_unique_violation(e: &diesel::result::Error, constraint: &str) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    matches!(e, Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
        if info.constraint_name() == Some(constraint))
}
