//! A check's input parsed: the journey (R2: which item it touches) and what each subject is looked
//! up by (I1, I2, or a travel document), every field error collected.

use super::wire::{SubjectIn, TravelIn};
use crate::domain::ErrorCode;
use crate::{
    domain::{
        credit_code::CreditCode,
        document::{DocumentType, normalize_document_number},
        id_number::IdNumber,
        travel::{Journey, SeatClass, TrainKind},
    },
    error::{ApiError, FieldError},
};

pub const MAX_SUBJECTS: usize = 1000;

pub fn journey(t: &TravelIn) -> Result<Journey, ApiError> {
    match t.mode.as_str() {
        "air" => Ok(Journey::Air),
        "rail" => {
            let train = t.train.as_deref().ok_or_else(|| {
                ApiError::rule(
                    ErrorCode::InvalidValue,
                    Some("travel.train"),
                    "rail travel names the train",
                )
            })?;
            let seat = t.seat_class.as_deref().ok_or_else(|| {
                ApiError::rule(
                    ErrorCode::InvalidValue,
                    Some("travel.seat_class"),
                    "rail travel names the seat class",
                )
            })?;
            let kind =
                TrainKind::of_train(train).map_err(|e| ApiError::domain("travel.train", e))?;
            let seat =
                SeatClass::parse(seat).map_err(|e| ApiError::domain("travel.seat_class", e))?;
            Ok(Journey::Rail(kind, seat))
        }
        _ => Err(ApiError::rule(
            ErrorCode::InvalidValue,
            Some("travel.mode"),
            "mode is air or rail",
        )),
    }
}

/// What a subject is looked up by: its ID number or organisation code, or a document.
pub enum Key {
    Id(String),
    Doc(String, String),
}

/// A batch of subjects (a check, a watch-list call): 413 `batch_too_large` beyond `max`, 422 when
/// it names none.
pub fn batch_size(n: usize, max: usize, per: &str) -> Result<(), ApiError> {
    if n > max {
        return Err(ApiError::new(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::BatchTooLarge,
            format!("at most {max} subjects per {per}"),
        ));
    }
    if n == 0 {
        return Err(ApiError::rule(
            ErrorCode::InvalidValue,
            Some("subjects"),
            "name at least one subject",
        ));
    }
    Ok(())
}

/// The documents among `keys`, as their types and numbers (the pairs to look up).
pub fn documents(keys: &[Key]) -> (Vec<String>, Vec<String>) {
    keys.iter()
        .filter_map(|k| match k {
            Key::Doc(t, n) => Some((t.clone(), n.clone())),
            Key::Id(_) => None,
        })
        .unzip()
}

/// The key of every subject, in order; 422 with every bad subject at once.
pub fn keys(subjects: &[SubjectIn]) -> Result<Vec<Key>, ApiError> {
    let mut errors = Vec::new();
    let mut keys = Vec::with_capacity(subjects.len());
    for (i, s) in subjects.iter().enumerate() {
        let key = if let Some(id) = &s.id_number {
            IdNumber::parse(id)
                .map(|id| Key::Id(id.as_str().to_string()))
                .map_err(|e| FieldError::from_domain(format!("subjects[{i}].id_number"), e))
        } else if let Some(c) = &s.credit_code {
            CreditCode::parse(c)
                .map(|c| Key::Id(c.org_code().to_string()))
                .map_err(|e| FieldError::from_domain(format!("subjects[{i}].credit_code"), e))
        } else if let Some(d) = &s.document {
            DocumentType::parse(&d.doc_type)
                .and_then(|t| {
                    Ok(Key::Doc(
                        t.code().to_string(),
                        normalize_document_number(&d.number)?,
                    ))
                })
                .map_err(|e| FieldError::from_domain(format!("subjects[{i}].document"), e))
        } else {
            Err(FieldError::new(
                format!("subjects[{i}]"),
                ErrorCode::InvalidValue,
                "a subject has an id_number, a document or a credit_code",
            ))
        };
        match key {
            Ok(k) => keys.push(k),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    Ok(keys)
}
