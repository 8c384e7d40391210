//! The public rate limit (`SHIXIN_PUBLIC_RATE_LIMIT`, `N/s` | `N/min` | `N/h`): a fixed-window
//! counter per client, in Redis when it answers (shared by every instance: `INCR` + `PEXPIRE` in one
//! script), in process otherwise.
//!
//! The client is the peer address, unless the peer is a trusted proxy (`SHIXIN_TRUSTED_PROXIES`);
//! then it is found by walking `X-Forwarded-For` from the right: every header line, in order, split
//! on commas, read right to left, skipping trusted proxies; the first address that is not one is the
//! client. Each proxy appends the address it saw, so only the entries right of the client were
//! written by hops we trust; anything further left may be forged by the client and is never read.
//! Entries may carry a port (`203.0.113.7:4711`, `[2001:db8::1]:4711`) or brackets (`[2001:db8::1]`);
//! empty entries are skipped. The walk stops without a non-trusted address in two cases, and the
//! client is then the last address it reached (the left-most trusted hop, or the peer):
//! - every entry is a trusted proxy (a request from inside the trusted network);
//! - an entry cannot be parsed (`unknown`, an obfuscated name, garbage): whatever is at or left of
//!   it is not believed, so the request counts against the trusted hop that handed it over rather
//!   than against any address further left, which the client could choose.

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv6Addr, SocketAddrV4},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use anyhow::{Context, bail};
use ipnet::IpNet;

use super::{Cache, REDIS_DEADLINE, hash};
use crate::clock::Clock;

const SCRIPT: &str = r"
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub limit: u64,
    pub window: Duration,
}

impl Rate {
    pub fn parse(s: &str) -> anyhow::Result<Rate> {
        let (n, unit) = s
            .trim()
            .split_once('/')
            .context("SHIXIN_PUBLIC_RATE_LIMIT must look like 60/min")?;
        let limit: u64 = n
            .trim()
            .parse()
            .context("SHIXIN_PUBLIC_RATE_LIMIT: the count must be a whole number")?;
        let window = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            other => bail!("SHIXIN_PUBLIC_RATE_LIMIT: unknown unit {other:?} (use s, min or h)"),
        };
        if limit == 0 {
            bail!("SHIXIN_PUBLIC_RATE_LIMIT must allow at least one request");
        }
        Ok(Rate { limit, window })
    }
}

/// Addresses and CIDR blocks whose `X-Forwarded-For` is believed.
pub fn parse_proxies(list: &[String]) -> anyhow::Result<Vec<IpNet>> {
    list.iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .with_context(|| format!("SHIXIN_TRUSTED_PROXIES: {s:?} is not an address or CIDR"))
        })
        .collect()
}

/// One `X-Forwarded-For` entry: an address (IPv4 or bare IPv6), `a.b.c.d:port`, `[IPv6]` or
/// `[IPv6]:port`. `None` for anything else.
fn parse_hop(entry: &[u8]) -> Option<IpAddr> {
    let s = std::str::from_utf8(entry).ok()?;
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        let (inner, after) = rest.split_once(']')?;
        let port_ok = after.is_empty()
            || after
                .strip_prefix(':')
                .is_some_and(|p| p.parse::<u16>().is_ok());
        return if port_ok {
            inner.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
        } else {
            None
        };
    }
    s.parse::<SocketAddrV4>().ok().map(|a| IpAddr::V4(*a.ip()))
}

