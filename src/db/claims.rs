//! Webhook claims (`crate::worker::owner`): the owner connection, with TCP keepalives on both ends,
//! and the session advisory locks taken and let go on it.

use std::time::Duration;

use tokio_postgres::{Client, Config, NoTls};

/// The first key of every webhook claim (`pg_try_advisory_lock(int, int)`, apart from the
/// single-bigint locks of migrations and housekeeping): "SHWK".
pub const CLAIM_SPACE: i32 = 0x5348_574B;

/// The keepalive settings that bound how long a silent peer keeps its claims: probes after `idle`
/// of silence, every `interval`, `count` unanswered ones close the connection; unacknowledged data
/// closes it after `user_timeout`.
#[derive(Debug, PartialEq, Eq)]
pub struct Keepalive {
    pub idle_s: u64,
    pub interval_s: u64,
    pub count: u32,
    pub user_timeout_ms: u64,
}

/// Opens an owner connection to `url` (no TLS) with `k` on both ends, and spawns its driver. A
/// server that refuses one of the settings (too old) keeps the system's default for it.
pub async fn open_owner(url: &str, k: &Keepalive) -> Result<Client, tokio_postgres::Error> {
    let mut config: Config = url.parse()?;
    config
        .application_name("shixin-deliveries")
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(k.idle_s))
        .keepalives_interval(Duration::from_secs(k.interval_s))
        .keepalives_retries(k.count);
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "the webhook owner connection was lost");
        }
    });
    // The server's side of the same bound (ignored on a Unix socket, where a dead peer is seen at
    // once).
    for set in [
        format!("SET tcp_keepalives_idle = {}", k.idle_s),
        format!("SET tcp_keepalives_interval = {}", k.interval_s),
        format!("SET tcp_keepalives_count = {}", k.count),
        format!("SET tcp_user_timeout = {}", k.user_timeout_ms),
    ] {
        if let Err(e) = client.batch_execute(&set).await {
            tracing::warn!(error = %e, "a keepalive setting of the owner connection was refused");
        }
    }
    Ok(client)
}

/// Takes the claim `key` on the session unless another session holds it.
pub async fn try_lock(client: &Client, key: i32) -> Result<bool, tokio_postgres::Error> {
    let row = client
        .query_one("SELECT pg_try_advisory_lock($1, $2)", &[&CLAIM_SPACE, &key])
        .await?;
    Ok(row.get(0))
}

/// Lets the claim `key` of the session go.
pub async fn unlock(client: &Client, key: i32) -> Result<(), tokio_postgres::Error> {
    client
        .query_one("SELECT pg_advisory_unlock($1, $2)", &[&CLAIM_SPACE, &key])
        .await
        .map(|_| ())
}
