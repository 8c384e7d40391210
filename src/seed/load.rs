//! What publishing the seeded listings implies (R1), derived in SQL once they are all in
//! (`crate::db::bulk::seed` holds the statements).

use crate::{
    db::bulk::{
        orders::Targets,
        seed::{Table, analyze, persons_and_documents},
    },
    orders::bulk::derive_orders as derive,
};

/// R1 for seeded data: every active listing gets its order, with its subjects (R3), the persons
/// they name, and a passport for some person debtors.
pub(super) async fn derive_orders(
    client: &tokio_postgres::Client,
) -> Result<(), tokio_postgres::Error> {
    derive(client, Targets::Seeded, chrono::Utc::now()).await?;
    persons_and_documents(client).await?;
    analyze(client, &[Table::Restrictions, Table::RestrictionSubjects]).await
}
