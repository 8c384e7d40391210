//! Unified social credit codes (docs/LAW.md I2, GB 32100-2015) and legacy organisation codes
//! (GB 11714). Both are public (L10): `Debug` and `Display` show them in full.

use crate::domain::ErrorCode;
use serde::{Serialize, Serializer};

use super::{DomainError, fullwidth_to_ascii};

/// Character set of the USCC; the value of a character is its index (I2).
pub const USCC_CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// A validated organisation identifier: an 18-character USCC or a 9-character legacy GB 11714
/// organisation code, normalised (ASCII, upper case, no `-`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode(String);

fn invalid(message: impl Into<String>) -> DomainError {
    DomainError::new(ErrorCode::InvalidCreditCode, message)
}

fn uscc_value(c: char) -> Option<u32> {
    USCC_CHARSET.find(c).and_then(|i| u32::try_from(i).ok())
}

/// Check character of the first 17 characters of a USCC (I2); `None` if a character is outside
/// the charset or the length is wrong.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first17.chars().zip(USCC_WEIGHTS) {
        sum += uscc_value(c)? * w;
    }
    let idx = (31 - sum % 31) % 31;
    USCC_CHARSET.chars().nth(idx as usize)
}

/// Check character of the first 8 characters of a GB 11714 organisation code (I2): digits count
/// as themselves, letters A–Z as 10–35; check `11 − S mod 11`, 10 → `X`, 11 → `0`.
pub fn org_check_char(first8: &str) -> Option<char> {
    if first8.chars().count() != 8 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first8.chars().zip(ORG_WEIGHTS) {
        if !(c.is_ascii_digit() || c.is_ascii_uppercase()) {
            return None;
        }
        sum += c.to_digit(36)? * w;
    }
    match 11 - sum % 11 {
        10 => Some('X'),
        11 => Some('0'),
        n => char::from_digit(n, 10),
    }
}

impl CreditCode {
    /// Parses a USCC or legacy organisation code: trims, maps full-width to ASCII, upper-cases,
    /// removes `-`, then verifies the check character. Every failure is `invalid_credit_code`.
    pub fn parse(s: &str) -> Result<CreditCode, DomainError> {
        let norm: String = s
            .trim()
            .chars()
            .map(fullwidth_to_ascii)
            .filter(|c| *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let norm = norm.trim();
        if !norm.is_ascii() {
            return Err(invalid("credit code has invalid characters"));
        }
        match norm.len() {
            18 => {
                let (body, check) = norm.split_at(17);
                let expected = uscc_check_char(body)
                    .ok_or_else(|| invalid("unified social credit code has invalid characters"))?;
                if !check.starts_with(expected) || check.len() != 1 {
                    return Err(invalid(
                        "wrong check character in unified social credit code",
                    ));
                }
            }
            9 => {
                let (body, check) = norm.split_at(8);
                let expected = org_check_char(body)
                    .ok_or_else(|| invalid("organisation code has invalid characters"))?;
                if !check.starts_with(expected) || check.len() != 1 {
                    return Err(invalid("wrong check character in organisation code"));
                }
            }
            _ => return Err(invalid("credit code must have 18 (or 9) characters")),
        }
        Ok(CreditCode(norm.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for a 9-character GB 11714 organisation code (old listings).
    pub fn is_legacy_org_code(&self) -> bool {
        self.0.len() == 9
    }

    /// The 9-character organisation code: positions 9–17 of a USCC, or the legacy code itself.
    /// Use it to match the old and the new form of the same organisation.
    pub fn org_code(&self) -> &str {
        if self.is_legacy_org_code() {
            &self.0
        } else {
            self.0.get(8..17).unwrap_or(&self.0)
        }
    }
}

impl std::fmt::Display for CreditCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for CreditCode {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for CreditCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn i2_accepts_domain_vectors() {
        for v in [
            "91310110666007217T",
            "9144030071526726XG",
            "91110000802100433B",
        ] {
            let c = CreditCode::parse(v).unwrap();
            assert_eq!(c.as_str(), v);
            assert!(!c.is_legacy_org_code());
        }
    }

    #[test]
    fn i2_rejects_domain_invalid_vector() {
        let e = CreditCode::parse("911101087461124596").unwrap_err();
        assert_eq!(e.code, "invalid_credit_code");
    }

    #[test]
    fn i2_accepts_legacy_org_code() {
        let c = CreditCode::parse("680926658").unwrap();
        assert!(c.is_legacy_org_code());
        assert_eq!(c.org_code(), "680926658");
        assert_eq!(CreditCode::parse("68092665-8").unwrap(), c);
        assert_eq!(
            CreditCode::parse("680926650").unwrap_err().code,
            "invalid_credit_code"
        );
    }

    #[test]
    fn i2_normalises_case_fullwidth_spaces_and_dashes() {
        let c = CreditCode::parse(" ９１３１０１１０６６６００７２１７ｔ　").unwrap();
        assert_eq!(c.as_str(), "91310110666007217T");
        let c = CreditCode::parse("9144-0300-7152-6726XG").unwrap();
        assert_eq!(c.as_str(), "9144030071526726XG");
    }

    #[test]
    fn i2_org_code_is_positions_9_to_17() {
        let c = CreditCode::parse("9144030071526726XG").unwrap();
        assert_eq!(c.org_code(), "71526726X");
        assert!(CreditCode::parse(c.org_code()).is_ok());
    }

    #[test]
    fn i2_rejects_excluded_letters_and_bad_lengths() {
        for s in [
            "中华人民共和国有限公司代码中华人民共和",
            "91310110666007217I",
            "9131011066600721OT",
            "",
            "1234",
            "91310110666007217TT",
        ] {
            assert_eq!(
                CreditCode::parse(s).unwrap_err().code,
                "invalid_credit_code",
                "{s}"
            );
        }
    }

    #[test]
    fn i2_display_and_serialize_in_full() {
        let c = CreditCode::parse("91110000802100433B").unwrap();
        assert_eq!(c.to_string(), "91110000802100433B");
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"91110000802100433B\"");
    }
}
