//! The audit trail: every change appends a row in the same transaction, chained by hash
//! (each row's hash covers the previous row's hash). `shixin audit verify` recomputes the chain.

use std::cell::RefCell;

use chrono::{DateTime, SecondsFormat, Utc};
use diesel::{ExpressionMethods, QueryDsl, insert_into};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{
    auth::Principal,
    db::schema::{audit_chain_head, audit_log},
    error::ApiError,
};

/// Who did a change: a principal, or the service itself (time-driven changes).
#[derive(Debug, Clone)]
pub struct Actor {
    pub sub: String,
    pub role: String,
    pub court: Option<String>,
}

impl From<&Principal> for Actor {
    fn from(p: &Principal) -> Self {
        Actor {
            sub: p.sub.clone(),
            role: p.role.as_str().to_string(),
            court: p.court.as_ref().map(|c| c.as_str().to_string()),
        }
    }
}

impl Actor {
    pub fn system() -> Self {
        Actor {
            sub: "shixin".into(),
            role: "system".into(),
            court: None,
        }
    }
}

/// JSON with object keys sorted at every level: the same bytes whatever order jsonb returns them in.
pub fn canonical_json(v: &Value) -> String {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| {
                    format!(
                        "{}:{}",
                        Value::String(k.clone()),
                        map.get(k).map(canonical_json).unwrap_or_default()
                    )
                })
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(items) => {
            format!(
                "[{}]",
                items
                    .iter()
                    .map(canonical_json)
                    .collect::<Vec<_>>()
                    .join(",")
            )
        }
        other => other.to_string(),
    }
}

pub struct RowFields<'a> {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: &'a Actor,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub before: Option<&'a Value>,
    pub after: Option<&'a Value>,
}

pub fn row_hash(prev_hash: &str, f: &RowFields<'_>) -> String {
    let body = serde_json::json!({
        "seq": f.seq,
        "at": f.at.to_rfc3339_opts(SecondsFormat::Micros, true),
        "actor_sub": f.actor.sub,
        "actor_role": f.actor.role,
        "actor_court": f.actor.court,
        "action": f.action,
        "entity_type": f.entity_type,
        "entity_id": f.entity_id,
        "before": f.before,
        "after": f.after,
    });
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical_json(&body).as_bytes());
    hex::encode(h.finalize())
}

fn now_micros() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

/// An audit row waiting for the end of its transaction.
pub struct PendingRow {
    at: DateTime<Utc>,
    actor: Actor,
    action: String,
    entity_type: String,
    entity_id: String,
    before: Option<Value>,
    after: Option<Value>,
}

tokio::task_local! {
    static PENDING: RefCell<Vec<PendingRow>>;
}

/// Runs a transaction's body collecting its audit rows instead of writing them; the caller writes
/// them with [`seal`] just before the commit. The chain head is then locked only from the seal to the
/// commit (three round trips), not from the first change to the commit: concurrent writes queue on
/// it far less.
pub async fn collect<F: std::future::Future>(body: F) -> (F::Output, Vec<PendingRow>) {
    PENDING
        .scope(RefCell::new(Vec::new()), async move {
            let out = body.await;
            let rows = PENDING.with(|p| p.take());
            (out, rows)
        })
        .await
}

