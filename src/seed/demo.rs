//! `shixin serve --demo` (issue #22): a service to try at once. On a database without listings it
//! seeds [`LISTINGS_VAR`] synthetic listings (with the courts they use, among them 京01 and 京0105 of
//! the README's walkthrough), creates an airline subscriber the way `POST /v1/subscribers` does
//! (with its `subscriber.create` audit row), and mints a court, a supervisor and an admin token valid
//! [`TOKEN_TTL_SECS`]. [`banner`] puts all of it in one box that `main` prints once to stdout: the
//! tokens and the client secret go nowhere else, never to the log. On a database that already holds
//! listings nothing is seeded or created ([`Demo::NotEmpty`]). Refused in production.
//!
//! Two instances started with `--demo` on the same empty database at the same moment would both
//! seed; the demo is meant for one process on a new database.

use std::{fmt, net::SocketAddr, time::Instant};

use anyhow::Context;

use super::courts::COURTS;
use crate::{
    audit::Actor,
    auth::jwt::{MintRequest, mint},
    config::Settings,
    db::bulk::seed::{count_listings, most_listed_name},
    domain::{restriction::Sector, status::SubscriberScope},
    secret::Secret,
};

/// The environment variable with how many listings the demo seeds (default [`DEFAULT_LISTINGS`]).
pub const LISTINGS_VAR: &str = "SHIXIN_DEMO_LISTINGS";
pub const DEFAULT_LISTINGS: u64 = 100_000;
/// The basic court of the court token (a court of the README's walkthrough).
pub const COURT: &str = "京0105";
/// The intermediate court above [`COURT`]: the supervisor token's court (it acts for every court
/// beneath it, `crate::auth::scope`).
pub const SUPERVISOR_COURT: &str = "京01";
/// The demo subscriber's name; its sector is `airline`.
pub const AIRLINE: &str = "示例航空 (demo)";
/// Lifetime of the demo's tokens: 30 days.
pub const TOKEN_TTL_SECS: i64 = 30 * 24 * 3600;
/// Seed of the random generator, as `shixin seed`'s default.
const RANDOM_SEED: u64 = 2026;

/// What the demo created: shown once, in the [`banner`].
pub struct Credentials {
    /// Listings seeded, and how long it took.
    pub listings: u64,
    pub seconds: f64,
    pub court_token: Secret,
    pub supervisor_token: Secret,
    pub admin_token: Secret,
    pub client_id: String,
    pub client_secret: Secret,
    /// A name the public search finds (the person's name on the most active listings).
    pub name: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("listings", &self.listings)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
pub enum Demo {
    Seeded(Credentials),
    /// The database already held this many listings: nothing was seeded or created.
    NotEmpty {
        listings: i64,
    },
}

/// How many listings to seed: [`LISTINGS_VAR`] when set (a positive whole number), else
/// [`DEFAULT_LISTINGS`].
pub fn listings_wanted(value: Option<&str>) -> anyhow::Result<u64> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(DEFAULT_LISTINGS),
        Some(v) => match v.replace('_', "").parse::<u64>() {
            Ok(n) if n > 0 => Ok(n),
            _ => anyhow::bail!("{LISTINGS_VAR} must be a positive whole number, not {v:?}"),
        },
    }
}

/// Runs after the migrations and before the server starts: seeds and creates what the demo shows
/// when the database holds no listing (see the module comment).
pub async fn prepare(settings: &Settings) -> anyhow::Result<Demo> {
    if settings.env == "production" {
        anyhow::bail!("--demo seeds synthetic data and prints an admin token: not in production");
    }
    let wanted = listings_wanted(std::env::var(LISTINGS_VAR).ok().as_deref())?;
    let url = settings.database_url.expose();
    let (client, driver) = crate::db::connect::open(url, |_| {})
        .await
        .context("connecting to PostgreSQL")?;
    let existing = count_listings(&client).await?;
    if existing > 0 {
        driver.abort();
        return Ok(Demo::NotEmpty { listings: existing });
    }
    let started = Instant::now();
    super::seed(url, wanted, RANDOM_SEED, false).await?;
    let seconds = started.elapsed().as_secs_f64();
    // Running instances must not serve answers cached before the load.
    crate::bulk::cli::bump_cache(settings).await;
    let name = most_listed_name(&client).await?;
    drop(client);
    driver.abort();
    let pool = crate::db::build_pool(url, 1)?;
    let mut conn = pool.get().await.context("connecting to the database")?;
    let actor = Actor {
        sub: "shixin serve --demo".into(),
        role: "system".into(),
        court: None,
    };
    let airline = crate::subscribers::create(
        &mut conn,
        actor,
        AIRLINE,
        Sector::Airline,
        SubscriberScope::All,
    )
    .await
    .context("creating the demo airline")?;
    let token = |role: &str, court: Option<&str>| -> anyhow::Result<Secret> {
        mint(
            settings,
            &MintRequest {
                sub: format!("demo-{role}"),
                role: role.into(),
                court: court.map(str::to_string),
                sector: None,
                subscriber_id: None,
                ttl_secs: TOKEN_TTL_SECS,
            },
        )
        .map(Secret::new)
    };
    Ok(Demo::Seeded(Credentials {
        listings: wanted,
        seconds,
        court_token: token("court", Some(COURT))?,
        supervisor_token: token("supervisor", Some(SUPERVISOR_COURT))?,
        admin_token: token("admin", None)?,
        client_id: airline.subscriber.client_id,
        client_secret: Secret::new(airline.client_secret),
        name,
    }))
}

