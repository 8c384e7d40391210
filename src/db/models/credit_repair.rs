//! Applications for credit repair (L16) and their queries: the decision bumps the version
//! (`If-Match`) and `updated_at`.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{
    ExpressionMethods, Insertable, OptionalExtension, QueryDsl, Queryable, Selectable,
    SelectableHelper, insert_into, result::Error,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use crate::{db::schema::credit_repairs, domain::credit_repair::CreditRepairStatus};

/// 409 `credit_repair_open`: one application per listing under review.
pub const OPEN_CREDIT_REPAIR_INDEX: &str = "credit_repairs_open_listing_uidx";

/// What a new application states (`POST /v1/listings/{id}/credit-repair`).
#[derive(Clone, Insertable)]
#[diesel(table_name = credit_repairs)]
pub struct NewCreditRepair {
    pub id: Uuid,
    pub listing_id: Uuid,
    pub court_code: String,
    pub applicant_name: String,
    pub applicant_id_number: Option<String>,
    pub applicant_credit_code: Option<String>,
    pub statement: String,
    pub received_on: NaiveDate,
}

#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = credit_repairs)]
pub struct CreditRepairRow {
    pub id: Uuid,
    pub listing_id: Uuid,
    pub court_code: String,
    pub applicant_name: String,
    pub applicant_id_number: Option<String>,
    pub applicant_credit_code: Option<String>,
    pub statement: String,
    pub received_on: NaiveDate,
    pub status: CreditRepairStatus,
    pub decision: Option<Value>,
    pub certificate_id: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Never the applicant's name or ID number.
impl std::fmt::Debug for CreditRepairRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CreditRepairRow({}, v{}, {})",
            self.id, self.version, self.status
        )
    }
}

/// Which applications a list shows (`GET /v1/credit-repairs`).
#[derive(Debug, Default)]
pub struct CreditRepairFilter {
    /// The courts in the caller's scope (none: no court filter).
    pub courts: Option<Vec<String>>,
    pub listing_id: Option<Uuid>,
    pub status: Option<CreditRepairStatus>,
    pub after: Option<Uuid>,
}

/// A decision as recorded: the status it leads to, the decision itself, the certificate a grant
/// issued.
pub struct DecisionRecorded {
    pub status: CreditRepairStatus,
    pub decision: Value,
    pub certificate_id: Option<Uuid>,
    pub version: i32,
    pub now: DateTime<Utc>,
}

impl CreditRepairRow {
    pub async fn insert(conn: &mut AsyncPgConnection, new: &NewCreditRepair) -> Result<(), Error> {
        insert_into(credit_repairs::table)
            .values((
                new,
                credit_repairs::status.eq(CreditRepairStatus::UnderReview),
                credit_repairs::version.eq(1),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }

    pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Self>, Error> {
        credit_repairs::table
            .filter(credit_repairs::id.eq(id))
            .select(Self::as_select())
            .first(conn)
            .await
            .optional()
    }

    /// Locks the row for the rest of the transaction.
    pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Self>, Error> {
        credit_repairs::table
            .filter(credit_repairs::id.eq(id))
            .select(Self::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()
    }

    /// A page of applications in id order (ids are time-ordered UUIDs: the oldest first).
    pub async fn page(
        conn: &mut AsyncPgConnection,
        f: &CreditRepairFilter,
        limit: i64,
    ) -> Result<Vec<Self>, Error> {
        let mut q = credit_repairs::table.select(Self::as_select()).into_boxed();
        if let Some(courts) = &f.courts {
            q = q.filter(credit_repairs::court_code.eq_any(courts.clone()));
        }
        if let Some(l) = f.listing_id {
            q = q.filter(credit_repairs::listing_id.eq(l));
        }
        if let Some(s) = f.status {
            q = q.filter(credit_repairs::status.eq(s));
        }
        if let Some(a) = f.after {
            q = q.filter(credit_repairs::id.gt(a));
        }
        q.order(credit_repairs::id.asc())
            .limit(limit)
            .load(conn)
            .await
    }

    /// The court's decision, the status it leads to and the certificate of a grant.
    pub async fn set_decision(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        d: DecisionRecorded,
    ) -> Result<(), Error> {
        diesel::update(credit_repairs::table.filter(credit_repairs::id.eq(id)))
            .set((
                credit_repairs::status.eq(d.status),
                credit_repairs::decision.eq(Some(d.decision)),
                credit_repairs::certificate_id.eq(d.certificate_id),
                credit_repairs::version.eq(d.version),
                credit_repairs::updated_at.eq(d.now),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }
}
