//! Which courts a principal may act for (docs/LAW.md "Roles"): a clerk its own court, a supervisor
//! every court under it in the hierarchy (L7 reconsideration), nobody else.

use diesel_async::AsyncPgConnection;

use super::{Principal, Role};
use crate::domain::ErrorCode;
use crate::{
    db::models::{
        correction::CorrectionRow,
        court::{ancestors, subtree},
        credit_repair::CreditRepairRow,
        listing::ListingRow,
        restriction::RestrictionRow,
    },
    error::ApiError,
};

/// 403 `court_not_in_scope` unless the principal may act for `court`.
pub async fn ensure_court_scope(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    court: &str,
) -> Result<(), ApiError> {
    let own = principal.require_court_actor()?;
    let allowed = match principal.role {
        Role::Court => own.as_str() == court,
        Role::Supervisor => ancestors(conn, court)
            .await?
            .iter()
            .any(|c| c == own.as_str()),
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            ErrorCode::CourtNotInScope,
            format!("court {} may not act for court {court}", own.as_str()),
        ))
    }
}

/// The courts a list covers: `asked` (403 `court_not_in_scope` when out of the principal's scope),
/// else the principal's own court, and for a supervisor every court under it too.
pub async fn courts_in_scope(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    asked: Option<&str>,
) -> Result<Vec<String>, ApiError> {
    let own = principal.require_court_actor()?.as_str().to_string();
    Ok(match asked {
        Some(c) => {
            ensure_court_scope(conn, principal, c).await?;
            vec![c.to_string()]
        }
        None if principal.role == Role::Supervisor => subtree(conn, Some(&own), None)
            .await?
            .into_iter()
            .map(|c| c.code)
            .collect(),
        None => vec![own],
    })
}

/// 403 `court_not_in_scope` unless the principal is a supervisor of a court above `court`: its
/// parent or a court above that (L13: the next higher court decides a reconsideration).
pub async fn ensure_higher_court(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    court: &str,
) -> Result<(), ApiError> {
    let own = principal.require_court_actor()?;
    let above = principal.role == Role::Supervisor
        && ancestors(conn, court)
            .await?
            .iter()
            .skip(1)
            .any(|c| c == own.as_str());
    if above {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            ErrorCode::CourtNotInScope,
            format!(
                "only a supervisor of a court above {court} may act on its reconsideration, not {} of {}",
                principal.role.as_str(),
                own.as_str()
            ),
        ))
    }
}

/// A row a court changes: the court it belongs to and its version (`If-Match`).
pub trait CourtRecord {
    fn court_code(&self) -> &str;
    fn version(&self) -> i32;
}

impl CourtRecord for ListingRow {
    fn court_code(&self) -> &str {
        &self.court_code
    }
    fn version(&self) -> i32 {
        self.version
    }
}

impl CourtRecord for CorrectionRow {
    fn court_code(&self) -> &str {
        &self.court_code
    }
    fn version(&self) -> i32 {
        self.version
    }
}

impl CourtRecord for CreditRepairRow {
    fn court_code(&self) -> &str {
        &self.court_code
    }
    fn version(&self) -> i32 {
        self.version
    }
}

impl CourtRecord for RestrictionRow {
    fn court_code(&self) -> &str {
        &self.court_code
    }
    fn version(&self) -> i32 {
        self.version
    }
}

/// What every court change checks on the row it has locked: that it exists (404 with `missing`),
/// that `principal` may act for its court (403 `court_not_in_scope`) and, when `expected` is given,
/// that it is the version the principal read (412 `version_mismatch`).
pub async fn changeable<R: CourtRecord>(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    row: Option<R>,
    expected: Option<i32>,
    missing: impl FnOnce() -> String,
) -> Result<R, ApiError> {
    let row = row.ok_or_else(|| ApiError::not_found(missing()))?;
    ensure_court_scope(conn, principal, row.court_code()).await?;
    if let Some(v) = expected {
        crate::write::check_version(v, row.version())?;
    }
    Ok(row)
}
