//! Request and response bodies of the restriction-order routes (docs/API.md "Restriction orders").

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::listings::wire::{AssociatedPersonIn, DebtorIn, DocumentIn};

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct RestrictionIn {
    pub debtor: DebtorIn,
    #[serde(default)]
    pub associated_persons: Vec<AssociatedPersonIn>,
    pub court_code: String,
    pub case_number: String,
    /// `YYYY-MM-DD` (China Standard Time).
    pub issued_on: String,
    /// docs/LAW.md R2 item codes; all of them when absent.
    #[serde(default)]
    pub items: Option<Vec<String>>,
    /// docs/LAW.md R6: the last day of the period of restriction, `YYYY-MM-DD` after `issued_on`;
    /// null or absent: until lifted. The tick lifts the order after it (`period_ended`).
    #[serde(default)]
    pub valid_until: Option<String>,
    /// docs/LAW.md R6: the court president who signed the order.
    #[serde(default)]
    pub signed_by: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LiftingIn {
    /// `security_provided`, `creditor_consent`, `performed` or `subject_removed` (docs/LAW.md R5).
    pub reason: String,
    #[serde(default)]
    pub note: Option<String>,
    /// With `subject_removed`: the person who leaves the order.
    #[serde(default)]
    pub id_number: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReleaseIn {
    pub id_number: String,
    pub items: Vec<String>,
    /// RFC 3339.
    pub valid_from: String,
    /// RFC 3339, after `valid_from`.
    pub valid_until: String,
    /// docs/LAW.md R4 reason code.
    pub reason: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectOut {
    /// `debtor` or a docs/LAW.md R3 role.
    pub role: String,
    /// `person` or `organization`.
    pub kind: String,
    pub name: String,
    pub id_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_code: Option<String>,
    pub documents: Vec<DocumentIn>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReleaseOut {
    pub id: Uuid,
    pub restriction_id: Uuid,
    pub id_number: String,
    pub role: Option<String>,
    pub name: Option<String>,
    pub items: Vec<String>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub reason: String,
    pub note: Option<String>,
    /// `active`, `revoked` or `expired`.
    pub status: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Lifted {
    pub reason: String,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RestrictionOut {
    pub id: Uuid,
    pub listing_id: Option<Uuid>,
    /// `active` or `lifted`.
    pub status: String,
    pub version: i32,
    pub subjects: Vec<SubjectOut>,
    pub items: Vec<String>,
    pub court_code: String,
    pub court_name: String,
    pub case_number: String,
    pub issued_on: NaiveDate,
    /// docs/LAW.md R6: the last day of a standalone order's period; null: until lifted (a
    /// listing-bound order follows its listing).
    pub valid_until: Option<NaiveDate>,
    /// docs/LAW.md R6: the president who signed the order.
    pub signed_by: Option<String>,
    /// docs/LAW.md L17: the student marker with the court's reason (court answers only).
    pub student: Option<crate::listings::wire::StudentIn>,
    pub lifted: Option<Lifted>,
    pub releases: Vec<ReleaseOut>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RestrictionPage {
    pub items: Vec<RestrictionOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct RestrictionQuery {
    pub court_code: Option<String>,
    /// `active` or `lifted`.
    pub status: Option<String>,
    /// A subject's ID number (any role).
    pub id_number: Option<String>,
    pub credit_code: Option<String>,
    pub listing_id: Option<String>,
    pub case_number: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
