//! Request and response bodies of the correction routes (docs/API.md "The listed party"). Those
//! that may carry an ID number (the applicant's, a remedy's patch) have no `Debug`: nothing logs
//! them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::correction::{CorrectionGround, CorrectionStatus, Outcome, ServiceMethod};

/// The listed party who applies: a person with `id_number`, or an organisation with `credit_code`
/// (its legal representative applies in its name).
#[derive(Clone, Deserialize, Serialize, ToSchema)]
pub struct ApplicantIn {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_code: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct CorrectionIn {
    pub applicant: ApplicantIn,
    /// `should_not_be_listed`, `inaccurate_information` or `should_have_been_deleted` (L13).
    pub grounds: String,
    pub statement: String,
    /// `YYYY-MM-DD` (CST): when the court received the written application; not in the future and
    /// not before the listing was decided (422 `invalid_received_on`).
    #[schema(format = Date)]
    pub received_on: String,
}

/// A decision on an application (or on its reconsideration). `upheld` carries the remedy applied to
/// the listing in the same transaction: `{"patch": {…merge patch…}}`, `{"revoke": {"note"}}` or
/// `{"removal": {"reason", "note", "keep_restriction", "event_on"}}`.
#[derive(Deserialize, ToSchema)]
pub struct DecisionIn {
    /// `upheld` or `rejected`.
    pub outcome: String,
    pub reasons: String,
    /// `YYYY-MM-DD` (CST); not in the future, not before the application (or reconsideration) was
    /// received; after its due date it is accepted and flagged `late`.
    #[schema(format = Date)]
    pub decided_on: String,
    #[serde(default)]
    pub remedy: Option<Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ServiceIn {
    /// `YYYY-MM-DD` (CST); not in the future, not before the rejection was decided.
    #[schema(format = Date)]
    pub served_on: String,
    /// `direct`, `post`, `electronic` or `public_notice`.
    pub method: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReconsiderationIn {
    /// `YYYY-MM-DD` (CST): when the next higher court received the application for reconsideration.
    #[schema(format = Date)]
    pub received_on: String,
    pub statement: String,
}

/// Who decided: the principal, as the audit trail names it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DecidedBy {
    pub sub: String,
    pub role: String,
    pub court: Option<String>,
}

/// A decision as recorded: `late` when made after its due date; `remedy` as the court gave it and
/// `listing_version` the listing's version after it (null for a rejection).
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct DecisionOut {
    pub outcome: Outcome,
    pub reasons: String,
    pub decided_on: NaiveDate,
    pub late: bool,
    pub remedy: Option<Value>,
    pub listing_version: Option<i32>,
    pub decided_by: DecidedBy,
    pub decided_at: DateTime<Utc>,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct ApplicantOut {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_code: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceOut {
    pub served_on: NaiveDate,
    pub method: ServiceMethod,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct ReconsiderationOut {
    /// The court that received it: the enforcing court's parent or a court above it.
    pub court_code: Option<String>,
    pub received_on: NaiveDate,
    pub statement: Option<String>,
    /// 15 days from `received_on` (L13).
    pub due_on: NaiveDate,
    pub decision: Option<DecisionOut>,
}

/// An application for correction (L13) and where it stands.
#[derive(Clone, Serialize, ToSchema)]
pub struct CorrectionOut {
    pub id: Uuid,
    pub listing_id: Uuid,
    /// The enforcing court.
    pub court_code: String,
    pub status: CorrectionStatus,
    pub applicant: ApplicantOut,
    pub grounds: CorrectionGround,
    pub statement: String,
    pub received_on: NaiveDate,
    /// 15 days from `received_on` (L13).
    pub review_due_on: NaiveDate,
    /// Past a due date without the step that was due (the review, or the reconsideration's decision).
    pub overdue: bool,
    pub decision: Option<DecisionOut>,
    pub service: Option<ServiceOut>,
    /// 10 days from the rejection's service (L13); null until it is served.
    pub reconsideration_deadline: Option<NaiveDate>,
    pub reconsideration: Option<ReconsiderationOut>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct CorrectionPage {
    pub items: Vec<CorrectionOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CorrectionQuery {
    /// A court in the caller's scope; without it, the caller's court (a supervisor: every court
    /// under it too).
    pub court_code: Option<String>,
    pub status: Option<String>,
    /// `true`: only applications past a due date without the step that was due.
    pub overdue: Option<bool>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PageQuery {
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
