//! The audit trail's tables: `audit_log` (one hash-chained row per change) and `audit_chain_head`
//! (the number and hash of the last row, locked while rows are appended). The hashing is
//! `crate::audit`'s; these are its reads and writes.

use chrono::{DateTime, Utc};
use diesel::{ExpressionMethods, QueryDsl, Queryable, insert_into, result::Error};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;

use crate::db::schema::{audit_chain_head, audit_log};

/// A stored row of the trail, every column.
#[derive(Queryable)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_sub: String,
    pub actor_role: String,
    pub actor_court: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub prev_hash: String,
    pub hash: String,
}

/// A row to append, hashed already: the API's seal and the import's audit row write it alike.
pub struct NewRecord<'a> {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_sub: &'a str,
    pub actor_role: &'a str,
    pub actor_court: Option<&'a str>,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub before: Option<&'a Value>,
    pub after: Option<&'a Value>,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

/// The number and hash of the last row, the head locked until the transaction ends.
pub async fn lock_chain_head(conn: &mut AsyncPgConnection) -> Result<(i64, String), Error> {
    audit_chain_head::table
        .filter(audit_chain_head::id.eq(1))
        .select((audit_chain_head::seq, audit_chain_head::hash))
        .for_update()
        .first(conn)
        .await
}

/// The number and hash of the last row (`shixin audit verify`).
pub async fn chain_head(conn: &mut AsyncPgConnection) -> Result<(i64, String), Error> {
    audit_chain_head::table
        .filter(audit_chain_head::id.eq(1))
        .select((audit_chain_head::seq, audit_chain_head::hash))
        .first(conn)
        .await
}

/// Appends `rows` in one statement, then moves the head to the last of them (the caller holds the
/// head's lock: [`lock_chain_head`]).
pub async fn append(conn: &mut AsyncPgConnection, rows: &[NewRecord<'_>]) -> Result<(), Error> {
    let Some(last) = rows.last() else {
        return Ok(());
    };
    let values: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                audit_log::seq.eq(r.seq),
                audit_log::at.eq(r.at),
                audit_log::actor_sub.eq(r.actor_sub),
                audit_log::actor_role.eq(r.actor_role),
                audit_log::actor_court.eq(r.actor_court),
                audit_log::action.eq(r.action),
                audit_log::entity_type.eq(r.entity_type),
                audit_log::entity_id.eq(r.entity_id),
                audit_log::before.eq(r.before),
                audit_log::after.eq(r.after),
                audit_log::prev_hash.eq(r.prev_hash),
                audit_log::hash.eq(r.hash),
            )
        })
        .collect();
    insert_into(audit_log::table)
        .values(values)
        .execute(conn)
        .await?;
    diesel::update(audit_chain_head::table.filter(audit_chain_head::id.eq(1)))
        .set((
            audit_chain_head::seq.eq(last.seq),
            audit_chain_head::hash.eq(last.hash),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Up to `limit` rows from number `from` on, in order.
pub async fn rows_from(
    conn: &mut AsyncPgConnection,
    from: i64,
    limit: i64,
) -> Result<Vec<AuditRecord>, Error> {
    audit_log::table
        .filter(audit_log::seq.ge(from))
        .order(audit_log::seq.asc())
        .limit(limit)
        .select(audit_log::all_columns)
        .load(conn)
        .await
}

/// Every row about one entity, oldest first.
pub async fn of_entity(
    conn: &mut AsyncPgConnection,
    entity_type: &str,
    entity_id: &str,
) -> Result<Vec<AuditRecord>, Error> {
    audit_log::table
        .filter(audit_log::entity_type.eq(entity_type))
        .filter(audit_log::entity_id.eq(entity_id))
        .order(audit_log::seq.asc())
        .select(audit_log::all_columns)
        .load(conn)
        .await
}

/// Up to `limit` rows after number `after_seq`, oldest first, of one entity type and id when given.
pub async fn page(
    conn: &mut AsyncPgConnection,
    entity_type: Option<&str>,
    entity_id: Option<&str>,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<AuditRecord>, Error> {
    let mut q = audit_log::table
        .filter(audit_log::seq.gt(after_seq))
        .order(audit_log::seq.asc())
        .limit(limit)
        .into_boxed();
    if let Some(t) = entity_type {
        q = q.filter(audit_log::entity_type.eq(t.to_string()));
    }
    if let Some(i) = entity_id {
        q = q.filter(audit_log::entity_id.eq(i.to_string()));
    }
    q.select(audit_log::all_columns).load(conn).await
}
