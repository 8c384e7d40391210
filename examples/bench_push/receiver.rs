//! The receiver: records every request it gets (arrival, webhook, `webhook-id`, event type and
//! listing) and answers 200 at once; the `Collector` reads those records once each.

use std::{
    collections::{HashMap, HashSet},
    net::TcpListener,
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde::Deserialize;
use uuid::Uuid;

use crate::service::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Published,
    Imposed,
    Other,
}

#[derive(Clone, Copy, Debug)]
pub struct Arrival {
    pub at: Instant,
    /// The webhook's index (`/hook/{n}`); `u16::MAX` for any other path (the baseline).
    pub hook: u16,
    /// `webhook-id`: the event id, the same on every retry.
    pub msg: Uuid,
    pub kind: Kind,
    pub listing: Uuid,
}

#[derive(Default)]
pub struct Recorder {
    got: Mutex<Vec<Arrival>>,
    /// The first `restriction.imposed` body received (the baseline's body).
    pub sample: Mutex<Option<web::Bytes>>,
}

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Deserialize)]
struct EventIn {
    #[serde(rename = "type")]
    kind: Option<String>,
    data: Option<DataIn>,
}

#[derive(Deserialize)]
struct DataIn {
    listing_id: Option<Uuid>,
}

async fn receive(req: HttpRequest, body: web::Bytes, rec: web::Data<Recorder>) -> HttpResponse {
    let at = Instant::now();
    let hook = req
        .path()
        .strip_prefix("/hook/")
        .and_then(|n| n.parse().ok())
        .unwrap_or(u16::MAX);
    let msg = req
        .headers()
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|s| Uuid::parse_str(s).ok())
        .unwrap_or_default();
    let (kind, listing) = match serde_json::from_slice::<EventIn>(&body) {
        Ok(e) => (
            match e.kind.as_deref() {
                Some("listing.published") => Kind::Published,
                Some("restriction.imposed") => Kind::Imposed,
                _ => Kind::Other,
            },
            e.data.and_then(|d| d.listing_id).unwrap_or_default(),
        ),
        Err(_) => (Kind::Other, Uuid::nil()),
    };
    if kind == Kind::Imposed && hook != u16::MAX {
        let mut s = lock(&rec.sample);
        if s.is_none() {
            *s = Some(body.clone());
        }
    }
    // The baseline's requests are recorded too (the receiver does the same work for every request).
    lock(&rec.got).push(Arrival {
        at,
        hook,
        msg,
        kind,
        listing,
    });
    HttpResponse::Ok().finish()
}

pub fn start_receiver(rec: Arc<Recorder>, workers: usize) -> anyhow::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let data = web::Data::from(rec);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(4 * 1024 * 1024))
            .default_service(web::to(receive))
    })
    .workers(workers.max(1))
    .disable_signals()
    .listen(listener)?
    .run();
    tokio::spawn(server);
    Ok(format!("http://127.0.0.1:{port}"))
}

/// Reads what the receiver got, once each (by webhook and `webhook-id`, the first arrival counts).
#[derive(Default)]
pub struct Collector {
    cursor: usize,
    seen: HashSet<(u16, Uuid)>,
    pub unique: Vec<Arrival>,
    pub duplicates: usize,
}

impl Collector {
    /// A collector that ignores what the receiver got before now (replays repeat `webhook-id`s).
    pub fn from_now(rec: &Recorder) -> Collector {
        Collector {
            cursor: lock(&rec.got).len(),
            ..Collector::default()
        }
    }

    pub fn poll(&mut self, rec: &Recorder) {
        let fresh: Vec<Arrival> = {
            let got = lock(&rec.got);
            let fresh = got.get(self.cursor..).unwrap_or_default().to_vec();
            self.cursor = got.len();
            fresh
        };
        for a in fresh.into_iter().filter(|a| a.hook != u16::MAX) {
            if self.seen.insert((a.hook, a.msg)) {
                self.unique.push(a);
            } else {
                self.duplicates += 1;
            }
        }
    }

    pub fn count_for(&self, writes: &HashMap<Uuid, Write>) -> usize {
        self.unique
            .iter()
            .filter(|a| writes.contains_key(&a.listing))
            .count()
    }

    /// Waits until the deliveries of `writes` number `expected`, for at most `timeout`, giving up
    /// earlier when nothing new arrives for 60 s. Answers how many arrived.
    pub async fn wait(
        &mut self,
        rec: &Recorder,
        writes: &HashMap<Uuid, Write>,
        expected: usize,
        timeout: Duration,
    ) -> usize {
        let started = Instant::now();
        let mut last_progress = Instant::now();
        let mut last_report = Instant::now();
        let (mut have, mut counted) = (0, 0);
        loop {
            self.poll(rec);
            let fresh = self.unique[counted..]
                .iter()
                .filter(|a| writes.contains_key(&a.listing))
                .count();
            counted = self.unique.len();
            if fresh > 0 {
                have += fresh;
                last_progress = Instant::now();
            }
            if have >= expected {
                return have;
            }
            if started.elapsed() > timeout || last_progress.elapsed() > Duration::from_secs(60) {
                eprintln!("  gave up waiting: {have} of {expected} deliveries arrived");
                return have;
            }
            if last_report.elapsed() > Duration::from_secs(5) {
                eprintln!(
                    "  … {have} of {expected} deliveries ({:.0} s)",
                    started.elapsed().as_secs_f64()
                );
                last_report = Instant::now();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
