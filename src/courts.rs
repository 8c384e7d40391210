//! A court as it is added (admin, `shixin import courts`): its code, level and parent checked once
//! for the API and bulk imports alike.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::ErrorCode;
use crate::{
    domain::court_code::{CourtCode, CourtLevel},
    error::{ApiError, FieldError},
};

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct CourtIn {
    /// Court code of the 2016 case-number rules (`京0105`).
    pub code: String,
    pub name: String,
    /// Full Chinese name of the province (`北京市`).
    pub province: String,
    /// `supreme`, `high`, `intermediate`, `basic` or `special`.
    pub level: String,
    pub parent_code: Option<String>,
}

pub fn validate(input: &CourtIn) -> Result<(CourtCode, CourtLevel), ApiError> {
    let mut errors = Vec::new();
    let code =
        CourtCode::parse(&input.code).map_err(|e| errors.push(FieldError::from_domain("code", e)));
    let level = CourtLevel::parse(&input.level)
        .map_err(|e| errors.push(FieldError::from_domain("level", e)));
    if input.name.trim().is_empty() || input.name.chars().count() > 100 {
        errors.push(FieldError::new(
            "name",
            ErrorCode::InvalidValue,
            "name must be 1 to 100 characters",
        ));
    }
    if input.province.trim().is_empty() || input.province.chars().count() > 50 {
        errors.push(FieldError::new(
            "province",
            ErrorCode::InvalidValue,
            "province must be 1 to 50 characters",
        ));
    }
    match (code, level) {
        (Ok(c), Ok(l)) if errors.is_empty() => {
            if l != CourtLevel::Supreme && input.parent_code.is_none() {
                return Err(ApiError::rule(
                    ErrorCode::InvalidValue,
                    Some("parent_code"),
                    "every court but the SPC has a parent court",
                ));
            }
            Ok((c, l))
        }
        _ => Err(ApiError::validation(errors)),
    }
}
