//! From a request body to the values of a listing, enforcing L1–L4, L9, L11 and I1–I4. Every field
//! error is collected, so one 422 names them all.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::wire::{DocumentIn, ListingIn};
use crate::{
    db::models::{listing::ListingValues, person::PersonRecord},
    domain::{
        DomainError,
        case_number::CaseNumber,
        court_code::CourtCode,
        credit_code::CreditCode,
        document::{DocumentType, normalize_document_number},
        grounds::Grounds,
        id_number::IdNumber,
        listing_rules::{self, InitiatedBy, Performance},
        name::{PersonName, fold_name},
        restriction::SubjectRole,
    },
    error::{ApiError, FieldError},
};

/// Create or correct: a correction may leave the term elapsed (the next tick expires it) and
/// re-checks the grace period only while the listing is pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Correct { pending: bool },
}

pub struct Valid {
    pub values: ListingValues,
    pub court: CourtCode,
    pub persons: Vec<PersonRecord>,
    pub initiated_by: InitiatedBy,
}

struct Errors(Vec<FieldError>);

impl Errors {
    fn take<T>(&mut self, field: &str, r: Result<T, DomainError>) -> Option<T> {
        r.map_err(|e| self.0.push(FieldError::from_domain(field, e)))
            .ok()
    }
    fn push(&mut self, field: &str, code: &str, msg: impl Into<String>) {
        self.0.push(FieldError::new(field, code, msg));
    }
}

fn date(errs: &mut Errors, field: &str, s: &str) -> Option<NaiveDate> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    if d.is_none() {
        errs.push(field, "invalid_date", "a date is written YYYY-MM-DD");
    }
    d
}

fn text(errs: &mut Errors, field: &str, s: &str, max: usize) -> String {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(char::is_control) {
        errs.push(
            field,
            "invalid_value",
            format!("{field} must be 1 to {max} characters of text"),
        );
    }
    t.to_string()
}

fn documents(errs: &mut Errors, field: &str, docs: &[DocumentIn]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let t = errs.take(
            &format!("{field}[{i}].type"),
            DocumentType::parse(&d.doc_type),
        );
        let n = errs.take(
            &format!("{field}[{i}].number"),
            normalize_document_number(&d.number),
        );
        if let (Some(t), Some(n)) = (t, n)
            && !out
                .iter()
                .any(|(a, b): &(String, String)| a == t.code() && *b == n)
        {
            out.push((t.code().to_string(), n));
        }
    }
    out
}

fn docs_json(docs: &[(String, String)]) -> Value {
    Value::Array(
        docs.iter()
            .map(|(t, n)| json!({"type": t, "number": n}))
            .collect(),
    )
}

