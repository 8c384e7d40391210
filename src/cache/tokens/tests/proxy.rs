//! A TCP proxy to the real Redis for the token tests: it records what clients send and can hold
//! Redis's replies (and pushes) back.

use std::sync::{Arc, Mutex, atomic::Ordering};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

use super::*;

pub(super) struct Proxy {
    pub port: u16,
    /// While not 0, every reply is held back by this many ms.
    pub delay_ms: Arc<AtomicU64>,
    /// What clients sent (the commands of each batch).
    pub sent: Arc<Mutex<Vec<u8>>>,
}

impl Proxy {
    pub async fn start() -> Proxy {
        let target = redis_url()
            .trim_start_matches("redis://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = Proxy {
            port: l.local_addr().unwrap().port(),
            delay_ms: Default::default(),
            sent: Default::default(),
        };
        let (delay, record) = (proxy.delay_ms.clone(), proxy.sent.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = l.accept().await {
                let Ok(server) = TcpStream::connect(&target).await else {
                    return;
                };
                let _ = (client.set_nodelay(true), server.set_nodelay(true));
                let ((mut cr, mut cw), (mut sr, mut sw)) =
                    (client.into_split(), server.into_split());
                let record = record.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0; 64 * 1024];
                    while let Ok(n @ 1..) = cr.read(&mut buf).await {
                        record.lock().unwrap().extend_from_slice(&buf[..n]);
                        if sw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
                let delay = delay.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0; 64 * 1024];
                    while let Ok(n @ 1..) = sr.read(&mut buf).await {
                        let ms = delay.load(Ordering::SeqCst);
                        if ms > 0 {
                            tokio::time::sleep(Duration::from_millis(ms)).await;
                        }
                        if cw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        proxy
    }

    /// A fixture through this proxy, with the keys of `direct` (which writes them and deletes them).
    pub fn fixture(&self, direct: &Fixture) -> Fixture {
        Fixture::with_prefix(
            &format!("redis://127.0.0.1:{}", self.port),
            direct.inner.prefix.clone(),
        )
    }

    /// Whether `what` was sent since the last call (and forgets what was sent).
    pub fn sent_since(&self, what: &str) -> bool {
        let mut sent = self.sent.lock().unwrap();
        let found = String::from_utf8_lossy(&sent).contains(what);
        sent.clear();
        found
    }
}
