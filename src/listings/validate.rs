//! From a request body to the values of a listing, enforcing L1–L4, L9, L11 and I1–I4. Every field
//! error is collected, so one 422 names them all.

use chrono::NaiveDate;

use super::wire::ListingIn;
use crate::domain::ErrorCode;
use crate::{
    db::models::{listing::ListingValues, person::PersonRecord},
    domain::{
        case_number::CaseNumber,
        court_code::CourtCode,
        grounds::Grounds,
        listing_rules::{self, InitiatedBy, ListingStatus, Performance},
        name::fold_name,
    },
    error::ApiError,
    listings::parties::{Errors, Parties, date, parse_parties, text},
};

/// Create or correct: a correction may leave the term elapsed (the next tick expires it) and
/// re-checks the grace period only while the listing is pending. Bulk import (`shixin import`)
/// states the listing's status: historic case numbers are accepted (I3), an open listing's term
/// must still run (L2), and a grace period that has ended is checked for its range only (L11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Correct { pending: bool },
    Import { status: ListingStatus },
}

pub struct Valid {
    pub values: ListingValues,
    pub court: CourtCode,
    pub persons: Vec<PersonRecord>,
    pub initiated_by: InitiatedBy,
    /// L15 (c)/(d): the employer or supervising body to notify, when the law calls for one.
    pub recipient: Option<super::recipient::NamedRecipient>,
}

