//! Person names and their folded search key (docs/LAW.md I4).

use crate::domain::ErrorCode;
use serde::{Serialize, Serializer};
use unicode_normalization::UnicodeNormalization;

use super::DomainError;

/// Longest accepted name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// Middle-dot variants of minority and foreign names, all folded to U+00B7 (I4).
const MIDDLE_DOTS: [char; 9] = [
    '\u{00B7}', '\u{2022}', '\u{2027}', '\u{30FB}', '\u{FF65}', '\u{2E31}', '\u{0387}', '\u{2219}',
    '\u{22C5}',
];

/// One folding pass: whitespace removed (before NFKC, so that it cannot separate a base letter
/// from its combining mark, and after, since NFKC can produce spaces), NFKC, upper case, NFKC
/// again (upper-casing can leave compatibility forms), middle dots unified, traditional →
/// simplified.
fn fold_once(s: &str) -> String {
    let upper: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .nfkc()
        .flat_map(char::to_uppercase)
        .collect();
    let cleaned: String = upper
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            if MIDDLE_DOTS.contains(&c) {
                '\u{00B7}'
            } else {
                c
            }
        })
        .collect();
    if cleaned.is_ascii() {
        cleaned
    } else {
        zhconv::zhconv(&cleaned, zhconv::Variant::ZhHans)
    }
}

/// The search key of a name (I4): Unicode NFKC, all whitespace removed, middle-dot variants
/// (`·` `•` `‧` `・` `･` …) unified to U+00B7, traditional characters folded to simplified
/// (`張三` → `张三`), letters upper-cased. Idempotent: `fold_name(&fold_name(x)) == fold_name(x)`.
pub fn fold_name(s: &str) -> String {
    let mut folded = fold_once(s);
    if folded == s {
        // Already folded (most queries): a fixed point after one pass.
        return folded;
    }
    // The converter and the normaliser are each stable; iterate in the rare case where one
    // reveals work for the other, so the key is a fixed point.
    for _ in 0..3 {
        let again = fold_once(&folded);
        if again == folded {
            break;
        }
        folded = again;
    }
    folded
}

/// A person's name, stored as given (trimmed). `Debug` is redacted and there is no `Display`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

impl PersonName {
    /// Trims surrounding whitespace (full-width too); must be non-empty, at most 100 characters,
    /// without control characters. Error code `invalid_name`.
    pub fn parse(s: &str) -> Result<PersonName, DomainError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(DomainError::new(
                ErrorCode::InvalidName,
                "the name is empty",
            ));
        }
        if s.chars().count() > MAX_NAME_CHARS {
            return Err(DomainError::new(
                ErrorCode::InvalidName,
                format!("the name is longer than {MAX_NAME_CHARS} characters"),
            ));
        }
        if s.chars().any(char::is_control) {
            return Err(DomainError::new(
                ErrorCode::InvalidName,
                "the name contains control characters",
            ));
        }
        Ok(PersonName(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The search key, [`fold_name`].
    pub fn folded(&self) -> String {
        fold_name(&self.0)
    }
}

impl std::fmt::Debug for PersonName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonName(<redacted>)")
    }
}

impl Serialize for PersonName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn i4_traditional_folds_to_simplified() {
        assert_eq!(fold_name("張三"), "张三");
        assert_eq!(fold_name("張三"), fold_name("张三"));
        assert_eq!(fold_name("劉德華"), "刘德华");
    }

    #[test]
    fn i4_whitespace_removed_including_fullwidth() {
        assert_eq!(fold_name(" 张　三 \t"), "张三");
    }

    #[test]
    fn i4_middle_dot_variants_unified() {
        let expected = "买买提\u{00B7}艾力";
        for dot in MIDDLE_DOTS {
            assert_eq!(
                fold_name(&format!("买买提{dot}艾力")),
                expected,
                "U+{:04X}",
                dot as u32
            );
        }
    }

    #[test]
    fn i4_nfkc_and_latin_upper_case() {
        assert_eq!(fold_name("ｊｏｈｎ smith"), "JOHNSMITH");
        assert_eq!(fold_name("André"), "ANDRÉ");
        assert_eq!(fold_name("ANDRE\u{0301}"), "ANDRÉ");
        assert_eq!(fold_name("andre \u{0301}"), "ANDRÉ");
    }

    #[test]
    fn i4_person_name_validation() {
        assert_eq!(PersonName::parse("  张三 ").unwrap().as_str(), "张三");
        assert_eq!(PersonName::parse("張 三").unwrap().folded(), "张三");
        for bad in ["", "  ", "　", "张\u{0007}三", &"张".repeat(101)] {
            assert_eq!(PersonName::parse(bad).unwrap_err().code, "invalid_name");
        }
        assert!(PersonName::parse(&"张".repeat(100)).is_ok());
    }

    #[test]
    fn i4_person_name_debug_redacted_serialize_full() {
        let n = PersonName::parse("张三").unwrap();
        assert_eq!(format!("{n:?}"), "PersonName(<redacted>)");
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"张三\"");
    }
}
