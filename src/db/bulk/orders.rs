//! R1 and R3 in bulk, in SQL: the restriction orders that published listings imply, with their
//! subjects (`crate::orders::bulk`, used by `shixin seed` and `shixin import`).

use chrono::{DateTime, Utc};
use tokio_postgres::{Error, GenericClient};

/// Which listings get their order: the query of `(listing_id, restriction_id)` rows.
#[derive(Debug, Clone, Copy)]
pub enum Targets {
    /// The active listings of an import (its staging table).
    Import,
    /// Seeded active listings whose order is not written yet.
    Seeded,
}

impl Targets {
    fn sql(self) -> &'static str {
        match self {
            Targets::Import => {
                "SELECT id AS listing_id, restriction_id FROM import_listings WHERE status = 'active'"
            }
            Targets::Seeded => {
                "SELECT l.id AS listing_id, l.restriction_id FROM listings l
    WHERE l.status = 'active' AND l.restriction_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM restrictions r WHERE r.id = l.restriction_id)"
            }
        }
    }
}

/// For each row `(listing_id, restriction_id)` of `targets`, inserts the active order
/// `restriction_id` with `items` on the listing's court, case and parties, issued on the
/// publication date (CST), created at `now`, and its subjects: the debtor, an organisation's legal
/// representative and associated persons with their roles (R3).
pub async fn derive<C: GenericClient>(
    client: &C,
    targets: Targets,
    items: &[String],
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let sql = format!(
        "WITH t AS ({}),\n{}",
        targets.sql(),
        include_str!("../sql/derive_orders.sql")
    );
    client.execute(&sql, &[&items, &now]).await?;
    Ok(())
}
