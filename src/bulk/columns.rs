//! The CSV columns (docs/BULK.md). A row converts to and from the JSON object of an NDJSON line,
//! so both formats go through one validation. Empty cells are null; grounds are a `;`-list;
//! documents are a `;`-list of `type:number`; associated persons and the removal note are JSON or
//! text as documented.

use serde_json::{Map, Value, json};

pub use super::csvrow::{Header, Row};
use crate::domain::status::PartyKind;

/// The listing columns, in the order `shixin export` writes them.
/// Columns added later go at the end, so that the order of older files stays (a file without
/// them still imports).
pub const LISTING_COLUMNS: [&str; 42] = [
    "id",
    "status",
    "court_code",
    "court_name",
    "case_number",
    "debtor_kind",
    "debtor_name",
    "debtor_id_number",
    "debtor_credit_code",
    "debtor_documents",
    "legal_representative_name",
    "legal_representative_id_number",
    "associated_persons",
    "filed_on",
    "basis_document_number",
    "basis_issuer",
    "obligation",
    "performance",
    "grounds",
    "extension_years",
    "decided_on",
    "grace_until",
    "initiated_by",
    "published_at",
    "expires_on",
    "removal_reason",
    "removal_note",
    "removed_at",
    "keep_restriction",
    "version",
    "restriction_id",
    "created_at",
    "updated_at",
    "debtor_student",
    "decision_signed_by",
    "decision_signed_on",
    "served_on",
    "service_method",
    "debtor_official_status",
    "debtor_employer",
    "debtor_ownership",
    "debtor_supervising_body",
];

/// The listing columns a CSV file must have (the others may be absent).
pub const REQUIRED_LISTING_COLUMNS: [&str; 11] = [
    "debtor_kind",
    "debtor_name",
    "court_code",
    "case_number",
    "filed_on",
    "basis_document_number",
    "basis_issuer",
    "obligation",
    "performance",
    "grounds",
    "decided_on",
];

/// The court columns.
pub const COURT_COLUMNS: [&str; 6] = [
    "code",
    "name",
    "province",
    "level",
    "parent_code",
    "created_at",
];

pub(crate) fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn documents_cell(v: Option<&Value>) -> String {
    v.and_then(Value::as_array)
        .map(|docs| {
            docs.iter()
                .map(|d| format!("{}:{}", cell(d.get("type")), cell(d.get("number"))))
                .collect::<Vec<_>>()
                .join(";")
        })
        .unwrap_or_default()
}

/// One exported listing (the JSON of `ListingOut`) as a CSV row of [`LISTING_COLUMNS`].
pub fn listing_row(l: &Value) -> Vec<String> {
    let d = l.get("debtor");
    let debtor = |k: &str| d.and_then(|d| d.get(k));
    let rep = |k: &str| debtor("legal_representative").and_then(|r| r.get(k));
    let removal = |k: &str| l.get("removal").and_then(|r| r.get(k));
    let grounds = l
        .get("grounds")
        .and_then(Value::as_array)
        .map(|g| {
            g.iter()
                .map(|x| cell(Some(x)))
                .collect::<Vec<_>>()
                .join(";")
        })
        .unwrap_or_default();
    let assoc = match l.get("associated_persons") {
        Some(Value::Array(a)) if !a.is_empty() => Value::Array(a.clone()).to_string(),
        _ => String::new(),
    };
    LISTING_COLUMNS
        .iter()
        .map(|c| match *c {
            "debtor_kind" => cell(debtor("kind")),
            "debtor_name" => cell(debtor("name")),
            "debtor_id_number" => cell(debtor("id_number")),
            "debtor_credit_code" => cell(debtor("credit_code")),
            "debtor_documents" => documents_cell(debtor("documents")),
            "legal_representative_name" => cell(rep("name")),
            "legal_representative_id_number" => cell(rep("id_number")),
            "associated_persons" => assoc.clone(),
            "debtor_student" => match debtor("student") {
                Some(s @ Value::Object(_)) => s.to_string(),
                _ => String::new(),
            },
            "debtor_official_status" => cell(debtor("official_status")),
            "debtor_ownership" => cell(debtor("ownership")),
            "debtor_employer" | "debtor_supervising_body" => {
                match c.strip_prefix("debtor_").and_then(debtor) {
                    Some(s @ Value::Object(_)) => s.to_string(),
                    _ => String::new(),
                }
            }
            "decision_signed_by" => cell(l.pointer("/decision/signed_by")),
            "decision_signed_on" => cell(l.pointer("/decision/signed_on")),
            "basis_document_number" => cell(l.pointer("/basis/document_number")),
            "basis_issuer" => cell(l.pointer("/basis/issuer")),
            "grounds" => grounds.clone(),
            "removal_reason" => cell(removal("reason")),
            "removal_note" => cell(removal("note")),
            "removed_at" => cell(removal("removed_at")),
            "keep_restriction" => cell(removal("keep_restriction")),
            other => cell(l.get(other)),
        })
        .collect()
}

/// `type:number;…` to `[{type, number}]`; a part without `:` is `Err(column)`.
fn documents(row: &Row<'_>, column: &str) -> Result<Value, String> {
    let mut out = Vec::new();
    for part in row.list(column) {
        let (t, n) = part.split_once(':').ok_or_else(|| column.to_string())?;
        out.push(json!({"type": t.trim(), "number": n.trim()}));
    }
    Ok(Value::Array(out))
}

