//! Request and response bodies of the credit-repair routes (docs/API.md "The listed party"). Those
//! that carry the applicant's ID number have no `Debug`: nothing logs them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub use crate::corrections::wire::{ApplicantIn, ApplicantOut, DecidedBy};
use crate::{
    certificates::wire::CertificateLink,
    domain::credit_repair::{CreditRepairStatus, RepairOutcome},
};

#[derive(Deserialize, ToSchema)]
pub struct CreditRepairIn {
    pub applicant: ApplicantIn,
    /// What the party has performed or corrected.
    pub statement: String,
    /// `YYYY-MM-DD` (CST): when the court received the written application; not in the future and
    /// not before the listing was decided (422 `invalid_received_on`).
    #[schema(format = Date)]
    pub received_on: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RepairDecisionIn {
    /// `granted` or `refused`.
    pub outcome: String,
    pub reasons: String,
    /// `YYYY-MM-DD` (CST); not in the future, not before the application was received.
    #[schema(format = Date)]
    pub decided_on: String,
    /// `granted` only: the listing's restriction order stays in force (R1, R5); default `false`,
    /// the order is lifted with the listing.
    #[serde(default)]
    pub keep_restriction: bool,
}

/// A decision as recorded, with the days it took (no statutory deadline, L16) and the listing's
/// version after a grant.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct RepairDecisionOut {
    pub outcome: RepairOutcome,
    pub reasons: String,
    pub decided_on: NaiveDate,
    pub keep_restriction: bool,
    /// Calendar days from `received_on` to `decided_on`.
    pub days_to_decide: i64,
    pub listing_version: Option<i32>,
    pub decided_by: DecidedBy,
    pub decided_at: DateTime<Utc>,
}

/// An application for credit repair (L16) and where it stands.
#[derive(Clone, Serialize, ToSchema)]
pub struct CreditRepairOut {
    pub id: Uuid,
    pub listing_id: Uuid,
    /// The enforcing court.
    pub court_code: String,
    pub status: CreditRepairStatus,
    pub applicant: ApplicantOut,
    pub statement: String,
    pub received_on: NaiveDate,
    /// No deadline binds the decision (L16): the calendar days it took, or, under review, the days
    /// since `received_on` so far.
    pub days_taken: i64,
    pub decision: Option<RepairDecisionOut>,
    /// The certificate a grant issued (null otherwise).
    pub certificate: Option<CertificateLink>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct CreditRepairPage {
    pub items: Vec<CreditRepairOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CreditRepairQuery {
    /// A court in the caller's scope; without it, the caller's court (a supervisor: every court
    /// under it too).
    pub court_code: Option<String>,
    /// `under_review`, `granted` or `refused`.
    pub status: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
