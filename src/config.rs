//! Configuration from the environment (docs/API.md "Configuration"); a `.env` file is read when
//! present.

use std::{collections::HashMap, net::SocketAddr, time::Duration};

use anyhow::{Context, bail};

use crate::secret::Secret;

/// The secret used when none is configured, so that `shixin serve` and `shixin token` agree out of the box.
/// It is in the source, so anyone can mint tokens with it: refused (like a missing or short secret)
/// in production and whenever `SHIXIN_BIND` is not a loopback address (see [`jwt_secret`]).
pub const DEVELOPMENT_JWT_SECRET: &str = "shixin-development-secret-do-not-use-in-production";
pub const MIN_SECRET_LEN: usize = 32;

#[derive(Clone, Debug)]
pub struct Settings {
    pub database_url: Secret,
    /// Where `database_url` came from: `DATABASE_URL`, the default address, or the embedded cluster
    /// (`DATABASE_URL=embedded`); `crate::local` settles the last two before anything connects.
    pub database_source: DatabaseSource,
    pub database_read_url: Option<Secret>,
    pub redis_url: Option<String>,
    /// `REDIS_URL` was not set: `redis_url` is the default address, dropped by `crate::local` when
    /// nothing answers there.
    pub redis_default: bool,
    pub bind: SocketAddr,
    pub env: String,
    pub jwt_secret: Secret,
    pub jwt_public_keys: Vec<(String, String)>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub log_format: LogFormat,
    pub max_body: usize,
    pub public_rate_limit: String,
    pub trusted_proxies: Vec<String>,
    pub webhook_timeout: Duration,
    pub webhook_retry_schedule: Vec<Duration>,
    pub webhook_disable_after: Duration,
    pub webhook_allow_private: bool,
    /// `SHIXIN_WEBHOOK_LEASE` (default 5 s): how long a machine gone silent keeps its webhook claims
    /// (the TCP keepalives of the claim connection, `worker::owner`); a killed process loses them at
    /// once.
    pub webhook_lease: Duration,
    /// `SHIXIN_WEBHOOK_CONCURRENCY`: webhooks sent to at once by this process (default 32; `0` runs
    /// no delivery worker here). Each webhook gets one request at a time, in order.
    pub webhook_concurrency: usize,
    /// `SHIXIN_HTTP_WORKERS`: HTTP worker threads (default: one per core).
    pub http_workers: usize,
    /// `SHIXIN_WEBHOOK_RETENTION`: how long delivered deliveries and their attempts are kept.
    pub webhook_retention: Duration,
    /// How often `serve` runs the time-driven changes; `None` (`off`) leaves them to `shixin tick`.
    pub tick_interval: Option<Duration>,
    /// How long the check log keeps a check.
    pub check_log_retention: Duration,
    /// `SHIXIN_CHECK_FILTER_REFRESH`: how often the in-memory set of restricted keys catches up
    /// (default 250ms); `off` sends every subject of a check to PostgreSQL.
    pub check_filter_refresh: Option<Duration>,
    /// `SHIXIN_CHECK_CONNECTIONS`: connections with prepared statements for checks (default 4).
    pub check_connections: usize,
    /// `SHIXIN_CHECK_LOG`: `durable` (default: every check's row committed before its answer) or
    /// `lossy` (opt-in: answer at once, drop rows when the writer is far behind).
    pub check_log_lossy: bool,
    /// `SHIXIN_SIGNING_KEY`: the certificate signing key's PEM file, then retired keys' files,
    /// separated by commas (`certificates::keys`). Empty: a development key under `data_dir`, or,
    /// in production, a refused start.
    pub signing_key: Vec<std::path::PathBuf>,
    /// `SHIXIN_DATA_DIR` (default `./.shixin`): what the service keeps on disk in development.
    pub data_dir: std::path::PathBuf,
    /// `SHIXIN_WATCHLIST_KEY`: the secret the watch-list hashes are keyed with (`crate::watchlist`);
    /// unset, the JWT secret. Every instance must have the same; changing it empties the lists.
    pub watchlist_key: Secret,
}

