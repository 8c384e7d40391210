//! Travel and identity documents other than the resident ID card (checks match on type and
//! number, upper-cased, spaces removed: docs/API.md "Checks").

use crate::domain::ErrorCode;
use unicode_normalization::UnicodeNormalization;

use super::DomainError;

code_enum! {
    /// Document types a restricted person may be checked by.
    pub enum DocumentType {
        Passport = ("passport", "中华人民共和国护照"),
        HkMacauPermit = ("hk_macau_permit", "港澳居民来往内地通行证"),
        TaiwanPermit = ("taiwan_permit", "台湾居民来往大陆通行证"),
        ForeignPassport = ("foreign_passport", "外国护照"),
        Other = ("other", "其他证件"),
    }
}

/// Shortest and longest accepted document number.
pub const DOCUMENT_NUMBER_LEN: std::ops::RangeInclusive<usize> = 4..=32;

/// NFKC, upper case, whitespace removed; then 4 to 32 characters of `A–Z0–9`, else
/// `invalid_document_number`.
pub fn normalize_document_number(s: &str) -> Result<String, DomainError> {
    let n: String = s
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if DOCUMENT_NUMBER_LEN.contains(&n.len()) && n.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(n)
    } else {
        Err(DomainError::new(
            ErrorCode::InvalidDocumentNumber,
            "a document number is 4 to 32 letters or digits",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_type_codes() {
        let codes: Vec<_> = DocumentType::ALL.iter().map(|d| d.code()).collect();
        assert_eq!(
            codes,
            [
                "passport",
                "hk_macau_permit",
                "taiwan_permit",
                "foreign_passport",
                "other"
            ]
        );
        assert_eq!(
            DocumentType::parse("hk_macau_permit").unwrap(),
            DocumentType::HkMacauPermit
        );
        assert_eq!(
            DocumentType::parse("id_card").unwrap_err().code,
            "invalid_value"
        );
        assert_eq!(
            serde_json::to_value(DocumentType::TaiwanPermit).unwrap(),
            "taiwan_permit"
        );
    }

    #[test]
    fn document_numbers_normalised() {
        assert_eq!(
            normalize_document_number(" e123 45678 ").unwrap(),
            "E12345678"
        );
        assert_eq!(
            normalize_document_number("ｅ１２３４５６７８").unwrap(),
            "E12345678"
        );
        assert_eq!(normalize_document_number("c\u{3000}1234").unwrap(), "C1234");
    }

    #[test]
    fn document_numbers_rejected() {
        for bad in [
            "",
            "E12",
            "E123-4567",
            "护照12345",
            &"A".repeat(33),
            "É12345",
        ] {
            assert_eq!(
                normalize_document_number(bad).unwrap_err().code,
                "invalid_document_number",
                "{bad}"
            );
        }
        assert!(normalize_document_number(&"A".repeat(32)).is_ok());
    }
}
