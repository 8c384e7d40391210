//! The one audit row of an import, chained like every other (`crate::audit::seal`), written on the
//! import's tokio-postgres transaction.

use tokio_postgres::Transaction;

use crate::{
    audit::{Actor, Change, now_micros, row_hash},
    db::bulk::{append_audit, lock_chain_head},
};

/// Appends `change` at the end of the chain; the chain head stays locked until the transaction
/// ends.
pub async fn append(
    tx: &Transaction<'_>,
    actor: &Actor,
    change: &Change<'_>,
) -> Result<(), tokio_postgres::Error> {
    let (last, prev_hash) = lock_chain_head(tx).await?;
    let fields = change.fields(last + 1, now_micros(), actor);
    let hash = row_hash(&prev_hash, &fields);
    append_audit(tx, &fields.record(&prev_hash, &hash)).await
}
