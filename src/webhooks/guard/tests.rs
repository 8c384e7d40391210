//! The guard's unit tests (issue 17, "SSRF guard gaps": every IPv6 range, table-driven).

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

/// Issue 17: every refused IPv6 range with at least one address inside it and, where there is
/// one, an allowed neighbour just outside it. (address, allowed, range)
const V6_CASES: &[(&str, bool, &str)] = &[
    ("::", false, "unspecified ::/128"),
    ("::1", false, "loopback ::1/128"),
    ("::127.0.0.1", false, "IPv4-compatible ::/96, loopback"),
    ("::10.0.0.1", false, "IPv4-compatible ::/96, private"),
    (
        "::169.254.169.254",
        false,
        "IPv4-compatible ::/96, link-local",
    ),
    ("::0.0.0.2", false, "IPv4-compatible ::/96, 0.0.0.0/8"),
    ("::8.8.8.8", true, "IPv4-compatible ::/96, public"),
    (
        "::1:127.0.0.1",
        true,
        "just outside ::/96 (not IPv4-compatible)",
    ),
    (
        "::ffff:127.0.0.1",
        false,
        "IPv4-mapped ::ffff:0:0/96, loopback",
    ),
    (
        "::ffff:192.168.1.1",
        false,
        "IPv4-mapped ::ffff:0:0/96, private",
    ),
    ("::ffff:8.8.8.8", true, "IPv4-mapped ::ffff:0:0/96, public"),
    (
        "::ffff:0:127.0.0.1",
        false,
        "IPv4-translated ::ffff:0:0:0/96",
    ),
    (
        "::ffff:0:8.8.8.8",
        true,
        "IPv4-translated ::ffff:0:0:0/96, public",
    ),
    ("100::1", false, "discard-only 100::/64"),
    (
        "100::ffff:ffff:ffff:ffff",
        false,
        "discard-only 100::/64, last",
    ),
    ("100:0:0:1::", true, "just after 100::/64"),
    ("64:ff9b::7f00:1", false, "NAT64 64:ff9b::/96, loopback"),
    (
        "64:ff9b::a9fe:a9fe",
        false,
        "NAT64 64:ff9b::/96, link-local",
    ),
    (
        "64:ff9b::808:808",
        false,
        "NAT64 64:ff9b::/96, public (refused whole)",
    ),
    ("64:ff9b:1::a00:1", false, "NAT64 local-use 64:ff9b:1::/48"),
    (
        "64:ff9b:1:ffff::7f00:1",
        false,
        "NAT64 local-use 64:ff9b:1::/48, last",
    ),
    ("64:ff9a:ffff::1", true, "just before 64:ff9b::/32"),
    ("64:ff9c::1", true, "just after 64:ff9b::/32"),
    ("2001::1", false, "Teredo 2001::/32"),
    (
        "2001:0:4136:e378:8000:63bf:80ff:fffe",
        false,
        "Teredo, client 127.0.0.1",
    ),
    (
        "2001:0:4136:e378:8000:63bf:f7f7:f7f7",
        false,
        "Teredo, client 8.8.8.8",
    ),
    ("2001:1::1", true, "just after Teredo 2001::/32"),
    ("2001:2::1", false, "benchmarking 2001:2::/48"),
    ("2001:2:0:ffff::1", false, "benchmarking 2001:2::/48, last"),
    ("2001:2:1::1", true, "just after 2001:2::/48"),
    ("2001:10::1", false, "ORCHID 2001:10::/28"),
    ("2001:1f:ffff::1", false, "ORCHID 2001:10::/28, last"),
    ("2001:f:ffff::1", true, "just before 2001:10::/28"),
    ("2001:20::1", false, "ORCHIDv2 2001:20::/28"),
    ("2001:2f:ffff::1", false, "ORCHIDv2 2001:20::/28, last"),
    ("2001:30::1", true, "just after 2001:20::/28"),
    ("2001:db8::1", false, "documentation 2001:db8::/32"),
    (
        "2001:db8:ffff::1",
        false,
        "documentation 2001:db8::/32, last",
    ),
    ("2001:db7:ffff::1", true, "just before 2001:db8::/32"),
    ("2001:db9::1", true, "just after 2001:db8::/32"),
    ("2002::1", false, "6to4 2002::/16"),
    ("2002:7f00:1::1", false, "6to4 2002::/16, embeds 127.0.0.1"),
    (
        "2002:a9fe:a9fe::1",
        false,
        "6to4 2002::/16, embeds 169.254.169.254",
    ),
    (
        "2002:808:808::1",
        false,
        "6to4 2002::/16, public (refused whole)",
    ),
    ("2001:ffff::1", true, "just before 2002::/16"),
    ("2003::1", true, "just after 2002::/16"),
    ("3fff::1", false, "documentation 3fff::/20"),
    ("3fff:fff::1", false, "documentation 3fff::/20, last"),
    ("3fff:1000::1", true, "just after 3fff::/20"),
    ("fc00::1", false, "unique local fc00::/7"),
    ("fd12:3456::1", false, "unique local fc00::/7"),
    ("fbff:ffff::1", true, "just before fc00::/7"),
    ("fe80::1", false, "link-local fe80::/10"),
    ("febf:ffff::1", false, "link-local fe80::/10, last"),
    ("fe7f:ffff::1", true, "just before fe80::/10"),
    ("fec0::1", false, "site-local fec0::/10"),
    ("feff:ffff::1", false, "site-local fec0::/10, last"),
    ("ff00::1", false, "multicast ff00::/8"),
    ("ff02::1", false, "multicast ff00::/8"),
    ("ff0e::1", false, "multicast ff00::/8"),
    ("2606:4700::1111", true, "public"),
    ("2a00:1450::1", true, "public"),
    ("2400:3200::1", true, "public"),
    ("2001:4860:4860::8888", true, "public"),
];

#[test]
fn every_ipv6_range_is_refused_and_its_neighbours_allowed() {
    let wrong: Vec<String> = V6_CASES
        .iter()
        .filter(|(addr, allowed, _)| ip_allowed(addr.parse().unwrap()) != *allowed)
        .map(|(addr, allowed, range)| format!("{addr} ({range}): expected allowed={allowed}"))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn ipv6_literals_are_checked_at_registration_and_delivery_unless_private_is_allowed() {
    for (addr, allowed, range) in V6_CASES {
        let url = format!("http://[{addr}]/hook");
        let u = parse(&url).unwrap();
        assert_eq!(literal_allowed(&u, false), *allowed, "{url} ({range})");
        assert!(literal_allowed(&u, true), "{url} ({range})");
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
        "http://[::127.0.0.1]/",
        "http://[2002:7f00:1::1]/",
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
        "http://[fec0::1]/",
    ] {
        assert!(
            matches!(check(url, false).await, Err(UrlProblem::NotAllowed(_))),
            "{url}"
        );
        assert!(check(url, true).await.is_ok(), "{url}");
    }
}