/// Appends one audit row to the caller's transaction: at its seal when the transaction runs under
/// [`collect`] (`crate::db::in_transaction`), at once otherwise.
pub async fn append(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    action: &str,
    entity_type: &str,
    entity_id: &str,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Result<(), ApiError> {
    let mut row = Some(PendingRow {
        at: now_micros(),
        actor: actor.clone(),
        action: action.to_string(),
        entity_type: entity_type.to_string(),
        entity_id: entity_id.to_string(),
        before: before.cloned(),
        after: after.cloned(),
    });
    let _ = PENDING.try_with(|p| {
        if let Some(r) = row.take() {
            p.borrow_mut().push(r);
        }
    });
    match row {
        Some(r) => seal(conn, vec![r]).await,
        None => Ok(()),
    }
}

/// Writes audit rows in order: locks the chain head, so rows are numbered without gaps in commit
/// order, and chains each row's hash to the previous one.
pub async fn seal(conn: &mut AsyncPgConnection, rows: Vec<PendingRow>) -> Result<(), ApiError> {
    if rows.is_empty() {
        return Ok(());
    }
    let (mut seq, mut prev_hash): (i64, String) = audit_chain_head::table
        .filter(audit_chain_head::id.eq(1))
        .select((audit_chain_head::seq, audit_chain_head::hash))
        .for_update()
        .first(conn)
        .await?;
    let mut values = Vec::with_capacity(rows.len());
    for r in &rows {
        seq += 1;
        let hash = row_hash(
            &prev_hash,
            &RowFields {
                seq,
                at: r.at,
                actor: &r.actor,
                action: &r.action,
                entity_type: &r.entity_type,
                entity_id: &r.entity_id,
                before: r.before.as_ref(),
                after: r.after.as_ref(),
            },
        );
        values.push((
            audit_log::seq.eq(seq),
            audit_log::at.eq(r.at),
            audit_log::actor_sub.eq(&r.actor.sub),
            audit_log::actor_role.eq(&r.actor.role),
            audit_log::actor_court.eq(&r.actor.court),
            audit_log::action.eq(&r.action),
            audit_log::entity_type.eq(&r.entity_type),
            audit_log::entity_id.eq(&r.entity_id),
            audit_log::before.eq(r.before.as_ref()),
            audit_log::after.eq(r.after.as_ref()),
            audit_log::prev_hash.eq(prev_hash.clone()),
            audit_log::hash.eq(hash.clone()),
        ));
        prev_hash = hash;
    }
    insert_into(audit_log::table)
        .values(values)
        .execute(conn)
        .await?;
    diesel::update(audit_chain_head::table.filter(audit_chain_head::id.eq(1)))
        .set((
            audit_chain_head::seq.eq(seq),
            audit_chain_head::hash.eq(&prev_hash),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

type AuditRow = (
    i64,
    DateTime<Utc>,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<Value>,
    Option<Value>,
    String,
    String,
);

/// Recomputes the whole chain. `Ok(n)` with the number of rows, or `Err` naming the first bad row.
pub async fn verify(conn: &mut AsyncPgConnection) -> anyhow::Result<Result<i64, String>> {
    let mut expected_seq = 1_i64;
    let mut prev = "0".repeat(64);
    loop {
        let rows: Vec<AuditRow> = audit_log::table
            .filter(audit_log::seq.ge(expected_seq))
            .order(audit_log::seq.asc())
            .limit(5000)
            .select(audit_log::all_columns)
            .load(conn)
            .await?;
        if rows.is_empty() {
            break;
        }
        for (seq, at, sub, role, court, action, et, eid, before, after, prev_hash, hash) in rows {
            if seq != expected_seq {
                return Ok(Err(format!(
                    "row {expected_seq} is missing (the next row is {seq})"
                )));
            }
            if prev_hash != prev {
                return Ok(Err(format!(
                    "row {seq} does not follow row {}: its previous hash differs",
                    seq - 1
                )));
            }
            let actor = Actor { sub, role, court };
            let fields = RowFields {
                seq,
                at,
                actor: &actor,
                action: &action,
                entity_type: &et,
                entity_id: &eid,
                before: before.as_ref(),
                after: after.as_ref(),
            };
            if row_hash(&prev, &fields) != hash {
                return Ok(Err(format!(
                    "row {seq} was altered: its hash does not match its content"
                )));
            }
            prev = hash;
            expected_seq += 1;
        }
    }
    let (head_seq, head_hash): (i64, String) = audit_chain_head::table
        .filter(audit_chain_head::id.eq(1))
        .select((audit_chain_head::seq, audit_chain_head::hash))
        .first(conn)
        .await?;
    let last = expected_seq - 1;
    if head_seq != last {
        return Ok(Err(format!(
            "row {} is missing (the trail ends at row {last}, it should end at {head_seq})",
            last + 1
        )));
    }
    if head_hash != prev {
        return Ok(Err(format!(
            "row {last} was altered: the chain head does not match it"
        )));
    }
    Ok(Ok(last))
}

type HistoryRow = (
    DateTime<Utc>,
    String,
    String,
    Option<String>,
    String,
    Option<Value>,
    Option<Value>,
);

/// The history of one entity, oldest first (API.md "History").
pub async fn history(
    conn: &mut AsyncPgConnection,
    entity_type: &str,
    entity_id: &str,
) -> Result<Vec<Value>, ApiError> {
    let rows: Vec<HistoryRow> = audit_log::table
        .filter(audit_log::entity_type.eq(entity_type))
        .filter(audit_log::entity_id.eq(entity_id))
        .order(audit_log::seq.asc())
        .select((
            audit_log::at,
            audit_log::actor_sub,
            audit_log::actor_role,
            audit_log::actor_court,
            audit_log::action,
            audit_log::before,
            audit_log::after,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(at, sub, role, court, action, before, after)| {
            serde_json::json!({
                "at": at.to_rfc3339_opts(SecondsFormat::Secs, true),
                "actor": {"sub": sub, "role": role, "court": court},
                "action": action,
                "before": before,
                "after": after,
            })
        })
        .collect())
}

/// A page of the trail for administrators (DOMAIN §5), oldest first, after `after_seq`.
pub async fn page(
    conn: &mut AsyncPgConnection,
    entity_type: Option<&str>,
    entity_id: Option<&str>,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<Value>, ApiError> {
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
    let rows: Vec<AuditRow> = q.select(audit_log::all_columns).load(conn).await?;
    Ok(rows
        .into_iter()
        .map(
            |(seq, at, sub, role, court, action, et, eid, before, after, prev_hash, hash)| {
                serde_json::json!({
                    "seq": seq,
                    "at": at.to_rfc3339_opts(SecondsFormat::Micros, true),
                    "actor": {"sub": sub, "role": role, "court": court},
                    "action": action,
                    "entity_type": et,
                    "entity_id": eid,
                    "before": before,
                    "after": after,
                    "prev_hash": prev_hash,
                    "hash": hash,
                })
            },
        )
        .collect())
}
