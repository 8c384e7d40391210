//! `shixin import listings FILE`: read and validate every line (a blocking thread) while the valid
//! ones stream into a staging table by binary COPY; check the staged lines against the database;
//! then, in the same transaction, insert the listings, their persons, the orders of the active
//! ones (R1, R3) and, unless `--no-events`, their events; one audit row; commit. Any bad line: a
//! report of all of them, a rollback, nothing imported.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use serde_json::json;
use tokio::sync::mpsc;

use super::{
    Entity, Format, Phases, bar,
    dedup::Seen,
    line::{Context, Staged, stage},
    phase,
    read::{self, FileSummary},
    report::BadLine,
    stage as st,
};
use crate::{
    audit::{Actor, Change},
    db::bulk::{self as db, orders::Targets},
    domain::{listing_rules::ListingStatus, today_cst},
};

pub struct Options {
    pub path: PathBuf,
    pub format: Format,
    pub events: bool,
    pub quiet: bool,
    pub actor: Actor,
}

/// What an import did, or every bad line when it did nothing.
pub enum Outcome {
    Imported(Summary),
    Rejected(Vec<BadLine>),
}

#[derive(Debug, serde::Serialize)]
pub struct Summary {
    pub listings: u64,
    /// The time of each phase (not audited).
    #[serde(skip)]
    pub timings: String,
    pub by_status: BTreeMap<String, u64>,
    pub restriction_orders: u64,
    pub persons: u64,
    pub events: u64,
    pub sha256: String,
}

const BATCH: usize = 2_000;

/// The blocking half: reads, validates and sends batches of valid lines; returns the bad ones.
fn validate_file(
    opts: (PathBuf, Format),
    ctx: Arc<Context>,
    bar: indicatif::ProgressBar,
    tx: mpsc::Sender<Vec<Staged>>,
) -> anyhow::Result<(Vec<BadLine>, FileSummary)> {
    let mut bad = Vec::new();
    let mut seen = Seen::default();
    let mut batch = Vec::with_capacity(BATCH);
    let mut closed = false;
    let summary = read::for_each(&opts.0, opts.1, Entity::Listings, &bar, |line, record| {
        let staged = record
            .map_err(|b| vec![b])
            .and_then(|v| stage(&ctx, line, &v));
        match staged {
            Ok(s) => {
                let dups = seen.check(&s);
                if dups.is_empty() {
                    batch.push(s);
                } else {
                    bad.extend(dups);
                }
            }
            Err(b) => bad.extend(b),
        }
        if batch.len() >= BATCH && !closed {
            closed = tx.blocking_send(std::mem::take(&mut batch)).is_err();
        }
    })?;
    if !batch.is_empty() && !closed {
        let _ = tx.blocking_send(batch);
    }
    Ok((bad, summary))
}

fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

pub async fn import_listings(url: &str, opts: Options) -> anyhow::Result<Outcome> {
    let started = std::time::Instant::now();
    let mut client = super::connect(url).await?;
    let tx = client.transaction().await?;
    let now = micros(Utc::now());
    let courts = db::courts::names(&tx).await?;
    let ctx = Arc::new(Context {
        today: today_cst(),
        now,
        courts,
        events: opts.events,
    });
    let size = read::size(&opts.path)?;
    db::import::create_staging(&tx, size).await?;

    let reading = bar(
        opts.quiet,
        Some(size),
        "{spinner} [{elapsed_precise}] reading and validating {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, eta {eta})",
    );
    let (send, mut recv) = mpsc::channel::<Vec<Staged>>(8);
    let validator = {
        let (ctx, bar, file) = (
            ctx.clone(),
            reading.clone(),
            (opts.path.clone(), opts.format),
        );
        tokio::task::spawn_blocking(move || validate_file(file, ctx, bar, send))
    };
    let mut writer = std::pin::pin!(db::import::copy_listings(&tx).await?);
    let mut persons: Vec<(i64, String, String, String)> = Vec::new();
    let mut documents: Vec<(String, String, String)> = Vec::new();
    let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
    while let Some(batch) = recv.recv().await {
        for s in batch {
            st::write_listing(writer.as_mut(), &s)
                .await
                .context("staging the listings")?;
            *by_status.entry(s.status.code().to_string()).or_default() += 1;
            for p in s.persons {
                let folded = if p.name == s.values.debtor_name {
                    s.values.name_folded.clone()
                } else {
                    crate::domain::name::fold_name(&p.name)
                };
                documents.extend(
                    p.documents
                        .into_iter()
                        .map(|(t, n)| (p.id_number.clone(), t, n)),
                );
                persons.push((
                    i64::try_from(s.line).unwrap_or(0),
                    p.id_number,
                    p.name,
                    folded,
                ));
            }
        }
    }
    let (mut bad, summary) = validator.await.context("the validating thread")??;
    let read_secs = started.elapsed().as_secs_f64();
    writer.finish().await.context("staging the listings")?;
    reading.finish_and_clear();

    let mut step = Phases::new(phase(opts.quiet));
    step.done
        .push(("read, validate and stage".into(), read_secs));
    step.start("check", "checking against the database");
    bad.extend(st::conflicts(&tx).await?);
    if !bad.is_empty() {
        step.end();
        tx.rollback().await?;
        return Ok(Outcome::Rejected(bad));
    }
    step.start("persons", format!("staging {} persons", persons.len()));
    db::import::stage_persons(&tx, &persons).await?;
    db::import::stage_documents(&tx, &documents).await?;

    let listings: u64 = by_status.values().sum();
    let active = by_status
        .get(ListingStatus::Active.code())
        .copied()
        .unwrap_or(0);
    let deferred = db::first_load::defer_indexes(&tx, db::import::FILLED_TABLES).await?;
    step.start("listings", format!("writing {listings} listings"));
    db::import::insert_listings(&tx, now)
        .await
        .context("writing the listings")?;

    step.start("persons upsert", "writing persons");
    let persons = db::import::upsert_persons(&tx, now, &deferred)
        .await
        .context("writing the persons")?;
    step.start("orders", "deriving restriction orders (R1, R3)");
    crate::orders::bulk::derive_orders(&tx, Targets::Import, now)
        .await
        .context("deriving restriction orders")?;
    let events = if opts.events {
        step.start("events", "writing events and webhook deliveries");
        db::import::insert_events(&tx, now, &crate::orders::all_items())
            .await
            .context("writing events")?;
        // listing.published and restriction.imposed for each active listing
        2 * active
    } else {
        0
    };
    if !deferred.tables.is_empty() {
        let tables = deferred.tables.join(", ");
        step.start("indexes", format!("a first load: indexing {tables}"));
        db::first_load::rebuild(&tx, &deferred)
            .await
            .context("building the indexes")?;
    }
    let summary = Summary {
        listings,
        restriction_orders: active,
        timings: String::new(),
        by_status,
        persons,
        events,
        sha256: summary.sha256,
    };
    let file_name = opts
        .path
        .file_name()
        .map(|f| f.to_string_lossy().to_string());
    let after = json!({"file": file_name, "format": opts.format.as_str(), "no_events": !opts.events,
                       "records": summary.listings, "summary": &summary});
    let change = Change::new("import", "listings", &summary.sha256).after(&after);
    super::audit::append(&tx, &opts.actor, &change).await?;
    step.start("commit", "committing");
    tx.commit().await.context("committing the import")?;
    step.end();
    let summary = Summary {
        timings: step.describe(),
        ..summary
    };
    Ok(Outcome::Imported(summary))
}
