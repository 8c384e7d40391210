//! The public's reads of listings (API.md "Public"): active listings only.

use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, SelectableHelper};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::listing::{Listing, ListingRow};
use crate::db::schema::{courts, listings};

/// A search: the folded name (I4), optionally the debtor keys an `id_number` filter stands for.
#[derive(Debug, Clone)]
pub struct PublicSearch {
    pub folded_name: String,
    pub debtor_keys: Option<Vec<String>>,
    pub after: Option<Uuid>,
    pub limit: i64,
}

fn to_listing((row, court_name, province): (ListingRow, String, String)) -> Listing {
    Listing {
        row,
        court_name,
        province,
    }
}

/// Active listings whose folded name equals the query, in id order (`listings_public_name_idx`).
pub async fn search(
    conn: &mut AsyncPgConnection,
    s: &PublicSearch,
) -> Result<Vec<Listing>, diesel::result::Error> {
    let mut q = listings::table
        .inner_join(courts::table)
        .filter(listings::name_folded.eq(&s.folded_name))
        .filter(listings::status.eq("active"))
        .select((ListingRow::as_select(), courts::name, courts::province))
        .into_boxed();
    if let Some(keys) = &s.debtor_keys {
        q = q.filter(listings::debtor_key.eq_any(keys.clone()));
    }
    if let Some(a) = s.after {
        q = q.filter(listings::id.gt(a));
    }
    let rows: Vec<(ListingRow, String, String)> = q
        .order(listings::id.asc())
        .limit(s.limit)
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(to_listing).collect())
}

/// One listing, only when it is active.
pub async fn find_active(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<Option<Listing>, diesel::result::Error> {
    let r: Option<(ListingRow, String, String)> = listings::table
        .inner_join(courts::table)
        .filter(listings::id.eq(id))
        .filter(listings::status.eq("active"))
        .select((ListingRow::as_select(), courts::name, courts::province))
        .first(conn)
        .await
        .optional()?;
    Ok(r.map(to_listing))
}
