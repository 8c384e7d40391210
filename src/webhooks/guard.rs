//! The SSRF guard (API.md "Webhooks"): a webhook URL must be http(s) and resolve only to public
//! addresses, checked at registration and again at every delivery (through the HTTP client's own
//! resolver, so a name that later resolves to a private address is refused at connection time),
//! unless `SHIXIN_WEBHOOK_ALLOW_PRIVATE=true`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UrlProblem {
    #[error("the url is not a valid http or https URL: {0}")]
    Invalid(String),
    #[error("the url {0}")]
    NotAllowed(String),
}

fn v4_allowed(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_unspecified()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (RFC 6598)
        || (a == 198 && (b == 18 || b == 19)) // benchmarking (RFC 2544)
        || a >= 240)
}

fn v6_allowed(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_allowed(v4);
    }
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first == 0x2001 && ip.segments()[1] == 0x0db8) // documentation
        || (first == 0x0064 && ip.segments()[1] == 0xff9b)) // NAT64 to anything
}

/// Whether a webhook may be sent to this address (public unicast only).
pub fn ip_allowed(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_allowed(v4),
        IpAddr::V6(v6) => v6_allowed(v6),
    }
}

/// Parses a webhook URL: http or https, with a host, without credentials, at most 2,000 characters.
pub fn parse(url: &str) -> Result<Url, UrlProblem> {
    if url.len() > 2000 {
        return Err(UrlProblem::Invalid("longer than 2000 characters".into()));
    }
    let u = Url::parse(url.trim()).map_err(|e| UrlProblem::Invalid(e.to_string()))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(UrlProblem::Invalid(
            "the scheme must be http or https".into(),
        ));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(UrlProblem::Invalid("credentials in the URL".into()));
    }
    if u.host().is_none() {
        return Err(UrlProblem::Invalid("no host".into()));
    }
    Ok(u)
}

/// The registration check: the URL parses and every address it resolves to is allowed.
pub async fn check(url: &str, allow_private: bool) -> Result<Url, UrlProblem> {
    let u = parse(url)?;
    if allow_private {
        return Ok(u);
    }
    let port = u.port_or_known_default().unwrap_or(443);
    let addrs: Vec<IpAddr> = match u.host() {
        Some(Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
        Some(Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
        Some(Host::Domain(d)) => tokio::net::lookup_host((d, port))
            .await
            .map_err(|_| UrlProblem::NotAllowed("does not resolve".into()))?
            .map(|a| a.ip())
            .collect(),
        None => Vec::new(),
    };
    if addrs.is_empty() {
        return Err(UrlProblem::NotAllowed("does not resolve".into()));
    }
    if addrs.iter().any(|ip| !ip_allowed(*ip)) {
        return Err(UrlProblem::NotAllowed(
            "resolves to a loopback, private, link-local or multicast address".into(),
        ));
    }
    Ok(u)
}

/// The delivery-time check of a URL whose host is an address literal (the resolver never sees it).
pub fn literal_allowed(u: &Url, allow_private: bool) -> bool {
    allow_private
        || match u.host() {
            Some(Host::Ipv4(ip)) => v4_allowed(ip),
            Some(Host::Ipv6(ip)) => v6_allowed(ip),
            _ => true,
        }
}

/// The HTTP client's resolver: drops every address that is not allowed, and fails when none is left.
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| allow_private || ip_allowed(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(Box::new(UrlProblem::NotAllowed(
                    "resolves to no public address".into(),
                ))
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_link_local_and_multicast_addresses_are_refused() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "224.0.0.1",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "::1",
            "fe80::1",
            "fd00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::",
        ] {
            assert!(!ip_allowed(bad.parse().unwrap()), "{bad}");
        }
        for good in ["1.1.1.1", "203.119.26.1", "2400:3200::1"] {
            assert!(ip_allowed(good.parse().unwrap()), "{good}");
        }
    }

    #[test]
    fn urls_must_be_http_without_credentials() {
        assert!(parse("https://example.com/hook").is_ok());
        assert!(parse("ftp://example.com/").is_err());
        assert!(parse("https://user:pw@example.com/").is_err());
        assert!(parse("not a url").is_err());
    }

    #[tokio::test]
    async fn registration_check_refuses_loopback_names_and_literals() {
        for url in [
            "http://127.0.0.1:9/x",
            "http://localhost:9/x",
            "http://[::1]/",
        ] {
            assert!(
                matches!(check(url, false).await, Err(UrlProblem::NotAllowed(_))),
                "{url}"
            );
            assert!(check(url, true).await.is_ok(), "{url}");
        }
    }
}