pub fn validate(input: &ListingIn, today: NaiveDate, mode: Mode) -> Result<Valid, ApiError> {
    let mut e = Errors(Vec::new());
    let court = e.take("court_code", CourtCode::parse(&input.court_code));
    let case = e.take(
        "case_number",
        match mode {
            Mode::Import { .. } => CaseNumber::parse_enforcement_bulk(&input.case_number),
            _ => CaseNumber::parse_enforcement(&input.case_number),
        },
    );
    if let (Some(court), Some(case)) = (&court, &case)
        && case.court().is_some_and(|c| c.as_str() != court.as_str())
    {
        e.push(
            "case_number",
            ErrorCode::CaseCourtMismatch,
            "the case number must carry the listing's own court code (I3)",
        );
    }
    let grounds = match input.grounds.is_empty() {
        true => {
            e.push(
                "grounds",
                ErrorCode::GroundsRequired,
                "at least one ground of L1 is required",
            );
            None
        }
        false => e.take("grounds", Grounds::parse(&input.grounds)),
    };
    let performance = e.take("performance", Performance::parse(&input.performance));
    let initiated_by = e.take("initiated_by", InitiatedBy::parse(&input.initiated_by));
    let filed_on = date(&mut e, "filed_on", &input.filed_on);
    let decided_on = date(&mut e, "decided_on", &input.decided_on);
    let grace_until = input
        .grace_until
        .as_deref()
        .and_then(|g| date(&mut e, "grace_until", g));
    let obligation = text(&mut e, "obligation", &input.obligation, 2000);
    let basis_number = text(
        &mut e,
        "basis.document_number",
        &input.basis.document_number,
        200,
    );
    let basis_issuer = text(&mut e, "basis.issuer", &input.basis.issuer, 200);
    if let (Some(f), Some(d)) = (filed_on, decided_on)
        && f > d
    {
        e.push(
            "filed_on",
            ErrorCode::InvalidDate,
            "the case cannot be filed after the listing decision",
        );
    }
    if let Some(d) = decided_on {
        e.take("decided_on", listing_rules::check_decided_on(d, today));
    }
    let decision = decision(&mut e, input, decided_on, today);

    // The debtor (L9) and the persons bound with it (R3).
    let minor_check_on = decided_on;
    let parties = parse_parties(
        &mut e,
        &input.debtor,
        &input.associated_persons,
        minor_check_on,
    );
    let Parties {
        kind,
        key,
        name,
        id_number,
        credit_code,
        debtor_json,
        associated_json,
        persons,
    } = parties;
    let mut debtor_json = debtor_json;
    let recipient = super::recipient::parse(&mut e, &input.debtor, kind, &mut debtor_json);

    // The term (L2) and the grace period (L11).
    let extension = match u32::try_from(input.extension_years) {
        Ok(x) => Some(x),
        Err(_) => {
            e.push(
                "extension_years",
                ErrorCode::InvalidValue,
                "extension_years is 0 to 3",
            );
            None
        }
    };
    let mut expires_on = None;
    if let (Some(g), Some(x)) = (&grounds, extension) {
        e.take(
            "extension_years",
            listing_rules::check_initial_extension(g, x),
        );
        if let Some(d) = decided_on {
            expires_on = listing_rules::expires_on(d, g, x);
            let term_must_run = match mode {
                Mode::Create => true,
                Mode::Correct { .. } => false,
                Mode::Import { status } => status.is_open(),
            };
            if term_must_run && expires_on.is_some_and(|exp| exp <= today) {
                e.push(
                    "decided_on",
                    ErrorCode::TermAlreadyElapsed,
                    "the listing's term ended before today (L2)",
                );
            }
        }
    }
    if let (Some(g), Some(d)) = (grace_until, decided_on) {
        match mode {
            Mode::Create
            | Mode::Correct { pending: true }
            | Mode::Import {
                status: ListingStatus::Pending,
            } => {
                e.take("grace_until", listing_rules::check_grace(d, g, today));
            }
            Mode::Correct { pending: false } => e.push(
                "grace_until",
                ErrorCode::InvalidGracePeriod,
                "the listing is already published; its grace period cannot change",
            ),
            Mode::Import {
                status: ListingStatus::Active,
            } if g > today => e.push(
                "grace_until",
                ErrorCode::InvalidGracePeriod,
                "an active listing's grace period has ended; a later one means `pending` (L11)",
            ),
            Mode::Import { .. } => {
                e.take("grace_until", listing_rules::check_grace_range(d, g));
            }
        }
    }

    let (
        Some(court),
        Some(case),
        Some(grounds),
        Some(performance),
        Some(initiated_by),
        Some(filed_on),
        Some(decided_on),
        Some(name),
        Some(extension),
    ) = (
        court,
        case,
        grounds,
        performance,
        initiated_by,
        filed_on,
        decided_on,
        name,
        extension,
    )
    else {
        return Err(ApiError::validation(e.0));
    };
    if !e.0.is_empty() {
        return Err(ApiError::validation(e.0));
    }
    let values = ListingValues {
        court_code: court.as_str().to_string(),
        case_number: case.as_str().to_string(),
        debtor_kind: kind,
        debtor_key: key,
        debtor_name: name.as_str().to_string(),
        name_folded: fold_name(name.as_str()),
        id_number,
        credit_code,
        debtor: debtor_json,
        associated_persons: associated_json,
        filed_on,
        basis_document_number: basis_number,
        basis_issuer,
        obligation,
        performance,
        grounds: grounds.as_slice().to_vec(),
        extension_years: i32::try_from(extension).unwrap_or(0),
        decided_on,
        grace_until,
        initiated_by,
        expires_on,
        decision,
    };
    Ok(Valid {
        values,
        court,
        persons,
        initiated_by,
        recipient,
    })
}

/// L14: the decision's signatory (1 to 200 characters) and the day it was signed (`decided_on`
/// when not given; on or after it, not in the future: `invalid_signed_on`), stored as
/// `{"signed_by", "signed_on"}`.
fn decision(
    e: &mut Errors,
    input: &ListingIn,
    decided_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<serde_json::Value> {
    let d = input.decision.as_ref()?;
    let signed_by = text(e, "decision.signed_by", &d.signed_by, 200);
    let signed_on = match d.signed_on.as_deref() {
        Some(s) => date(e, "decision.signed_on", s),
        None => decided_on,
    };
    if let (Some(s), Some(decided)) = (signed_on, decided_on) {
        e.take(
            "decision.signed_on",
            listing_rules::check_signed_on(s, decided, today),
        );
    }
    let signed_on = signed_on?;
    Some(serde_json::json!({"signed_by": signed_by, "signed_on": signed_on.to_string()}))
}
