//! The views of a stored listing: the court's (`ListingOut`), the request shape a merge patch
//! applies to, the public item (L9–L10) and the data of `listing.*` events.

use anyhow::Context;
use serde::Deserialize;
use serde_json::{Value, json};

use super::wire::{BasisIn, ListingOut, Removal};
use crate::{
    db::models::listing::Listing,
    domain::{calendar::cst_date, id_number::IdNumber, status::PartyKind},
    error::ApiError,
};

/// The court's view of a listing; a stored removal that does not read as [`Removal`] is an error
/// (an internal one for the API).
pub fn to_out(l: &Listing) -> anyhow::Result<ListingOut> {
    let r = &l.row;
    let removal = r
        .removal
        .as_ref()
        .map(Removal::deserialize)
        .transpose()
        .with_context(|| format!("listing {}: the stored removal does not read", r.id))?;
    Ok(ListingOut {
        id: r.id,
        status: r.status.code().to_string(),
        version: r.version,
        debtor: r.debtor.clone(),
        associated_persons: r.associated_persons.clone(),
        court_code: r.court_code.clone(),
        court_name: l.court_name.clone(),
        case_number: r.case_number.clone(),
        filed_on: r.filed_on,
        basis: BasisIn {
            document_number: r.basis_document_number.clone(),
            issuer: r.basis_issuer.clone(),
        },
        obligation: r.obligation.clone(),
        performance: r.performance.code().to_string(),
        grounds: r.grounds.iter().map(|g| g.code().to_string()).collect(),
        extension_years: r.extension_years,
        decided_on: r.decided_on,
        grace_until: r.grace_until,
        initiated_by: r.initiated_by.code().to_string(),
        published_at: r.published_at,
        expires_on: r.expires_on,
        restriction_id: r.restriction_id,
        removal,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

pub fn out_json(l: &Listing) -> Result<Value, ApiError> {
    Ok(serde_json::to_value(to_out(l)?)?)
}

/// The request-shaped form of a stored listing: what a merge patch (PATCH) applies to.
pub fn as_input(l: &Listing) -> Value {
    let r = &l.row;
    json!({
        "debtor": r.debtor,
        "associated_persons": r.associated_persons,
        "court_code": r.court_code,
        "case_number": r.case_number,
        "filed_on": r.filed_on.to_string(),
        "basis": {"document_number": r.basis_document_number, "issuer": r.basis_issuer},
        "obligation": r.obligation,
        "performance": r.performance,
        "grounds": r.grounds,
        "extension_years": r.extension_years,
        "decided_on": r.decided_on.to_string(),
        "grace_until": r.grace_until.map(|d| d.to_string()),
        "initiated_by": r.initiated_by,
    })
}

/// What the public may see of a listing (DOMAIN L9–L10): a person's ID number masked, organisation
/// codes in full, gender and age from the ID number, grounds with their labels.
pub fn public_item(l: &Listing) -> Value {
    let r = &l.row;
    let published_on = r.published_at.map(cst_date);
    let id = r.id_number.as_deref().and_then(|s| IdNumber::parse(s).ok());
    let grounds: Vec<Value> = r
        .grounds
        .iter()
        .map(|g| json!({"code": g.code(), "label": g.label()}))
        .collect();
    let legal_rep = r
        .debtor
        .pointer("/legal_representative/name")
        .cloned()
        .unwrap_or(Value::Null);
    let mut item = json!({
        "id": r.id,
        "kind": r.debtor_kind,
        "name": r.debtor_name,
        "gender": id.as_ref().map(|i| i.gender().as_str()),
        "age": id.as_ref().zip(published_on).map(|(i, d)| i.age_on(d)),
        "legal_representative": if r.debtor_kind == PartyKind::Organization { legal_rep } else { Value::Null },
        "court_name": l.court_name,
        "province": l.province,
        "case_number": r.case_number,
        "filed_on": r.filed_on,
        "basis": {"document_number": r.basis_document_number, "issuer": r.basis_issuer},
        "obligation": r.obligation,
        "performance": r.performance,
        "performance_label": r.performance.label(),
        "grounds": grounds,
        "published_on": published_on,
    });
    if let Some(obj) = item.as_object_mut() {
        match &id {
            Some(i) => {
                obj.insert("id_number_masked".into(), Value::String(i.masked()));
            }
            None => {
                obj.insert("credit_code".into(), json!(r.credit_code));
            }
        }
    }
    item
}

/// `listing.*` event data: the public state of the listing with its id, version and status.
pub fn event_data(l: &Listing, reason: Option<&str>) -> Value {
    let mut data = public_item(l);
    if let Some(obj) = data.as_object_mut() {
        obj.insert("listing_id".into(), json!(l.row.id));
        obj.insert("version".into(), json!(l.row.version));
        obj.insert("status".into(), json!(l.row.status));
        if let Some(reason) = reason {
            obj.insert("reason".into(), json!(reason));
        }
    }
    data
}

#[cfg(test)]
mod tests;
