//! Who may apply for a listed party's remedies (L13 correction, L16 credit repair): the listed
//! party itself — the debtor (a person named by its ID number, an organisation by its unified
//! social credit code) or, for an organisation, its legal representative (by ID number). An agent
//! may file the application, but the applicant it names is the party. Identifiers are compared
//! in their normalised forms (I1: a legacy 15-digit number is stored as its 18-digit form; I2).

use chrono::NaiveDate;

use super::{DomainError, ErrorCode};

/// A date that is not in the future and not before `earliest`; `code` otherwise. The dates of the
/// listed party's applications (received, decided, served) all follow this rule.
pub(crate) fn check_between(
    on: NaiveDate,
    earliest: NaiveDate,
    today: NaiveDate,
    code: ErrorCode,
    what: &str,
) -> Result<(), DomainError> {
    if on > today {
        return Err(DomainError::new(code, format!("{what} is in the future")));
    }
    if on < earliest {
        return Err(DomainError::new(
            code,
            format!("{what} is before {earliest}, the date it follows"),
        ));
    }
    Ok(())
}

/// An application (correction, L13; credit repair, L16) is received neither in the future nor
/// before the listing was decided (`invalid_received_on`).
pub fn check_received_on(
    received_on: NaiveDate,
    listing_decided_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), DomainError> {
    check_between(
        received_on,
        listing_decided_on,
        today,
        ErrorCode::InvalidReceivedOn,
        "received_on",
    )
}

/// The applicant as the court recorded it: a name and one identifier, normalised. (No `Debug`:
/// it carries an ID number.)
pub struct Applicant {
    pub name: String,
    pub id_number: Option<String>,
    pub credit_code: Option<String>,
}

/// One party's identifiers, normalised.
#[derive(Clone, Copy, Default)]
pub struct Party<'a> {
    pub id_number: Option<&'a str>,
    pub credit_code: Option<&'a str>,
}

/// `applicant_not_listed_party` unless `applicant` is the `debtor` or its legal representative
/// (whose ID number is `representative`).
pub fn check_listed_party(
    debtor: Party<'_>,
    representative: Option<&str>,
    applicant: Party<'_>,
) -> Result<(), DomainError> {
    let same = |a: Option<&str>, b: Option<&str>| a.is_some() && a == b;
    let ok = same(applicant.id_number, debtor.id_number)
        || same(applicant.id_number, representative)
        || same(applicant.credit_code, debtor.credit_code);
    if ok {
        Ok(())
    } else {
        Err(DomainError::new(
            ErrorCode::ApplicantNotListedParty,
            "the applicant is not the listed party: the debtor, or an organisation's legal \
             representative, applies (L13, L16)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PERSON: &str = "110105198001013006";
    const OTHER: &str = "110105198001013014";
    const CODE: &str = "91310110666007217T";

    fn id(n: &str) -> Party<'_> {
        Party {
            id_number: Some(n),
            credit_code: None,
        }
    }

    fn code(c: &str) -> Party<'_> {
        Party {
            id_number: None,
            credit_code: Some(c),
        }
    }

    #[test]
    fn l13_a_person_debtor_applies_by_its_own_id_number_only() {
        assert!(check_listed_party(id(PERSON), None, id(PERSON)).is_ok());
        let e = check_listed_party(id(PERSON), None, id(OTHER)).unwrap_err();
        assert_eq!(e.code, ErrorCode::ApplicantNotListedParty);
        assert!(check_listed_party(id(PERSON), None, code(CODE)).is_err());
    }

    #[test]
    fn l13_an_organisation_applies_by_its_code_or_through_its_legal_representative() {
        let org = code(CODE);
        assert!(check_listed_party(org, Some(PERSON), code(CODE)).is_ok());
        assert!(check_listed_party(org, Some(PERSON), id(PERSON)).is_ok());
        assert!(check_listed_party(org, Some(PERSON), id(OTHER)).is_err());
        assert!(check_listed_party(org, None, id(PERSON)).is_err());
        assert!(
            check_listed_party(org, None, code("91310110666007218X")).is_err(),
            "another code"
        );
        // Nothing matches nothing.
        assert!(check_listed_party(Party::default(), None, Party::default()).is_err());
    }
}
