//! Resident ID numbers (docs/LAW.md I1, GB 11643-1999) and their public masking (L10).

use crate::domain::ErrorCode;
use chrono::{Datelike, NaiveDate};
use serde::{Serialize, Serializer};

use super::{DomainError, fullwidth_to_ascii, today_cst};

/// Weights of positions 1–17 (I1).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character indexed by `Σ dᵢwᵢ mod 11` (I1).
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// A validated resident ID number, always in the normalised 18-character upper-case ASCII form
/// (legacy 15-digit numbers are converted, I1). `Debug` is redacted and there is no `Display`:
/// use [`IdNumber::masked`] for anything public and [`IdNumber::as_str`] deliberately.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber(String);

/// Sex from the sequence digit (I1: odd = male, even = female).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn as_str(&self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
}

fn invalid(message: impl Into<String>) -> DomainError {
    DomainError::new(ErrorCode::InvalidIdNumber, message)
}

/// Computes the check character of 17 ASCII digits (I1). `None` if `digits` is not 17 digits.
pub fn check_char(digits: &str) -> Option<char> {
    if digits.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in digits.chars().zip(WEIGHTS) {
        sum += c.to_digit(10)? * w;
    }
    CHECK_CHARS.get((sum % 11) as usize).copied()
}

/// Parses `YYYYMMDD` (8 ASCII digits) as a calendar date.
fn calendar_date(yyyymmdd: &str) -> Option<NaiveDate> {
    let num = |r: std::ops::Range<usize>| yyyymmdd.get(r).and_then(|s| s.parse::<u32>().ok());
    let year = i32::try_from(num(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, num(4..6)?, num(6..8)?)
}

/// A birth date: a real calendar date between 1800-01-01 (historic data holds 1880 births) and
/// today in CST (I1: not in the future).
fn birth_date_of(yyyymmdd: &str) -> Result<NaiveDate, DomainError> {
    let date =
        calendar_date(yyyymmdd).ok_or_else(|| invalid("birth date is not a calendar date"))?;
    let floor = NaiveDate::from_ymd_opt(1800, 1, 1).unwrap_or(NaiveDate::MIN);
    if date < floor || date > today_cst() {
        return Err(invalid("birth date is out of range"));
    }
    Ok(date)
}

impl IdNumber {
    /// Parses and normalises an ID number (I1): trims spaces (full-width too), maps full-width
    /// characters to ASCII, upper-cases `x`, converts a 15-digit legacy number to 18 digits.
    /// Errors: `invalid_id_number` (length, characters, birth date), `invalid_check_digit`.
    pub fn parse(s: &str) -> Result<IdNumber, DomainError> {
        let norm: String = s
            .trim()
            .chars()
            .map(fullwidth_to_ascii)
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let norm = norm.trim();
        let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        match norm.len() {
            18 if norm.is_ascii() => {
                let (body, check) = norm.split_at(17);
                if !all_digits(body) || !(all_digits(check) || check == "X") {
                    return Err(invalid("ID number must be 17 digits and a check character"));
                }
                birth_date_of(&body[6..14])?;
                let expected = check_char(body).ok_or_else(|| invalid("not 17 digits"))?;
                if !check.starts_with(expected) {
                    return Err(DomainError::new(
                        ErrorCode::InvalidCheckDigit,
                        "the check character of the ID number is wrong",
                    ));
                }
                Ok(IdNumber(norm.to_owned()))
            }
            15 if all_digits(norm) => Self::from_legacy(norm),
            _ => Err(invalid("ID number must have 18 characters (or 15 digits)")),
        }
    }

    /// Converts a 15-digit legacy number: `19` is inserted before `YY`, the check appended (I1).
    fn from_legacy(norm: &str) -> Result<IdNumber, DomainError> {
        let (region, rest) = norm.split_at(6);
        let body = format!("{region}19{rest}");
        birth_date_of(&body[6..14])?;
        let check = check_char(&body).ok_or_else(|| invalid("not 15 digits"))?;
        Ok(IdNumber(format!("{body}{check}")))
    }

    /// The full normalised 18-character number. Never show it to the public (L10).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        // Validated at construction; the fallback is unreachable.
        self.0
            .get(6..14)
            .and_then(calendar_date)
            .unwrap_or(NaiveDate::MIN)
    }

    /// I1: the 17th character (last of the sequence) is odd for men, even for women.
    pub fn gender(&self) -> Gender {
        let digit = self.0.as_bytes().get(16).copied().unwrap_or(b'0');
        if (digit - b'0') % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    /// Age in whole years on `d` (0 before birth). A 29 February birthday is reached on 1 March
    /// in common years.
    pub fn age_on(&self, d: NaiveDate) -> u32 {
        let b = self.birth_date();
        let mut years = d.year() - b.year();
        if (d.month(), d.day()) < (b.month(), b.day()) {
            years -= 1;
        }
        u32::try_from(years).unwrap_or(0)
    }

    /// L10: first 10 characters, `****`, last 4 (hides month and day of birth).
    pub fn masked(&self) -> String {
        let head = self.0.get(..10).unwrap_or_default();
        let tail = self.0.get(14..).unwrap_or_default();
        format!("{head}****{tail}")
    }
}

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdNumber(<redacted>)")
    }
}

impl std::str::FromStr for IdNumber {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Serialises the full number: for internal and court API responses only (never public, L10).
impl Serialize for IdNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests;
