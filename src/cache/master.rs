//! Where the cache's Redis commands go: one server (`redis://…`), or whichever master Redis
//! Sentinel names (`redis+sentinel://…`, [`sentinel_url`]).
//!
//! The current server is a [`Node`]: its address, its client and one shared connection (the health
//! task, invalidations, the rate limit); each lane ([`super::tokens`]) keeps a connection of its
//! own to it ([`LaneConn`]). With Sentinel, only [`Master::follow`] (called by the health task)
//! replaces the node, and it calls its `before` argument (which records a cache failure) *before*
//! it publishes the new node: whatever reads the new master starts after the failure was recorded,
//! so the cache is not trusted on it until the epoch has been replaced there (module comment of
//! [`super`]).

use std::{
    sync::{
        Arc, RwLock,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use redis::{
    IntoConnectionInfo,
    aio::{ConnectionManager, ConnectionManagerConfig},
    io::tcp::TcpSettings,
    sentinel::SentinelClient,
};

use super::sentinel_url;

/// How long one question to the sentinels may take (they are asked in turn, and each check of the
/// master they name opens a connection to it).
pub const SENTINEL_DEADLINE: Duration = Duration::from_secs(1);

/// The server the cache talks to now.
pub(super) struct Node {
    /// Incremented on every change of node (the first node is 1).
    pub serial: u64,
    /// `host:port` (never credentials): for logs.
    pub addr: String,
    client: redis::Client,
    /// The connection of the health task, invalidations and the rate limit.
    pub conn: ConnectionManager,
}

impl Node {
    /// The client of this server (lanes open their own connections with it).
    pub fn client(&self) -> &redis::Client {
        &self.client
    }
}

pub(super) struct Master {
    config: ConnectionManagerConfig,
    /// The crate's Sentinel client, when `REDIS_URL` is of the Sentinel form.
    sentinel: Option<tokio::sync::Mutex<SentinelClient>>,
    /// The serial of the current node (0: none yet), read by the lanes before every batch.
    serial: AtomicU64,
    node: RwLock<Option<Arc<Node>>>,
}

fn tcp() -> TcpSettings {
    // TCP_NODELAY (redis-rs leaves Nagle's algorithm on): a lane's pipelines are small and
    // latency-bound, and Nagle holds a write back while an earlier one is unacknowledged.
    TcpSettings::default().set_nodelay(true)
}

impl Master {
    /// Nothing is awaited: the service starts when Redis (or every sentinel) is down.
    pub fn open(url: &str, config: ConnectionManagerConfig) -> anyhow::Result<Master> {
        if sentinel_url::is_sentinel(url) {
            let parsed = sentinel_url::parse(url)?;
            let client = sentinel_url::client(&parsed, tcp())?;
            return Ok(Master {
                config,
                sentinel: Some(tokio::sync::Mutex::new(client)),
                serial: AtomicU64::new(0),
                node: RwLock::new(None),
            });
        }
        let info = url.into_connection_info()?.set_tcp_settings(tcp());
        let master = Master {
            config,
            sentinel: None,
            serial: AtomicU64::new(0),
            node: RwLock::new(None),
        };
        master.publish(redis::Client::open(info)?)?;
        Ok(master)
    }

    /// The serial of the current node (0: none yet): a lane checks it before every batch, without
    /// the lock `node` takes.
    pub fn serial(&self) -> u64 {
        self.serial.load(Ordering::SeqCst)
    }

    pub fn is_sentinel(&self) -> bool {
        self.sentinel.is_some()
    }

    pub fn node(&self) -> Option<Arc<Node>> {
        self.node.read().ok().and_then(|n| n.clone())
    }

    /// The shared connection to the current node (none before the sentinels first answered).
    pub fn conn(&self) -> Option<ConnectionManager> {
        self.node().map(|n| n.conn.clone())
    }

    /// Asks the sentinels which server is the master. When it is not the current node, calls
    /// `before` and only then publishes it; answers whether it did. `Err` (a kind, no address or
    /// credentials) when no sentinel named a master that confirmed it is one.
    pub async fn follow(&self, before: impl FnOnce()) -> Result<bool, String> {
        let Some(sentinel) = &self.sentinel else {
            return Ok(false);
        };
        let mut sentinel = sentinel.lock().await;
        let ask = sentinel.async_get_client();
        let client = match tokio::time::timeout(SENTINEL_DEADLINE, ask).await {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => return Err(format!("{:?}", e.kind())),
            Err(_) => return Err("timed out".into()),
        };
        let addr = client.get_connection_info().addr().to_string();
        if self.node().is_some_and(|n| n.addr == addr) {
            return Ok(false);
        }
        before();
        self.publish(client)
            .map_err(|e| format!("{:?}", e.kind()))?;
        Ok(true)
    }

    fn publish(&self, client: redis::Client) -> redis::RedisResult<()> {
        let addr = client.get_connection_info().addr().to_string();
        let conn = ConnectionManager::new_lazy_with_config(client.clone(), self.config.clone())?;
        let serial = self.serial.load(Ordering::SeqCst) + 1;
        let node = Arc::new(Node {
            serial,
            addr,
            client,
            conn,
        });
        if let Ok(mut current) = self.node.write() {
            *current = Some(node);
        }
        self.serial.store(serial, Ordering::SeqCst);
        Ok(())
    }
}

/// A lane's own connection to the current node, replaced when the node changes (checked before
/// every batch, so a batch's commands all go to one server).
#[derive(Default)]
pub(super) struct LaneConn {
    serial: u64,
    conn: Option<ConnectionManager>,
}

impl LaneConn {
    pub fn get(&mut self, master: &Master) -> Option<ConnectionManager> {
        if master.serial() != self.serial || self.conn.is_none() {
            let node = master.node()?;
            let conn =
                ConnectionManager::new_lazy_with_config(node.client.clone(), master.config.clone())
                    .ok()?;
            self.serial = node.serial;
            self.conn = Some(conn);
        }
        self.conn.clone()
    }
}
