//! The parties of a listing or a restriction order: the debtor (L9, I1, I2) and, for an organisation,
//! the persons bound with it (R3). Shared by listings and standalone restriction orders.

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::domain::ErrorCode;
use crate::{
    db::models::person::PersonRecord,
    domain::{
        DomainError,
        applicant::Applicant,
        credit_code::CreditCode,
        document::{DocumentType, normalize_document_number},
        id_number::IdNumber,
        listing_rules,
        name::PersonName,
        restriction::SubjectRole,
        status::PartyKind,
    },
    error::FieldError,
    listings::wire::{AssociatedPersonIn, DebtorIn, DocumentIn, StudentIn},
};

/// Field errors collected across a whole body, so that one 422 names them all.
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn take<T>(&mut self, field: &str, r: Result<T, DomainError>) -> Option<T> {
        r.map_err(|e| self.0.push(FieldError::from_domain(field, e)))
            .ok()
    }
    pub fn push(&mut self, field: &str, code: ErrorCode, msg: impl Into<String>) {
        self.0.push(FieldError::new(field, code, msg));
    }
}

pub fn date(errs: &mut Errors, field: &str, s: &str) -> Option<NaiveDate> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    if d.is_none() {
        errs.push(
            field,
            ErrorCode::InvalidDate,
            "a date is written YYYY-MM-DD",
        );
    }
    d
}

pub fn text(errs: &mut Errors, field: &str, s: &str, max: usize) -> String {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(char::is_control) {
        errs.push(
            field,
            ErrorCode::InvalidValue,
            format!("{field} must be 1 to {max} characters of text"),
        );
    }
    t.to_string()
}

/// The applicant of a listed party's application (L13, L16): a name and exactly one of
/// `id_number` (I1) or `credit_code` (I2), normalised as listings store them; `None` (with its
/// field errors) otherwise.
pub fn applicant(
    errs: &mut Errors,
    name: &str,
    id_number: Option<&str>,
    credit_code: Option<&str>,
) -> Option<Applicant> {
    let name = errs
        .take("applicant.name", PersonName::parse(name))
        .map(|n| n.as_str().to_string());
    let (id_number, credit_code) = match (id_number, credit_code) {
        (Some(i), None) => {
            let i = errs.take("applicant.id_number", IdNumber::parse(i))?;
            (Some(i.as_str().to_string()), None)
        }
        (None, Some(c)) => {
            let c = errs.take("applicant.credit_code", CreditCode::parse(c))?;
            (None, Some(c.as_str().to_string()))
        }
        _ => {
            errs.push(
                "applicant",
                ErrorCode::InvalidValue,
                "the applicant has an id_number or a credit_code, one of the two",
            );
            return None;
        }
    };
    Some(Applicant {
        name: name?,
        id_number,
        credit_code,
    })
}

