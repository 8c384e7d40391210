//! Bodies of `POST /v1/checks` (docs/API.md "Checks").

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{domain::status::Decision, listings::wire::DocumentIn};

#[derive(Debug, Deserialize, ToSchema)]
pub struct SubjectIn {
    /// 18-character or legacy 15-digit resident ID number (I1).
    #[serde(default)]
    pub id_number: Option<String>,
    /// A travel document bound to a person by a court.
    #[serde(default)]
    pub document: Option<DocumentIn>,
    /// An organisation's unified social credit code or organisation code (I2).
    #[serde(default)]
    pub credit_code: Option<String>,
    /// When given, `name_mismatch` says whether it differs (after I4 folding) from the listed name.
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TravelIn {
    /// `air` or `rail`.
    pub mode: String,
    /// Rail: the train number (`G1234`, `D301`, `K1155`, `6063`).
    #[serde(default)]
    pub train: Option<String>,
    /// Rail: `business`, `first`, `premium`, `second`, `soft_sleeper`, `deluxe_soft_sleeper`,
    /// `hard_sleeper`, `hard_seat`, `no_seat`.
    #[serde(default)]
    pub seat_class: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckIn {
    /// 1 to 1,000 subjects.
    pub subjects: Vec<SubjectIn>,
    #[serde(default)]
    pub travel: Option<TravelIn>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchOut {
    pub restriction_id: Uuid,
    pub listing_id: Option<Uuid>,
    /// `debtor` or a docs/LAW.md R3 role.
    pub role: String,
    pub court_name: String,
    pub case_number: String,
    pub since: NaiveDate,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReleaseMatch {
    pub id: Uuid,
    pub restriction_id: Uuid,
    pub items: Vec<String>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResultOut {
    pub index: usize,
    /// `deny` or `allow`.
    #[schema(value_type = String)]
    pub decision: Decision,
    /// The restricted items of the subscriber's sector that deny this subject.
    pub items: Vec<String>,
    pub matches: Vec<MatchOut>,
    pub name_mismatch: bool,
    /// Releases valid now that allow some of the subject's restricted items.
    pub releases: Vec<ReleaseMatch>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckOut {
    /// This check's id in the check log (committed before this answer): `GET /v1/checks/{check_id}`.
    pub check_id: Uuid,
    /// The feed position this answer is consistent with (opaque).
    pub as_of: String,
    pub results: Vec<ResultOut>,
}
