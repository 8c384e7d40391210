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
fn trusted_proxies_parse() {
    let nets = parse_proxies(&[" 10.0.0.0/8 ".into(), "".into(), "2001:db8::1".into()]).unwrap();
    assert_eq!(nets.len(), 2);
    assert!(parse_proxies(&["not-an-ip".into()]).is_err());
}

/// The client of a request from `peer` with these `X-Forwarded-For` header lines.
fn client(peer: &str, lines: &[&str]) -> Option<String> {
    let trusted =
        parse_proxies(&["10.0.0.0/8".into(), "192.168.1.1".into(), "fd00::/8".into()]).unwrap();
    let peer = peer.parse::<IpAddr>().ok();
    client_ip(peer, lines.iter().map(|l| l.as_bytes()), &trusted).map(|ip| ip.to_string())
}

#[test]
fn the_client_ip_is_the_right_most_untrusted_forwarded_for_entry() {
    #[rustfmt::skip]
    let cases: &[(&str, &str, &[&str], &str)] = &[
        // (what, peer, X-Forwarded-For lines, client)
        ("no header: the peer", "10.1.1.1", &[], "10.1.1.1"),
        ("one entry", "10.1.1.1", &["9.9.9.9"], "9.9.9.9"),
        ("trusted hops are skipped", "10.1.1.1", &["8.8.8.8, 9.9.9.9, 192.168.1.1"], "9.9.9.9"),
        ("several lines: the last line is the nearest", "10.1.1.1", &["9.9.9.9", "8.8.8.8"], "8.8.8.8"),
        ("a forged first line is never reached", "10.1.1.1", &["1.1.1.1", "203.0.113.7, 10.2.2.2"], "203.0.113.7"),
        ("a forged first line, the client in the second", "10.1.1.1", &["6.6.6.6, 7.7.7.7", "203.0.113.7"], "203.0.113.7"),
        ("lines of trusted hops are walked through", "10.1.1.1", &["1.1.1.1", "203.0.113.7", "10.3.3.3", "192.168.1.1"], "203.0.113.7"),
        ("IPv4 with a port", "10.1.1.1", &["1.1.1.1, 203.0.113.7:4711"], "203.0.113.7"),
        ("a trusted hop with a port is skipped", "10.1.1.1", &["1.1.1.1, 203.0.113.7, 10.2.2.2:443"], "203.0.113.7"),
        ("bracketed IPv6 with a port", "10.1.1.1", &["1.1.1.1, [2001:db8::7]:4711"], "2001:db8::7"),
        ("bracketed IPv6 without a port", "10.1.1.1", &["1.1.1.1, [2001:db8::7]"], "2001:db8::7"),
        ("bare IPv6", "10.1.1.1", &["1.1.1.1, 2001:db8::7"], "2001:db8::7"),
        ("trusted IPv6 hops", "10.1.1.1", &["2001:db8::7, [fd00::1]:80, fd00::2"], "2001:db8::7"),
        ("empty entries and lines are skipped", "10.1.1.1", &["1.1.1.1, 203.0.113.7,, ", ""], "203.0.113.7"),
        ("garbage left of the client is never reached", "10.1.1.1", &["unknown, 203.0.113.7"], "203.0.113.7"),
        ("garbage stops the walk: the last trusted hop", "10.1.1.1", &["1.1.1.1, unknown, 10.2.2.2"], "10.2.2.2"),
        ("garbage right-most: the peer", "10.1.1.1", &["1.1.1.1", "unknown"], "10.1.1.1"),
        ("a bad port is garbage", "10.1.1.1", &["1.1.1.1, 203.0.113.7:99999"], "10.1.1.1"),
        ("a port on bare IPv6 is not guessed", "10.1.1.1", &["1.1.1.1, [2001:db8::7]x"], "10.1.1.1"),
        ("a bracketed IPv4 is garbage", "10.1.1.1", &["1.1.1.1, [203.0.113.7]"], "10.1.1.1"),
        ("a host name is garbage", "10.1.1.1", &["1.1.1.1, proxy.example"], "10.1.1.1"),
        ("an untrusted peer ignores the header", "1.2.3.4", &["9.9.9.9"], "1.2.3.4"),
        ("an untrusted peer ignores every line", "2001:db8::9", &["9.9.9.9", "8.8.8.8"], "2001:db8::9"),
        ("all trusted: the left-most hop", "10.1.1.1", &["10.5.5.5, 192.168.1.1", "10.2.2.2"], "10.5.5.5"),
        ("all trusted with garbage: the hop right of it", "10.1.1.1", &["10.5.5.5, ???, 10.2.2.2"], "10.2.2.2"),
    ];
    for (what, peer, lines, want) in cases {
        assert_eq!(client(peer, lines).as_deref(), Some(*want), "{what}");
    }
}