pub fn documents(errs: &mut Errors, field: &str, docs: &[DocumentIn]) -> Vec<(String, String)> {
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

pub fn docs_json(docs: &[(String, String)]) -> Value {
    Value::Array(
        docs.iter()
            .map(|(t, n)| json!({"type": t, "number": n}))
            .collect(),
    )
}

/// A parsed debtor with its key (the ID number, or the organisation code inside a credit code, I2).
pub struct Parties {
    pub kind: PartyKind,
    pub key: String,
    pub name: Option<PersonName>,
    pub id_number: Option<String>,
    pub credit_code: Option<String>,
    pub debtor_json: Value,
    pub associated_json: Value,
    pub persons: Vec<PersonRecord>,
}

/// L17: the stored form of a debtor's `student` marker (`override_reason` trimmed, at most 2,000
/// characters), or a field error when the court gives no reason for a campus-loan student.
fn student(e: &mut Errors, s: Option<&StudentIn>) -> Option<Value> {
    let s = s?;
    let reason = s
        .override_reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    e.take(
        "debtor.student",
        listing_rules::check_student(s.full_time, s.campus_loan, reason),
    )?;
    let reason = reason.map(|r| text(e, "debtor.student.override_reason", r, 2000));
    Some(json!({"full_time": s.full_time, "campus_loan": s.campus_loan, "override_reason": reason}))
}

/// Parses the debtor and its associated persons; `minor_check_on` applies L4 on that date.
pub fn parse_parties(
    e: &mut Errors,
    debtor: &DebtorIn,
    associated: &[AssociatedPersonIn],
    minor_check_on: Option<NaiveDate>,
) -> Parties {
    let mut persons = Vec::new();

    let name = e.take("debtor.name", PersonName::parse(&debtor.name));
    let (kind, key, id_number, credit_code, debtor_json) = match debtor.kind.as_str() {
        "person" => {
            let id = match &debtor.id_number {
                Some(s) => e.take("debtor.id_number", IdNumber::parse(s)),
                None => {
                    e.push(
                        "debtor.id_number",
                        ErrorCode::InvalidIdNumber,
                        "a person debtor needs an ID number",
                    );
                    None
                }
            };
            if let (Some(id), Some(d)) = (&id, minor_check_on) {
                e.take("debtor.id_number", listing_rules::check_not_minor(id, d));
            }
            if !associated.is_empty() {
                e.push(
                    "associated_persons",
                    ErrorCode::AssociatedPersonsNotAllowed,
                    "associated persons are for organisation debtors only (R3)",
                );
            }
            if debtor.credit_code.is_some() || debtor.legal_representative.is_some() {
                e.push(
                    "debtor",
                    ErrorCode::InvalidValue,
                    "a person debtor has no credit code or legal representative",
                );
            }
            let docs = documents(e, "debtor.documents", &debtor.documents);
            if let (Some(id), Some(n)) = (&id, &name) {
                persons.push(PersonRecord::new(id, n, &docs));
            }
            let key = id
                .as_ref()
                .map(|i| i.as_str().to_string())
                .unwrap_or_default();
            let mut j = json!({"kind": "person", "name": name.as_ref().map(PersonName::as_str),
                "id_number": id.as_ref().map(IdNumber::as_str), "documents": docs_json(&docs)});
            if let Some(s) = student(e, debtor.student.as_ref()) {
                j["student"] = s;
            }
            (
                PartyKind::Person,
                key,
                id.map(|i| i.as_str().to_string()),
                None,
                j,
            )
        }
        "organization" | "organisation" => {
            let code = match &debtor.credit_code {
                Some(s) => e.take("debtor.credit_code", CreditCode::parse(s)),
                None => {
                    e.push(
                        "debtor.credit_code",
                        ErrorCode::InvalidCreditCode,
                        "an organisation debtor needs a credit code",
                    );
                    None
                }
            };
            if debtor.student.is_some() {
                e.push(
                    "debtor.student",
                    ErrorCode::InvalidValue,
                    "an organisation debtor is not a student (L17)",
                );
            }
            if debtor.id_number.is_some() || !debtor.documents.is_empty() {
                e.push(
                    "debtor",
                    ErrorCode::InvalidValue,
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
                PartyKind::Organization,
                key,
                None,
                code.map(|c| c.as_str().to_string()),
                j,
            )
        }
        _ => {
            e.push(
                "debtor.kind",
                ErrorCode::InvalidValue,
                "kind is person or organization",
            );
            (PartyKind::Person, String::new(), None, None, Value::Null)
        }
    };

    let mut associated_out = Vec::new();
    for (i, p) in associated.iter().enumerate() {
        let f = format!("associated_persons[{i}]");
        let role = e.take(&format!("{f}.role"), SubjectRole::parse_associated(&p.role));
        let n = e.take(&format!("{f}.name"), PersonName::parse(&p.name));
        let id = e.take(&format!("{f}.id_number"), IdNumber::parse(&p.id_number));
        let docs = documents(e, &format!("{f}.documents"), &p.documents);
        if let (Some(role), Some(n), Some(id)) = (role, n, id) {
            associated_out.push(json!({"role": role.code(), "name": n.as_str(), "id_number": id.as_str(), "documents": docs_json(&docs)}));
            persons.push(PersonRecord::new(&id, &n, &docs));
        }
    }

    Parties {
        kind,
        key,
        name,
        id_number,
        credit_code,
        debtor_json,
        associated_json: Value::Array(associated_out),
        persons,
    }
}
