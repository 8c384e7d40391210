//! A real webhook receiver on a local port: records every request (path, Standard Webhooks headers,
//! body, arrival time) and answers as the test tells it to (status, delay, `Retry-After`).

use std::{
    net::TcpListener,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU16, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
    pub fn event_type(&self) -> String {
        self.json()["type"].as_str().unwrap_or_default().to_string()
    }
}

#[derive(Default)]
pub struct Behaviour {
    pub got: Mutex<Vec<Received>>,
    /// The status answered (200 unless set).
    pub status: AtomicU16,
    /// How long each answer waits, in milliseconds.
    pub delay_ms: AtomicU64,
    /// `Retry-After` seconds sent with a failure (0: none).
    pub retry_after: AtomicU64,
    /// Paths that hang (answer after 60 s).
    pub hang: Mutex<Vec<String>>,
}

pub struct Receiver {
    pub base: String,
    pub b: Arc<Behaviour>,
}

async fn handle(req: HttpRequest, body: web::Bytes, b: web::Data<Behaviour>) -> HttpResponse {
    let h = |k: &str| {
        req.headers()
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let path = req.path().to_string();
    let hangs = b.hang.lock().unwrap().contains(&path);
    if hangs {
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
    let delay = b.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    b.got.lock().unwrap().push(Received {
        path,
        id: h("webhook-id"),
        timestamp: h("webhook-timestamp"),
        signature: h("webhook-signature"),
        body: body.to_vec(),
        at: Instant::now(),
    });
    let status = match b.status.load(Ordering::SeqCst) {
        0 => 200,
        s => s,
    };
    let mut r = HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap());
    let ra = b.retry_after.load(Ordering::SeqCst);
    if ra > 0 && status >= 400 {
        r.insert_header(("Retry-After", ra.to_string()));
    }
    r.body("ok")
}

impl Receiver {
    pub fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let b = Arc::new(Behaviour::default());
        let data = web::Data::from(b.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(4 * 1024 * 1024))
                .default_service(web::to(handle))
        })
        .workers(2)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Receiver {
            base: format!("http://127.0.0.1:{port}"),
            b,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn set_status(&self, s: u16) {
        self.b.status.store(s, Ordering::SeqCst);
    }

    pub fn got(&self) -> Vec<Received> {
        self.b.got.lock().unwrap().clone()
    }

    /// Waits (up to `secs`) until `done` holds for what arrived; panics with what did arrive.
    pub async fn wait_until(&self, secs: u64, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let got = self.got();
            if done(&got) {
                return got;
            }
            if Instant::now() > deadline {
                let summary: Vec<_> = got
                    .iter()
                    .map(|r| (r.path.clone(), r.event_type()))
                    .collect();
                panic!(
                    "timed out after {secs} s; received {} requests: {summary:?}",
                    got.len()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Verifies a Standard Webhooks signature header against a `whsec_` secret, written here from the
/// specification independently of the service's own code.
pub fn signature_valid(secret: &str, r: &Received) -> bool {
    let key = STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.", r.id, r.timestamp).as_bytes());
    mac.update(&r.body);
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    r.signature
        .split(' ')
        .any(|s| s.strip_prefix("v1,") == Some(expected.as_str()))
}
