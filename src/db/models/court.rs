//! Courts and their hierarchy: one court, a page of them, the courts above one and those under it
//! (docs/LAW.md "Roles", L7).

use chrono::{DateTime, Utc};
use diesel::{
    ExpressionMethods, OptionalExtension, QueryDsl, Queryable, QueryableByName, Selectable,
    SelectableHelper, sql_query,
    sql_types::{Nullable, Text},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{DbError, schema::courts};

#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = courts)]
pub struct Court {
    pub code: String,
    pub name: String,
    pub province: String,
    pub level: String,
    pub parent_code: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A court to insert (the API's `POST /v1/courts`, `shixin import courts`, `shixin seed`).
pub struct NewCourt<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub province: &'a str,
    pub level: &'a str,
    pub parent_code: Option<&'a str>,
}

impl Court {
    pub async fn find(
        conn: &mut AsyncPgConnection,
        code: &str,
    ) -> Result<Option<Court>, diesel::result::Error> {
        courts::table
            .filter(courts::code.eq(code))
            .select(Court::as_select())
            .first(conn)
            .await
            .optional()
    }

    pub async fn page(
        conn: &mut AsyncPgConnection,
        after: Option<&str>,
        parent: Option<&str>,
        province: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Court>, diesel::result::Error> {
        let mut q = courts::table.select(Court::as_select()).into_boxed();
        if let Some(a) = after {
            q = q.filter(courts::code.gt(a.to_string()));
        }
        if let Some(p) = parent {
            q = q.filter(courts::parent_code.eq(p.to_string()));
        }
        if let Some(p) = province {
            q = q.filter(courts::province.eq(p.to_string()));
        }
        q.order(courts::code.asc()).limit(limit).load(conn).await
    }

    /// Adds a court (its code, name, province, level and parent, already checked).
    pub async fn insert(
        conn: &mut AsyncPgConnection,
        new: &NewCourt<'_>,
    ) -> Result<(), diesel::result::Error> {
        diesel::insert_into(courts::table)
            .values((
                courts::code.eq(new.code),
                courts::name.eq(new.name),
                courts::province.eq(new.province),
                courts::level.eq(new.level),
                courts::parent_code.eq(new.parent_code),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }
}

#[derive(QueryableByName)]
struct Ancestor {
    #[diesel(sql_type = Text)]
    code: String,
}

/// The court itself and every court above it, nearest first.
pub async fn ancestors(conn: &mut AsyncPgConnection, court: &str) -> Result<Vec<String>, DbError> {
    let rows: Vec<Ancestor> = sql_query(include_str!("../sql/court_ancestors.sql"))
        .bind::<Text, _>(court)
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|a| a.code).collect())
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
) -> Result<Vec<CourtRef>, DbError> {
    let rows = match root {
        Some(root) => {
            sql_query(include_str!("../sql/court_subtree.sql"))
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
