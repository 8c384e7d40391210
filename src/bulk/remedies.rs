//! `shixin export corrections|credit-repairs`: the listed party's applications (L13 correction,
//! L16 credit repair) for the courts' own statistics, read page by page inside one read-only
//! snapshot. NDJSON carries each application as the court API shows it, except that the
//! applicant's ID number is masked (L10: a statistics file travels further than the API answer);
//! CSV has one row per application with its dates, outcomes and the days each decision took (no
//! name, no ID number, no statement). Each kind is an [`Exported`] (`corrections.rs`,
//! `credit_repairs.rs`); [`export`] writes either.

mod corrections;
mod credit_repairs;

use anyhow::Context;
use diesel_async::AsyncPgConnection;
use serde_json::{Value, json};
use uuid::Uuid;

pub use corrections::CORRECTION_COLUMNS;
pub use credit_repairs::CREDIT_REPAIR_COLUMNS;

use super::{
    bar,
    export::{Options, Sink, output},
};
use crate::domain::{DomainError, id_number::IdNumber};

const PAGE: i64 = 1_000;

/// A kind of application that `shixin export` writes.
pub(crate) trait Exported: Sized {
    type Status: Copy;
    /// The CSV header.
    const COLUMNS: &'static [&'static str];
    /// What the progress bar and the summary call them.
    const WHAT: &'static str;
    fn parse_status(s: &str) -> Result<Self::Status, DomainError>;
    /// The next `limit` applications (of `status`, all when `None`) after `after`, in id order.
    async fn page(
        conn: &mut AsyncPgConnection,
        status: Option<Self::Status>,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Self>, diesel::result::Error>;
    fn id(&self) -> Uuid;
    /// The court view of the application (before the applicant's ID number is masked).
    fn court_view(&self) -> anyhow::Result<Value>;
    /// One CSV row of the exported JSON.
    fn row(v: &Value) -> Vec<String>;
}

/// The court view with `applicant.id_number` replaced by `applicant.id_number_masked`.
fn masked<T: Exported>(r: &T) -> anyhow::Result<Value> {
    let mut v = r.court_view()?;
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

/// Calendar days from the date `from` to the date `to` (both `YYYY-MM-DD`), or null.
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

fn applicant_kind(v: &Value) -> &'static str {
    if v["applicant"].get("credit_code").is_some() {
        "organization"
    } else {
        "person"
    }
}

/// Writes the applications of kind `T` (with one of `opts.statuses`, all when empty); returns
/// how many.
pub(crate) async fn export<T: Exported>(url: &str, opts: Options) -> anyhow::Result<u64> {
    let statuses = opts
        .statuses
        .iter()
        .map(|s| T::parse_status(s).map_err(|e| anyhow::anyhow!("--status: {}", e.message)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let pool = crate::db::build_pool(url, 1)?;
    let mut conn = pool.get().await.context("connecting to the database")?;
    let template = format!(
        "{{spinner}} [{{elapsed_precise}}] exporting {{pos}} {}",
        T::WHAT
    );
    let progress = bar(opts.quiet, None, &template);
    let mut sink = Sink::new(opts.format, output(opts.output.as_ref())?, T::COLUMNS)?;
    // One read-only snapshot for the whole file (begun here, not in a closure: the sink is not Send).
    crate::db::begin(&mut conn).await?;
    let written = write_all::<T>(&mut conn, statuses, &mut sink, &progress).await;
    crate::db::rollback(&mut conn).await?;
    let n = written?;
    sink.finish()?;
    progress.finish_and_clear();
    Ok(n)
}

/// Every application of `statuses` (all when empty), a page at a time, in id order per status.
async fn write_all<T: Exported>(
    conn: &mut AsyncPgConnection,
    statuses: Vec<T::Status>,
    sink: &mut Sink,
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<u64> {
    crate::db::read_only_snapshot(conn).await?;
    let passes: Vec<Option<T::Status>> = if statuses.is_empty() {
        vec![None]
    } else {
        statuses.into_iter().map(Some).collect()
    };
    let mut n = 0u64;
    for status in passes {
        let mut after = None;
        loop {
            let rows = T::page(conn, status, after, PAGE).await?;
            let Some(last) = rows.last() else { break };
            after = Some(last.id());
            for r in &rows {
                sink.write(&masked(r)?, T::row)?;
            }
            n += rows.len() as u64;
            progress.inc(rows.len() as u64);
        }
    }
    Ok(n)
}