/// Where the database comes from (docs/API.md "Configuration", embedded default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatabaseSource {
    /// `DATABASE_URL` names it.
    Configured,
    /// `DATABASE_URL` is not set: the default address when a server answers there and lets us in,
    /// else the embedded cluster.
    Default,
    /// `DATABASE_URL=embedded`.
    Embedded,
}

/// The default `DATABASE_URL`.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/shixin";
/// The default `REDIS_URL`.
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

impl Settings {
    /// Reads `.env` (when present) and then the process environment.
    pub fn from_env() -> anyhow::Result<Self> {
        let _ = dotenvy::dotenv();
        let vars: HashMap<String, String> = std::env::vars().collect();
        let settings = Self::from_map(&vars)?;
        crate::watchlist::install(settings.watchlist_key.expose());
        Ok(settings)
    }

    pub fn from_map(vars: &HashMap<String, String>) -> anyhow::Result<Self> {
        let get = |k: &str| {
            vars.get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let env = parse_env(get("SHIXIN_ENV").as_deref())?;
        let production = env == "production";
        let bind: SocketAddr = get("SHIXIN_BIND")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .context("SHIXIN_BIND must be an address like 127.0.0.1:8080")?;
        let jwt_secret = jwt_secret(get("SHIXIN_JWT_SECRET"), production, bind)?;
        let watchlist_key = match get("SHIXIN_WATCHLIST_KEY") {
            Some(k) if k.len() < MIN_SECRET_LEN => {
                bail!("SHIXIN_WATCHLIST_KEY is shorter than {MIN_SECRET_LEN} characters")
            }
            Some(k) => k,
            None => jwt_secret.clone(),
        };
        let jwt_public_keys = get("SHIXIN_JWT_PUBLIC_KEYS")
            .map(|v| parse_public_keys(&v))
            .unwrap_or_default();
        let redis_url = match get("REDIS_URL") {
            Some(v) if v.eq_ignore_ascii_case("none") => None,
            Some(v) if crate::cache::sentinel_url::is_sentinel(&v) => {
                crate::cache::sentinel_url::parse(&v).context("REDIS_URL")?;
                Some(v)
            }
            Some(v) => Some(v),
            None => Some(DEFAULT_REDIS_URL.into()),
        };
        let redis_default = get("REDIS_URL").is_none();
        let database_source = match get("DATABASE_URL").as_deref() {
            None => DatabaseSource::Default,
            Some(v) if v.eq_ignore_ascii_case("embedded") => DatabaseSource::Embedded,
            Some(_) => DatabaseSource::Configured,
        };
        let log_format = match get("SHIXIN_LOG_FORMAT").as_deref() {
            Some("json") => LogFormat::Json,
            Some("pretty") | None => {
                if production && get("SHIXIN_LOG_FORMAT").is_none() {
                    LogFormat::Json
                } else {
                    LogFormat::Pretty
                }
            }
            Some(other) => bail!("SHIXIN_LOG_FORMAT must be json or pretty, not {other:?}"),
        };
        let schedule = get("SHIXIN_WEBHOOK_RETRY_SCHEDULE")
            .unwrap_or_else(|| "5s,5m,30m,2h,5h,10h,10h".into());
        let webhook_retry_schedule = schedule
            .split(',')
            .map(|s| parse_duration(s.trim()))
            .collect::<anyhow::Result<Vec<_>>>()
            .context("SHIXIN_WEBHOOK_RETRY_SCHEDULE")?;
        let duration = |k: &str, d: &str| -> anyhow::Result<Duration> {
            parse_duration(&get(k).unwrap_or_else(|| d.into())).with_context(|| k.to_string())
        };
        Ok(Settings {
            database_url: Secret::new(match database_source {
                DatabaseSource::Configured => get("DATABASE_URL").unwrap_or_default(),
                // Replaced by the cluster's URL in `crate::local::prepare`.
                DatabaseSource::Default | DatabaseSource::Embedded => DEFAULT_DATABASE_URL.into(),
            }),
            database_source,
            redis_default,
            database_read_url: get("DATABASE_READ_URL").map(Secret::new),
            redis_url,
            bind,
            jwt_secret: Secret::new(jwt_secret),
            jwt_public_keys,
            jwt_issuer: get("SHIXIN_JWT_ISSUER").unwrap_or_else(|| "shixin".into()),
            jwt_audience: get("SHIXIN_JWT_AUDIENCE").unwrap_or_else(|| "shixin".into()),
            log_format,
            max_body: match get("SHIXIN_MAX_BODY") {
                Some(v) => parse_size(&v).context("SHIXIN_MAX_BODY")?,
                None => 1024 * 1024,
            },
            public_rate_limit: get("SHIXIN_PUBLIC_RATE_LIMIT").unwrap_or_else(|| "60/min".into()),
            trusted_proxies: get("SHIXIN_TRUSTED_PROXIES")
                .map(|v| v.split(',').map(|s| s.trim().to_string()).collect())
                .unwrap_or_default(),
            webhook_timeout: duration("SHIXIN_WEBHOOK_TIMEOUT", "15s")?,
            webhook_retry_schedule,
            webhook_disable_after: duration("SHIXIN_WEBHOOK_DISABLE_AFTER", "5d")?,
            webhook_allow_private: get("SHIXIN_WEBHOOK_ALLOW_PRIVATE").as_deref() == Some("true"),
            webhook_lease: duration("SHIXIN_WEBHOOK_LEASE", "5s")?,
            http_workers: match get("SHIXIN_HTTP_WORKERS") {
                Some(v) => v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=256).contains(n))
                    .context("SHIXIN_HTTP_WORKERS must be 1 to 256")?,
                None => std::thread::available_parallelism().map_or(2, |n| n.get()),
            },
            webhook_retention: duration("SHIXIN_WEBHOOK_RETENTION", "30d")?,
            webhook_concurrency: match get("SHIXIN_WEBHOOK_CONCURRENCY") {
                Some(v) => v.parse().context("SHIXIN_WEBHOOK_CONCURRENCY")?,
                None => 32,
            },
            check_log_retention: duration("SHIXIN_CHECK_LOG_RETENTION", "180d")?,
            check_connections: match get("SHIXIN_CHECK_CONNECTIONS") {
                Some(v) => v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=64).contains(n))
                    .context("SHIXIN_CHECK_CONNECTIONS must be 1 to 64")?,
                None => 4,
            },
            check_log_lossy: match (
                get("SHIXIN_CHECK_LOG").as_deref(),
                get("SHIXIN_CHECK_LOG_FULL").as_deref(),
            ) {
                (Some("lossy"), _) => true,
                (Some("durable"), _) | (None, None | Some("wait")) => false,
                (None, Some(_)) => anyhow::bail!(
                    "SHIXIN_CHECK_LOG_FULL is replaced by SHIXIN_CHECK_LOG: every check is logged \
                     before its answer (durable, the default); SHIXIN_CHECK_LOG=lossy drops rows \
                     when the log falls behind"
                ),
                (Some(_), _) => anyhow::bail!("SHIXIN_CHECK_LOG must be durable or lossy"),
            },
            check_filter_refresh: match get("SHIXIN_CHECK_FILTER_REFRESH").as_deref() {
                Some("off") => None,
                Some(v) => Some(parse_duration(v).context("SHIXIN_CHECK_FILTER_REFRESH")?),
                None => Some(Duration::from_millis(250)),
            },
            tick_interval: match get("SHIXIN_TICK_INTERVAL").as_deref() {
                Some("off") => None,
                Some(v) => Some(parse_duration(v).context("SHIXIN_TICK_INTERVAL")?),
                None => Some(Duration::from_secs(30)),
            },
            signing_key: get("SHIXIN_SIGNING_KEY")
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(std::path::PathBuf::from)
                        .collect()
                })
                .unwrap_or_default(),
            data_dir: get("SHIXIN_DATA_DIR")
                .unwrap_or_else(|| ".shixin".into())
                .into(),
            env: env.to_string(),
            watchlist_key: Secret::new(watchlist_key),
        })
    }
}

