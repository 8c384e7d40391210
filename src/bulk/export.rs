//! `shixin export listings|courts`: the published fields (`ListingOut`, the court rows) as NDJSON or
//! CSV, streamed from a server-side cursor inside one read-only snapshot.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use tokio_postgres::{IsolationLevel, Row};

use super::{Format, bar, columns};
use crate::{
    db::models::listing::{Listing, ListingRow},
    domain::listing_rules::ListingStatus,
    listings::view::to_out,
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

const SELECT: &str =
    "SELECT l.id, l.court_code, l.case_number, l.debtor_kind, l.debtor_key, l.debtor_name,
    l.name_folded, l.id_number, l.credit_code, l.debtor, l.associated_persons, l.filed_on,
    l.basis_document_number, l.basis_issuer, l.obligation, l.performance, l.grounds,
    l.extension_years, l.decided_on, l.grace_until, l.initiated_by, l.status, l.version,
    l.published_at, l.expires_on, l.restriction_id, l.removal, l.created_at, l.updated_at,
    c.name, c.province
  FROM listings l JOIN courts c ON c.code = l.court_code
 WHERE cardinality($1::text[]) = 0 OR l.status = ANY ($1::text[])
 ORDER BY l.id";

fn listing(r: &Row) -> Result<Listing, tokio_postgres::Error> {
    Ok(Listing {
        row: ListingRow {
            id: r.try_get(0)?,
            court_code: r.try_get(1)?,
            case_number: r.try_get(2)?,
            debtor_kind: r.try_get(3)?,
            debtor_key: r.try_get(4)?,
            debtor_name: r.try_get(5)?,
            name_folded: r.try_get(6)?,
            id_number: r.try_get(7)?,
            credit_code: r.try_get(8)?,
            debtor: r.try_get(9)?,
            associated_persons: r.try_get(10)?,
            filed_on: r.try_get(11)?,
            basis_document_number: r.try_get(12)?,
            basis_issuer: r.try_get(13)?,
            obligation: r.try_get(14)?,
            performance: r.try_get(15)?,
            grounds: r.try_get(16)?,
            extension_years: r.try_get(17)?,
            decided_on: r.try_get(18)?,
            grace_until: r.try_get(19)?,
            initiated_by: r.try_get(20)?,
            status: r.try_get(21)?,
            version: r.try_get(22)?,
            published_at: r.try_get(23)?,
            expires_on: r.try_get(24)?,
            restriction_id: r.try_get(25)?,
            removal: r.try_get(26)?,
            created_at: r.try_get(27)?,
            updated_at: r.try_get(28)?,
        },
        court_name: r.try_get(29)?,
        province: r.try_get(30)?,
    })
}

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
    let total: i64 = tx
        .query_one(
            "SELECT count(*) FROM listings WHERE cardinality($1::text[]) = 0 OR status = ANY ($1::text[])",
            &[&opts.statuses],
        )
        .await?
        .get(0);
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
    let stmt = tx.prepare(SELECT).await?;
    let portal = tx.bind(&stmt, &[&opts.statuses]).await?;
    let mut n = 0;
    loop {
        let rows = tx.query_portal(&portal, PAGE).await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            sink.write(&to_out(&listing(r)?)?, columns::listing_row)?;
        }
        n += rows.len() as u64;
        progress.inc(rows.len() as u64);
    }
    sink.finish()?;
    tx.commit().await?;
    progress.finish_and_clear();
    Ok(n)
}
