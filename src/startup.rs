//! The testable seam: `Application::build(settings)` binds its own listener (port 0 in tests) and
//! exposes `port()`; `run_until_stopped` serves until SIGTERM/SIGINT, then stops in order: the
//! server stops accepting and lets requests in flight finish (at most [`HTTP_GRACE`]), then the
//! background tasks finish or hand back their work (at most [`TASKS_GRACE`]; see `crate::tasks`).
//! Both together stay under the 10 s an orchestrator gives before `kill -9`.
//! It only builds and runs: the state is `crate::app`, the routes are `crate::router`.

use std::{net::TcpListener, time::Duration};

use actix_web::{HttpServer, dev::Server, web};
use anyhow::Context;

use crate::{app::AppState, config::Settings, router};

/// How long requests in flight may take to finish once a stop is asked.
pub const HTTP_GRACE: Duration = Duration::from_secs(5);
/// How long the background tasks may take after the server stopped.
pub const TASKS_GRACE: Duration = Duration::from_secs(4);

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.bind)
            .with_context(|| format!("binding {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        crate::watchlist::install(settings.watchlist_key.expose());
        let state = web::Data::new(AppState::new(settings).await?);
        let doc = router::ApiDocument::build()?;
        crate::metrics::handle();
        if let Some(every) = state.settings.check_filter_refresh {
            state
                .subject_filter
                .start(state.reads.clone(), every, &state.tasks)
                .await;
        }
        if let Some(interval) = state.settings.tick_interval {
            state
                .tasks
                .spawn(crate::tick::run_forever(state.clone(), interval));
        }
        if state.cache.configured() {
            state
                .tasks
                .spawn(crate::cache::sweep::run_forever(state.clone()));
        }
        if state.settings.webhook_concurrency > 0 {
            state.tasks.spawn(crate::worker::run_forever(state.clone()));
        }
        let workers = state.settings.http_workers;
        let served = state.clone();
        let server = HttpServer::new(move || router::app(served.clone(), doc.clone()))
            .workers(workers)
            .listen(listener)?
            .shutdown_timeout(HTTP_GRACE.as_secs())
            .run();
        Ok(Application {
            port,
            server,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The clock of the in-process time windows (`crate::clock`): tests move it.
    pub fn clock(&self) -> std::sync::Arc<crate::clock::Clock> {
        self.state.clock.clone()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        tracing::info!("stopping: the server is closed; ending the background tasks");
        if !self.state.tasks.shutdown(TASKS_GRACE).await {
            tracing::warn!(
                running = self.state.tasks.running(),
                "background tasks did not end in time; their claims return when their leases end"
            );
        }
        served
    }
}
