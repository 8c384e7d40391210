//! Statistics: percentiles, a phase's results as JSON, and its summary line.

use std::{collections::HashMap, time::Instant};

use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    receiver::{Arrival, Collector, Kind},
    service::Write,
};

/// Nearest-rank percentile of sorted values.
fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

pub fn dist(mut v: Vec<f64>) -> Value {
    v.sort_by(f64::total_cmp);
    let r = |x: f64| (x * 100.0).round() / 100.0;
    json!({
        "n": v.len(),
        "min_ms": r(v.first().copied().unwrap_or(f64::NAN)),
        "p50_ms": r(pct(&v, 0.50)),
        "p90_ms": r(pct(&v, 0.90)),
        "p99_ms": r(pct(&v, 0.99)),
        "max_ms": r(v.last().copied().unwrap_or(f64::NAN)),
    })
}

/// Milliseconds from `from` to `to`, negative when `to` came first (a notice can reach the receiver
/// before the write's answer reaches the court).
fn ms_between(from: Instant, to: Instant) -> f64 {
    if to >= from {
        (to - from).as_secs_f64() * 1000.0
    } else {
        -((from - to).as_secs_f64() * 1000.0)
    }
}

pub fn phase_report(
    name: &str,
    started: Instant,
    writes: &HashMap<Uuid, Write>,
    errors: usize,
    expected: usize,
    col: &Collector,
) -> Value {
    let arrivals: Vec<&Arrival> = col
        .unique
        .iter()
        .filter(|a| writes.contains_key(&a.listing))
        .collect();
    let last_arrival = arrivals.iter().map(|a| a.at).max().unwrap_or(started);
    let last_return = writes.values().map(|w| w.returned).max().unwrap_or(started);
    let span = (last_arrival - started).as_secs_f64();
    let write_span = (last_return - started).as_secs_f64();
    let latency = |only: Option<Kind>| {
        dist(
            arrivals
                .iter()
                .filter(|a| only.is_none_or(|k| a.kind == k))
                .filter_map(|a| writes.get(&a.listing).map(|w| ms_between(w.returned, a.at)))
                .collect(),
        )
    };
    let write_latency = dist(
        writes
            .values()
            .map(|w| ms_between(w.sent, w.returned))
            .collect(),
    );
    let per_hook: HashMap<u16, usize> = arrivals.iter().fold(HashMap::new(), |mut m, a| {
        *m.entry(a.hook).or_default() += 1;
        m
    });
    let (fewest, most) = (
        per_hook.values().min().copied().unwrap_or(0),
        per_hook.values().max().copied().unwrap_or(0),
    );
    json!({
        "phase": name,
        "changes": writes.len(),
        "write_errors": errors,
        "writes_per_sec": if write_span > 0.0 { writes.len() as f64 / write_span } else { 0.0 },
        "write_latency": write_latency,
        "deliveries_expected": expected,
        "deliveries": arrivals.len(),
        "seconds_first_write_to_last_delivery": span,
        "deliveries_per_sec": if span > 0.0 { arrivals.len() as f64 / span } else { 0.0 },
        "drain_after_last_write_s": (last_arrival.max(last_return) - last_return).as_secs_f64(),
        "per_webhook_min_max": [fewest, most],
        "notice_latency_listing_published": latency(Some(Kind::Published)),
        "latency_all_events": latency(None),
    })
}

pub fn line(name: &str, r: &Value) {
    let l = &r["notice_latency_listing_published"];
    eprintln!(
        "{name}: {} changes ({} errors) at {:.0}/s (write p50 {} ms, p99 {} ms); {} of {} deliveries \
         in {:.1} s = {:.0} deliveries/s; listing.published notice latency p50 {} ms, p99 {} ms, \
         max {} ms",
        r["changes"],
        r["write_errors"],
        r["writes_per_sec"].as_f64().unwrap_or(0.0),
        r["write_latency"]["p50_ms"],
        r["write_latency"]["p99_ms"],
        r["deliveries"],
        r["deliveries_expected"],
        r["seconds_first_write_to_last_delivery"]
            .as_f64()
            .unwrap_or(0.0),
        r["deliveries_per_sec"].as_f64().unwrap_or(0.0),
        l["p50_ms"],
        l["p99_ms"],
        l["max_ms"],
    );
}
