//! The testable seam: `Application::build(settings)` binds its own listener (port 0 in tests) and
//! exposes `port()`; `run_until_stopped` serves until SIGTERM/SIGINT (actix stops gracefully).

use std::net::TcpListener;

use actix_web::{App, HttpServer, dev::Server, middleware, web};
use anyhow::Context;
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;

use crate::{
    auth::jwt::JwtVerifier,
    cache::{
        Cache,
        rate_limit::{Rate, RateLimiter, parse_proxies},
    },
    config::Settings,
    db::{self, DbPool},
    routes,
    telemetry::RedactedRootSpan,
};

pub struct AppState {
    pub db: DbPool,
    /// `DATABASE_READ_URL`: public reads and checks go there when set (see `crate::cache` on replica lag).
    pub read_db: Option<DbPool>,
    pub cache: Cache,
    pub rate_limiter: RateLimiter,
    pub subscribers: crate::subscribers::SubscriberCache,
    pub check_log: crate::checklog::CheckLog,
    /// The keys any restriction order binds, in memory (`routes::checks::filter`).
    pub subject_filter: routes::checks::filter::SubjectFilter,
    /// The checks' own connections with prepared statements (`routes::checks::load`).
    pub check_db: routes::checks::load::CheckDb,
    /// The public searches' own connections, read in batches (`routes::public::reads`).
    pub public_reads: routes::public::reads::PublicReads,
    pub jwt: JwtVerifier,
    pub settings: Settings,
    pub openapi_json: String,
    pub route_templates: Vec<routes::fallback::RouteTemplate>,
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
        let rate_limiter = RateLimiter::new(
            Rate::parse(&settings.public_rate_limit)?,
            parse_proxies(&settings.trusted_proxies)?,
        );
        let api = openapi();
        let read_url = settings
            .database_read_url
            .as_ref()
            .unwrap_or(&settings.database_url)
            .expose();
        Ok(AppState {
            check_log: crate::checklog::CheckLog::start(
                settings.database_url.expose(),
                settings.check_log_wait,
            ),
            subscribers: crate::subscribers::SubscriberCache::default(),
            subject_filter: Default::default(),
            check_db: routes::checks::load::CheckDb::new(read_url, settings.check_connections),
            public_reads: routes::public::reads::PublicReads::new(read_url),
            db: pool,
            read_db,
            cache,
            rate_limiter,
            jwt: JwtVerifier::from_settings(&settings)?,
            openapi_json: api.to_pretty_json()?,
            route_templates: routes::fallback::templates(&api),
            settings,
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

pub struct Application {
    port: u16,
    server: Server,
}

/// The OpenAPI document generated from the code (`shixin openapi`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(routes::base_openapi())
        .configure(routes::configure)
        .split_for_parts();
    routes::document_problems(&mut api);
    api
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.bind)
            .with_context(|| format!("binding {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let state = web::Data::new(AppState::new(settings).await?);
        crate::metrics::handle();
        if let Some(every) = state.settings.check_filter_refresh {
            state
                .subject_filter
                .start(state.public_db().clone(), every)
                .await;
        }
        if let Some(interval) = state.settings.tick_interval {
            tokio::spawn(crate::tick::run_forever(state.clone(), interval));
        }
        if state.settings.webhook_concurrency > 0 {
            tokio::spawn(crate::worker::run_forever(state.clone()));
        }
        let max_body = state.settings.max_body;
        let workers = state.settings.http_workers;
        let server = HttpServer::new(move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .configure(routes::configure)
                .split_for_parts();
            app.app_data(state.clone())
                .app_data(web::PayloadConfig::new(max_body))
                .app_data(routes::json_config(max_body))
                .app_data(routes::query_config())
                .app_data(routes::path_config())
                .configure(routes::configure_plain)
                .default_service(web::to(routes::fallback::not_found))
                .wrap(middleware::from_fn(routes::public::limit::rate_limit))
                .wrap(routes::fallback::problem_errors())
                .wrap(middleware::from_fn(crate::metrics::track))
                .wrap(middleware::NormalizePath::trim())
                .wrap(TracingLogger::<RedactedRootSpan>::new())
        })
        .workers(workers)
        .listen(listener)?
        .shutdown_timeout(10)
        .run();
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
