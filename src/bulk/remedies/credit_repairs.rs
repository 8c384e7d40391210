//! Credit-repair applications (L16) as `shixin export credit-repairs` writes them.

use diesel_async::AsyncPgConnection;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Exported, applicant_kind};
use crate::{
    bulk::columns::cell,
    credit_repair::view::to_out,
    db::models::credit_repair::{CreditRepairFilter, CreditRepairRow},
    domain::{DomainError, credit_repair::CreditRepairStatus},
};

/// The CSV columns of `shixin export credit-repairs`.
pub const CREDIT_REPAIR_COLUMNS: [&str; 12] = [
    "id",
    "listing_id",
    "court_code",
    "status",
    "applicant_kind",
    "received_on",
    "decided_on",
    "outcome",
    "days_to_decide",
    "keep_restriction",
    "certificate_id",
    "days_taken",
];

impl Exported for CreditRepairRow {
    type Status = CreditRepairStatus;
    const COLUMNS: &'static [&'static str] = &CREDIT_REPAIR_COLUMNS;
    const WHAT: &'static str = "credit-repair applications";

    fn parse_status(s: &str) -> Result<CreditRepairStatus, DomainError> {
        CreditRepairStatus::parse(s)
    }

    async fn page(
        conn: &mut AsyncPgConnection,
        status: Option<CreditRepairStatus>,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Self>, diesel::result::Error> {
        let filter = CreditRepairFilter {
            courts: None,
            listing_id: None,
            status,
            after,
        };
        CreditRepairRow::page(conn, &filter, limit).await
    }

    fn id(&self) -> Uuid {
        self.id
    }

    fn court_view(&self) -> anyhow::Result<Value> {
        let out = to_out(self).map_err(|e| anyhow::anyhow!("{}", e.detail))?;
        Ok(serde_json::to_value(out)?)
    }

    fn row(v: &Value) -> Vec<String> {
        let d = &v["decision"];
        let row = json!({
            "id": v["id"], "listing_id": v["listing_id"], "court_code": v["court_code"],
            "status": v["status"], "applicant_kind": applicant_kind(v),
            "received_on": v["received_on"], "decided_on": d["decided_on"],
            "outcome": d["outcome"], "days_to_decide": d["days_to_decide"],
            "keep_restriction": d["keep_restriction"], "certificate_id": v["certificate"]["id"],
            "days_taken": v["days_taken"],
        });
        CREDIT_REPAIR_COLUMNS
            .iter()
            .map(|k| cell(row.get(*k)))
            .collect()
    }
}
