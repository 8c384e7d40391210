//! Load driver for `POST /v1/checks` (bench/checks/run.sh): N concurrent clients post pre-built
//! batches for a fixed time and report subjects per second and batch latency percentiles as JSON.
//!
//! cargo run --release --example bench_checks -- URL TOKEN BATCHES_FILE CLIENTS SECONDS
//! BATCHES_FILE holds one JSON request body per line.
// A benchmark driver stops at the first failure rather than measure a broken run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, token, file, clients, seconds] = &args[..] else {
        eprintln!("usage: bench_checks URL TOKEN BATCHES_FILE CLIENTS SECONDS");
        std::process::exit(2);
    };
    let bodies: Vec<String> = std::fs::read_to_string(file)
        .expect("batches file")
        .lines()
        .map(str::to_string)
        .collect();
    let subjects_per_batch =
        serde_json::from_str::<serde_json::Value>(&bodies[0]).expect("json")["subjects"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0);
    let clients: usize = clients.parse().expect("clients");
    let duration = Duration::from_secs(seconds.parse().expect("seconds"));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, url, token, bodies) =
            (client.clone(), url.clone(), token.clone(), bodies.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0u64;
            let mut i = c;
            while started.elapsed() < duration {
                let body = bodies[i % bodies.len()].clone();
                i += clients;
                let t = Instant::now();
                let r = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed());
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
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    };
    let out = serde_json::json!({
        "batches": all.len(),
        "errors": errors,
        "subjects_per_batch": subjects_per_batch,
        "seconds": elapsed,
        "batches_per_sec": all.len() as f64 / elapsed,
        "subjects_per_sec": (all.len() * subjects_per_batch) as f64 / elapsed,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
    });
    println!("{out}");
}
