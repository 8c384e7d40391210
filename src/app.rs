//! The application state: the pools, the cache, the keys and the settings that handlers, the tick
//! and the workers share. It knows nothing of HTTP routes (`crate::router` wires those), so every
//! layer below the routes can take it without an import circle.

use actix_web::web;
use anyhow::Context;

use crate::{
    auth::jwt::JwtVerifier,
    cache::{
        Cache,
        rate_limit::{Rate, RateLimiter, parse_proxies},
    },
    certificates::SigningKeys,
    checklog::CheckLog,
    clock::Clock,
    config::Settings,
    db::{self, DbPool, checks::CheckDb, public_reads::PublicReads, subject_filter::SubjectFilter},
    subscribers::SubscriberCache,
    tasks::Tasks,
};

pub struct AppState {
    pub db: DbPool,
    /// `DATABASE_READ_URL`: public reads and checks go there when set (see `crate::cache` on replica lag).
    pub read_db: Option<DbPool>,
    pub cache: Cache,
    pub rate_limiter: RateLimiter,
    pub subscribers: SubscriberCache,
    pub check_log: CheckLog,
    /// The keys any restriction order binds, in memory (`db::subject_filter`).
    pub subject_filter: SubjectFilter,
    /// The checks' own connections with prepared statements (`db::checks`).
    pub check_db: CheckDb,
    /// The public searches' own connections, read in batches (`db::public_reads`).
    pub public_reads: PublicReads,
    /// Shared with the router, which hands it to the `Principal` extractor on its own.
    pub jwt: web::Data<JwtVerifier>,
    pub settings: Settings,
    /// The background tasks and the token that stops them (`crate::tasks`).
    pub tasks: Tasks,
    /// The clock of the in-process time windows (`crate::clock`).
    pub clock: std::sync::Arc<Clock>,
    /// The keys that sign credit-repair certificates, and those published to verify them.
    pub signing_keys: SigningKeys,
}

impl AppState {
    /// Migrates the database (creating it when missing) and connects everything the service uses.
    pub async fn new(settings: Settings) -> anyhow::Result<Self> {
        db::migrate(settings.database_url.expose())
            .await
            .context("migrating the database")?;
        let pool = db::build_pool(settings.database_url.expose(), 16)?;
        let read_db = match &settings.database_read_url {
            Some(url) => Some(db::build_pool(url.expose(), 16)?),
            None => None,
        };
        let cache = Cache::connect(
            settings.redis_url.as_deref(),
            &database_name(settings.database_url.expose()),
        )
        .context("REDIS_URL")?;
        let clock = std::sync::Arc::new(Clock::default());
        let rate_limiter = RateLimiter::new(
            Rate::parse(&settings.public_rate_limit)?,
            parse_proxies(&settings.trusted_proxies)?,
            clock.clone(),
        );
        let read_url = settings
            .database_read_url
            .as_ref()
            .unwrap_or(&settings.database_url)
            .expose();
        let signing_keys =
            SigningKeys::from_settings(&settings).context("the certificate signing key")?;
        let tasks = Tasks::default();
        Ok(AppState {
            check_log: CheckLog::start(
                settings.database_url.expose(),
                settings.check_log_lossy,
                &tasks,
            ),
            subscribers: SubscriberCache::default(),
            subject_filter: Default::default(),
            check_db: CheckDb::new(read_url, settings.check_connections),
            public_reads: PublicReads::new(read_url),
            db: pool,
            read_db,
            cache,
            rate_limiter,
            jwt: web::Data::new(JwtVerifier::from_settings(&settings)?),
            settings,
            tasks,
            clock,
            signing_keys,
        })
    }

    /// The pool for public reads and checks: the replica when configured, else the primary.
    pub fn public_db(&self) -> &DbPool {
        self.read_db.as_ref().unwrap_or(&self.db)
    }
}

/// The name of the database in a PostgreSQL URL (the cache namespace of a deployment).
pub fn database_name(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.path().trim_start_matches('/').to_string())
        .unwrap_or_else(|_| url.to_string())
}
