//! Query and answer of `GET /v1/indicators`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::principal::Role;

#[derive(Debug, Deserialize, IntoParams)]
pub struct IndicatorsQuery {
    /// First day of the flows, `YYYY-MM-DD` (CST, years 1990–2199); default 29 days before `to`.
    pub from: Option<String>,
    /// Last day of the flows, `YYYY-MM-DD` (CST), at most 3 years after `from`; default today.
    pub to: Option<String>,
    /// `day`, `week` (Monday to Sunday) or `month` (default).
    pub period: Option<String>,
    /// Only this court and the courts under it (it must be in the caller's scope).
    pub court: Option<String>,
    /// Only the courts of this province (full name, `北京市`).
    pub province: Option<String>,
}

/// Listings by status (docs/LAW.md L6, L7, L11), now.
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct ListingCounts {
    pub pending: i64,
    pub active: i64,
    pub removed: i64,
    pub expired: i64,
    pub revoked: i64,
}

/// Restriction orders (listing-bound and standalone) by status, now.
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct OrderCounts {
    pub active: i64,
    pub lifted: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CourtIndicators {
    pub court_code: String,
    pub court_name: String,
    pub province: String,
    pub listings: ListingCounts,
    pub orders: OrderCounts,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProvinceIndicators {
    pub province: String,
    pub courts: i64,
    pub listings: ListingCounts,
    pub orders: OrderCounts,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Totals {
    pub listings: ListingCounts,
    pub orders: OrderCounts,
}

/// The flows of one period, clipped to `from`..`to` (both inclusive).
#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodIndicators {
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Listings decided (`decided_on`) in the period, pending ones included.
    pub new_listings: i64,
    /// Listings ended in the period (CST date of `removal.removed_at`), by reason code (L3, L5, L6,
    /// L7); every reason is present.
    pub removals: BTreeMap<String, i64>,
    /// Early deletions after credit repair (信用修复, L3 `early_deletion`).
    pub credit_repairs: i64,
}

/// Listings of one court that missed a deadline: how many, and the first 20 ids.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CourtDeadline {
    pub court_code: String,
    pub court_name: String,
    pub count: i64,
    pub listing_ids: Vec<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Deadlines {
    /// L5: working days allowed between the removal event and the deletion.
    pub removal_working_days: u32,
    /// L5, L6: listings ended in the period with an L5 reason or by expiry, deleted more than 3
    /// working days after their event (`removal.event_on`; for an expiry, `expires_on`).
    pub removed_late: Vec<CourtDeadline>,
    /// L5, L6: such listings ended in the period whose event date is unknown (not counted late).
    pub unknown_event_date: i64,
    /// L11: listings with a grace period published in the period on a CST date after
    /// `grace_until` (the tick publishes on that day; a whole day is allowed).
    pub published_late: Vec<CourtDeadline>,
    /// L11: listings still pending now although `grace_until` has passed (should be public).
    pub pending_overdue: Vec<CourtDeadline>,
    /// L14: listings published (active now) whose decision's service is not recorded.
    pub unserved: Vec<CourtDeadline>,
    /// L15: Art. 8 notices the service still owes (pending, or failed after every retry), counted
    /// per court with the first 20 listings.
    pub notices_outstanding: Vec<CourtDeadline>,
    /// L15: notices to recipients that have no subscriber here (the court notifies by other means).
    pub notices_unregistered: Vec<CourtDeadline>,
    /// False when a date measured falls in a year without a holiday notice in the calendar, where
    /// Monday–Friday is assumed (src/domain/calendar.rs).
    pub calendar_covered: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Scope {
    /// `supervisor` or `admin`.
    #[schema(value_type = String)]
    pub role: Role,
    /// The supervisor's court, or the `court` asked for.
    pub court_code: Option<String>,
    pub province: Option<String>,
    /// How many courts the answer covers.
    pub courts: i64,
}

/// Indicators for supervising courts (挂图作战): the state of listings and orders by court and
/// province, the flows per period and the deadlines of L5, L6 and L11.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorsOut {
    pub as_of: DateTime<Utc>,
    pub scope: Scope,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `day`, `week` or `month`.
    pub period: String,
    pub totals: Totals,
    /// Courts of the scope that have listings or orders, by code.
    pub by_court: Vec<CourtIndicators>,
    pub by_province: Vec<ProvinceIndicators>,
    pub periods: Vec<PeriodIndicators>,
    pub deadlines: Deadlines,
    /// The listed party's applications (L13): flows, open ones and those past a due date.
    pub remedies: super::remedies::Remedies,
}
