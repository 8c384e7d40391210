#![forbid(unsafe_code)]
//! `shixin`: one binary for the service and its operations (docs/API.md "Command line").

use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use shixin::{
    auth::jwt, bulk::cli, config::Settings, db, local::LocalServices, startup::Application,
    telemetry,
};

/// mimalloc: the batch checks allocate and free many small objects per request; glibc's malloc
/// spent a quarter of the service's CPU on them (perf, bench/checks).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "shixin",
    version,
    about = "失信被执行人名单 publication service"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the API, the public page and the background workers.
    Serve {
        /// On a database without listings: seed SHIXIN_DEMO_LISTINGS synthetic listings (default
        /// 100000) with their courts, create an airline subscriber, and print once, in a box, the
        /// page and docs URLs, court, supervisor and admin tokens, the airline's client id and
        /// secret, and a curl line to try. On a database with listings it seeds nothing and says so.
        /// Development only (refused in production).
        #[arg(long)]
        demo: bool,
    },
    /// Create the database if missing and run pending migrations.
    Migrate,
    /// Print a token that the running configuration accepts.
    Token {
        /// court, supervisor, admin or subscriber
        #[arg(long)]
        role: String,
        /// The court code of a court or supervisor token (`京0105`).
        #[arg(long)]
        court: Option<String>,
        /// The subject (`sub`); defaults to `cli-<role>`.
        #[arg(long)]
        sub: Option<String>,
        /// The sector of a subscriber token.
        #[arg(long)]
        sector: Option<String>,
        /// Lifetime, e.g. `30m`, `1h`, `7d`.
        #[arg(long, default_value = "1h")]
        ttl: String,
    },
    /// Run the time-driven changes that are due now (publications, expiries, releases).
    Tick,
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Run only the embedded PostgreSQL cluster (in `SHIXIN_DATA_DIR`) until SIGINT or SIGTERM, and
    /// print its URL: for `psql`, and for the tests on a machine where no PostgreSQL server runs.
    Postgres,
    /// Bulk-load realistic synthetic listings (development and benchmarks only).
    ///
    /// Writes the listings, the intermediate and basic courts they use (when missing), and what
    /// publishing them implies (R1, R3): for each active listing an active restriction order with
    /// every item and its subjects, the `persons` rows those orders bind, and a passport for about
    /// one active person debtor in five. It writes no audit rows, events (so no webhook deliveries)
    /// or idempotency keys, and replaces the cache epoch at the end. See `src/seed/mod.rs`.
    Seed {
        /// How many listings to add.
        #[arg(long, default_value_t = 10_000)]
        listings: u64,
        /// Seed of the random generator (the same seed on an empty database gives the same data).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
    },
    /// Load listings or courts from an NDJSON or CSV file (docs/BULK.md): every line is validated
    /// as the API would; any bad line is reported (line, reason) and nothing is imported.
    Import(cli::ImportArgs),
    /// Write listings or courts as NDJSON or CSV (the published fields, docs/BULK.md).
    Export(cli::ExportArgs),
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain; exit non-zero naming the first bad row.
    Verify,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        // docs/API.md "Configuration": no server binaries for the embedded cluster is exit 2.
        Err(e) if e.downcast_ref::<db::embedded::NoServerBinaries>().is_some() => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Postgres => {
            let settings = Settings::from_env()?;
            telemetry::init(settings.log_format);
            let dir = settings.data_dir.clone();
            let cluster =
                tokio::task::spawn_blocking(move || db::embedded::EmbeddedCluster::start(&dir))
                    .await??;
            println!("{}", cluster.url());
            stop_requested().await?;
            tokio::task::spawn_blocking(move || drop(cluster)).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Openapi => {
            println!("{}", shixin::router::openapi().to_pretty_json()?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { demo } => {
            let settings = Settings::from_env()?;
            telemetry::init(settings.log_format);
            serve(settings, demo).await?;
            tracing::info!("shixin stopped");
            Ok(ExitCode::SUCCESS)
        }
        Command::Tick => {
            let r = on_database(async |settings| {
                let state = shixin::app::AppState::new(settings.clone()).await?;
                shixin::tick::run(&state).await.context("tick failed")
            })
            .await?;
            println!(
                "published {} pending listings, expired {} listings, ended {} releases, lifted {} orders whose period ended",
                r.published, r.expired, r.releases_ended, r.orders_period_ended
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Seed {
            listings,
            seed,
            quiet,
        } => {
            let started = std::time::Instant::now();
            on_database(async |settings| {
                let url = settings.database_url.expose();
                db::migrate(url).await?;
                shixin::seed::seed(url, listings, seed, quiet).await?;
                // Running instances must not serve answers cached before the load.
                shixin::bulk::cli::bump_cache(settings).await;
                Ok(())
            })
            .await?;
            println!(
                "{listings} listings seeded in {:.1} s (no audit rows or events: synthetic data). Try: shixin serve, then open http://127.0.0.1:8080/?name=張偉",
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(args) => on_database(async |s| cli::import(args, s).await).await,
        Command::Export(args) => on_database(async |s| cli::export(args, s).await).await,
        Command::Migrate => {
            let n = on_database(async |s| db::migrate(s.database_url.expose()).await).await?;
            println!("{n} migrations applied");
            Ok(ExitCode::SUCCESS)
        }
        Command::Token {
            role,
            court,
            sub,
            sector,
            ttl,
        } => {
            let settings = Settings::from_env()?;
            if !matches!(
                role.as_str(),
                "court" | "supervisor" | "admin" | "subscriber"
            ) {
                anyhow::bail!("--role is court, supervisor, admin or subscriber");
            }
            if matches!(role.as_str(), "court" | "supervisor") {
                let c = court
                    .as_deref()
                    .context("a court or supervisor token needs --court")?;
                shixin::domain::court_code::CourtCode::parse(c)
                    .map_err(|e| anyhow::anyhow!("--court: {}", e.message))?;
            }
            let ttl = shixin::config::parse_duration(&ttl)?;
            let token = jwt::mint(
                &settings,
                &jwt::MintRequest {
                    sub: sub.unwrap_or_else(|| format!("cli-{role}")),
                    role,
                    court,
                    sector,
                    subscriber_id: None,
                    ttl_secs: i64::try_from(ttl.as_secs()).unwrap_or(3600),
                },
            )?;
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let verified = on_database(async |settings| {
                let pool = db::build_pool(settings.database_url.expose(), 1)?;
                let mut conn = pool.get().await.context("connecting to the database")?;
                shixin::audit::verify(&mut conn).await
            })
            .await?;
            match verified {
                Ok(n) => {
                    println!("audit trail intact: {n} rows verified");
                    Ok(ExitCode::SUCCESS)
                }
                Err(msg) => {
                    eprintln!("audit trail broken: {msg}");
                    Ok(ExitCode::from(2))
                }
            }
        }
    }
}

/// The settings with the database and Redis settled (`shixin::local`): the embedded cluster when
/// no `DATABASE_URL` is set and none answers at the default address. Stop the services after use.
async fn with_database(mut settings: Settings) -> anyhow::Result<(Settings, LocalServices)> {
    let local = shixin::local::prepare(&mut settings).await?;
    Ok((settings, local))
}

/// Runs `work` on the settled settings of the environment, then stops what `shixin::local`
/// started for it (the embedded cluster this process owns), whether `work` succeeded or not.
async fn on_database<T>(
    work: impl AsyncFnOnce(&Settings) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let (settings, local) = with_database(Settings::from_env()?).await?;
    let done = work(&settings).await;
    local.stop().await;
    done
}

/// SIGINT (Ctrl-C) or SIGTERM, whichever comes first.
async fn stop_requested() -> anyhow::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r?,
        _ = term.recv() => {}
    }
    Ok(())
}

/// `serve [--demo]`. SIGINT and SIGTERM are taken from the first moment: one that arrives while
/// the service starts (the embedded cluster's start, `--demo`'s seeding) ends the start and stops the
/// cluster, instead of killing the process with its cluster left running.
async fn serve(settings: Settings, demo: bool) -> anyhow::Result<()> {
    let (app, local) = tokio::select! {
        started = start(settings, demo) => started?,
        stop = stop_requested() => {
            tracing::info!("stopped while starting");
            return stop;
        }
    };
    let served = app.run_until_stopped().await;
    local.stop().await;
    served?;
    Ok(())
}

/// Settles the database (`shixin::local`), with `--demo` migrates and seeds (`src/seed/demo.rs`),
/// builds the application and, with `--demo`, prints the box once the port is known.
async fn start(settings: Settings, demo: bool) -> anyhow::Result<(Application, LocalServices)> {
    use shixin::seed::demo::{self, Demo};
    let (settings, local) = with_database(settings).await?;
    let seeded = if demo {
        db::migrate(settings.database_url.expose()).await?;
        Some(demo::prepare(&settings).await?)
    } else {
        None
    };
    let bind = settings.bind;
    let app = Application::build(settings).await?;
    match seeded {
        Some(Demo::Seeded(creds)) => {
            println!(
                "{}",
                demo::banner(&creds, &demo::base_url(bind, app.port()))
            );
        }
        Some(Demo::NotEmpty { listings }) => println!("{}", demo::not_empty(listings)),
        None => {}
    }
    tracing::info!(port = app.port(), "shixin is serving");
    Ok((app, local))
}
