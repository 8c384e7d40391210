//! The Sentinel form of `REDIS_URL`:
//!
//! `redis+sentinel://[[username]:password@]host[:port][,host[:port]…]/master-name[/db]`
//!
//! - the hosts are the *sentinels* (at least one; the port defaults to 26379; an IPv6 address is
//!   written in brackets, `[::1]:26379`);
//! - `master-name` is the name the sentinels monitor (`sentinel monitor <master-name> …`);
//! - the user and password (percent-encoded, as in `redis://`) and the database number are those
//!   of the *master*; the sentinels are reached without a password;
//! - no query string, no TLS (`rediss+sentinel://` is refused).
//!
//! The client itself is the redis crate's [`SentinelClient`]: it asks the sentinels in turn, and
//! checks with `ROLE` that the server they name is a master.

use anyhow::{Context, bail};
use redis::{
    ConnectionAddr, IntoConnectionInfo,
    sentinel::{SentinelClient, SentinelClientBuilder, SentinelServerType},
};

pub const SCHEME: &str = "redis+sentinel://";
const DEFAULT_PORT: u16 = 26379;
const FORM: &str =
    "expected redis+sentinel://[[user]:password@]host:port[,host:port…]/master-name[/db]";

/// Whether `url` is of the Sentinel form (by its scheme).
pub fn is_sentinel(url: &str) -> bool {
    url.get(..SCHEME.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(SCHEME))
}

/// What a Sentinel URL says.
#[derive(Debug, PartialEq, Eq)]
pub struct Parsed {
    pub sentinels: Vec<(String, u16)>,
    pub master: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub db: i64,
}

/// Parses a Sentinel URL. The messages never quote the URL (it may hold a password).
pub fn parse(url: &str) -> anyhow::Result<Parsed> {
    if !is_sentinel(url) {
        bail!("not a Sentinel URL ({FORM})");
    }
    let rest = &url[SCHEME.len()..];
    if rest.contains(['?', '#']) {
        bail!("a Sentinel URL takes no query string or fragment ({FORM})");
    }
    let (authority, path) = rest
        .split_once('/')
        .with_context(|| format!("the master name is missing ({FORM})"))?;
    let (userinfo, hosts) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let sentinels = hosts
        .split(',')
        .map(host_port)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut segments = path.split('/');
    let master = segments.next().unwrap_or_default();
    if master.is_empty() {
        bail!("the master name is missing ({FORM})");
    }
    if !master
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c))
    {
        bail!("the master name may hold letters, digits and - _ . : only ({FORM})");
    }
    let db = match segments.next() {
        None | Some("") => 0,
        Some(d) => d
            .parse::<i64>()
            .ok()
            .filter(|d| *d >= 0)
            .with_context(|| format!("the database must be a number ({FORM})"))?,
    };
    if segments.any(|s| !s.is_empty()) {
        bail!("too many path segments ({FORM})");
    }
    // The crate's own URL parser decodes the user and password, exactly as for `redis://`.
    let (username, password) = match userinfo {
        None => (None, None),
        Some(u) => {
            let info = format!("redis://{u}@127.0.0.1/")
                .into_connection_info()
                .ok()
                .context("the user or password cannot be read (percent-encode it)")?;
            let r = info.redis_settings();
            (
                r.username().map(str::to_string),
                r.password().map(str::to_string),
            )
        }
    };
    Ok(Parsed {
        sentinels,
        master: master.to_string(),
        username,
        password,
        db,
    })
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`.
fn host_port(s: &str) -> anyhow::Result<(String, u16)> {
    let s = s.trim();
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest
            .split_once(']')
            .with_context(|| format!("a sentinel address is malformed ({FORM})"))?;
        (h, after.strip_prefix(':'))
    } else {
        match s.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '@') {
        bail!("a sentinel host is missing or malformed ({FORM})");
    }
    let port = match port {
        None => DEFAULT_PORT,
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .with_context(|| format!("a sentinel port is not a port number ({FORM})"))?,
    };
    Ok((host.to_string(), port))
}

/// The crate's Sentinel client for the master named in `p`; `tcp` applies to every connection.
pub fn client(p: &Parsed, tcp: redis::io::tcp::TcpSettings) -> anyhow::Result<SentinelClient> {
    let addrs = p
        .sentinels
        .iter()
        .map(|(h, port)| ConnectionAddr::Tcp(h.clone(), *port));
    let mut b = SentinelClientBuilder::new(addrs, &p.master, SentinelServerType::Master)?
        .set_client_to_redis_db(p.db)
        .set_client_to_redis_tcp_settings(tcp.clone())
        .set_client_to_sentinel_tcp_settings(tcp);
    if let Some(u) = &p.username {
        b = b.set_client_to_redis_username(u);
    }
    if let Some(pw) = &p.password {
        b = b.set_client_to_redis_password(pw);
    }
    Ok(b.build()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(url: &str) -> Parsed {
        parse(url).unwrap_or_else(|e| panic!("{url}: {e:#}"))
    }

    fn err(url: &str) -> String {
        match parse(url) {
            Ok(p) => panic!("{url} parsed as {p:?}"),
            Err(e) => format!("{e:#}"),
        }
    }

    #[test]
    fn sentinel_urls_parse() {
        let p = ok("redis+sentinel://127.0.0.1:26379,127.0.0.1:26380,127.0.0.1:26381/mymaster");
        assert_eq!(
            p.sentinels,
            vec![
                ("127.0.0.1".to_string(), 26379),
                ("127.0.0.1".to_string(), 26380),
                ("127.0.0.1".to_string(), 26381)
            ]
        );
        assert_eq!(
            (p.master.as_str(), p.username, p.password, p.db),
            ("mymaster", None, None, 0)
        );
        let p = ok("REDIS+SENTINEL://:s%40cret@sentinel-a,[::1]:5000/cache-1/3");
        assert_eq!(
            p.sentinels,
            vec![("sentinel-a".to_string(), 26379), ("::1".to_string(), 5000)]
        );
        assert_eq!(
            (p.master.as_str(), p.username, p.password.as_deref(), p.db),
            ("cache-1", None, Some("s@cret"), 3)
        );
        let p = ok("redis+sentinel://app:pw@h:1/m/");
        assert_eq!(
            (p.username.as_deref(), p.password.as_deref(), p.db),
            (Some("app"), Some("pw"), 0)
        );
    }

    #[test]
    fn bad_sentinel_urls_are_refused_without_quoting_the_password() {
        for url in [
            "redis+sentinel://127.0.0.1:26379",
            "redis+sentinel://127.0.0.1:26379/",
            "redis+sentinel:///mymaster",
            "redis+sentinel://a:26379,,b/mymaster",
            "redis+sentinel://a:port/mymaster",
            "redis+sentinel://a:0/mymaster",
            "redis+sentinel://a/mymaster/x",
            "redis+sentinel://a/mymaster/1/2",
            "redis+sentinel://a/my master",
            "redis+sentinel://a/mymaster?db=1",
            "redis+sentinel://[::1/mymaster",
            "rediss+sentinel://a/mymaster",
        ] {
            let e = err(url);
            assert!(e.contains("redis+sentinel://"), "{url}: {e}");
        }
        let e = err("redis+sentinel://:hunter2@a:x/mymaster");
        assert!(!e.contains("hunter2"), "{e}");
    }
}