pub fn validate(input: &ListingIn, today: NaiveDate, mode: Mode) -> Result<Valid, ApiError> {
    let mut e = Errors(Vec::new());
    let court = e.take("court_code", CourtCode::parse(&input.court_code));
    let case = e.take(
        "case_number",
        CaseNumber::parse_enforcement(&input.case_number),
    );
    if let (Some(court), Some(case)) = (&court, &case)
        && case.court().is_some_and(|c| c.as_str() != court.as_str())
    {
        e.push(
            "case_number",
            "case_court_mismatch",
            "the case number must carry the listing's own court code (I3)",
        );
    }
    let grounds = match input.grounds.is_empty() {
        true => {
            e.push(
                "grounds",
                "grounds_required",
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
            "invalid_date",
            "the case cannot be filed after the listing decision",
        );
    }
    if let Some(d) = decided_on {
        e.take("decided_on", listing_rules::check_decided_on(d, today));
    }

    // The debtor (L9) and the persons bound with it (R3).
    let mut persons = Vec::new();
    let debtor = &input.debtor;
    let name = e.take("debtor.name", PersonName::parse(&debtor.name));
    let (kind, key, id_number, credit_code, debtor_json) = match debtor.kind.as_str() {
        "person" => {
            let id = match &debtor.id_number {
                Some(s) => e.take("debtor.id_number", IdNumber::parse(s)),
                None => {
                    e.push(
                        "debtor.id_number",
                        "invalid_id_number",
                        "a person debtor needs an ID number",
                    );
                    None
                }
            };
            if let (Some(id), Some(d)) = (&id, decided_on) {
                e.take("debtor.id_number", listing_rules::check_not_minor(id, d));
            }
            if !input.associated_persons.is_empty() {
                e.push(
                    "associated_persons",
                    "associated_persons_not_allowed",
                    "associated persons are for organisation debtors only (R3)",
                );
            }
            if debtor.credit_code.is_some() || debtor.legal_representative.is_some() {
                e.push(
                    "debtor",
                    "invalid_value",
                    "a person debtor has no credit code or legal representative",
                );
            }
            let docs = documents(&mut e, "debtor.documents", &debtor.documents);
            if let (Some(id), Some(n)) = (&id, &name) {
                persons.push(PersonRecord::new(id, n, &docs));
            }
            let key = id
                .as_ref()
                .map(|i| i.as_str().to_string())
                .unwrap_or_default();
            let j = json!({"kind": "person", "name": name.as_ref().map(PersonName::as_str),
                "id_number": id.as_ref().map(IdNumber::as_str), "documents": docs_json(&docs)});
            ("person", key, id.map(|i| i.as_str().to_string()), None, j)
        }
        "organization" | "organisation" => {
            let code = match &debtor.credit_code {
                Some(s) => e.take("debtor.credit_code", CreditCode::parse(s)),
                None => {
                    e.push(
                        "debtor.credit_code",
                        "invalid_credit_code",
                        "an organisation debtor needs a credit code",
                    );
                    None
                }
            };
            if debtor.id_number.is_some() || !debtor.documents.is_empty() {
                e.push(
                    "debtor",
                    "invalid_value",
                    "an organisation debtor has no ID number or documents",
                );
            }
            let rep = debtor.legal_representative.as_ref().map(|r| {
                let n = e.take("debtor.legal_representative.name", PersonName::parse(&r.name));
                let i = e.take("debtor.legal_representative.id_number", IdNumber::parse(&r.id_number));
                if let (Some(i), Some(n)) = (&i, &n) {
                    persons.push(PersonRecord::new(i, n, &[]));
                }
                json!({"name": n.as_ref().map(PersonName::as_str), "id_number": i.as_ref().map(IdNumber::as_str)})
            });
            let key = code
                .as_ref()
                .map(|c| c.org_code().to_string())
                .unwrap_or_default();
            let j = json!({"kind": "organization", "name": name.as_ref().map(PersonName::as_str),
                "credit_code": code.as_ref().map(CreditCode::as_str), "legal_representative": rep});
            (
                "organization",
                key,
                None,
                code.map(|c| c.as_str().to_string()),
                j,
            )
        }
        _ => {
            e.push(
                "debtor.kind",
                "invalid_value",
                "kind is person or organization",
            );
            ("person", String::new(), None, None, Value::Null)
        }
    };

    let mut associated = Vec::new();
    for (i, p) in input.associated_persons.iter().enumerate() {
        let f = format!("associated_persons[{i}]");
        let role = e.take(&format!("{f}.role"), SubjectRole::parse_associated(&p.role));
        let n = e.take(&format!("{f}.name"), PersonName::parse(&p.name));
        let id = e.take(&format!("{f}.id_number"), IdNumber::parse(&p.id_number));
        let docs = documents(&mut e, &format!("{f}.documents"), &p.documents);
        if let (Some(role), Some(n), Some(id)) = (role, n, id) {
            associated.push(json!({"role": role.code(), "name": n.as_str(), "id_number": id.as_str(), "documents": docs_json(&docs)}));
            persons.push(PersonRecord::new(&id, &n, &docs));
        }
    }

    // The term (L2) and the grace period (L11).
    let extension = match u32::try_from(input.extension_years) {
        Ok(x) => Some(x),
        Err(_) => {
            e.push(
                "extension_years",
                "invalid_value",
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
            if mode == Mode::Create && expires_on.is_some_and(|exp| exp <= today) {
                e.push(
                    "decided_on",
                    "term_already_elapsed",
                    "the listing's term ended before today (L2)",
                );
            }
        }
    }
    if let (Some(g), Some(d)) = (grace_until, decided_on) {
        let check = match mode {
            Mode::Create | Mode::Correct { pending: true } => true,
            Mode::Correct { pending: false } => false,
        };
        if check {
            e.take("grace_until", listing_rules::check_grace(d, g, today));
        } else {
            e.push(
                "grace_until",
                "invalid_grace_period",
                "the listing is already published; its grace period cannot change",
            );
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
        debtor_kind: kind.to_string(),
        debtor_key: key,
        debtor_name: name.as_str().to_string(),
        name_folded: fold_name(name.as_str()),
        id_number,
        credit_code,
        debtor: debtor_json,
        associated_persons: Value::Array(associated),
        filed_on,
        basis_document_number: basis_number,
        basis_issuer,
        obligation,
        performance: performance.code().to_string(),
        grounds: grounds.codes().into_iter().map(str::to_string).collect(),
        extension_years: i32::try_from(extension).unwrap_or(0),
        decided_on,
        grace_until,
        initiated_by: initiated_by.code().to_string(),
        expires_on,
    };
    Ok(Valid {
        values,
        court,
        persons,
        initiated_by,
    })
}
