#![forbid(unsafe_code)]
//! `shixin`: one binary for the service and its operations (API.md "Command line").

use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use shixin::{auth::jwt, config::Settings, db, startup::Application, telemetry};

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
    Serve,
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
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Openapi => {
            println!("{}", shixin::startup::openapi().to_pretty_json()?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve => {
            let settings = Settings::from_env()?;
            telemetry::init(settings.log_format);
            let app = Application::build(settings).await?;
            tracing::info!(port = app.port(), "shixin is serving");
            app.run_until_stopped().await?;
            tracing::info!("shixin stopped");
            Ok(ExitCode::SUCCESS)
        }
        Command::Tick => {
            let settings = Settings::from_env()?;
            let state = shixin::startup::AppState::new(settings).await?;
            let r = shixin::tick::run(&state)
                .await
                .map_err(|e| anyhow::anyhow!("tick failed: {e}"))?;
            println!(
                "published {} pending listings, expired {} listings, ended {} releases",
                r.published, r.expired, r.releases_ended
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let settings = Settings::from_env()?;
            let n = db::migrate(settings.database_url.expose()).await?;
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
            let settings = Settings::from_env()?;
            let pool = db::build_pool(settings.database_url.expose(), 1)?;
            let mut conn = pool.get().await.context("connecting to the database")?;
            match shixin::audit::verify(&mut conn).await? {
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
