//! The phases that load the service and the receiver: the receiver's baseline, phase A (closed-loop
//! writers) and phase B (a steady rate, open loop).

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use actix_web::web;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    service::{Service, Write},
    stats::dist,
};

pub async fn baseline(
    client: &reqwest::Client,
    base: &str,
    body: web::Bytes,
    concurrency: usize,
    seconds: f64,
) -> Value {
    let duration = Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, url, body) = (client.clone(), format!("{base}/baseline"), body.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0usize;
            while started.elapsed() < duration {
                let t = Instant::now();
                let r = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("webhook-id", Uuid::now_v7().to_string())
                    .header(
                        "webhook-timestamp",
                        chrono::Utc::now().timestamp().to_string(),
                    )
                    .header(
                        "webhook-signature",
                        "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
                    )
                    .body(body.clone())
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((l, e)) = t.await {
            all.extend(l);
            errors += e;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    json!({
        "concurrency": concurrency,
        "seconds": secs,
        "requests": all.len(),
        "errors": errors,
        "body_bytes": body.len(),
        "requests_per_sec": all.len() as f64 / secs,
        "latency": dist(all),
    })
}

/// Phase A: `n` changes from `writers` closed-loop writers, as fast as the service answers.
pub async fn flood(svc: &Arc<Service>, n: usize, writers: usize) -> (HashMap<Uuid, Write>, usize) {
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..writers.max(1) {
        let (svc, next) = (svc.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut done = Vec::new();
            let mut errors = 0usize;
            while next.fetch_add(1, Ordering::Relaxed) < n {
                match svc.change().await {
                    Ok(w) => done.push(w),
                    Err(e) => {
                        if errors == 0 {
                            eprintln!("  write failed: {e:#}");
                        }
                        errors += 1;
                    }
                }
            }
            (done, errors)
        }));
    }
    let mut writes = HashMap::with_capacity(n);
    let mut errors = 0;
    for t in tasks {
        if let Ok((done, e)) = t.await {
            writes.extend(done);
            errors += e;
        }
    }
    (writes, errors)
}

/// Phase B: `n` changes at `rate` per second, each sent on schedule (open loop).
pub async fn paced(svc: &Arc<Service>, n: usize, rate: f64) -> (HashMap<Uuid, Write>, usize) {
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for k in 0..n {
        tokio::time::sleep_until(start + Duration::from_secs_f64(k as f64 / rate)).await;
        let svc = svc.clone();
        tasks.push(tokio::spawn(async move { svc.change().await }));
    }
    let mut writes = HashMap::with_capacity(n);
    let mut errors = 0;
    for t in tasks {
        match t.await {
            Ok(Ok((id, w))) => {
                writes.insert(id, w);
            }
            Ok(Err(e)) => {
                if errors == 0 {
                    eprintln!("  write failed: {e:#}");
                }
                errors += 1;
            }
            Err(_) => errors += 1,
        }
    }
    (writes, errors)
}