/// `SHIXIN_ENV`: `development` (the default) or `production`, in any case. Anything else is refused:
/// a typo such as `prod` must not quietly start with the development rules.
fn parse_env(value: Option<&str>) -> anyhow::Result<&'static str> {
    match value {
        None => Ok("development"),
        Some(v) if v.eq_ignore_ascii_case("development") => Ok("development"),
        Some(v) if v.eq_ignore_ascii_case("production") => Ok("production"),
        Some(other) => bail!(
            "SHIXIN_ENV must be development or production (in any case), not {other:?}; refusing to start"
        ),
    }
}

/// The HS256 secret. In production, and whenever the service listens beyond this machine (`bind`
/// is not loopback: 127.0.0.0/8 or ::1), a missing, short (< [`MIN_SECRET_LEN`]) or development
/// secret is refused; otherwise a missing one is the development secret. Errors never carry the secret.
fn jwt_secret(
    configured: Option<String>,
    production: bool,
    bind: SocketAddr,
) -> anyhow::Result<String> {
    let strict = if production {
        Some("SHIXIN_ENV=production".to_string())
    } else if !bind.ip().is_loopback() {
        Some(format!(
            "SHIXIN_BIND={bind}, which is not a loopback address"
        ))
    } else {
        None
    };
    match (configured, strict) {
        (Some(s), Some(why)) if s == DEVELOPMENT_JWT_SECRET => bail!(
            "SHIXIN_JWT_SECRET is the development secret, which is published in the source; refusing to start with {why}"
        ),
        (Some(s), _) if s.len() >= MIN_SECRET_LEN => Ok(s),
        (Some(_), Some(why)) => bail!(
            "SHIXIN_JWT_SECRET is shorter than {MIN_SECRET_LEN} characters; refusing to start with {why}"
        ),
        (None, Some(why)) => bail!("SHIXIN_JWT_SECRET is not set; refusing to start with {why}"),
        (Some(s), None) => Ok(s),
        (None, None) => Ok(DEVELOPMENT_JWT_SECRET.to_string()),
    }
}

