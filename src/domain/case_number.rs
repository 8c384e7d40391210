//! Case numbers (案号) of the SPC 2016 rules, amended 2018 (docs/LAW.md I3), and historic pre-2016
//! numbers accepted by bulk import only.

use crate::domain::ErrorCode;
use chrono::Datelike;
use serde::{Serialize, Serializer};

use super::court_code::{CourtCode, HIGH_COURT_ABBREVS, SUPREME_COURT_CODE};
use super::{DomainError, today_cst};

/// Enforcement case-type codes (I3).
pub const ENFORCEMENT_TYPES: [&str; 6] = ["执", "执恢", "执保", "执异", "执复", "执监"];
/// Special-trial characters recognised in front of a 1–3 character case type (e.g. `知民终`).
const SPECIAL_TRIAL_CHARS: [char; 3] = ['知', '环', '金'];
/// First year of the 2016 rules.
pub const FIRST_YEAR: u16 = 2016;
/// Earliest year accepted for historic numbers ([`CaseNumber::parse_legacy`]).
pub const FIRST_LEGACY_YEAR: u16 = 1980;

/// A case number, stored normalised: no whitespace, full-width brackets, ASCII digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CaseNumber {
    text: String,
    year: u16,
    /// `None` only for historic (pre-2016 format) numbers from [`CaseNumber::parse_legacy`].
    court: Option<CourtCode>,
    special: Option<char>,
    case_type: String,
    seq: u32,
}

fn invalid(message: impl Into<String>) -> DomainError {
    DomainError::new(ErrorCode::InvalidCaseNumber, message)
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// Removes all whitespace (full-width too), makes brackets full-width and digits ASCII.
fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            '０'..='９' => super::fullwidth_to_ascii(c),
            _ => c,
        })
        .collect()
}

/// Splits `（YYYY）rest`; checks the year against `min..=` the current CST year.
fn split_year(text: &str, min: u16) -> Result<(u16, &str), DomainError> {
    let rest = text
        .strip_prefix('（')
        .ok_or_else(|| invalid("a case number starts with （year）"))?;
    let digits = rest
        .get(..4)
        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()));
    let (Some(digits), Some(rest)) = (digits, rest.get(4..).and_then(|r| r.strip_prefix('）')))
    else {
        return Err(invalid("a case number starts with （year）"));
    };
    let year: u16 = digits.parse().map_err(|_| invalid("bad year"))?;
    let current = u16::try_from(today_cst().year()).unwrap_or(u16::MAX);
    if year < min || year > current {
        return Err(invalid(format!("year {year} is outside {min}..={current}")));
    }
    Ok((year, rest))
}

/// Splits the court code greedily: `最高法`, or an abbreviation + 0, 2 or 4 digits.
fn split_court(rest: &str) -> Result<(CourtCode, &str), DomainError> {
    if let Some(after) = rest.strip_prefix(SUPREME_COURT_CODE) {
        return Ok((CourtCode::parse(SUPREME_COURT_CODE)?, after));
    }
    let mut chars = rest.chars();
    let abbrev = chars
        .next()
        .filter(|c| HIGH_COURT_ABBREVS.contains(c))
        .ok_or_else(|| invalid("unknown court code in case number"))?;
    let after_abbrev = chars.as_str();
    let n = after_abbrev
        .bytes()
        .take(4)
        .take_while(u8::is_ascii_digit)
        .count();
    if !matches!(n, 0 | 2 | 4) {
        return Err(invalid("a court code has 0, 2 or 4 digits"));
    }
    let (digits, after) = after_abbrev.split_at(n);
    let court = CourtCode::parse(&format!("{abbrev}{digits}")).map_err(|e| invalid(e.message))?;
    Ok((court, after))
}

/// Splits a CJK run into an optional special-trial character and a 1–3 character case type.
fn split_type(run: &str) -> Result<(Option<char>, String), DomainError> {
    let chars: Vec<char> = run.chars().collect();
    if chars.is_empty() || chars.len() > 4 || !chars.iter().all(|c| is_cjk(*c)) {
        return Err(invalid("a case-type code has 1 to 3 Chinese characters"));
    }
    let tail: String = chars.iter().skip(1).collect();
    let split = !ENFORCEMENT_TYPES.contains(&run)
        && chars.len() >= 2
        && (chars.len() == 4
            || ENFORCEMENT_TYPES.contains(&tail.as_str())
            || SPECIAL_TRIAL_CHARS.contains(&chars[0]));
    Ok(if split {
        (Some(chars[0]), tail)
    } else {
        (None, run.to_owned())
    })
}

