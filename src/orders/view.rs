//! How an order and its releases read (docs/API.md "Restriction orders"), in answers and in events.

use std::collections::HashMap;

use diesel_async::AsyncPgConnection;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    db::models::restriction::{ReleaseRow, RestrictionRow, SubjectRow, documents_of},
    domain::status::PartyKind,
    error::ApiError,
};

fn subject_json(s: &SubjectRow, debtor: &Value, docs: &[(String, String, String)]) -> Value {
    let documents: Vec<Value> = docs
        .iter()
        .filter(|(k, _, _)| *k == s.subject_key)
        .map(|(_, t, n)| json!({"type": t, "number": n}))
        .collect();
    if s.kind == PartyKind::Organization {
        json!({"role": s.role, "kind": s.kind, "name": s.name, "id_number": null,
               "credit_code": debtor.get("credit_code"), "documents": documents})
    } else {
        json!({"role": s.role, "kind": s.kind, "name": s.name, "id_number": s.subject_key, "documents": documents})
    }
}

pub fn release_json(r: &ReleaseRow, subject: Option<&SubjectRow>) -> Value {
    json!({
        "id": r.id,
        "restriction_id": r.restriction_id,
        "id_number": r.subject_key,
        "role": subject.map(|s| s.role),
        "name": subject.map(|s| s.name.clone()),
        "items": r.items,
        "valid_from": r.valid_from,
        "valid_until": r.valid_until,
        "reason": r.reason,
        "note": r.note,
        "status": r.status,
        "version": r.version,
        "created_at": r.created_at,
        "ended_at": r.ended_at,
    })
}

/// The whole current state of an order.
pub async fn order_json(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Value, ApiError> {
    orders_json(conn, &[id])
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found(format!("no restriction order {id}")))
}

/// The states of several orders, in the order of `ids` (unknown ids left out): four queries
/// whatever the number of orders.
pub async fn orders_json(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<Vec<Value>, ApiError> {
    let rows = RestrictionRow::find_many(conn, ids).await?;
    let subjects = RestrictionRow::subjects_of(conn, ids).await?;
    let keys: Vec<String> = subjects
        .iter()
        .filter(|s| s.kind == PartyKind::Person)
        .map(|s| s.subject_key.clone())
        .collect();
    let docs = documents_of(conn, &keys).await?;
    let releases = RestrictionRow::releases_of(conn, ids).await?;
    let mut by_id: HashMap<Uuid, (RestrictionRow, String)> =
        rows.into_iter().map(|(r, c)| (r.id, (r, c))).collect();
    Ok(ids
        .iter()
        .filter_map(|id| by_id.remove(id))
        .map(|(row, court_name)| {
            let subjects: Vec<SubjectRow> = subjects
                .iter()
                .filter(|s| s.restriction_id == row.id)
                .cloned()
                .collect();
            let releases: Vec<ReleaseRow> = releases
                .iter()
                .filter(|r| r.restriction_id == row.id)
                .cloned()
                .collect();
            state_json(&row, &court_name, &subjects, &docs, &releases)
        })
        .collect())
}

/// The state of an order from its rows: `subjects` ordered by role then key, `docs` as
/// (ID number, type, number). Shared by [`order_json`] and bulk import (`crate::bulk`).
pub fn state_json(
    row: &RestrictionRow,
    court_name: &str,
    subjects: &[SubjectRow],
    docs: &[(String, String, String)],
    releases: &[ReleaseRow],
) -> Value {
    json!({
        "id": row.id,
        "listing_id": row.listing_id,
        "status": row.status,
        "version": row.version,
        "subjects": subjects.iter().map(|s| subject_json(s, &row.debtor, docs)).collect::<Vec<_>>(),
        "items": row.items,
        "court_code": row.court_code,
        "court_name": court_name,
        "case_number": row.case_number,
        "issued_on": row.issued_on,
        "valid_until": row.valid_until,
        "signed_by": row.signed_by,
        "student": row.debtor.get("student"),
        "lifted": row.lifted,
        "releases": releases
            .iter()
            .map(|r| release_json(r, subjects.iter().find(|s| s.subject_key == r.subject_key)))
            .collect::<Vec<_>>(),
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    })
}

/// `restriction.*` event data: the order's state, named by `restriction_id`.
pub fn event_data(state: &Value) -> Value {
    let mut data = state.clone();
    if let Some(o) = data.as_object_mut() {
        if let Some(id) = o.remove("id") {
            o.insert("restriction_id".into(), id);
        }
        o.remove("created_at");
        // L17: the court's reasons about a student stay with the court (its answers, the audit).
        o.remove("student");
    }
    data
}
