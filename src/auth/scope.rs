//! Which courts a principal may act for (DOMAIN §5): a clerk its own court, a supervisor every court
//! under it in the hierarchy (L7 reconsideration), nobody else.

use diesel::{
    QueryableByName, sql_query,
    sql_types::{Nullable, Text},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::{Principal, Role};
use crate::error::ApiError;

#[derive(QueryableByName)]
struct Ancestor {
    #[diesel(sql_type = Text)]
    code: String,
}

/// The court itself and every court above it, nearest first.
pub async fn ancestors(conn: &mut AsyncPgConnection, court: &str) -> Result<Vec<String>, ApiError> {
    let rows: Vec<Ancestor> = sql_query(
        "WITH RECURSIVE up(code, parent_code, depth) AS (
             SELECT code, parent_code, 0 FROM courts WHERE code = $1
             UNION ALL
             SELECT c.code, c.parent_code, up.depth + 1 FROM courts c JOIN up ON c.code = up.parent_code
             WHERE up.depth < 16)
         SELECT code FROM up ORDER BY depth",
    )
    .bind::<Text, _>(court)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|a| a.code).collect())
}

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
            "court_not_in_scope",
            format!("court {} may not act for court {court}", own.as_str()),
        ))
    }
}

/// A court as the indicators name it.
#[derive(Debug, Clone, QueryableByName)]
pub struct CourtRef {
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub province: String,
}

/// `root` and every court under it (every court when `root` is `None`), optionally only those of
/// `province`, ordered by code: what a supervisor of `root` oversees (L7).
pub async fn subtree(
    conn: &mut AsyncPgConnection,
    root: Option<&str>,
    province: Option<&str>,
) -> Result<Vec<CourtRef>, ApiError> {
    let rows = match root {
        Some(root) => {
            sql_query(
                "WITH RECURSIVE down(code, depth) AS (
                     SELECT code, 0 FROM courts WHERE code = $1
                     UNION ALL
                     SELECT c.code, down.depth + 1 FROM courts c JOIN down ON c.parent_code = down.code
                     WHERE down.depth < 16)
                 SELECT c.code, c.name, c.province FROM courts c JOIN down USING (code)
                 WHERE $2::text IS NULL OR c.province = $2 ORDER BY c.code",
            )
            .bind::<Text, _>(root)
            .bind::<Nullable<Text>, _>(province)
            .load(conn)
            .await?
        }
        None => {
            sql_query(
                "SELECT code, name, province FROM courts
                 WHERE $1::text IS NULL OR province = $1 ORDER BY code",
            )
            .bind::<Nullable<Text>, _>(province)
            .load(conn)
            .await?
        }
    };
    Ok(rows)
}