impl CaseNumber {
    /// Parses a 2016-format number: `（YYYY）` + court code + optional special-trial character +
    /// case type (1–3 Chinese characters) + sequence (1–7 digits, > 0) + `号`, years 2016 to the
    /// current CST year. Half-width brackets and spaces are accepted. Error `invalid_case_number`.
    pub fn parse(s: &str) -> Result<CaseNumber, DomainError> {
        let text = normalize(s);
        let (year, rest) = split_year(&text, FIRST_YEAR)?;
        let (court, rest) = split_court(rest)?;
        let run_end = rest
            .find(|c: char| c.is_ascii_digit())
            .ok_or_else(|| invalid("missing sequence number"))?;
        let (run, after) = rest.split_at(run_end);
        let (special, case_type) = split_type(run)?;
        let digits_end = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        let (digits, suffix) = after.split_at(digits_end);
        if digits.len() > 7 || suffix != "号" {
            return Err(invalid("a case number ends with 1 to 7 digits and 号"));
        }
        let seq: u32 = digits.parse().map_err(|_| invalid("bad sequence number"))?;
        if seq == 0 {
            return Err(invalid("the sequence number must be positive"));
        }
        Ok(CaseNumber {
            text,
            year,
            court: Some(court),
            special,
            case_type,
            seq,
        })
    }

    /// [`CaseNumber::parse`], and the case type must be an enforcement type (I3).
    pub fn parse_enforcement(s: &str) -> Result<CaseNumber, DomainError> {
        let n = Self::parse(s)?;
        if n.is_enforcement() {
            Ok(n)
        } else {
            Err(invalid(format!(
                "`{}` is not an enforcement case (执, 执恢, 执保, 执异, 执复, 执监)",
                n.text
            )))
        }
    }

    /// For bulk import of historic data only (I3): a 2016-format number parses as with
    /// [`CaseNumber::parse`]; anything else of the form `（YYYY）…号` with a year from 1980 is
    /// accepted with no court, an empty case type and the trailing digits as sequence (0 if none).
    pub fn parse_legacy(s: &str) -> Result<CaseNumber, DomainError> {
        if let Ok(n) = Self::parse(s) {
            return Ok(n);
        }
        let text = normalize(s);
        let (year, rest) = split_year(&text, FIRST_LEGACY_YEAR)?;
        let body = rest
            .strip_suffix('号')
            .filter(|b| !b.is_empty())
            .ok_or_else(|| invalid("a case number ends with 号"))?;
        let start = body.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let seq = body
            .get(start..)
            .and_then(|d| d.parse::<u32>().ok())
            .unwrap_or(0);
        Ok(CaseNumber {
            text,
            year,
            court: None,
            special: None,
            case_type: String::new(),
            seq,
        })
    }

    /// Bulk import (I3): an enforcement number of the 2016 rules, or a historic pre-2016
    /// enforcement number (`(2014)丰法民执字第00326号`). A number dated 2016 or later must follow
    /// the 2016 rules; the error is then that of [`CaseNumber::parse_enforcement`].
    pub fn parse_enforcement_bulk(s: &str) -> Result<CaseNumber, DomainError> {
        let modern = Self::parse_enforcement(s);
        if modern.is_ok() {
            return modern;
        }
        match Self::parse_legacy(s) {
            Ok(n) if n.is_legacy() && n.year < FIRST_YEAR && n.is_enforcement() => Ok(n),
            _ => modern,
        }
    }

    /// The normalised text, e.g. `（2024）京0105执1234号`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn year(&self) -> u16 {
        self.year
    }

    /// The court code in the number; `None` only for historic numbers from `parse_legacy`.
    pub fn court(&self) -> Option<&CourtCode> {
        self.court.as_ref()
    }

    /// The case-type code without the special-trial character (`执恢`); empty for historic ones.
    pub fn case_type(&self) -> &str {
        &self.case_type
    }

    /// The special-trial character, if any (`知` of `知民终`).
    pub fn special_trial(&self) -> Option<char> {
        self.special
    }

    /// The sequence number (0 for a historic number without one).
    pub fn seq(&self) -> u32 {
        self.seq
    }

    /// True for the enforcement types of I3; a historic number counts when it contains `执`.
    pub fn is_enforcement(&self) -> bool {
        match self.court {
            Some(_) => ENFORCEMENT_TYPES.contains(&self.case_type.as_str()),
            None => self.text.contains('执'),
        }
    }

    /// True for a historic (pre-2016 format) number.
    pub fn is_legacy(&self) -> bool {
        self.court.is_none()
    }

    /// I3: a listing's case number must carry the listing's own court code.
    pub fn belongs_to(&self, court: &CourtCode) -> bool {
        self.court.as_ref() == Some(court)
    }
}

impl std::fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for CaseNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

#[cfg(test)]
mod tests;
