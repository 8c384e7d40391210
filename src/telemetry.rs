//! Tracing: request ids, `SHIXIN_LOG_FORMAT=json|pretty`, and a root span that records the route
//! pattern, never the raw target (query strings may carry ID numbers; ARCHITECTURE §10).

use actix_web::{
    Error, HttpMessage,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
};
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::LogFormat;

pub fn init(format: LogFormat) {
    let mut filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    // These crates log statement parameters or raw payloads at debug/trace: ID numbers and names
    // would reach the log. They are capped whatever RUST_LOG says.
    for quiet in [
        "tokio_postgres=info",
        "actix_http=info",
        "h2=info",
        "hyper=info",
        "reqwest=info",
    ] {
        if let Ok(d) = quiet.parse() {
            filter = filter.add_directive(d);
        }
    }
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true),
            )
            .try_init(),
        LogFormat::Pretty => registry.with(fmt::layer().with_target(false)).try_init(),
    };
    // A second init (tests) is harmless.
    let _ = result;
}

pub struct RedactedRootSpan;

impl RootSpanBuilder for RedactedRootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(|r| r.to_string())
            .unwrap_or_default();
        let route = crate::metrics::RoutePattern::of(request);
        tracing::info_span!(
            "http_request",
            method = %request.method(),
            route = %route.0,
            request_id = %request_id,
            status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let status = crate::metrics::status_of(outcome);
        span.record("status", status);
        span.in_scope(|| tracing::info!(status, "request finished"));
    }
}
