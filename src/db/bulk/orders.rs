//! R1 and R3 in bulk, in SQL: the restriction orders that published listings imply, with their
//! subjects (`crate::orders::bulk`, used by `shixin seed` and `shixin import`).

use chrono::{DateTime, Utc};
use tokio_postgres::{Error, GenericClient};

/// Which listings get their order: the query of their rows, each with the columns the order and
/// its subjects take (`listing_id`, `restriction_id`, `court_code`, `case_number`, `debtor`,
/// `associated_persons`, `published_at`, `decided_on`, `debtor_kind`, `debtor_key`, `debtor_name`).
#[derive(Debug, Clone, Copy)]
pub enum Targets {
    /// The active listings of an import, from its staging table (the rows just inserted into
    /// `listings` are the same: read once, not joined back).
    Import,
    /// Seeded active listings whose order is not written yet.
    Seeded,
}

/// The columns of a target row, from a relation named `l` with the columns of `listings`.
const COLUMNS: &str = "l.id AS listing_id, l.restriction_id, l.court_code, l.case_number, \
    l.debtor, l.associated_persons, l.published_at, l.decided_on, l.debtor_kind, l.debtor_key, \
    l.debtor_name";

impl Targets {
    fn sql(self) -> String {
        match self {
            Targets::Import => {
                format!("SELECT {COLUMNS} FROM import_listings l WHERE l.status = 'active'")
            }
            Targets::Seeded => format!(
                "SELECT {COLUMNS} FROM listings l
    WHERE l.status = 'active' AND l.restriction_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM restrictions r WHERE r.id = l.restriction_id)"
            ),
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
        "WITH t AS MATERIALIZED ({}),\n{}",
        targets.sql(),
        include_str!("../sql/derive_orders.sql")
    );
    client.execute(&sql, &[&items, &now]).await?;
    Ok(())
}
