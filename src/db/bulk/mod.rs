//! The tokio-postgres statements of the bulk commands (`shixin import | export | seed`): the
//! staging and moving of an import (`import`), the courts (`courts`), the export's cursor
//! (`export`), the seed's load (`seed`), the orders published listings imply (`orders`), and the
//! audit row of an import.
//! Each function runs on the caller's client or transaction; long statements are in `../sql/`.

pub mod courts;
pub mod export;
pub mod first_load;
pub mod import;
pub mod orders;
pub mod seed;

use tokio_postgres::{Error, Transaction};

use super::models::audit::NewRecord;

/// The number and hash of the last audit row, the chain head locked until the transaction ends.
pub async fn lock_chain_head(tx: &Transaction<'_>) -> Result<(i64, String), Error> {
    let head = tx
        .query_one(
            "SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE",
            &[],
        )
        .await?;
    Ok((head.get(0), head.get(1)))
}

/// Appends one audit row and moves the chain head to it (the caller holds the head's lock:
/// [`lock_chain_head`]).
pub async fn append_audit(tx: &Transaction<'_>, r: &NewRecord<'_>) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO audit_log (seq, at, actor_sub, actor_role, actor_court, action, entity_type,
             entity_id, before, after, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        &[
            &r.seq,
            &r.at,
            &r.actor_sub,
            &r.actor_role,
            &r.actor_court,
            &r.action,
            &r.entity_type,
            &r.entity_id,
            &r.before,
            &r.after,
            &r.prev_hash,
            &r.hash,
        ],
    )
    .await?;
    tx.execute(
        "UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1",
        &[&r.seq, &r.hash],
    )
    .await?;
    Ok(())
}
