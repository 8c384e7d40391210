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
    db::{
        self, DbPool,
        checks::CheckDb,
        public_reads::PublicReads,
        replica::{Reads, ReplicaHealth},
        subject_filter::SubjectFilter,
    },
    subscribers::SubscriberCache,
    tasks::Tasks,
};

pub struct AppState {
    pub db: DbPool,
    /// Where public searches, checks, the feed and the snapshot read: `DATABASE_READ_URL` while it
    /// is a synchronous standby that answers, else the primary (`db::replica`).
    pub reads: Reads,
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
        let primary_url = settings.database_url.expose();
        let replica = match &settings.database_read_url {
            Some(url) => {
                let health = std::sync::Arc::new(ReplicaHealth::default());
                db::replica_probe::start(&health, primary_url, url.expose()).await;
                let pool = db::build_pool_waiting(url.expose(), 16, REPLICA_WAIT)?;
                Some((url.expose(), pool, health))
            }
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
            check_db: CheckDb::new(
                primary_url,
                replica.as_ref().map(|(u, _, h)| (*u, h.clone())),
                settings.check_connections,
            ),
            public_reads: PublicReads::new(
                primary_url,
                replica.as_ref().map(|(u, _, h)| (*u, h.clone())),
            ),
            reads: Reads {
                primary: pool.clone(),
                replica: replica.map(|(_, p, h)| (p, h)),
            },
            db: pool,
            cache,
            rate_limiter,
            jwt: web::Data::new(JwtVerifier::from_settings(&settings)?),
            settings,
            tasks,
            clock,
            signing_keys,
        })
    }

    /// The pool public reads go to now: the replica while it is up, else the primary (a read that
    /// should survive the replica's loss uses [`Reads::read`]).
    pub fn public_db(&self) -> &DbPool {
        self.reads.pool()
    }
}

/// How long a read waits for a connection of the replica before it goes to the primary.
const REPLICA_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// The name of the database in a PostgreSQL URL (the cache namespace of a deployment).
pub fn database_name(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.path().trim_start_matches('/').to_string())
        .unwrap_or_else(|_| url.to_string())
}
