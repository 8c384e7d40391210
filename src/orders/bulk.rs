//! R1 and R3 in bulk: the restriction orders that published listings imply, with their subjects,
//! derived in SQL (`crate::db::bulk::orders`). Used by `shixin seed` and `shixin import` (the API
//! path is [`super::issue`]).

use chrono::{DateTime, Utc};
use tokio_postgres::GenericClient;

use crate::db::bulk::orders::{Targets, derive};

/// For each listing of `targets`, inserts its active order with every item (R1, R2) on the
/// listing's court, case and parties, issued on the publication date (CST), and its subjects: the
/// debtor, an organisation's legal representative and associated persons with their roles (R3).
pub async fn derive_orders<C: GenericClient>(
    client: &C,
    targets: Targets,
    now: DateTime<Utc>,
) -> Result<(), tokio_postgres::Error> {
    derive(client, targets, &super::all_items(), now).await
}
