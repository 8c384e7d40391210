use chrono::{DateTime, Utc};
use diesel::{
    ExpressionMethods, OptionalExtension, QueryDsl, Queryable, Selectable, SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::courts;

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
        code: &str,
        name: &str,
        province: &str,
        level: &str,
        parent_code: Option<&str>,
    ) -> Result<(), diesel::result::Error> {
        diesel::insert_into(courts::table)
            .values((
                courts::code.eq(code),
                courts::name.eq(name),
                courts::province.eq(province),
                courts::level.eq(level),
                courts::parent_code.eq(parent_code),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }
}
