//! Correction applications and their reconsideration (L13) and their queries: each step bumps the
//! version (`If-Match`) and `updated_at` with the change it makes.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{
    BoolExpressionMethods, ExpressionMethods, Insertable, OptionalExtension, QueryDsl, Queryable,
    Selectable, SelectableHelper, insert_into, result::Error,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    db::schema::corrections,
    domain::correction::{CorrectionGround, CorrectionStatus, ServiceMethod},
};

/// 409 `correction_open`: one application per listing under review or in reconsideration.
pub const OPEN_CORRECTION_INDEX: &str = "corrections_open_listing_uidx";

/// What a new application states (`POST /v1/listings/{id}/corrections`).
#[derive(Clone, Insertable)]
#[diesel(table_name = corrections)]
pub struct NewCorrection {
    pub id: Uuid,
    pub listing_id: Uuid,
    pub court_code: String,
    pub applicant_name: String,
    pub applicant_id_number: Option<String>,
    pub applicant_credit_code: Option<String>,
    pub grounds: CorrectionGround,
    pub statement: String,
    pub received_on: NaiveDate,
    pub review_due_on: NaiveDate,
}

#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = corrections)]
pub struct CorrectionRow {
    pub id: Uuid,
    pub listing_id: Uuid,
    pub court_code: String,
    pub applicant_name: String,
    pub applicant_id_number: Option<String>,
    pub applicant_credit_code: Option<String>,
    pub grounds: CorrectionGround,
    pub statement: String,
    pub received_on: NaiveDate,
    pub review_due_on: NaiveDate,
    pub status: CorrectionStatus,
    pub decision: Option<Value>,
    pub served_on: Option<NaiveDate>,
    pub service_method: Option<ServiceMethod>,
    pub reconsideration_deadline: Option<NaiveDate>,
    pub reconsideration_court_code: Option<String>,
    pub reconsideration_received_on: Option<NaiveDate>,
    pub reconsideration_statement: Option<String>,
    pub reconsideration_due_on: Option<NaiveDate>,
    pub reconsideration_decision: Option<Value>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Never the applicant's name or ID number.
impl std::fmt::Debug for CorrectionRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CorrectionRow({}, v{}, {})",
            self.id, self.version, self.status
        )
    }
}

/// Which applications a list shows (`GET /v1/corrections`, `GET /v1/listings/{id}/corrections`).
#[derive(Debug, Default)]
pub struct CorrectionFilter {
    /// The courts in the caller's scope (none: no court filter).
    pub courts: Option<Vec<String>>,
    pub listing_id: Option<Uuid>,
    pub status: Option<CorrectionStatus>,
    /// Only those past a due date without the step that was due, on `today` (CST).
    pub overdue_on: Option<NaiveDate>,
    pub after: Option<Uuid>,
}

/// A reconsideration as the next higher court received it: by `court`, due on `due_on`.
pub struct ReconsiderationReceived<'a> {
    pub court: &'a str,
    pub received_on: NaiveDate,
    pub statement: &'a str,
    pub due_on: NaiveDate,
}

impl CorrectionRow {
    pub async fn insert(conn: &mut AsyncPgConnection, new: &NewCorrection) -> Result<(), Error> {
        insert_into(corrections::table)
            .values((
                new,
                corrections::status.eq(CorrectionStatus::UnderReview),
                corrections::version.eq(1),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }

    pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Self>, Error> {
        corrections::table
            .filter(corrections::id.eq(id))
            .select(Self::as_select())
            .first(conn)
            .await
            .optional()
    }

    /// Locks the row for the rest of the transaction.
    pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Self>, Error> {
        corrections::table
            .filter(corrections::id.eq(id))
            .select(Self::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()
    }

    /// A page of applications in id order (ids are time-ordered UUIDs: the oldest first).
    pub async fn page(
        conn: &mut AsyncPgConnection,
        f: &CorrectionFilter,
        limit: i64,
    ) -> Result<Vec<Self>, Error> {
        let mut q = corrections::table.select(Self::as_select()).into_boxed();
        if let Some(courts) = &f.courts {
            q = q.filter(corrections::court_code.eq_any(courts.clone()));
        }
        if let Some(l) = f.listing_id {
            q = q.filter(corrections::listing_id.eq(l));
        }
        if let Some(s) = f.status {
            q = q.filter(corrections::status.eq(s));
        }
        if let Some(today) = f.overdue_on {
            q = q.filter(
                corrections::status
                    .eq(CorrectionStatus::UnderReview)
                    .and(corrections::review_due_on.lt(today))
                    .or(corrections::status
                        .eq(CorrectionStatus::InReconsideration)
                        .and(corrections::reconsideration_due_on.lt(today))),
            );
        }
        if let Some(a) = f.after {
            q = q.filter(corrections::id.gt(a));
        }
        q.order(corrections::id.asc()).limit(limit).load(conn).await
    }

    /// A decision of the enforcing court (`decision`) and the status it leads to.
    pub async fn set_decision(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        status: CorrectionStatus,
        decision: Value,
        version: i32,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        diesel::update(corrections::table.filter(corrections::id.eq(id)))
            .set((
                corrections::status.eq(status),
                corrections::decision.eq(Some(decision)),
                corrections::version.eq(version),
                corrections::updated_at.eq(now),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }

    /// The rejection served, and the last day to apply for reconsideration.
    pub async fn set_service(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        served_on: NaiveDate,
        method: ServiceMethod,
        deadline: NaiveDate,
        version: i32,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        diesel::update(corrections::table.filter(corrections::id.eq(id)))
            .set((
                corrections::served_on.eq(Some(served_on)),
                corrections::service_method.eq(Some(method)),
                corrections::reconsideration_deadline.eq(Some(deadline)),
                corrections::version.eq(version),
                corrections::updated_at.eq(now),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }

    /// A reconsideration received: `in_reconsideration`.
    pub async fn set_reconsideration(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        r: &ReconsiderationReceived<'_>,
        version: i32,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        diesel::update(corrections::table.filter(corrections::id.eq(id)))
            .set((
                corrections::status.eq(CorrectionStatus::InReconsideration),
                corrections::reconsideration_court_code.eq(Some(r.court)),
                corrections::reconsideration_received_on.eq(Some(r.received_on)),
                corrections::reconsideration_statement.eq(Some(r.statement)),
                corrections::reconsideration_due_on.eq(Some(r.due_on)),
                corrections::version.eq(version),
                corrections::updated_at.eq(now),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }

    /// The next higher court's decision and the status it leads to.
    pub async fn set_reconsideration_decision(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        status: CorrectionStatus,
        decision: Value,
        version: i32,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        diesel::update(corrections::table.filter(corrections::id.eq(id)))
            .set((
                corrections::status.eq(status),
                corrections::reconsideration_decision.eq(Some(decision)),
                corrections::version.eq(version),
                corrections::updated_at.eq(now),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }
}
