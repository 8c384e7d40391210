//! A Redis master, its replica and three sentinels on local ports, all stopped on drop (also when
//! the test panics). The replica replicates through a [`Relay`] that the test can hold: what the
//! master sends then never reaches the replica, so a write acknowledged by the master just before
//! it dies is missing on the replica the sentinels promote.

use std::{
    collections::HashMap,
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use redis::aio::MultiplexedConnection;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

use crate::public_cache::PrivateRedis;

pub const MASTER_NAME: &str = "mymaster";

/// A sentinel process, killed on drop.
struct Sentinel(Child);

impl Drop for Sentinel {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Forwards the replica's connection to the master; while held, drops what the master sends.
struct Relay {
    port: u16,
    hold: Arc<AtomicBool>,
    accept: tokio::task::JoinHandle<()>,
}

impl Relay {
    async fn start(master: u16) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let hold = Arc::new(AtomicBool::new(false));
        let held = hold.clone();
        let accept = tokio::spawn(async move {
            while let Ok((down, _)) = listener.accept().await {
                if let Ok(up) = TcpStream::connect(("127.0.0.1", master)).await {
                    tokio::spawn(relay(up, down, held.clone()));
                }
            }
        });
        Relay { port, hold, accept }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// One connection: the replica's bytes go to the master; the master's reach the replica unless
/// `hold` is set. Either side closing closes both.
async fn relay(up: TcpStream, down: TcpStream, hold: Arc<AtomicBool>) {
    let (mut up_read, mut up_write) = up.into_split();
    let (mut down_read, mut down_write) = down.into_split();
    let to_master = tokio::io::copy(&mut down_read, &mut up_write);
    let to_replica = async {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match up_read.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            if !hold.load(Ordering::SeqCst) && down_write.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    };
    tokio::select! {
        _ = to_master => {}
        () = to_replica => {}
    }
}

pub struct Cluster {
    pub master: PrivateRedis,
    pub replica: PrivateRedis,
    sentinels: Vec<(u16, Sentinel)>,
    relay: Relay,
    _dir: tempfile::TempDir,
}

/// A connection to the server on `port`, once it answers (bounded).
pub async fn connect(port: u16) -> MultiplexedConnection {
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let conn = tokio::time::timeout(
            Duration::from_millis(500),
            client.get_multiplexed_async_connection(),
        );
        if let Ok(Ok(mut c)) = conn.await
            && redis::cmd("PING")
                .query_async::<String>(&mut c)
                .await
                .is_ok()
        {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing answered on port {port}");
}

/// Polls `check` every 100 ms until it holds, for at most `limit`; panics with `what` otherwise.
pub async fn wait_for<F: AsyncFnMut() -> bool>(limit: Duration, what: &str, mut check: F) {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: not within {limit:?}");
}

impl Cluster {
    /// Starts everything and waits until the replica is in sync and each sentinel knows the
    /// replica and the two other sentinels (so that a failover can be agreed on).
    pub async fn start() -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        // No persistence; the directory holds what a full sync writes (the replica's received RDB).
        let data = dir.path().to_str().unwrap();
        let no_disk = ["--save", "", "--appendonly", "no", "--dir", data];
        let master = PrivateRedis::spawn(PrivateRedis::free_port(), &no_disk);
        connect(master.port).await;
        let relay = Relay::start(master.port).await;
        let relay_port = relay.port.to_string();
        let replica = PrivateRedis::spawn(
            PrivateRedis::free_port(),
            &[&no_disk[..], &["--replicaof", "127.0.0.1", &relay_port]].concat(),
        );
        let mut r = connect(replica.port).await;
        wait_for(Duration::from_secs(10), "the replica syncs", async || {
            let info: String = redis::cmd("INFO")
                .arg("replication")
                .query_async(&mut r)
                .await
                .unwrap_or_default();
            info.contains("master_link_status:up")
        })
        .await;
        let sentinels = (0..3)
            .map(|i| {
                let port = PrivateRedis::free_port();
                let conf = dir.path().join(format!("sentinel-{i}.conf"));
                // failover-timeout is long on purpose: after it, a sentinel "fixes" a replica that
                // replicates from another address than the master's (ours goes through the relay).
                // It does not slow down a failover that succeeds.
                std::fs::write(
                    &conf,
                    format!(
                        "port {port}\nbind 127.0.0.1\ndir {}\n\
                         sentinel monitor {MASTER_NAME} 127.0.0.1 {} 2\n\
                         sentinel down-after-milliseconds {MASTER_NAME} 1000\n\
                         sentinel failover-timeout {MASTER_NAME} 30000\n",
                        dir.path().display(),
                        master.port
                    ),
                )
                .unwrap();
                let child = Command::new("redis-server")
                    .arg(&conf)
                    .arg("--sentinel")
                    .stdout(Stdio::null())
                    .spawn()
                    .expect("redis-server --sentinel");
                (port, Sentinel(child))
            })
            .collect();
        let cluster = Cluster {
            master,
            replica,
            sentinels,
            relay,
            _dir: dir,
        };
        for port in cluster.sentinel_ports() {
            let mut s = connect(port).await;
            wait_for(
                Duration::from_secs(20),
                "a sentinel knows the replica and the other sentinels",
                async || {
                    let m: HashMap<String, String> = redis::cmd("SENTINEL")
                        .arg("MASTER")
                        .arg(MASTER_NAME)
                        .query_async(&mut s)
                        .await
                        .unwrap_or_default();
                    let replicas: Vec<HashMap<String, String>> = redis::cmd("SENTINEL")
                        .arg("REPLICAS")
                        .arg(MASTER_NAME)
                        .query_async(&mut s)
                        .await
                        .unwrap_or_default();
                    m.get("num-other-sentinels").map(String::as_str) == Some("2")
                        && replicas.iter().any(|r| {
                            r.get("flags").map(String::as_str) == Some("slave")
                                && r.get("master-link-status").map(String::as_str) == Some("ok")
                        })
                },
            )
            .await;
        }
        cluster
    }

    pub fn sentinel_ports(&self) -> Vec<u16> {
        self.sentinels.iter().map(|(p, _)| *p).collect()
    }

    /// `REDIS_URL` for the service.
    pub fn url(&self) -> String {
        let hosts: Vec<String> = self
            .sentinel_ports()
            .iter()
            .map(|p| format!("127.0.0.1:{p}"))
            .collect();
        format!("redis+sentinel://{}/{MASTER_NAME}", hosts.join(","))
    }

    /// From now on the replica receives nothing more from the master.
    pub fn hold_replication(&self) {
        self.relay.hold.store(true, Ordering::SeqCst);
    }

    /// Makes every sentinel monitor the server on `port` as the master (`SENTINEL REMOVE`, then
    /// `SENTINEL MONITOR`), without touching the old master.
    pub async fn move_sentinels_to(&self, port: u16) {
        for sentinel in self.sentinel_ports() {
            let mut s = connect(sentinel).await;
            let _: redis::Value = redis::cmd("SENTINEL")
                .arg("REMOVE")
                .arg(MASTER_NAME)
                .query_async(&mut s)
                .await
                .unwrap();
            let _: redis::Value = redis::cmd("SENTINEL")
                .arg("MONITOR")
                .arg(MASTER_NAME)
                .arg("127.0.0.1")
                .arg(port)
                .arg(2)
                .query_async(&mut s)
                .await
                .unwrap();
        }
    }

    /// Waits until every sentinel names the replica as the master.
    pub async fn wait_failover(&self, limit: Duration) {
        let want = self.replica.port.to_string();
        for port in self.sentinel_ports() {
            let mut s = connect(port).await;
            wait_for(limit, "the sentinels promote the replica", async || {
                let addr: Option<(String, String)> = redis::cmd("SENTINEL")
                    .arg("GET-MASTER-ADDR-BY-NAME")
                    .arg(MASTER_NAME)
                    .query_async(&mut s)
                    .await
                    .unwrap_or_default();
                addr.is_some_and(|(_, p)| p == want)
            })
            .await;
        }
    }
}
