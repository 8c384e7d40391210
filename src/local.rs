//! What a machine that has never seen shixin needs (docs/API.md "Configuration", embedded default):
//! with no `DATABASE_URL`, the default address when a PostgreSQL answers there and lets us in, else
//! the embedded cluster (`crate::db::embedded`); with no `REDIS_URL`, the default Redis when it
//! answers, else the in-process cache and rate limit, said once in the log and in `/readyz`
//! (`"redis":"disabled"`). Every command that uses the database calls [`prepare`] first, so `serve`,
//! `seed`, `tick` and the others agree on the database.

use std::time::Duration;

use crate::{
    config::{DatabaseSource, Settings},
    db::embedded::EmbeddedCluster,
};

/// How long the default addresses get to answer.
const PROBE_WAIT: Duration = Duration::from_secs(3);

/// The services this process started for itself; [`LocalServices::stop`] (or drop) stops them.
#[derive(Default)]
pub struct LocalServices {
    cluster: Option<EmbeddedCluster>,
}

impl LocalServices {
    /// Stops the embedded cluster when this process started it (or took it over).
    pub async fn stop(mut self) {
        if let Some(mut cluster) = self.cluster.take() {
            let _ = tokio::task::spawn_blocking(move || cluster.stop()).await;
        }
    }

    /// Whether the database is the embedded cluster.
    pub fn embedded(&self) -> bool {
        self.cluster.is_some()
    }
}

/// Settles the database and Redis of `settings` (see the module comment). Fails with
/// [`crate::db::embedded::NoServerBinaries`] when the embedded cluster is needed and the machine
/// has no PostgreSQL server binaries.
pub async fn prepare(settings: &mut Settings) -> anyhow::Result<LocalServices> {
    let mut local = LocalServices::default();
    let embedded = match settings.database_source {
        DatabaseSource::Configured => false,
        DatabaseSource::Embedded => true,
        DatabaseSource::Default => {
            match crate::db::embedded::answers(settings.database_url.expose(), PROBE_WAIT).await {
                Ok(()) => false,
                Err(why) => {
                    tracing::info!(
                        reason = %why,
                        "no usable PostgreSQL at 127.0.0.1:5432 and no DATABASE_URL: running an embedded cluster"
                    );
                    true
                }
            }
        }
    };
    if embedded {
        let dir = settings.data_dir.clone();
        let cluster = tokio::task::spawn_blocking(move || EmbeddedCluster::start(&dir)).await??;
        settings.database_url = crate::secret::Secret::new(cluster.url());
        local.cluster = Some(cluster);
    }
    if settings.redis_default
        && let Some(url) = settings.redis_url.clone()
        && let Err(why) = crate::cache::probe::answers(&url, PROBE_WAIT).await
    {
        tracing::info!(
            reason = %why,
            "no Redis at 127.0.0.1:6379 and no REDIS_URL: using the in-process cache and rate limit \
             (a Redis started later is used after a restart)"
        );
        settings.redis_url = None;
    }
    Ok(local)
}
