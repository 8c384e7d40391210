//! Prometheus metrics (`GET /metrics`): requests by route pattern, method and status with latency
//! histograms, cache hits and misses, rate-limit rejections, check subjects and decisions, events
//! written, delivery attempts by outcome, and, read at scrape time, the delivery queue and the pools.

use std::{sync::OnceLock, time::Instant};

use actix_web::{
    Error, HttpMessage,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const REQUESTS: &str = "shixin_http_requests_total";
pub const REQUEST_SECONDS: &str = "shixin_http_request_duration_seconds";
pub const CACHE_LOOKUPS: &str = "shixin_cache_lookups_total";
/// Batched token reads (one Redis pipeline each) and the lookups they carried.
pub const CACHE_TOKEN_READS: &str = "shixin_cache_token_reads_total";
pub const CACHE_TOKEN_LOOKUPS: &str = "shixin_cache_token_lookups_total";
/// Batched public searches in PostgreSQL (one statement each) and the searches they carried.
pub const PUBLIC_READ_BATCHES: &str = "shixin_public_read_batches_total";
pub const PUBLIC_READ_SEARCHES: &str = "shixin_public_read_searches_total";
pub const RATE_LIMITED: &str = "shixin_rate_limited_total";
pub const CHECK_SUBJECTS: &str = "shixin_check_subjects_total";
pub const EVENTS: &str = "shixin_events_written_total";
pub const DELIVERY_ATTEMPTS: &str = "shixin_webhook_attempts_total";
pub const DELIVERY_LAG: &str = "shixin_webhook_delivery_lag_seconds";

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process-wide recorder (installed once; every application in the process shares it).
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let buckets = [
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ];
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &buckets)
                .ok()?
                .install_recorder()
                .map_err(|e| tracing::warn!(error = %e, "metrics recorder not installed"))
                .ok()
        })
        .as_ref()
}

/// A request's route pattern (`/v1/listings/{id}`, never its path, which may carry an ID number),
/// worked out once per request and kept in its extensions for the log span and the metrics.
#[derive(Clone)]
pub struct RoutePattern(pub String);

impl RoutePattern {
    pub fn of(req: &ServiceRequest) -> RoutePattern {
        if let Some(p) = req.extensions().get::<RoutePattern>() {
            return p.clone();
        }
        let p = RoutePattern(req.match_pattern().unwrap_or_else(|| "unmatched".into()));
        req.extensions_mut().insert(p.clone());
        p
    }
}

/// The status a request ended with, whether the service answered or failed.
pub fn status_of<B>(outcome: &Result<ServiceResponse<B>, Error>) -> u16 {
    match outcome {
        Ok(r) => r.status().as_u16(),
        Err(e) => e.as_response_error().status_code().as_u16(),
    }
}

/// Counts every request and its latency under its route pattern (never its path, which may carry an
/// ID number).
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let start = Instant::now();
    let route = RoutePattern::of(&req).0;
    let method = req.method().as_str().to_string();
    let res = next.call(req).await;
    let status = status_of(&res);
    metrics::counter!(REQUESTS, "route" => route.clone(), "method" => method.clone(),
        "status" => status.to_string())
    .increment(1);
    metrics::histogram!(REQUEST_SECONDS, "route" => route, "method" => method)
        .record(start.elapsed().as_secs_f64());
    res
}
