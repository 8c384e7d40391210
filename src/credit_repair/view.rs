//! The court's view of a stored application (`CreditRepairOut`). A stored decision that does not
//! read as [`RepairDecisionOut`] is an error of the read (500), never shown as null.

use anyhow::Context;
use serde::Deserialize;
use serde_json::Value;

use super::wire::{ApplicantOut, CreditRepairOut, RepairDecisionOut};
use crate::{
    certificates::wire::CertificateLink,
    db::models::credit_repair::CreditRepairRow,
    domain::{credit_repair::days_between, today_cst},
    error::ApiError,
};

pub fn to_out(r: &CreditRepairRow) -> Result<CreditRepairOut, ApiError> {
    let decision = r
        .decision
        .as_ref()
        .map(RepairDecisionOut::deserialize)
        .transpose()
        .with_context(|| format!("credit repair {}: a stored decision does not read", r.id))?;
    let days_taken = match &decision {
        Some(d) => d.days_to_decide,
        None => days_between(r.received_on, today_cst()),
    };
    Ok(CreditRepairOut {
        id: r.id,
        listing_id: r.listing_id,
        court_code: r.court_code.clone(),
        status: r.status,
        applicant: ApplicantOut {
            name: r.applicant_name.clone(),
            id_number: r.applicant_id_number.clone(),
            credit_code: r.applicant_credit_code.clone(),
        },
        statement: r.statement.clone(),
        received_on: r.received_on,
        days_taken,
        decision,
        certificate: r.certificate_id.map(CertificateLink::of),
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

pub fn out_json(r: &CreditRepairRow) -> Result<Value, ApiError> {
    Ok(serde_json::to_value(to_out(r)?)?)
}
