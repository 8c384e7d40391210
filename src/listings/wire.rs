//! Request and response bodies of the listing routes (docs/API.md "Listings").

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    domain::listing_rules::{ListingStatus, RemovalReason},
    public::wire::PublicItem,
};

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct DocumentIn {
    /// `passport`, `hk_macau_permit`, `taiwan_permit`, `foreign_passport`, `other`.
    #[serde(rename = "type")]
    pub doc_type: String,
    pub number: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct PersonRefIn {
    pub name: String,
    pub id_number: String,
}

/// A person (`kind: person`, with `id_number`) or an organisation (`kind: organization`, with
/// `credit_code` and `legal_representative`).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct DebtorIn {
    pub kind: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_representative: Option<PersonRefIn>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<DocumentIn>,
    /// docs/LAW.md L17: a full-time student in a campus-loan dispute (a person debtor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub student: Option<StudentIn>,
    /// docs/LAW.md L15 (c): `civil_servant`, `npc_deputy` or `cppcc_member` (a person debtor);
    /// calls for `employer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub official_status: Option<String>,
    /// L15 (c): the employer (or the body managing the deputy or member) to notify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employer: Option<RecipientIn>,
    /// docs/LAW.md L15 (d): `state_organ`, `public_institution`, `state_owned_enterprise` or
    /// `private` (an organisation debtor); all but `private` call for `supervising_body`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership: Option<String>,
    /// L15 (d): the superior body, competent department or owner to notify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervising_body: Option<RecipientIn>,
}

/// L15: a body the court notifies of the listing: its name and, when it subscribes here (sector
/// `notice_recipient`), its subscriber id; without one the notice is `unregistered` and the court
/// notifies it by other means.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct RecipientIn {
    /// 1 to 200 characters.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscriber_id: Option<String>,
}

/// docs/LAW.md L17: with `full_time` and `campus_loan` both true the listing or order is refused
/// (422 `student_campus_loan`) unless the court states `override_reason`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct StudentIn {
    #[serde(default)]
    pub full_time: bool,
    #[serde(default)]
    pub campus_loan: bool,
    /// Why the court lists or restricts the student nonetheless (recorded and audited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct AssociatedPersonIn {
    /// `legal_representative`, `principal`, `directly_responsible`, `actual_controller`
    /// (docs/LAW.md R3).
    pub role: String,
    pub name: String,
    pub id_number: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<DocumentIn>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct BasisIn {
    /// 执行依据文号.
    pub document_number: String,
    /// 做出执行依据单位.
    pub issuer: String,
}

fn default_initiated_by() -> String {
    "court".into()
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct ListingIn {
    pub debtor: DebtorIn,
    #[serde(default)]
    pub associated_persons: Vec<AssociatedPersonIn>,
    pub court_code: String,
    pub case_number: String,
    /// `YYYY-MM-DD`.
    pub filed_on: String,
    pub basis: BasisIn,
    pub obligation: String,
    /// `none` or `partial`.
    pub performance: String,
    pub grounds: Vec<String>,
    #[serde(default)]
    pub extension_years: i64,
    /// `YYYY-MM-DD` (China Standard Time).
    pub decided_on: String,
    #[serde(default)]
    pub grace_until: Option<String>,
    /// `court` or `creditor_application`.
    #[serde(default = "default_initiated_by")]
    pub initiated_by: String,
    /// L14: who signed the decision (决定书) and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionIn>,
}

/// L14: the decision as signed off by the court president (院长签发).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct DecisionIn {
    /// Who signed it (1 to 200 characters).
    pub signed_by: String,
    /// `YYYY-MM-DD` (CST): on or after `decided_on`, not in the future (422
    /// `invalid_signed_on`); `decided_on` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub signed_on: Option<String>,
}

/// L14: the decision as recorded (and as stored in `listings.decision`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DecisionOut {
    pub signed_by: String,
    pub signed_on: NaiveDate,
}

/// L14: `POST /v1/listings/{id}/service`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ListingServiceIn {
    /// `YYYY-MM-DD` (CST); not in the future, not before the decision was made or signed
    /// (422 `invalid_served_on`).
    #[schema(format = Date)]
    pub served_on: String,
    /// `direct`, `post`, `electronic` or `public_notice`.
    pub method: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Removal {
    pub reason: String,
    pub note: Option<String>,
    pub removed_at: DateTime<Utc>,
    /// The date (CST) of the event that ended the listing: the L5 event named by the court, or the
    /// end of the term for an expiry (L6). Null when the court did not give it. The indicators
    /// measure the 3-working-day deadline of L5 from it.
    #[serde(default)]
    pub event_on: Option<NaiveDate>,
    /// Whether the restriction order stays after the listing ends.
    #[serde(default)]
    pub keep_restriction: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListingOut {
    pub id: Uuid,
    pub status: String,
    pub version: i32,
    pub debtor: Value,
    pub associated_persons: Value,
    pub court_code: String,
    pub court_name: String,
    pub case_number: String,
    pub filed_on: NaiveDate,
    pub basis: BasisIn,
    pub obligation: String,
    pub performance: String,
    pub grounds: Vec<String>,
    pub extension_years: i32,
    pub decided_on: NaiveDate,
    pub grace_until: Option<NaiveDate>,
    pub initiated_by: String,
    pub published_at: Option<DateTime<Utc>>,
    pub expires_on: Option<NaiveDate>,
    pub restriction_id: Option<Uuid>,
    pub removal: Option<Removal>,
    /// L14: who signed the decision and when; null when not recorded.
    pub decision: Option<DecisionOut>,
    /// L14: when the decision was served on the parties; null until recorded.
    pub served_on: Option<NaiveDate>,
    /// `direct`, `post`, `electronic` or `public_notice`, with `served_on`.
    pub service_method: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListingPage {
    pub items: Vec<ListingOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListingQuery {
    pub court_code: Option<String>,
    pub status: Option<String>,
    pub id_number: Option<String>,
    pub credit_code: Option<String>,
    pub case_number: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RemovalIn {
    /// docs/LAW.md L3, L5 or L7 reason code.
    pub reason: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub keep_restriction: bool,
    /// `YYYY-MM-DD` (CST): when the removal event happened (L5: the obligation performed, the
    /// creditor's application approved, the ruling made …), not in the future and not before
    /// `decided_on` (422 `invalid_event_on`). Optional; without it the indicators cannot tell
    /// whether the 3-working-day deadline was kept.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub event_on: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ExtensionIn {
    /// 1 to 3; the total extension is at most 3 years (L2).
    pub years: i64,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Actor {
    pub sub: String,
    pub role: String,
    pub court: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryPage {
    pub items: Vec<HistoryEntry>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub action: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// The data of the `listing.*` events and their webhooks: the public item (flattened: its keys at
/// the top level) with the listing's id, version and status, and why it ended (`listing.removed`).
#[derive(Debug, Clone, Serialize)]
pub struct ListingEventData {
    #[serde(flatten)]
    pub item: PublicItem,
    pub listing_id: Uuid,
    pub version: i32,
    pub status: ListingStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<RemovalReason>,
}
