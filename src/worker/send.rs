//! One HTTP attempt: sign, POST with no transaction open, read at most 64 KiB of the answer, and
//! classify it.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use reqwest::{Client, StatusCode, header};
use tokio::time::Instant;

use super::schedule::parse_retry_after;
use crate::webhooks::{
    guard::{self, GuardedResolver, UrlProblem},
    signing,
};

/// The most of an answer that is read; the rest is dropped.
const RESPONSE_CAP: usize = 64 * 1024;
/// The most of an answer that is kept in the attempt log.
const RESPONSE_KEPT: usize = 1024;

/// The client of every delivery: no redirects, no proxy, the SSRF guard as its resolver.
pub fn client(allow_private: bool, timeout: Duration) -> reqwest::Result<Client> {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(GuardedResolver { allow_private }))
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .timeout(timeout)
        .tcp_nodelay(true)
        .pool_idle_timeout(Duration::from_secs(60))
        .user_agent(concat!("shixin-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    /// 410: the receiver is gone for good; the webhook is disabled.
    Gone,
    Failed,
}

#[derive(Debug)]
pub struct AttemptResult {
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub duration_ms: i32,
    pub response: Option<String>,
    pub error: Option<String>,
    pub retry_after: Option<Duration>,
    pub verdict: Verdict,
}

pub struct Message<'a> {
    pub url: &'a str,
    pub msg_id: &'a str,
    pub body: Vec<u8>,
    pub secrets: Vec<&'a str>,
}

fn failure(at: DateTime<Utc>, start: Instant, error: &str) -> AttemptResult {
    AttemptResult {
        attempted_at: at,
        status_code: None,
        duration_ms: elapsed_ms(start),
        response: None,
        error: Some(error.to_string()),
        retry_after: None,
        verdict: Verdict::Failed,
    }
}

fn elapsed_ms(start: Instant) -> i32 {
    i32::try_from(start.elapsed().as_millis()).unwrap_or(i32::MAX)
}

fn classify(e: &reqwest::Error) -> &'static str {
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        if s.downcast_ref::<UrlProblem>().is_some() {
            return "webhook_url_not_allowed";
        }
        source = s.source();
    }
    if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection_failed"
    } else {
        "request_failed"
    }
}

/// The answer's `Retry-After` as a delay from `now`: `None` when absent, not visible ASCII, not
/// understood (see [`parse_retry_after`]) or in the past (the first header when there are several).
pub fn retry_after(headers: &header::HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, now))
}

/// Sends one message; never fails, every outcome is an [`AttemptResult`].
pub async fn attempt(client: &Client, msg: Message<'_>, allow_private: bool) -> AttemptResult {
    let at = Utc::now();
    let start = Instant::now();
    let url = match guard::parse(msg.url) {
        Ok(u) => u,
        Err(_) => return failure(at, start, "invalid_url"),
    };
    if !guard::literal_allowed(&url, allow_private) {
        return failure(at, start, "webhook_url_not_allowed");
    }
    let timestamp = at.timestamp();
    let signature = signing::header(&msg.secrets, msg.msg_id, timestamp, &msg.body);
    let sent = client
        .post(url)
        .header(header::CONTENT_TYPE, "application/json")
        .header("webhook-id", msg.msg_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(msg.body)
        .send()
        .await;
    let mut resp = match sent {
        Ok(r) => r,
        Err(e) => return failure(at, start, classify(&e)),
    };
    let status = resp.status();
    let retry_after = retry_after(resp.headers(), Utc::now());
    let mut body = Vec::new();
    let mut read_error = None;
    while body.len() < RESPONSE_CAP {
        match resp.chunk().await {
            Ok(Some(c)) => body.extend_from_slice(&c),
            Ok(None) => break,
            Err(e) => {
                read_error = Some(classify(&e));
                break;
            }
        }
    }
    body.truncate(RESPONSE_KEPT);
    let text = String::from_utf8_lossy(&body).into_owned();
    let verdict = if status.is_success() {
        Verdict::Delivered
    } else if status == StatusCode::GONE {
        Verdict::Gone
    } else {
        Verdict::Failed
    };
    AttemptResult {
        attempted_at: at,
        status_code: Some(i32::from(status.as_u16())),
        duration_ms: elapsed_ms(start),
        response: Some(text).filter(|t| !t.is_empty()),
        error: match verdict {
            Verdict::Delivered => None,
            _ => Some(read_error.unwrap_or("http_status").to_string()),
        },
        retry_after,
        verdict,
    }
}

#[cfg(test)]
mod tests;
