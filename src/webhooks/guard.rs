//! The SSRF guard (docs/API.md "Webhooks"): a webhook URL must be http(s) and resolve only to
//! public addresses, checked at registration and again at every delivery (through the HTTP client's
//! own resolver, so a name that later resolves to a private address is refused at connection time),
//! unless `SHIXIN_WEBHOOK_ALLOW_PRIVATE=true`.
//!
//! IPv6 (issue 17, "SSRF guard gaps"): an address that maps or embeds a refused IPv4 address is
//! refused (IPv4-mapped, IPv4-compatible `::/96`, IPv4-translated); 6to4 `2002::/16`, Teredo
//! `2001::/32` and NAT64 `64:ff9b::/32` are refused whole, whatever IPv4 address they carry (a
//! webhook to a public IPv4 receiver uses its IPv4 address or a native IPv6 one); so are the
//! special and deprecated ranges in [`V6_REFUSED`], site-local `fec0::/10` among them.

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

/// IPv6 ranges refused whatever the rest of the address holds (issue 17, "SSRF guard gaps"), as
/// network and prefix length. 6to4, Teredo and NAT64 embed an IPv4 address; they are refused whole
/// rather than decoded, so even a public IPv4 address behind them is refused (the issue allows
/// refusing all 6to4 and Teredo; NAT64 was already refused whole and stays so).
const V6_REFUSED: &[(Ipv6Addr, u32)] = &[
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 128), // unspecified
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1), 128), // loopback
    (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64), // discard-only (RFC 6666)
    // NAT64: 64:ff9b::/96 (RFC 6052) and the local-use 64:ff9b:1::/48 (RFC 8215), as one /32
    (Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 32),
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 32), // Teredo (RFC 4380)
    (Ipv6Addr::new(0x2001, 0x2, 0, 0, 0, 0, 0, 0), 48), // benchmarking (RFC 5180)
    (Ipv6Addr::new(0x2001, 0x10, 0, 0, 0, 0, 0, 0), 28), // ORCHID (RFC 4843)
    (Ipv6Addr::new(0x2001, 0x20, 0, 0, 0, 0, 0, 0), 28), // ORCHIDv2 (RFC 7343)
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32), // documentation (RFC 3849)
    (Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16), // 6to4 (RFC 3056)
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20), // documentation (RFC 9637)
    (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7),  // unique local (RFC 4193)
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10), // link-local
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10), // site-local (deprecated, RFC 3879)
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8),  // multicast
];

/// /96 prefixes whose last 32 bits are an IPv4 address: an address in one is refused when that IPv4
/// address is (issue 17: "refuse any IPv6 address that embeds or maps an IPv4 address that is
/// refused"). A public IPv4 address behind them stays allowed, as it always was for the mapped form.
const V6_EMBEDDING_V4: &[Ipv6Addr] = &[
    Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), // IPv4-compatible (deprecated, RFC 4291)
    Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0), // IPv4-mapped
    Ipv6Addr::new(0, 0, 0, 0, 0xffff, 0, 0, 0), // IPv4-translated (RFC 2765)
];

fn in_prefix(ip: Ipv6Addr, net: Ipv6Addr, len: u32) -> bool {
    let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
    u128::from(ip) & mask == u128::from(net) & mask
}

/// The IPv4 address in the last 32 bits of an address in one of [`V6_EMBEDDING_V4`].
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    V6_EMBEDDING_V4
        .iter()
        .any(|net| in_prefix(ip, *net, 96))
        .then(|| {
            let [.., a, b, c, d] = ip.octets();
            Ipv4Addr::new(a, b, c, d)
        })
}

fn v6_allowed(ip: Ipv6Addr) -> bool {
    let refused = V6_REFUSED
        .iter()
        .any(|(net, len)| in_prefix(ip, *net, *len));
    !refused && embedded_v4(ip).is_none_or(v4_allowed)
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
mod tests;
