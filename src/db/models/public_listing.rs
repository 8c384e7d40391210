//! The public's reads of listings (docs/API.md "Public"): active listings only.

use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, SelectableHelper};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::listing::{Listing, ListingRow};
use crate::{
    db::schema::{courts, listings},
    domain::listing_rules::ListingStatus,
};

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

/// Active listings whose folded name equals the query, in id order (`listings_public_status_name_id_idx`: the scan starts at the cursor and stops after the page, and the prepared statement keeps its generic plan).
/// Not a boxed query, so that its prepared statement is cached per connection (two shapes).
pub async fn search(
    conn: &mut AsyncPgConnection,
    s: &PublicSearch,
) -> Result<Vec<Listing>, diesel::result::Error> {
    // Every v4 id sorts after the nil UUID: "no cursor" is "after nil".
    let after = s.after.unwrap_or(Uuid::nil());
    let base = listings::table
        .inner_join(courts::table)
        .filter(listings::name_folded.eq(&s.folded_name))
        .filter(listings::status.eq(ListingStatus::Active))
        .filter(listings::id.gt(after))
        .select((ListingRow::as_select(), courts::name, courts::province))
        .order(listings::id.asc())
        .limit(s.limit);
    let rows: Vec<(ListingRow, String, String)> = match &s.debtor_keys {
        Some(keys) => {
            base.filter(listings::debtor_key.eq_any(keys))
                .load(conn)
                .await?
        }
        None => base.load(conn).await?,
    };
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
        .filter(listings::status.eq(ListingStatus::Active))
        .select((ListingRow::as_select(), courts::name, courts::province))
        .first(conn)
        .await
        .optional()?;
    Ok(r.map(to_listing))
}