/// A CSV row as the JSON object of an NDJSON line. `Err((field, message))` when a cell cannot be
/// read (the message never quotes the cell).
pub fn listing_value(row: &Row<'_>) -> Result<Value, (String, String)> {
    // Any other cell (validated later) reads as an organisation's columns.
    let person = row
        .get("debtor_kind")
        .is_some_and(|k| PartyKind::parse(k) == Ok(PartyKind::Person));
    let mut debtor = Map::new();
    debtor.insert("kind".into(), row.text("debtor_kind"));
    debtor.insert("name".into(), row.text("debtor_name"));
    if person {
        debtor.insert("id_number".into(), row.text("debtor_id_number"));
        let docs = documents(row, "debtor_documents")
            .map_err(|c| (c, "documents are a ;-list of type:number".to_string()))?;
        debtor.insert("documents".into(), docs);
    } else {
        debtor.insert("credit_code".into(), row.text("debtor_credit_code"));
        if row.get("legal_representative_name").is_some()
            || row.get("legal_representative_id_number").is_some()
        {
            debtor.insert(
                "legal_representative".into(),
                json!({"name": row.text("legal_representative_name"), "id_number": row.text("legal_representative_id_number")}),
            );
        }
    }
    if let Some(s) = row.get("debtor_student") {
        let student = serde_json::from_str::<Value>(s).map_err(|_| {
            (
                "debtor_student".to_string(),
                "debtor_student is a JSON object {full_time, campus_loan, override_reason}"
                    .to_string(),
            )
        })?;
        debtor.insert("student".into(), student);
    }
    // L15: the status that calls for a notice, and the body to notify ({name, subscriber_id}).
    for (column, key) in [
        ("debtor_official_status", "official_status"),
        ("debtor_ownership", "ownership"),
    ] {
        if row.get(column).is_some() {
            debtor.insert(key.into(), row.text(column));
        }
    }
    for (column, key) in [
        ("debtor_employer", "employer"),
        ("debtor_supervising_body", "supervising_body"),
    ] {
        if let Some(s) = row.get(column) {
            let body = serde_json::from_str::<Value>(s).map_err(|_| {
                (
                    column.to_string(),
                    format!("{column} is a JSON object {{name, subscriber_id}}"),
                )
            })?;
            debtor.insert(key.into(), body);
        }
    }
    let associated = match row.get("associated_persons") {
        None => Value::Array(Vec::new()),
        Some(s) => serde_json::from_str::<Value>(s).map_err(|_| {
            (
                "associated_persons".to_string(),
                "associated_persons is a JSON array of {role, name, id_number}".to_string(),
            )
        })?,
    };
    let removal = row.get("removal_reason").map(|r| {
        json!({"reason": r, "note": row.text("removal_note"), "removed_at": row.text("removed_at"),
               "keep_restriction": row.get("keep_restriction").is_some_and(|k| k.trim() == "true")})
    });
    // L14: a signed_on without a signatory reads as an empty one (refused as the API refuses it).
    let decision = (row.get("decision_signed_by").is_some()
        || row.get("decision_signed_on").is_some())
    .then(|| {
        json!({"signed_by": row.get("decision_signed_by").unwrap_or(""),
               "signed_on": row.text("decision_signed_on")})
    });
    let extension = row.get("extension_years").map_or(Ok(json!(0)), |s| {
        s.trim().parse::<i64>().map(|n| json!(n)).map_err(|_| {
            (
                "extension_years".to_string(),
                "extension_years is a whole number".to_string(),
            )
        })
    })?;
    let version = row.get("version").map_or(Ok(Value::Null), |s| {
        s.trim().parse::<i64>().map(|n| json!(n)).map_err(|_| {
            (
                "version".to_string(),
                "version is a whole number".to_string(),
            )
        })
    })?;
    Ok(json!({
        "id": row.text("id"),
        "status": row.text("status"),
        "debtor": Value::Object(debtor),
        "associated_persons": associated,
        "court_code": row.text("court_code"),
        "case_number": row.text("case_number"),
        "filed_on": row.text("filed_on"),
        "basis": {"document_number": row.text("basis_document_number"), "issuer": row.text("basis_issuer")},
        "obligation": row.text("obligation"),
        "performance": row.text("performance"),
        "grounds": row.list("grounds"),
        "extension_years": extension,
        "decided_on": row.text("decided_on"),
        "grace_until": row.text("grace_until"),
        "initiated_by": row.get("initiated_by").unwrap_or("court"),
        "published_at": row.text("published_at"),
        "removal": removal,
        "created_at": row.text("created_at"),
        "version": version,
        "decision": decision,
        "served_on": row.text("served_on"),
        "service_method": row.text("service_method"),
    }))
}

/// A court as a CSV row of [`COURT_COLUMNS`].
pub fn court_row(c: &Value) -> Vec<String> {
    COURT_COLUMNS.iter().map(|k| cell(c.get(*k))).collect()
}

/// A CSV court row as the JSON of `POST /v1/courts`.
pub fn court_value(row: &Row<'_>) -> Value {
    json!({"code": row.text("code"), "name": row.text("name"), "province": row.text("province"),
           "level": row.text("level"), "parent_code": row.text("parent_code")})
}