/// The address to print for a service bound to `bind` and serving on `port`: loopback when it is
/// bound to every address (`0.0.0.0`, `::`).
pub fn base_url(bind: SocketAddr, port: u16) -> String {
    let ip = match bind.ip() {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => std::net::Ipv4Addr::LOCALHOST.into(),
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, port))
}

/// The one line printed when the database already held listings.
pub fn not_empty(listings: i64) -> String {
    format!(
        "the database already holds {listings} listings: --demo seeded nothing \
         (mint tokens with `shixin token --role court --court {COURT}`, `--role admin` …)"
    )
}

fn court_name(code: &str) -> &'static str {
    COURTS.iter().find(|c| c.0 == code).map_or("", |c| c.1)
}

/// The box printed once to stdout: where to look, the tokens, the airline's credentials and one
/// curl line to try. Open on the right, so that long tokens may wrap without breaking it.
pub fn banner(c: &Credentials, base_url: &str) -> String {
    let rule = "─".repeat(78);
    let mut lines = vec![format!(
        "shixin demo: {} synthetic listings seeded in {:.1} s (no audit rows or events: synthetic data)",
        c.listings, c.seconds
    )];
    lines.push(String::new());
    lines.push(format!("page         {base_url}/"));
    if let Some(name) = &c.name {
        lines.push(format!("search       {base_url}/?name={name}"));
    }
    lines.push(format!("API docs     {base_url}/docs"));
    lines.push(String::new());
    let tokens = [
        (
            format!("court token: a clerk of {COURT} {}", court_name(COURT)),
            &c.court_token,
        ),
        (
            format!(
                "supervisor token: {SUPERVISOR_COURT} {}, for every court beneath it",
                court_name(SUPERVISOR_COURT)
            ),
            &c.supervisor_token,
        ),
        ("admin token:".to_string(), &c.admin_token),
    ];
    for (label, token) in tokens {
        lines.push(label);
        lines.push(format!("  {}", token.expose()));
    }
    lines.push(format!(
        "(valid {} days; send them as `Authorization: Bearer <token>`)",
        TOKEN_TTL_SECS / 86_400
    ));
    lines.push(String::new());
    lines.push(format!("airline subscriber {AIRLINE}, sector airline:"));
    lines.push(format!("  client id      {}", c.client_id));
    lines.push(format!("  client secret  {}", c.client_secret.expose()));
    lines.push(String::new());
    lines.push("try (the airline gets a token for POST /v1/checks):".to_string());
    lines.push(format!(
        "  curl -s -u '{}:{}' -d grant_type=client_credentials {base_url}/v1/oauth/token",
        c.client_id,
        c.client_secret.expose()
    ));
    lines.push(String::new());
    lines.push(
        "Shown once: the secret is stored hashed. More tokens: `shixin token --role …`.".into(),
    );
    let mut out = format!("┌{rule}\n");
    for l in lines {
        if l.is_empty() {
            out.push_str("│\n");
        } else {
            out.push_str(&format!("│ {l}\n"));
        }
    }
    out.push_str(&format!("└{rule}"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_number_of_listings_comes_from_the_variable_or_the_default() {
        assert_eq!(listings_wanted(None).unwrap(), DEFAULT_LISTINGS);
        assert_eq!(listings_wanted(Some(" ")).unwrap(), DEFAULT_LISTINGS);
        assert_eq!(listings_wanted(Some("500")).unwrap(), 500);
        assert_eq!(listings_wanted(Some("1_000")).unwrap(), 1000);
        for bad in ["0", "-1", "many", "1.5"] {
            assert!(listings_wanted(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_printed_address_is_loopback_for_an_unspecified_bind() {
        let at = |s: &str| s.parse::<SocketAddr>().unwrap();
        assert_eq!(base_url(at("0.0.0.0:8080"), 8080), "http://127.0.0.1:8080");
        assert_eq!(base_url(at("[::]:0"), 4242), "http://[::1]:4242");
        assert_eq!(base_url(at("10.0.0.2:0"), 81), "http://10.0.0.2:81");
    }

    #[test]
    fn the_debug_form_redacts_the_tokens_and_the_secret() {
        let c = Credentials {
            listings: 1,
            seconds: 0.1,
            court_token: Secret::new("tok-court"),
            supervisor_token: Secret::new("tok-supervisor"),
            admin_token: Secret::new("tok-admin"),
            client_id: "sx_id".into(),
            client_secret: Secret::new("sxs_secret"),
            name: Some("张伟".into()),
        };
        let d = format!("{c:?}");
        for s in ["tok-", "sxs_secret", "张伟"] {
            assert!(!d.contains(s), "{d}");
        }
        let b = banner(&c, "http://127.0.0.1:1");
        for s in [
            "tok-court",
            "tok-supervisor",
            "tok-admin",
            "sxs_secret",
            "?name=张伟",
        ] {
            assert!(b.contains(s), "{b}");
        }
    }
}
