//! Pure domain layer: identifiers (docs/LAW.md I1–I4), listing rules (L1–L11) and restriction
//! vocabulary (R1–R5, §5). No I/O, no database, no clock other than [`today_cst`].

use chrono::{NaiveDate, Utc};

pub use error_code::ErrorCode;

/// Declares a closed vocabulary enum whose variants have a stable snake_case code (used in the API
/// and the database) and a Chinese display label. Generates `code()`, `label()`, `parse()` (error
/// code `invalid_value`), `ALL`, serde as the code and `utoipa::ToSchema`.
macro_rules! code_enum {
    (@count) => { 0usize };
    (@count $head:ident $($tail:ident)*) => { 1usize + code_enum!(@count $($tail)*) };
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = ($code:literal, $label:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [Self; code_enum!(@count $($variant)+)] = [$(Self::$variant),+];

            /// The stable snake_case code.
            pub fn code(&self) -> &'static str {
                match self { $(Self::$variant => $code),+ }
            }

            /// Same as [`Self::code`].
            pub fn as_str(&self) -> &'static str {
                self.code()
            }

            /// The Chinese display label.
            pub fn label(&self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }

            /// Parses a code; an unknown value is `invalid_value`.
            pub fn parse(code: &str) -> Result<Self, $crate::domain::DomainError> {
                match code {
                    $($code => Ok(Self::$variant),)+
                    other => Err($crate::domain::DomainError::new(
                        $crate::domain::ErrorCode::InvalidValue,
                        format!(concat!("unknown ", stringify!($name), " value `{}`"), other),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

pub mod applicant;
pub mod calendar;
pub mod case_number;
pub mod correction;
pub mod court_code;
pub mod credit_code;
pub mod credit_repair;
pub mod document;
pub mod error_code;
pub mod grounds;
pub mod id_number;
pub mod listing_rules;
pub mod name;
pub mod notices;
pub mod period;
pub mod remedy_period;
pub mod restriction;
pub mod status;
pub mod travel;

#[cfg(test)]
mod proptests;

/// A rule violation with a stable snake_case machine code (docs/API.md "Errors") and a human
/// message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DomainError {
    pub code: ErrorCode,
    pub message: String,
}

impl DomainError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// Today's date in China Standard Time (UTC+8, no daylight saving): legal dates are CST dates.
pub fn today_cst() -> NaiveDate {
    calendar::cst_date(Utc::now())
}

/// Maps full-width ASCII variants (U+FF01..=U+FF5E) and the ideographic space to ASCII.
pub(crate) fn fullwidth_to_ascii(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_error_displays_message_and_keeps_code() {
        let e = DomainError::new(ErrorCode::InvalidValue, "bad");
        assert_eq!(e.code, "invalid_value");
        assert_eq!(e.to_string(), "bad");
        let _: &dyn std::error::Error = &e;
    }

    /// At 16:00 UTC and later the CST date is the next day; a UTC date would fail here.
    #[test]
    fn the_cst_date_is_the_next_day_from_16_00_utc() {
        use chrono::TimeZone;
        let at = |h, m| {
            Utc.with_ymd_and_hms(2026, 12, 31, h, m, 0)
                .single()
                .expect("a valid instant")
        };
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a valid date");
        assert_eq!(calendar::cst_date(at(15, 59)), day(2026, 12, 31));
        assert_eq!(calendar::cst_date(at(16, 0)), day(2027, 1, 1));
        assert_eq!(calendar::cst_date(at(23, 59)), day(2027, 1, 1));
        // today_cst is that date now (unless the test straddles a CST midnight).
        let before = calendar::cst_date(Utc::now());
        let today = today_cst();
        let after = calendar::cst_date(Utc::now());
        assert!(today == before || today == after);
    }

    #[test]
    fn fullwidth_maps_to_ascii() {
        let s: String = "１２Ａｘ　-".chars().map(fullwidth_to_ascii).collect();
        assert_eq!(s, "12Ax -");
    }
}
