//! The audit trail: every change appends a row in the same transaction, chained by hash
//! (each row's hash covers the previous row's hash). `shixin audit verify` recomputes the chain.

use std::cell::RefCell;

use chrono::{DateTime, SecondsFormat, Utc};
use diesel_async::AsyncPgConnection;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{
    auth::Principal,
    db::models::audit::{self, NewRecord},
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

/// The fields of a row that its hash covers.
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

impl<'a> RowFields<'a> {
    /// The row to store: these fields, chained after `prev_hash` with their own `hash`.
    pub fn record(&self, prev_hash: &'a str, hash: &'a str) -> NewRecord<'a> {
        NewRecord {
            seq: self.seq,
            at: self.at,
            actor_sub: &self.actor.sub,
            actor_role: &self.actor.role,
            actor_court: self.actor.court.as_deref(),
            action: self.action,
            entity_type: self.entity_type,
            entity_id: self.entity_id,
            before: self.before,
            after: self.after,
            prev_hash,
            hash,
        }
    }
}

/// The hash of a row: SHA-256 of the previous row's hash, a newline and the row's canonical JSON.
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

/// Now, to the microsecond (what PostgreSQL stores, so that the hash can be recomputed).
pub fn now_micros() -> DateTime<Utc> {
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

impl PendingRow {
    fn fields(&self, seq: i64) -> RowFields<'_> {
        RowFields {
            seq,
            at: self.at,
            actor: &self.actor,
            action: &self.action,
            entity_type: &self.entity_type,
            entity_id: &self.entity_id,
            before: self.before.as_ref(),
            after: self.after.as_ref(),
        }
    }
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

/// One change for the trail: what was done (`action`, e.g. `listing.correct`) to which entity (its
/// type and id), and the entity before and after it (absent when it did not exist yet, or when the
/// change shows nothing, like a rotated secret). Written with [`Change::append`]:
///
/// `Change::new("listing.correct", "listing", id).before(&b).after(&a).append(conn, actor)`
pub struct Change<'a> {
    action: &'a str,
    entity_type: &'a str,
    entity_id: String,
    before: Option<&'a Value>,
    after: Option<&'a Value>,
}

impl<'a> Change<'a> {
    pub fn new(action: &'a str, entity_type: &'a str, entity_id: impl ToString) -> Self {
        Change {
            action,
            entity_type,
            entity_id: entity_id.to_string(),
            before: None,
            after: None,
        }
    }

    /// The entity as it was (a `&Value`, or an `Option` of one).
    pub fn before(mut self, before: impl Into<Option<&'a Value>>) -> Self {
        self.before = before.into();
        self
    }

    /// The entity as it is now (a `&Value`, or an `Option` of one).
    pub fn after(mut self, after: impl Into<Option<&'a Value>>) -> Self {
        self.after = after.into();
        self
    }

    /// The fields its row's hash covers, as row `seq` written `at` by `actor`.
    pub fn fields<'b>(&'b self, seq: i64, at: DateTime<Utc>, actor: &'b Actor) -> RowFields<'b> {
        RowFields {
            seq,
            at,
            actor,
            action: self.action,
            entity_type: self.entity_type,
            entity_id: &self.entity_id,
            before: self.before,
            after: self.after,
        }
    }

    /// Appends the change's row to the caller's transaction: at its seal when the transaction runs
    /// under [`collect`] (`crate::write::in_transaction`), at once otherwise.
    pub async fn append(self, conn: &mut AsyncPgConnection, actor: &Actor) -> Result<(), ApiError> {
        let mut row = Some(PendingRow {
            at: now_micros(),
            actor: actor.clone(),
            action: self.action.to_string(),
            entity_type: self.entity_type.to_string(),
            entity_id: self.entity_id,
            before: self.before.cloned(),
            after: self.after.cloned(),
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
}

/// Writes audit rows in order: locks the chain head, so rows are numbered without gaps in commit
/// order, and chains each row's hash to the previous one.
pub async fn seal(conn: &mut AsyncPgConnection, rows: Vec<PendingRow>) -> Result<(), ApiError> {
    if rows.is_empty() {
        return Ok(());
    }
    let (mut seq, mut prev_hash) = audit::lock_chain_head(conn).await?;
    let mut chained = Vec::with_capacity(rows.len());
    for r in &rows {
        seq += 1;
        let fields = r.fields(seq);
        let hash = row_hash(&prev_hash, &fields);
        chained.push((
            fields,
            std::mem::replace(&mut prev_hash, hash.clone()),
            hash,
        ));
    }
    let records: Vec<NewRecord<'_>> = chained
        .iter()
        .map(|(fields, prev_hash, hash)| fields.record(prev_hash, hash))
        .collect();
    audit::append(conn, &records).await?;
    Ok(())
}

/// Recomputes the whole chain. `Ok(n)` with the number of rows, or `Err` naming the first bad row.
pub async fn verify(conn: &mut AsyncPgConnection) -> anyhow::Result<Result<i64, String>> {
    let mut expected_seq = 1_i64;
    let mut prev = "0".repeat(64);
    loop {
        let rows = audit::rows_from(conn, expected_seq, 5000).await?;
        if rows.is_empty() {
            break;
        }
        for r in rows {
            let seq = r.seq;
            if seq != expected_seq {
                return Ok(Err(format!(
                    "row {expected_seq} is missing (the next row is {seq})"
                )));
            }
            if r.prev_hash != prev {
                return Ok(Err(format!(
                    "row {seq} does not follow row {}: its previous hash differs",
                    seq - 1
                )));
            }
            let actor = Actor {
                sub: r.actor_sub,
                role: r.actor_role,
                court: r.actor_court,
            };
            let fields = RowFields {
                seq,
                at: r.at,
                actor: &actor,
                action: &r.action,
                entity_type: &r.entity_type,
                entity_id: &r.entity_id,
                before: r.before.as_ref(),
                after: r.after.as_ref(),
            };
            if row_hash(&prev, &fields) != r.hash {
                return Ok(Err(format!(
                    "row {seq} was altered: its hash does not match its content"
                )));
            }
            prev = r.hash;
            expected_seq += 1;
        }
    }
    let (head_seq, head_hash) = audit::chain_head(conn).await?;
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

/// The history of one entity, oldest first (docs/API.md "History").
pub async fn history(
    conn: &mut AsyncPgConnection,
    entity_type: &str,
    entity_id: &str,
) -> Result<Vec<Value>, ApiError> {
    let rows = audit::of_entity(conn, entity_type, entity_id).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            serde_json::json!({
                "at": r.at.to_rfc3339_opts(SecondsFormat::Secs, true),
                "actor": {"sub": r.actor_sub, "role": r.actor_role, "court": r.actor_court},
                "action": r.action,
                "before": r.before,
                "after": r.after,
            })
        })
        .collect())
}

/// A page of the trail for administrators (docs/LAW.md "Roles"), oldest first, after `after_seq`.
pub async fn page(
    conn: &mut AsyncPgConnection,
    entity_type: Option<&str>,
    entity_id: Option<&str>,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<Value>, ApiError> {
    let rows = audit::page(conn, entity_type, entity_id, after_seq, limit).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            serde_json::json!({
                "seq": r.seq,
                "at": r.at.to_rfc3339_opts(SecondsFormat::Micros, true),
                "actor": {"sub": r.actor_sub, "role": r.actor_role, "court": r.actor_court},
                "action": r.action,
                "entity_type": r.entity_type,
                "entity_id": r.entity_id,
                "before": r.before,
                "after": r.after,
                "prev_hash": r.prev_hash,
                "hash": r.hash,
            })
        })
        .collect())
}
