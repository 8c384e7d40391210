//! `shixin export corrections`: the listed party's correction applications (L13) for the courts'
//! own statistics, read page by page inside one read-only snapshot. NDJSON carries each
//! application as the court API shows it, except that the applicant's ID number is masked (L10:
//! a statistics file travels further than the API answer); CSV has one row per application with its
//! dates, outcomes and the days each decision took.

use anyhow::Context;
use serde_json::{Value, json};

use super::{
    Format, bar,
    columns::cell,
    export::{Options, Sink, output},
};
use crate::{
    corrections::view::to_out,
    db::models::correction::{CorrectionFilter, CorrectionRow},
    domain::{correction::CorrectionStatus, id_number::IdNumber},
};

const PAGE: i64 = 1_000;

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

/// The application as exported: the court view, with the applicant's ID number masked.
fn exported(r: &CorrectionRow) -> anyhow::Result<Value> {
    let mut v = serde_json::to_value(to_out(r).map_err(|e| anyhow::anyhow!("{}", e.detail))?)?;
    if let Some(applicant) = v.get_mut("applicant").and_then(Value::as_object_mut)
        && let Some(full) = applicant.remove("id_number")
    {
        let masked = full
            .as_str()
            .and_then(|s| IdNumber::parse(s).ok())
            .map(|id| id.masked());
        applicant.insert("id_number_masked".into(), json!(masked));
    }
    Ok(v)
}

fn days(from: Option<&Value>, to: Option<&Value>) -> Value {
    let date = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
    };
    match (date(from), date(to)) {
        (Some(a), Some(b)) => json!((b - a).num_days()),
        _ => Value::Null,
    }
}

/// One CSV row of an exported application.
pub fn correction_row(v: &Value) -> Vec<String> {
    let d = &v["decision"];
    let r = &v["reconsideration"];
    let applicant_kind = if v["applicant"].get("credit_code").is_some() {
        "organization"
    } else {
        "person"
    };
    let row = json!({
        "id": v["id"], "listing_id": v["listing_id"], "court_code": v["court_code"],
        "status": v["status"], "grounds": v["grounds"], "applicant_kind": applicant_kind,
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

/// Writes the applications (with one of `opts.statuses`, all when empty); returns how many.
pub async fn export_corrections(url: &str, opts: Options) -> anyhow::Result<u64> {
    let statuses = opts
        .statuses
        .iter()
        .map(|s| CorrectionStatus::parse(s).map_err(|e| anyhow::anyhow!("--status: {}", e.message)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let pool = crate::db::build_pool(url, 1)?;
    let mut conn = pool.get().await.context("connecting to the database")?;
    let progress = bar(
        opts.quiet,
        None,
        "{spinner} [{elapsed_precise}] exporting {pos} correction applications ({per_sec})",
    );
    let format: Format = opts.format;
    let mut sink = Sink::new(format, output(opts.output.as_ref())?, &CORRECTION_COLUMNS)?;
    // One read-only snapshot for the whole file (begun here, not in a closure: the sink is not Send).
    crate::db::begin(&mut conn).await?;
    let written = write_all(&mut conn, statuses, &mut sink, &progress).await;
    crate::db::rollback(&mut conn).await?;
    let n = written?;
    sink.finish()?;
    progress.finish_and_clear();
    Ok(n)
}

/// Every application of `statuses` (all when empty), a page at a time, in id order per status.
async fn write_all(
    conn: &mut diesel_async::AsyncPgConnection,
    statuses: Vec<CorrectionStatus>,
    sink: &mut Sink,
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<u64> {
    crate::db::read_only_snapshot(conn).await?;
    let passes: Vec<Option<CorrectionStatus>> = if statuses.is_empty() {
        vec![None]
    } else {
        statuses.into_iter().map(Some).collect()
    };
    let mut n = 0u64;
    for status in passes {
        let mut filter = CorrectionFilter {
            courts: None,
            listing_id: None,
            status,
            overdue_on: None,
            after: None,
        };
        loop {
            let rows = CorrectionRow::page(conn, &filter, PAGE).await?;
            let Some(last) = rows.last() else { break };
            filter.after = Some(last.id);
            for r in &rows {
                sink.write(&exported(r)?, correction_row)?;
            }
            n += rows.len() as u64;
            progress.inc(rows.len() as u64);
        }
    }
    Ok(n)
}
