//! The public rate limit (`SHIXIN_PUBLIC_RATE_LIMIT`, `N/s` | `N/min` | `N/h`): a fixed-window
//! counter per client, in Redis when it answers (shared by every instance: `INCR` + `PEXPIRE` in one
//! script), in process otherwise. The client is the peer address, or the first address of
//! `X-Forwarded-For` that is not a trusted proxy when the peer is one (`SHIXIN_TRUSTED_PROXIES`).

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use anyhow::{Context, bail};
use ipnet::IpNet;

use super::{Cache, REDIS_DEADLINE, hash};

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

/// The client of a request: the peer, unless the peer is a trusted proxy; then the right-most
/// `X-Forwarded-For` entry that is not itself a trusted proxy.
pub fn client_ip(peer: Option<IpAddr>, xff: Option<&str>, trusted: &[IpNet]) -> Option<IpAddr> {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    let peer = peer?;
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let hops: Vec<IpAddr> = xff
        .unwrap_or("")
        .split(',')
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .collect();
    hops.iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .or(hops.first())
        .copied()
        .or(Some(peer))
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
    pub fn new(rate: Rate, trusted: Vec<IpNet>) -> RateLimiter {
        RateLimiter {
            rate,
            trusted,
            local: Mutex::new(HashMap::new()),
        }
    }

    pub fn trusted(&self) -> &[IpNet] {
        &self.trusted
    }

    fn window_ms(&self) -> u64 {
        u64::try_from(self.rate.window.as_millis()).unwrap_or(u64::MAX)
    }

    /// The current window's index and the seconds left in it (at least 1).
    fn window(&self) -> (u64, u64) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(0))
            .unwrap_or(0);
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
mod tests {
    use super::*;

    #[test]
    fn rates_parse() {
        assert_eq!(
            Rate::parse("60/min").ok(),
            Some(Rate {
                limit: 60,
                window: Duration::from_secs(60)
            })
        );
        assert_eq!(Rate::parse("5/s").map(|r| r.limit).ok(), Some(5));
        assert_eq!(
            Rate::parse("100/h").map(|r| r.window).ok(),
            Some(Duration::from_secs(3600))
        );
        assert!(Rate::parse("0/s").is_err());
        assert!(Rate::parse("10/day").is_err());
        assert!(Rate::parse("ten/s").is_err());
    }

    #[test]
    fn the_client_is_the_peer_unless_it_is_a_trusted_proxy() {
        let trusted =
            parse_proxies(&["10.0.0.0/8".into(), "192.168.1.1".into()]).unwrap_or_default();
        let ip = |s: &str| s.parse::<IpAddr>().ok();
        assert_eq!(
            client_ip(ip("1.2.3.4"), Some("9.9.9.9"), &trusted),
            ip("1.2.3.4")
        );
        assert_eq!(
            client_ip(ip("10.1.1.1"), Some("9.9.9.9"), &trusted),
            ip("9.9.9.9")
        );
        assert_eq!(
            client_ip(
                ip("10.1.1.1"),
                Some("8.8.8.8, 9.9.9.9, 192.168.1.1"),
                &trusted
            ),
            ip("9.9.9.9")
        );
        assert_eq!(client_ip(ip("10.1.1.1"), None, &trusted), ip("10.1.1.1"));
        assert!(parse_proxies(&["not-an-ip".into()]).is_err());
    }
}
