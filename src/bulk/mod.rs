//! `shixin import` and `shixin export` (docs/API.md "Command line", docs/BULK.md): listings and
//! courts as NDJSON or CSV. An import validates every line with the rules of the API (one report of
//! every bad line), then loads the whole file in one transaction or nothing; an export streams from
//! a server-side cursor. Both show progress on stderr.

pub mod audit;
pub mod cli;
pub mod columns;
pub mod courts;
pub mod csvrow;
pub mod dedup;
pub mod export;
pub mod import;
pub mod line;
pub mod publish;
pub mod read;
pub mod remedies;
pub mod removal;
pub mod report;
pub mod service;
pub mod stage;

use std::path::Path;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use tokio_postgres::Client;

/// The file formats of docs/BULK.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per line (the API's shapes).
    Ndjson,
    /// A header line, then one row per record (the columns of docs/BULK.md).
    Csv,
}

impl Format {
    /// The format asked for, or the one the file name says (`.csv`; `.ndjson`, `.jsonl`, `.json`).
    pub fn of(path: Option<&Path>, explicit: Option<Format>) -> anyhow::Result<Format> {
        if let Some(f) = explicit {
            return Ok(f);
        }
        let ext = path
            .and_then(Path::extension)
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Ok(Format::Csv),
            Some("ndjson" | "jsonl" | "json") => Ok(Format::Ndjson),
            None if path.is_none() => Ok(Format::Ndjson),
            _ => {
                anyhow::bail!("cannot tell the format from the file name: pass --format ndjson|csv")
            }
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Format::Ndjson => "ndjson",
            Format::Csv => "csv",
        }
    }
}

/// What a bulk command moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Entity {
    Listings,
    Courts,
}

/// What `shixin export` writes: what `import` moves, and the listed party's applications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportEntity {
    Listings,
    Courts,
    /// Correction applications and their reconsideration (L13).
    Corrections,
    /// Credit-repair applications (L16).
    CreditRepairs,
}

/// A progress bar on stderr (hidden with `--quiet`, and by indicatif when stderr is no terminal).
pub fn bar(quiet: bool, len: Option<u64>, template: &str) -> ProgressBar {
    let bar = match (quiet, len) {
        (true, _) => ProgressBar::hidden(),
        (false, Some(n)) => ProgressBar::new(n),
        (false, None) => ProgressBar::new_spinner(),
    };
    bar.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// A spinner naming the current phase, with the time spent.
pub fn phase(quiet: bool) -> ProgressBar {
    let b = bar(quiet, None, "{spinner} [{elapsed_precise}] {msg}");
    b.enable_steady_tick(std::time::Duration::from_millis(200));
    b
}

/// The time each phase of a command took (printed at the end: where a load spends its time).
pub struct Phases {
    current: Option<(String, std::time::Instant)>,
    pub done: Vec<(String, f64)>,
    bar: ProgressBar,
}

impl Phases {
    pub fn new(bar: ProgressBar) -> Phases {
        Phases {
            current: None,
            done: Vec::new(),
            bar,
        }
    }

    /// Ends the current phase and starts `name` (shown on the spinner as `message`).
    pub fn start(&mut self, name: &str, message: impl Into<String>) {
        self.end();
        self.bar.set_message(message.into());
        self.current = Some((name.to_string(), std::time::Instant::now()));
    }

    /// Ends the current phase and clears the spinner.
    pub fn end(&mut self) {
        if let Some((name, t)) = self.current.take() {
            self.done.push((name, t.elapsed().as_secs_f64()));
        }
        self.bar.finish_and_clear();
    }

    /// `read 40.1 s, check 1.2 s, …`
    pub fn describe(&self) -> String {
        self.done
            .iter()
            .map(|(n, s)| format!("{n} {s:.1} s"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A tokio-postgres connection (COPY and server-side cursors), its driver spawned.
pub async fn connect(url: &str) -> anyhow::Result<Client> {
    let (client, _driver) = crate::db::connect::open(url, |e| {
        tracing::warn!(error = %e, "database connection ended");
    })
    .await
    .context("connecting to PostgreSQL")?;
    Ok(client)
}
