//! The court's view of a stored application (`CorrectionOut`). A stored decision that does not read
//! as [`DecisionOut`] is an error of the read (500), never shown as null.

use anyhow::Context;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;

use super::wire::{ApplicantOut, CorrectionOut, DecisionOut, ReconsiderationOut, ServiceOut};
use crate::{
    db::models::correction::CorrectionRow,
    domain::{correction::CorrectionStatus, today_cst},
    error::ApiError,
};

fn decision(stored: Option<&Value>, id: uuid::Uuid) -> anyhow::Result<Option<DecisionOut>> {
    stored
        .map(DecisionOut::deserialize)
        .transpose()
        .with_context(|| format!("correction {id}: a stored decision does not read"))
}

/// Whether a step was due before `today` and has not been taken.
pub fn is_overdue(r: &CorrectionRow, today: NaiveDate) -> bool {
    match r.status {
        CorrectionStatus::UnderReview => r.review_due_on < today,
        CorrectionStatus::InReconsideration => r.reconsideration_due_on.is_some_and(|d| d < today),
        _ => false,
    }
}

pub fn to_out(r: &CorrectionRow) -> Result<CorrectionOut, ApiError> {
    let service = r
        .served_on
        .zip(r.service_method)
        .map(|(served_on, method)| ServiceOut { served_on, method });
    let reconsideration = match (r.reconsideration_received_on, r.reconsideration_due_on) {
        (Some(received_on), Some(due_on)) => Some(ReconsiderationOut {
            court_code: r.reconsideration_court_code.clone(),
            received_on,
            statement: r.reconsideration_statement.clone(),
            due_on,
            decision: decision(r.reconsideration_decision.as_ref(), r.id)?,
        }),
        _ => None,
    };
    Ok(CorrectionOut {
        id: r.id,
        listing_id: r.listing_id,
        court_code: r.court_code.clone(),
        status: r.status,
        applicant: ApplicantOut {
            name: r.applicant_name.clone(),
            id_number: r.applicant_id_number.clone(),
            credit_code: r.applicant_credit_code.clone(),
        },
        grounds: r.grounds,
        statement: r.statement.clone(),
        received_on: r.received_on,
        review_due_on: r.review_due_on,
        overdue: is_overdue(r, today_cst()),
        decision: decision(r.decision.as_ref(), r.id)?,
        service,
        reconsideration_deadline: r.reconsideration_deadline,
        reconsideration,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

pub fn out_json(r: &CorrectionRow) -> Result<Value, ApiError> {
    Ok(serde_json::to_value(to_out(r)?)?)
}