/// `SHIXIN_JWT_PUBLIC_KEYS`: comma-separated `kid=path.pem` entries (a bare path uses the file stem as kid).
fn parse_public_keys(v: &str) -> Vec<(String, String)> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|entry| match entry.split_once('=') {
            Some((kid, path)) => (kid.trim().to_string(), path.trim().to_string()),
            None => {
                let stem = std::path::Path::new(entry)
                    .file_stem()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_else(|| entry.to_string());
                (stem, entry.to_string())
            }
        })
        .collect()
}

/// Durations are written `200ms`, `5s`, `10m`, `2h`, `5d`.
/// The longest duration a setting may name (100 years).
pub const MAX_DURATION_MS: u64 = 36_500 * 86_400_000;

pub fn parse_duration(s: &str) -> anyhow::Result<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().with_context(|| format!("bad duration {s:?}"))?;
    let unit_ms: u64 = match unit {
        "ms" => 1,
        "s" => 1000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => bail!("bad duration {s:?}: use ms, s, m, h or d"),
    };
    // At most 100 years: longer is a typo, and later date arithmetic would overflow.
    n.checked_mul(unit_ms)
        .filter(|ms| *ms <= MAX_DURATION_MS)
        .map(Duration::from_millis)
        .with_context(|| format!("bad duration {s:?}: at most 36500d"))
}

fn parse_size(s: &str) -> anyhow::Result<usize> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: usize = num.parse().with_context(|| format!("bad size {s:?}"))?;
    let mult = match unit.trim() {
        "" | "B" => 1,
        "KiB" | "K" | "KB" | "k" => 1024,
        "MiB" | "M" | "MB" => 1024 * 1024,
        _ => bail!("bad size {s:?}"),
    };
    Ok(n * mult)
}

#[cfg(test)]
mod tests;
