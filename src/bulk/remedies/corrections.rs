//! Correction applications (L13) as `shixin export corrections` writes them.

use diesel_async::AsyncPgConnection;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Exported, applicant_kind, days};
use crate::{
    bulk::columns::cell,
    corrections::view::to_out,
    db::models::correction::{CorrectionFilter, CorrectionRow},
    domain::{DomainError, correction::CorrectionStatus},
};

/// The CSV columns of `shixin export corrections`.
pub const CORRECTION_COLUMNS: [&str; 21] = [
    "id",
    "listing_id",
    "court_code",
    "status",
    "grounds",
    "applicant_kind",
    "received_on",
    "review_due_on",
    "decided_on",
    "outcome",
    "late",
    "days_to_decide",
    "served_on",
    "service_method",
    "reconsideration_deadline",
    "reconsideration_court_code",
    "reconsideration_received_on",
    "reconsideration_due_on",
    "reconsideration_decided_on",
    "reconsideration_outcome",
    "reconsideration_late",
];

impl Exported for CorrectionRow {
    type Status = CorrectionStatus;
    const COLUMNS: &'static [&'static str] = &CORRECTION_COLUMNS;
    const WHAT: &'static str = "correction applications";

    fn parse_status(s: &str) -> Result<CorrectionStatus, DomainError> {
        CorrectionStatus::parse(s)
    }

    async fn page(
        conn: &mut AsyncPgConnection,
        status: Option<CorrectionStatus>,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Self>, diesel::result::Error> {
        let filter = CorrectionFilter {
            courts: None,
            listing_id: None,
            status,
            overdue_on: None,
            after,
        };
        CorrectionRow::page(conn, &filter, limit).await
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
        let r = &v["reconsideration"];
        let row = json!({
            "id": v["id"], "listing_id": v["listing_id"], "court_code": v["court_code"],
            "status": v["status"], "grounds": v["grounds"], "applicant_kind": applicant_kind(v),
            "received_on": v["received_on"], "review_due_on": v["review_due_on"],
            "decided_on": d["decided_on"], "outcome": d["outcome"], "late": d["late"],
            "days_to_decide": days(v.get("received_on"), d.get("decided_on")),
            "served_on": v["service"]["served_on"], "service_method": v["service"]["method"],
            "reconsideration_deadline": v["reconsideration_deadline"],
            "reconsideration_court_code": r["court_code"],
            "reconsideration_received_on": r["received_on"], "reconsideration_due_on": r["due_on"],
            "reconsideration_decided_on": r["decision"]["decided_on"],
            "reconsideration_outcome": r["decision"]["outcome"],
            "reconsideration_late": r["decision"]["late"],
        });
        CORRECTION_COLUMNS
            .iter()
            .map(|k| cell(row.get(*k)))
            .collect()
    }
}
