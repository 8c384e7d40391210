//! Listing rules: term and extension (L2), minors (L4), removal reasons (L3, L5–L7), re-listing
//! (L8), publication data (L9) and grace periods (L11).

use crate::domain::ErrorCode;
use chrono::{Months, NaiveDate};

use super::DomainError;
use super::grounds::Grounds;
use super::id_number::IdNumber;

/// L2: the term of a listing with a ground (2)–(6).
pub const BASE_TERM_YEARS: u32 = 2;
/// L2: at most 3 years of extension in total.
pub const MAX_EXTENSION_YEARS: u32 = 3;
/// L8: months after a `creditor_request` removal during which a creditor-applied re-listing
/// of the same debtor in the same case is refused.
pub const RELISTING_BAR_MONTHS: u32 = 6;
/// L4: listing age.
pub const ADULT_AGE: u32 = 18;

/// L2: `decided_on + 2 years + extension`, the first day on which the listing is no longer active;
/// `None` without a fixed term (ground (1) alone). 29 February maps to 28 February.
pub fn expires_on(
    decided_on: NaiveDate,
    grounds: &Grounds,
    extension_years: u32,
) -> Option<NaiveDate> {
    if !grounds.has_fixed_term() {
        return None;
    }
    let years = BASE_TERM_YEARS.checked_add(extension_years)?;
    decided_on.checked_add_months(Months::new(years.checked_mul(12)?))
}

fn ensure_extendable(grounds: &Grounds) -> Result<(), DomainError> {
    if !grounds.has_fixed_term() {
        return Err(DomainError::new(
            ErrorCode::ExtensionNotAllowed,
            "a listing without a fixed term cannot be extended (L2)",
        ));
    }
    if !grounds.is_aggravated() {
        return Err(DomainError::new(
            ErrorCode::ExtensionNotAllowed,
            "an extension needs obstruction of enforcement or several grounds (L2)",
        ));
    }
    Ok(())
}

fn limit_exceeded(total: u32) -> DomainError {
    DomainError::new(
        ErrorCode::ExtensionLimitExceeded,
        format!("the extension would total {total} years; at most {MAX_EXTENSION_YEARS} (L2)"),
    )
}

/// L2: extends by `add` years (1..=3) a listing already extended by `current_ext`; returns the
/// new total. Errors: `extension_not_allowed` (no term or no aggravating ground), `invalid_value`
/// (`add` = 0), `extension_limit_exceeded` (total over 3).
pub fn check_extension(grounds: &Grounds, current_ext: u32, add: u32) -> Result<u32, DomainError> {
    ensure_extendable(grounds)?;
    if add == 0 {
        return Err(DomainError::new(
            ErrorCode::InvalidValue,
            "an extension is 1 to 3 years",
        ));
    }
    let total = current_ext.saturating_add(add);
    if total > MAX_EXTENSION_YEARS {
        return Err(limit_exceeded(total));
    }
    Ok(total)
}

/// L2: the extension given at creation: 0 always; 1..=3 only with a term and an aggravating
/// ground (`extension_not_allowed`); more than 3 is `extension_limit_exceeded`.
pub fn check_initial_extension(grounds: &Grounds, ext: u32) -> Result<(), DomainError> {
    if ext == 0 {
        return Ok(());
    }
    ensure_extendable(grounds)?;
    if ext > MAX_EXTENSION_YEARS {
        return Err(limit_exceeded(ext));
    }
    Ok(())
}

/// L4: a person under 18 on the decision date is never listed (`minor_cannot_be_listed`).
pub fn check_not_minor(id: &IdNumber, decided_on: NaiveDate) -> Result<(), DomainError> {
    if id.age_on(decided_on) < ADULT_AGE {
        return Err(DomainError::new(
            ErrorCode::MinorCannotBeListed,
            "the debtor is under 18 on the decision date (L4)",
        ));
    }
    Ok(())
}

/// L17: a full-time student in a campus-loan dispute is generally not listed or restricted: only
/// with the court's stated reason (a non-blank `override_reason`), else `student_campus_loan`.
pub fn check_student(
    full_time: bool,
    campus_loan: bool,
    override_reason: Option<&str>,
) -> Result<(), DomainError> {
    if full_time && campus_loan && override_reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(DomainError::new(
            ErrorCode::StudentCampusLoan,
            "a full-time student in a campus-loan dispute is not listed or restricted unless the court states why (L17): give student.override_reason",
        ));
    }
    Ok(())
}

/// L11: `grace_until` is 1 to 3 months (inclusive) after `decided_on` and not before `today`;
/// otherwise `invalid_grace_period`.
pub fn check_grace(
    decided_on: NaiveDate,
    grace_until: NaiveDate,
    today: NaiveDate,
) -> Result<(), DomainError> {
    match check_grace_range(decided_on, grace_until) {
        Ok(()) if grace_until >= today => Ok(()),
        _ => Err(DomainError::new(
            ErrorCode::InvalidGracePeriod,
            "grace_until must be 1 to 3 months after decided_on and not in the past (L11)",
        )),
    }
}

