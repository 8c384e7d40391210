//! Correction applications and reconsideration (docs/API.md "The listed party", docs/LAW.md L13):
//! one file per action. The rules and steps are the service `crate::corrections`.

pub mod apply;
pub mod decision;
pub mod read;
pub mod steps;

use serde_json::Value;
use uuid::Uuid;

pub use crate::corrections::wire;
use crate::{
    corrections::{DecisionRequest, Recorded, Remedy},
    domain::{ErrorCode, correction::Outcome, listing_rules::RemovalReason},
    error::ApiError,
    listings::{
        RemovalRequest,
        parties::{Errors, date, text},
        wire::RemovalIn,
    },
    routes::{check_note, listings::removal::removal_request},
    write::Outcome as Answer,
};
use wire::DecisionIn;

/// The longest statement or reasons a court records.
pub const MAX_TEXT_CHARS: usize = 10_000;

pub fn parse_id(s: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(s)
        .map_err(|_| ApiError::not_found("no such correction: correction ids are UUIDs"))
}

/// The answer to a step: the application as it is now, its version as the `ETag`, and the public
/// names a remedy changed.
pub fn answered(r: Recorded) -> Answer {
    Answer::ok(r.json, r.version).affecting(r.names)
}

/// Every field error at once (422), or the values.
fn finish<T>(errs: Errors, value: T) -> Result<T, ApiError> {
    if errs.0.is_empty() {
        Ok(value)
    } else {
        Err(ApiError::validation(errs.0))
    }
}

/// A decision body: its outcome, reasons and date, and for `upheld` its remedy (422
/// `remedy_required` without one; `remedy_not_allowed` on a rejection).
pub fn parse_decision(input: DecisionIn) -> Result<DecisionRequest, ApiError> {
    let mut errs = Errors(Vec::new());
    let outcome = errs.take("outcome", Outcome::parse(&input.outcome));
    let reasons = text(&mut errs, "reasons", &input.reasons, MAX_TEXT_CHARS);
    let decided_on = date(&mut errs, "decided_on", &input.decided_on);
    let remedy_json = input.remedy.filter(|r| !r.is_null());
    let (Some(outcome), Some(decided_on)) = (outcome, decided_on) else {
        return Err(ApiError::validation(errs.0));
    };
    let remedy = match (outcome, &remedy_json) {
        (Outcome::Upheld, None) => {
            errs.push(
                "remedy",
                ErrorCode::RemedyRequired,
                "an upheld application carries its remedy: patch, revoke or removal",
            );
            None
        }
        (Outcome::Rejected, Some(_)) => {
            errs.push(
                "remedy",
                ErrorCode::RemedyNotAllowed,
                "a rejection changes nothing: it carries no remedy",
            );
            None
        }
        (Outcome::Rejected, None) => None,
        (Outcome::Upheld, Some(r)) => Some(parse_remedy(r)?),
    };
    finish(
        errs,
        DecisionRequest {
            outcome,
            reasons,
            decided_on,
            remedy,
            remedy_json,
        },
    )
}

fn bad_remedy(detail: &str) -> ApiError {
    ApiError::rule(ErrorCode::InvalidValue, Some("remedy"), detail)
}

/// `{"patch": {…}}`, `{"revoke": {"note"}}` or `{"removal": {"reason", "note", …}}`.
fn parse_remedy(r: &Value) -> Result<Remedy, ApiError> {
    let one = r
        .as_object()
        .filter(|o| o.len() == 1)
        .and_then(|o| o.iter().next());
    let Some((kind, body)) = one else {
        return Err(bad_remedy(
            "a remedy is one of {patch}, {revoke} or {removal}",
        ));
    };
    let shape = |e: serde_json::Error| {
        ApiError::rule(
            ErrorCode::InvalidBody,
            Some("remedy"),
            format!("the remedy does not have the expected shape: {e}"),
        )
    };
    match kind.as_str() {
        "patch" => body
            .as_object()
            .cloned()
            .map(Remedy::Patch)
            .ok_or_else(|| bad_remedy("remedy.patch is a JSON merge patch (an object)")),
        "revoke" => {
            let note = match body {
                Value::Null => None,
                Value::Object(o) => match o.get("note") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(_) => return Err(bad_remedy("remedy.revoke.note is text")),
                },
                _ => return Err(bad_remedy("remedy.revoke is {\"note\": …}")),
            };
            check_note(note.as_deref())?;
            Ok(Remedy::End(RemovalRequest {
                reason: RemovalReason::WrongfulListing,
                note,
                event_on: None,
                keep_restriction: false,
            }))
        }
        "removal" => {
            let input: RemovalIn = serde_json::from_value(body.clone()).map_err(shape)?;
            Ok(Remedy::End(removal_request(input)?))
        }
        _ => Err(bad_remedy(
            "a remedy is one of {patch}, {revoke} or {removal}",
        )),
    }
}