#[test]
fn non_utf8_entries_are_garbage_and_no_peer_is_no_client() {
    let trusted = parse_proxies(&["10.0.0.0/8".into()]).unwrap();
    let peer = "10.1.1.1".parse::<IpAddr>().ok();
    let lines: [&[u8]; 2] = [b"1.1.1.1, 203.0.113.7", b"\xff\xfe, 10.2.2.2"];
    assert_eq!(
        client_ip(peer, lines.into_iter(), &trusted),
        "10.2.2.2".parse().ok()
    );
    assert_eq!(client_ip(None, lines.into_iter(), &trusted), None);
}

/// A limiter of `limit` requests an hour whose clock is `into` past the start of an hour window.
fn hourly(limit: u64, into: chrono::Duration) -> (RateLimiter, Arc<Clock>) {
    let clock = Arc::new(Clock::default());
    clock.set_offset(clock.offset_to_next_window(Duration::from_secs(3600), into));
    let rate = Rate {
        limit,
        window: Duration::from_secs(3600),
    };
    (RateLimiter::new(rate, Vec::new(), clock.clone()), clock)
}

#[tokio::test]
async fn the_in_process_count_is_per_window_and_client_and_retry_after_is_the_time_left() {
    let (limiter, clock) = hourly(2, chrono::Duration::seconds(10));
    let cache = Cache::disabled();
    let (a, b): (IpAddr, IpAddr) = (
        "203.0.113.7".parse().unwrap(),
        "203.0.113.8".parse().unwrap(),
    );
    assert_eq!(limiter.check(&cache, a).await, Ok(()));
    assert_eq!(limiter.check(&cache, a).await, Ok(()));
    // 3590 s are left in the window (give or take the second this test takes).
    let over = limiter.check(&cache, a).await.unwrap_err();
    assert!((3585..=3590).contains(&over), "Retry-After {over}");
    assert_eq!(limiter.check(&cache, b).await, Ok(()), "another client");
    // One second before the window ends: still over, and Retry-After is that second.
    clock.set_offset(
        clock.offset_to_next_window(Duration::from_secs(3600), chrono::Duration::zero())
            - chrono::Duration::milliseconds(1500),
    );
    assert_eq!(limiter.check(&cache, a).await, Err(2));
    // The next window starts a new count.
    clock.set_offset(
        clock.offset_to_next_window(Duration::from_secs(3600), chrono::Duration::seconds(1)),
    );
    assert_eq!(limiter.check(&cache, a).await, Ok(()));
    assert_eq!(limiter.check(&cache, a).await, Ok(()));
    assert!(limiter.check(&cache, a).await.is_err());
}

#[test]
fn a_redis_counter_key_names_its_window_and_a_new_window_a_new_key() {
    let (limiter, clock) = hourly(2, chrono::Duration::seconds(5));
    let cache = Cache::disabled();
    let client: IpAddr = "2001:db8::7".parse().unwrap();
    let first = limiter.counter(&cache, client);
    assert_eq!(first.window_ms, 3_600_000);
    assert!(
        (3590..=3595).contains(&first.retry_after),
        "{}",
        first.retry_after
    );
    assert!(
        !first.key.contains("2001:db8"),
        "no address in a key: {}",
        first.key
    );
    assert_eq!(
        limiter.counter(&cache, client).key,
        first.key,
        "same window"
    );
    clock.set_offset(
        clock.offset_to_next_window(Duration::from_secs(3600), chrono::Duration::seconds(1)),
    );
    assert_ne!(
        limiter.counter(&cache, client).key,
        first.key,
        "next window"
    );
}
