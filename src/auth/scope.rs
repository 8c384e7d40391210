//! Which courts a principal may act for (DOMAIN §5): a clerk its own court, a supervisor every court
//! under it in the hierarchy (L7 reconsideration), nobody else.

use crate::domain::ErrorCode;
use diesel_async::AsyncPgConnection;

use super::{Principal, Role};
use crate::{db::models::court::ancestors, error::ApiError};

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
