//! `shixin export listings|courts`: the published fields (`ListingOut`, the court rows) as NDJSON or
//! CSV, streamed from a server-side cursor inside one read-only snapshot.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use tokio_postgres::IsolationLevel;

use super::{Format, bar, columns};
use crate::{
    db::bulk::export as stored, domain::listing_rules::ListingStatus, listings::view::to_out,
};

pub struct Options {
    pub format: Format,
    /// `None` or `-`: standard output.
    pub output: Option<PathBuf>,
    /// Only listings with these statuses (all when empty).
    pub statuses: Vec<String>,
    pub quiet: bool,
}

const PAGE: i32 = 5_000;

/// Standard output, or the file.
pub fn output(path: Option<&PathBuf>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) if p.as_os_str() != "-" => Box::new(std::io::BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        _ => Box::new(std::io::BufWriter::with_capacity(
            1 << 20,
            std::io::stdout(),
        )),
    })
}

/// One record in the chosen format.
pub enum Sink {
    Ndjson(Box<dyn Write>),
    Csv(Box<csv::Writer<Box<dyn Write>>>),
}

impl Sink {
    pub fn new(format: Format, out: Box<dyn Write>, header: &[&str]) -> anyhow::Result<Sink> {
        Ok(match format {
            Format::Ndjson => Sink::Ndjson(out),
            Format::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(header)?;
                Sink::Csv(Box::new(w))
            }
        })
    }

    /// Writes `item`: as it serialises (NDJSON), or as the CSV row `row` makes of its JSON.
    pub fn write<T: serde::Serialize>(
        &mut self,
        item: &T,
        row: impl FnOnce(&serde_json::Value) -> Vec<String>,
    ) -> anyhow::Result<()> {
        match self {
            Sink::Ndjson(w) => {
                serde_json::to_writer(&mut *w, item)?;
                w.write_all(b"\n")?;
            }
            Sink::Csv(w) => w.write_record(row(&serde_json::to_value(item)?))?,
        }
        Ok(())
    }

    pub fn finish(self) -> anyhow::Result<()> {
        match self {
            Sink::Ndjson(mut w) => w.flush()?,
            Sink::Csv(mut w) => w.flush()?,
        }
        Ok(())
    }
}

/// Writes the listings; returns how many.
pub async fn export_listings(url: &str, opts: Options) -> anyhow::Result<u64> {
    for s in &opts.statuses {
        ListingStatus::parse(s).map_err(|e| anyhow::anyhow!("--status: {}", e.message))?;
    }
    let mut client = super::connect(url).await?;
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let total = stored::count(&tx, &opts.statuses).await?;
    let progress = bar(
        opts.quiet,
        Some(u64::try_from(total).unwrap_or(0)),
        "{spinner} [{elapsed_precise}] exporting {wide_bar} {pos}/{len} listings ({per_sec}, eta {eta})",
    );
    let mut sink = Sink::new(
        opts.format,
        output(opts.output.as_ref())?,
        &columns::LISTING_COLUMNS,
    )?;
    let portal = stored::open(&tx, &opts.statuses).await?;
    let mut n = 0;
    loop {
        let rows = stored::next(&tx, &portal, PAGE).await?;
        if rows.is_empty() {
            break;
        }
        for l in &rows {
            sink.write(&to_out(l)?, columns::listing_row)?;
        }
        n += rows.len() as u64;
        progress.inc(rows.len() as u64);
    }
    sink.finish()?;
    tx.commit().await?;
    progress.finish_and_clear();
    Ok(n)
}
