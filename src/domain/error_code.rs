//! The stable machine codes of every error the service answers (the `code` of a problem+json body
//! and of each field error). One closed list: a code is a variant, written as its snake_case text
//! in one place (`as_str`), so a typo cannot ship a new code.

use std::fmt;

use serde::{Serialize, Serializer};

macro_rules! error_codes {
    ($( $(#[$meta:meta])* $variant:ident = $text:literal ),+ $(,)?) => {
        /// A stable snake_case error code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $( $(#[$meta])* $variant ),+
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The code of a text, when it is one (codes computed by SQL, e.g. a bulk import's checks).
            pub fn from_text(text: &str) -> Option<ErrorCode> {
                match text { $($text => Some(ErrorCode::$variant),)+ _ => None }
            }

            /// The code as answered.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $text),+ }
            }
        }
    };
}

error_codes! {
    // Malformed requests (400) and protocol errors.
    BadRequest = "bad_request",
    MalformedJson = "malformed_json",
    InvalidParameter = "invalid_parameter",
    Unauthorized = "unauthorized",
    Forbidden = "forbidden",
    NotFound = "not_found",
    MethodNotAllowed = "method_not_allowed",
    NotAcceptable = "not_acceptable",
    RequestTimeout = "request_timeout",
    LengthRequired = "length_required",
    PayloadTooLarge = "payload_too_large",
    UriTooLong = "uri_too_long",
    UnsupportedMediaType = "unsupported_media_type",
    RequestHeaderFieldsTooLarge = "request_header_fields_too_large",
    RateLimited = "rate_limited",
    BatchTooLarge = "batch_too_large",
    // Versions and idempotency (412, 428, 409, 422).
    VersionMismatch = "version_mismatch",
    PreconditionRequired = "precondition_required",
    IdempotencyKeyReused = "idempotency_key_reused",
    IdempotencyRequestInProgress = "idempotency_request_in_progress",
    // Bodies and fields (422).
    InvalidBody = "invalid_body",
    InvalidValue = "invalid_value",
    InvalidDate = "invalid_date",
    InvalidUrl = "invalid_url",
    WebhookUrlNotAllowed = "webhook_url_not_allowed",
    // Identifiers (I1–I4).
    InvalidIdNumber = "invalid_id_number",
    InvalidCheckDigit = "invalid_check_digit",
    InvalidCreditCode = "invalid_credit_code",
    InvalidCaseNumber = "invalid_case_number",
    InvalidCourtCode = "invalid_court_code",
    InvalidDocumentNumber = "invalid_document_number",
    InvalidName = "invalid_name",
    // Listing rules (L1–L11).
    GroundsRequired = "grounds_required",
    InvalidDecidedOn = "invalid_decided_on",
    InvalidGracePeriod = "invalid_grace_period",
    InvalidEventOn = "invalid_event_on",
    MinorCannotBeListed = "minor_cannot_be_listed",
    ExtensionNotAllowed = "extension_not_allowed",
    ExtensionLimitExceeded = "extension_limit_exceeded",
    ReasonNotApplicable = "reason_not_applicable",
    RelistingBarred = "relisting_barred",
    FieldNotCorrectable = "field_not_correctable",
    TermAlreadyElapsed = "term_already_elapsed",
    CaseCourtMismatch = "case_court_mismatch",
    AssociatedPersonsNotAllowed = "associated_persons_not_allowed",
    ListingExists = "listing_exists",
    ListingNotActive = "listing_not_active",
    ListingStillActive = "listing_still_active",
    // The decision of a listing and its service (L14).
    /// L14: the decision signed before it was made or in the future.
    InvalidSignedOn = "invalid_signed_on",
    /// L14: the decision's service is already recorded.
    DecisionAlreadyServed = "decision_already_served",
    // Correction applications and reconsideration (L13).
    /// L13, L16: the applicant is not the listed party (the debtor, or an organisation's legal
    /// representative).
    ApplicantNotListedParty = "applicant_not_listed_party",
    InvalidReceivedOn = "invalid_received_on",
    InvalidServedOn = "invalid_served_on",
    CorrectionOpen = "correction_open",
    CorrectionNotUnderReview = "correction_not_under_review",
    CorrectionNotRejected = "correction_not_rejected",
    CorrectionNotInReconsideration = "correction_not_in_reconsideration",
    RejectionAlreadyServed = "rejection_already_served",
    RejectionNotServed = "rejection_not_served",
    ReconsiderationOutOfTime = "reconsideration_out_of_time",
    RemedyRequired = "remedy_required",
    RemedyNotAllowed = "remedy_not_allowed",
    // Credit repair (L16).
    CreditRepairOpen = "credit_repair_open",
    CreditRepairNotUnderReview = "credit_repair_not_under_review",
    // Courts and scope.
    UnknownCourt = "unknown_court",
    CourtExists = "court_exists",
    CourtNotInScope = "court_not_in_scope",
    // Restriction orders and releases (R1–R5).
    RestrictionNotActive = "restriction_not_active",
    ReleaseNotActive = "release_not_active",
    SubjectNotInOrder = "subject_not_in_order",
    ItemNotInOrder = "item_not_in_order",
    /// R6: an order's period must end after the day it is issued.
    InvalidValidUntil = "invalid_valid_until",
    /// L17: a full-time student in a campus-loan dispute, without the court's stated reason.
    StudentCampusLoan = "student_campus_loan",
    /// L15 (c)/(d): an official status or state ownership without the body to notify.
    NoticeRecipientRequired = "notice_recipient_required",
    /// L15: a named recipient that is no enabled subscriber here.
    UnknownSubscriber = "unknown_subscriber",
    /// L15: a named recipient whose subscriber is not of sector `notice_recipient`.
    NotANoticeRecipient = "not_a_notice_recipient",
    /// Watch-lists: a subscriber's scope is set when it is created.
    ScopeNotChangeable = "scope_not_changeable",
    /// Watch-lists: the watch-list routes are for subscribers of scope `watchlist` (409).
    WatchlistScopeRequired = "watchlist_scope_required",
    /// Watch-lists: a document no court has bound to a person; watch by the ID number.
    DocumentNotBound = "document_not_bound",
    // Bulk files (`shixin import`): a line that cannot be read at all.
    InvalidCsv = "invalid_csv",
    InvalidJson = "invalid_json",
    InvalidEncoding = "invalid_encoding",
    // The server's side (5xx).
    InternalError = "internal_error",
    DatabaseUnavailable = "database_unavailable",
    ServiceUnavailable = "service_unavailable",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn every_code_is_snake_case_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            let s = c.as_str();
            assert!(
                s.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'),
                "{s}"
            );
            assert!(seen.insert(s), "{s} twice");
            assert_eq!(serde_json::to_value(c).ok(), Some(serde_json::json!(s)));
        }
    }
}