/// L11 without "not in the past": `grace_until` is 1 to 3 months (inclusive) after `decided_on`.
/// Used for imported listings whose grace period has already ended (bulk import).
pub fn check_grace_range(decided_on: NaiveDate, grace_until: NaiveDate) -> Result<(), DomainError> {
    let min = decided_on.checked_add_months(Months::new(1));
    let max = decided_on.checked_add_months(Months::new(3));
    match (min, max) {
        (Some(min), Some(max)) if (min..=max).contains(&grace_until) => Ok(()),
        _ => Err(DomainError::new(
            ErrorCode::InvalidGracePeriod,
            "grace_until must be 1 to 3 months after decided_on (L11)",
        )),
    }
}

/// The decision date is not in the future (CST); otherwise `invalid_decided_on`.
pub fn check_decided_on(decided_on: NaiveDate, today: NaiveDate) -> Result<(), DomainError> {
    if decided_on > today {
        return Err(DomainError::new(
            ErrorCode::InvalidDecidedOn,
            "decided_on is in the future",
        ));
    }
    Ok(())
}

/// L14: the decision is signed on or after the day it was decided, and not in the future
/// (`invalid_signed_on`).
pub fn check_signed_on(
    signed_on: NaiveDate,
    decided_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), DomainError> {
    if signed_on > today {
        return Err(DomainError::new(
            ErrorCode::InvalidSignedOn,
            "decision.signed_on is in the future",
        ));
    }
    if signed_on < decided_on {
        return Err(DomainError::new(
            ErrorCode::InvalidSignedOn,
            "decision.signed_on is before decided_on",
        ));
    }
    Ok(())
}

/// L8: a creditor-applied listing decided before `removed_on + 6 months` (after a
/// `creditor_request` removal in the same case) is barred (`relisting_barred`).
pub fn relisting_barred(removed_on: NaiveDate, decided_on: NaiveDate) -> bool {
    removed_on
        .checked_add_months(Months::new(RELISTING_BAR_MONTHS))
        .is_none_or(|bar| decided_on < bar)
}

code_enum! {
    /// Why a listing ended: L3 (early deletion), L5 (events ending a listing without a term),
    /// L7 (revocation), L6 (term expired, set by the system only).
    pub enum RemovalReason {
        EarlyDeletion = ("early_deletion", "信用修复提前删除"),
        Performed = ("performed", "义务已全部履行"),
        SettlementPerformed = ("settlement_performed", "执行和解协议已履行完毕"),
        CreditorRequest = ("creditor_request", "申请执行人书面申请删除"),
        NoAssetsAfterTermination = ("no_assets_after_termination", "终结本次执行程序后无财产可供执行"),
        SuspendedRetrialOrBankruptcy = ("suspended_retrial_or_bankruptcy", "因再审或破产中止执行"),
        NonEnforcementRuling = ("non_enforcement_ruling", "裁定不予执行"),
        EnforcementTerminated = ("enforcement_terminated", "裁定终结执行"),
        WrongfulListing = ("wrongful_listing", "不应纳入失信名单而撤销"),
        TermExpired = ("term_expired", "失信期限届满"),
    }
}

impl RemovalReason {
    /// L7: revocation (status `revoked`) rather than removal (status `removed`).
    pub fn is_revocation(&self) -> bool {
        *self == RemovalReason::WrongfulListing
    }

    /// True for the L5 events (listings without a fixed term only).
    pub fn is_l5_event(&self) -> bool {
        !matches!(
            self,
            Self::EarlyDeletion | Self::WrongfulListing | Self::TermExpired
        )
    }

    /// The listing status this reason leads to.
    pub fn resulting_status(&self) -> ListingStatus {
        match self {
            Self::WrongfulListing => ListingStatus::Revoked,
            Self::TermExpired => ListingStatus::Expired,
            _ => ListingStatus::Removed,
        }
    }

    /// Whether a removal request may use this reason (L6): L5 events do not apply to a fixed-term
    /// listing; `term_expired` is set by the system, never requested; early deletion (L3) and
    /// revocation (L7) always apply. Error `reason_not_applicable`.
    pub fn check_applicable(&self, has_fixed_term: bool) -> Result<(), DomainError> {
        let ok = match self {
            Self::EarlyDeletion | Self::WrongfulListing => true,
            Self::TermExpired => false,
            _ => !has_fixed_term,
        };
        if ok {
            Ok(())
        } else {
            Err(DomainError::new(
                ErrorCode::ReasonNotApplicable,
                format!("`{}` does not apply to this listing (L6)", self.code()),
            ))
        }
    }
}

code_enum! {
    /// L9: performance status (履行情况).
    pub enum Performance {
        None = ("none", "全部未履行"),
        Partial = ("partial", "部分未履行"),
    }
}

code_enum! {
    /// Status of a listing (L6, L7, L10, L11). Only `active` is public.
    pub enum ListingStatus {
        Pending = ("pending", "宽限期内"),
        Active = ("active", "已公布"),
        Removed = ("removed", "已删除"),
        Revoked = ("revoked", "已撤销"),
        Expired = ("expired", "期限届满"),
    }
}

impl ListingStatus {
    /// L10: only active listings are shown to the public.
    pub fn is_public(&self) -> bool {
        *self == ListingStatus::Active
    }

    /// Pending or active: the listing has not ended.
    pub fn is_open(&self) -> bool {
        matches!(self, Self::Pending | Self::Active)
    }
}

code_enum! {
    /// Who started the listing (L8).
    pub enum InitiatedBy {
        Court = ("court", "法院依职权"),
        CreditorApplication = ("creditor_application", "申请执行人申请"),
    }
}

#[cfg(test)]
mod tests;
