//! The `import` and `export` subcommands as `main.rs` runs them: settings, migration, the work,
//! the cache epoch, what is printed and the exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::db::models::{correction::CorrectionRow, credit_repair::CreditRepairRow};

use super::{Entity, ExportEntity, Format, courts, export, import, remedies, report};
use crate::{audit::Actor, config::Settings};

/// Replaces the Redis cache epoch after a bulk load, so running instances serve nothing stale.
pub async fn bump_cache(settings: &Settings) {
    let url = settings.database_url.expose();
    let cache = crate::cache::Cache::connect(
        settings.redis_url.as_deref(),
        &crate::app::database_name(url),
    );
    let bumped = match cache {
        Ok(c) => settings.redis_url.is_none() || c.bump_epoch().await,
        Err(_) => false,
    };
    if !bumped {
        eprintln!("warning: Redis did not answer; restart running instances to drop their cache");
    }
}

/// `shixin import listings|courts FILE …`
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[arg(value_enum)]
    pub entity: Entity,
    /// The file to load.
    pub file: PathBuf,
    /// ndjson or csv (default: from the file name).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write no events (a first load: subscribers then take a snapshot).
    #[arg(long)]
    pub no_events: bool,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Also write every bad line to this file (NDJSON).
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Who runs the import, for the audit row (`cli:<actor>`).
    #[arg(long, env = "USER", default_value = "operator")]
    pub actor: String,
}

fn actor(name: &str) -> Actor {
    Actor {
        sub: format!("cli:{name}"),
        role: "operator".into(),
        court: None,
    }
}

pub async fn import(args: ImportArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
    let url = settings.database_url.expose();
    crate::db::migrate(url).await?;
    let format = Format::of(Some(&args.file), args.format)?;
    let started = std::time::Instant::now();
    let actor = actor(&args.actor);
    let mut extra = String::new();
    let result = match args.entity {
        Entity::Courts => courts::import(url, &args.file, format, args.quiet, &actor)
            .await?
            .map(|n| format!("{n} courts imported")),
        Entity::Listings => {
            let opts = import::Options {
                path: args.file.clone(),
                format,
                events: !args.no_events,
                quiet: args.quiet,
                actor,
            };
            match import::import_listings(url, opts).await? {
                import::Outcome::Rejected(bad) => Err(bad),
                import::Outcome::Imported(s) => {
                    extra = format!("time by phase: {}", s.timings);
                    bump_cache(settings).await;
                    let statuses: Vec<String> = s
                        .by_status
                        .iter()
                        .map(|(k, v)| format!("{v} {k}"))
                        .collect();
                    Ok(format!(
                        "{} listings imported ({}); {} restriction orders, {} persons, {} events{}",
                        s.listings,
                        statuses.join(", "),
                        s.restriction_orders,
                        s.persons,
                        s.events,
                        if args.no_events {
                            " (--no-events: subscribers take a snapshot)"
                        } else {
                            ""
                        }
                    ))
                }
            }
        }
    };
    match result {
        Ok(msg) => {
            println!("{msg} in {:.1} s", started.elapsed().as_secs_f64());
            if !extra.is_empty() {
                println!("{extra}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(mut bad) => {
            report::emit(&mut bad, args.report.as_deref())?;
            Ok(ExitCode::from(2))
        }
    }
}

/// `shixin export listings|courts …`
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[arg(value_enum)]
    pub entity: ExportEntity,
    /// ndjson or csv (default: from the --output file name, else ndjson).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// A file, or `-` for standard output (the default).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Only these statuses, comma-separated (`active,pending`).
    #[arg(long)]
    pub status: Option<String>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

pub async fn export(args: ExportArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
    let url = settings.database_url.expose();
    let to_file = args.output.as_ref().filter(|p| p.as_os_str() != "-");
    let format = match (args.format, to_file) {
        (Some(f), _) => f,
        (None, Some(p)) => Format::of(Some(p), None).unwrap_or(Format::Ndjson),
        (None, None) => Format::Ndjson,
    };
    let statuses: Vec<String> = args
        .status
        .as_deref()
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let opts = export::Options {
        format,
        output: args.output.clone(),
        statuses,
        quiet: args.quiet,
    };
    let started = std::time::Instant::now();
    let (n, what) = match args.entity {
        ExportEntity::Listings => (export::export_listings(url, opts).await?, "listings"),
        ExportEntity::Courts => (courts::export(url, opts).await?, "courts"),
        ExportEntity::Corrections => (
            remedies::export::<CorrectionRow>(url, opts).await?,
            "correction applications",
        ),
        ExportEntity::CreditRepairs => (
            remedies::export::<CreditRepairRow>(url, opts).await?,
            "credit-repair applications",
        ),
    };
    if !args.quiet {
        eprintln!(
            "{n} {what} exported in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}