/// The client of a request (module comment): the peer, unless the peer is a trusted proxy; then the
/// right-most `X-Forwarded-For` entry, over all `lines` in order, that is not itself a trusted proxy.
/// If there is none (every entry trusted, or the walk stopped at an unparseable entry), the last
/// trusted address the walk reached.
pub fn client_ip<'a>(
    peer: Option<IpAddr>,
    lines: impl DoubleEndedIterator<Item = &'a [u8]>,
    trusted: &[IpNet],
) -> Option<IpAddr> {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    let mut client = peer?;
    if !is_trusted(&client) {
        return Some(client);
    }
    let entries_from_the_right = lines
        .rev()
        .flat_map(|line| line.rsplit(|b| *b == b','))
        .map(<[u8]>::trim_ascii)
        .filter(|e| !e.is_empty());
    for entry in entries_from_the_right {
        let Some(ip) = parse_hop(entry) else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    Some(client)
}

thread_local! {
    static CLIENT_HASHES: crate::memo::Memo<IpAddr, String> = Default::default();
}

/// The hashed client address of a counter key (no address is stored in Redis), remembered per
/// thread: a client sends many requests.
fn client_hash(client: IpAddr) -> String {
    crate::memo::remember(&CLIENT_HASHES, &client, 10_000, |c| {
        hash(&c.to_string())[..32].to_string()
    })
}

pub struct RateLimiter {
    rate: Rate,
    trusted: Vec<IpNet>,
    local: Mutex<HashMap<IpAddr, (u64, u64)>>,
    /// The clients refused lately, with the window of their last refusal (see `limited_lately`).
    limited: Mutex<HashMap<IpAddr, u64>>,
    /// Whether `limited` may hold anyone (most of the time nobody: no lock on the way).
    any_limited: AtomicBool,
    /// Where the windows' time comes from (`crate::clock`).
    clock: Arc<Clock>,
}

/// A client's counter in Redis, counted in the same batched read as a cache lookup.
pub struct Counter {
    pub key: String,
    pub window_ms: u64,
    pub retry_after: u64,
}

/// Set by the middleware on a search request: count this client in the cache lookup's batched
/// Redis read (no round trip of its own).
#[derive(Debug, Clone, Copy)]
pub struct DeferredLimit(pub IpAddr);

/// `Err(retry_after_secs)` when the client is over its limit.
pub type Verdict = Result<(), u64>;

impl RateLimiter {
    pub fn new(rate: Rate, trusted: Vec<IpNet>, clock: Arc<Clock>) -> RateLimiter {
        RateLimiter {
            rate,
            trusted,
            local: Mutex::new(HashMap::new()),
            limited: Mutex::new(HashMap::new()),
            any_limited: Default::default(),
            clock,
        }
    }

    /// Records that `client` was refused (this window).
    pub fn note_limited(&self, client: IpAddr) {
        let (window, _) = self.window();
        if let Ok(mut map) = self.limited.lock() {
            if map.len() > 10_000 {
                map.retain(|_, w| *w + 1 >= window);
            }
            map.insert(client, window);
            self.any_limited.store(true, Ordering::Relaxed);
        }
    }

    /// Whether `client` was refused in this window or the last: its next lookups are counted before
    /// their query (`public::search_body`), so a client over its limit costs no query.
    pub fn limited_lately(&self, client: IpAddr) -> bool {
        if !self.any_limited.load(Ordering::Relaxed) {
            return false;
        }
        let (window, _) = self.window();
        self.limited
            .lock()
            .ok()
            .and_then(|m| m.get(&client).copied())
            .is_some_and(|w| w + 1 >= window)
    }

    pub fn trusted(&self) -> &[IpNet] {
        &self.trusted
    }

    fn window_ms(&self) -> u64 {
        u64::try_from(self.rate.window.as_millis()).unwrap_or(u64::MAX)
    }

    /// The current window's index and the seconds left in it (at least 1).
    fn window(&self) -> (u64, u64) {
        let now = self.clock.unix_ms();
        let w = self.window_ms().max(1);
        let left_ms = w - now % w;
        (now / w, left_ms.div_ceil(1000).max(1))
    }

    /// The Redis counter of `client` in the current window: (key, window in ms, Retry-After).
    pub fn counter(&self, cache: &Cache, client: IpAddr) -> Counter {
        let (window, retry_after) = self.window();
        Counter {
            key: format!("{}:rl:{}:{window}", cache.prefix(), client_hash(client)),
            window_ms: self.window_ms(),
            retry_after,
        }
    }

    /// The verdict for a count read from Redis.
    pub fn verdict(&self, count: u64, retry_after: u64) -> Verdict {
        if count > self.rate.limit {
            Err(retry_after)
        } else {
            Ok(())
        }
    }

    pub async fn check(&self, cache: &Cache, client: IpAddr) -> Verdict {
        let (window, retry_after) = self.window();
        if let Some(mut conn) = cache.available_conn() {
            let key = self.counter(cache, client).key;
            let call = async {
                redis::cmd("EVAL")
                    .arg(SCRIPT)
                    .arg(1)
                    .arg(&key)
                    .arg(self.window_ms())
                    .query_async::<u64>(&mut conn)
                    .await
            };
            match tokio::time::timeout(REDIS_DEADLINE, call).await {
                Ok(Ok(n)) => {
                    return if n > self.rate.limit {
                        Err(retry_after)
                    } else {
                        Ok(())
                    };
                }
                Ok(Err(e)) => {
                    tracing::warn!(error_kind = ?e.kind(), "redis rate limit failed; counting in process");
                    cache.record_failure();
                }
                Err(_) => {
                    tracing::warn!("redis rate limit timed out; counting in process");
                    cache.record_failure();
                }
            }
        }
        self.check_local(client, window, retry_after)
    }

    fn check_local(&self, client: IpAddr, window: u64, retry_after: u64) -> Verdict {
        let Ok(mut map) = self.local.lock() else {
            return Ok(());
        };
        if map.len() > 100_000 {
            map.retain(|_, (w, _)| *w == window);
        }
        let entry = map.entry(client).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        entry.1 += 1;
        if entry.1 > self.rate.limit {
            Err(retry_after)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests;
