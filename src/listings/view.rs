//! The views of a stored listing: the court's (`ListingOut`), the request shape a merge patch
//! applies to, the public item (L9–L10) and the data of `listing.*` events.

use anyhow::Context;
use serde::Deserialize;
use serde_json::{Value, json};

use super::wire::{BasisIn, DecisionOut, ListingEventData, ListingOut, Removal};
use crate::{
    db::models::listing::{Listing, ListingRow},
    domain::{
        calendar::cst_date, id_number::IdNumber, listing_rules::RemovalReason, status::PartyKind,
    },
    error::ApiError,
    public::wire::{PublicBasis, PublicGround, PublicItem},
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
        decision: decision_of(r)?,
        served_on: r.served_on,
        service_method: r.service_method.map(|m| m.code().to_string()),
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// L14: the stored decision (`{"signed_by", "signed_on"}`), when recorded.
pub fn decision_of(r: &ListingRow) -> anyhow::Result<Option<DecisionOut>> {
    r.decision
        .as_ref()
        .map(DecisionOut::deserialize)
        .transpose()
        .with_context(|| format!("listing {}: the stored decision does not read", r.id))
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
        "decision": r.decision,
    })
}

/// What the public may see of a listing (docs/LAW.md L9–L10): a person's ID number masked,
/// organisation codes in full, gender and age (on the publication date in CST) from the ID number,
/// grounds with their labels. A debtor whose stored ID number reads shows it masked
/// (`id_number_masked`), any other its credit code; only an organisation shows a legal
/// representative.
pub fn public_item(l: &Listing) -> PublicItem {
    let r = &l.row;
    let published_on = r.published_at.map(cst_date);
    let id = r.id_number.as_deref().and_then(|s| IdNumber::parse(s).ok());
    let legal_representative = match r.debtor_kind {
        PartyKind::Organization => r
            .debtor
            .pointer("/legal_representative/name")
            .and_then(Value::as_str)
            .map(str::to_string),
        PartyKind::Person => None,
    };
    PublicItem {
        id: r.id,
        kind: r.debtor_kind,
        name: r.debtor_name.clone(),
        gender: id.as_ref().map(|i| i.gender().as_str().to_string()),
        age: id.as_ref().zip(published_on).map(|(i, d)| i.age_on(d)),
        id_number_masked: id.as_ref().map(IdNumber::masked),
        credit_code: if id.is_none() {
            r.credit_code.clone()
        } else {
            None
        },
        legal_representative,
        court_name: l.court_name.clone(),
        province: l.province.clone(),
        case_number: r.case_number.clone(),
        filed_on: r.filed_on,
        basis: PublicBasis {
            document_number: r.basis_document_number.clone(),
            issuer: r.basis_issuer.clone(),
        },
        obligation: r.obligation.clone(),
        performance: r.performance,
        performance_label: r.performance.label().to_string(),
        grounds: r
            .grounds
            .iter()
            .map(|&code| PublicGround {
                code,
                label: code.label().to_string(),
            })
            .collect(),
        published_on,
    }
}

/// `listing.*` event data: the public state of the listing with its id, version and status, and
/// why it ended (`listing.removed`).
pub fn event_data(l: &Listing, reason: Option<RemovalReason>) -> ListingEventData {
    ListingEventData {
        item: public_item(l),
        listing_id: l.row.id,
        version: l.row.version,
        status: l.row.status,
        reason,
    }
}

#[cfg(test)]
mod tests;
