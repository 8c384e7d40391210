//! The one audit row of an import, chained like every other (`crate::audit::seal`), written on the
//! import's tokio-postgres transaction.

use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio_postgres::Transaction;

use crate::audit::{Actor, RowFields, row_hash};

/// Appends `action` on (`entity_type`, `entity_id`) with `after` at the end of the chain; the
/// chain head stays locked until the transaction ends.
pub async fn append(
    tx: &Transaction<'_>,
    actor: &Actor,
    action: &str,
    entity_type: &str,
    entity_id: &str,
    after: &Value,
) -> Result<(), tokio_postgres::Error> {
    let head = tx
        .query_one(
            "SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE",
            &[],
        )
        .await?;
    let seq: i64 = head.get::<_, i64>(0) + 1;
    let prev_hash: String = head.get(1);
    let now = Utc::now();
    let at = DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now);
    let hash = row_hash(
        &prev_hash,
        &RowFields {
            seq,
            at,
            actor,
            action,
            entity_type,
            entity_id,
            before: None,
            after: Some(after),
        },
    );
    tx.execute(
        "INSERT INTO audit_log (seq, at, actor_sub, actor_role, actor_court, action, entity_type,
             entity_id, before, after, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10, $11)",
        &[
            &seq,
            &at,
            &actor.sub,
            &actor.role,
            &actor.court,
            &action,
            &entity_type,
            &entity_id,
            after,
            &prev_hash,
            &hash,
        ],
    )
    .await?;
    tx.execute(
        "UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1",
        &[&seq, &hash],
    )
    .await?;
    Ok(())
}
