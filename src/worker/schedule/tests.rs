use super::*;

fn schedule() -> Vec<Duration> {
    [5, 300, 1800]
        .into_iter()
        .map(Duration::from_secs)
        .collect()
}

#[test]
fn delays_follow_the_schedule_within_twenty_percent() {
    for _ in 0..200 {
        let d = next_delay(&schedule(), 2, None).unwrap();
        assert!(
            d >= Duration::from_secs(240) && d <= Duration::from_secs(360),
            "{d:?}"
        );
    }
    let first: Vec<_> = (0..50)
        .map(|_| next_delay(&schedule(), 1, None).unwrap())
        .collect();
    assert!(first.iter().any(|d| *d != first[0]), "jitter varies");
    assert_eq!(next_delay(&schedule(), 4, None), None, "schedule used up");
}

#[test]
fn retry_after_is_honoured_and_bounded() {
    let d = next_delay(&schedule(), 1, Some(Duration::from_secs(120))).unwrap();
    assert_eq!(d, Duration::from_secs(120));
    let d = next_delay(&schedule(), 1, Some(Duration::from_secs(10_000_000))).unwrap();
    assert_eq!(d, MAX_RETRY_AFTER);
    let now = Utc::now();
    assert_eq!(parse_retry_after("30", now), Some(Duration::from_secs(30)));
    let later = (now + chrono::Duration::seconds(90)).to_rfc2822();
    let parsed = parse_retry_after(&later, now).unwrap();
    assert!(
        parsed.as_secs() >= 89 && parsed.as_secs() <= 90,
        "{parsed:?}"
    );
    assert_eq!(parse_retry_after("soon", now), None);
}

/// The default `SHIXIN_WEBHOOK_RETRY_SCHEDULE` (5s,5m,30m,2h,5h,10h,10h).
fn default_schedule() -> Vec<Duration> {
    [5, 300, 1800, 7200, 18_000, 36_000, 36_000]
        .into_iter()
        .map(Duration::from_secs)
        .collect()
}

#[test]
fn the_base_delay_grows_along_the_schedule_and_ends_with_it() {
    let s = default_schedule();
    let bases: Vec<_> = (1..=8).map(|a| base_delay(&s, a)).collect();
    let expected: Vec<_> = s.iter().copied().map(Some).chain([None]).collect();
    assert_eq!(bases, expected);
    assert!(bases.windows(2).all(|w| w[1].is_none() || w[0] <= w[1]));
    #[rustfmt::skip]
    let cases: &[(&str, i32, Option<u64>)] = &[
        ("no attempt yet counts as the first", 0, Some(5)),
        ("a negative count counts as the first", -3, Some(5)),
        ("i32::MIN counts as the first", i32::MIN, Some(5)),
        ("the last entry", 7, Some(36_000)),
        ("one past the last: failed", 8, None),
        ("i32::MAX: failed", i32::MAX, None),
    ];
    for (what, attempts, secs) in cases {
        assert_eq!(
            base_delay(&s, *attempts),
            secs.map(Duration::from_secs),
            "{what}"
        );
    }
    assert_eq!(base_delay(&[], 1), None, "an empty schedule fails at once");
}

#[test]
fn the_jitter_and_retry_after_bound_the_delay() {
    let s = |n| Duration::from_secs(n);
    #[rustfmt::skip]
    let cases: &[(&str, Duration, f64, Option<Duration>, Duration)] = &[
        // (what, base, factor, Retry-After, delay)
        ("the lowest jitter", s(300), 0.8, None, s(240)),
        ("the highest jitter", s(300), 1.2, None, s(360)),
        ("a shorter Retry-After loses to the jitter", s(300), 0.8, Some(s(100)), s(240)),
        ("a zero Retry-After changes nothing", s(5), 1.0, Some(Duration::ZERO), s(5)),
        ("a longer Retry-After wins", s(5), 1.2, Some(s(120)), s(120)),
        ("a Retry-After of exactly the cap", s(5), 1.0, Some(MAX_RETRY_AFTER), MAX_RETRY_AFTER),
        ("a Retry-After past the cap is the cap", s(5), 1.0, Some(MAX_RETRY_AFTER + s(1)), MAX_RETRY_AFTER),
        ("a huge Retry-After is the cap", s(5), 1.0, Some(Duration::MAX), MAX_RETRY_AFTER),
        ("the cap binds Retry-After only, not the schedule", s(36_000 * 3), 1.2, Some(Duration::MAX), s(129_600)),
    ];
    for (what, base, factor, retry_after, d) in cases {
        assert_eq!(delay(*base, *factor, *retry_after), *d, "{what}");
    }
}

#[test]
fn an_attempt_settles_as_delivered_pending_or_failed() {
    let at = Utc::now();
    let now = at + chrono::Duration::milliseconds(250);
    let mut asked = false;
    let delivered = settle(Verdict::Delivered, at, now, || {
        asked = true;
        None
    });
    assert_eq!(delivered, ("delivered", at));
    assert!(!asked, "a delivered attempt asks for no delay");
    let secs = |n| Some(Duration::from_secs(n));
    for verdict in [Verdict::Failed, Verdict::Gone] {
        assert_eq!(
            settle(verdict, at, now, || secs(60)),
            ("pending", now + chrono::Duration::seconds(60)),
            "{verdict:?}: retried after the delay, counted from now, not from the attempt"
        );
        assert_eq!(
            settle(verdict, at, now, || None),
            ("failed", at),
            "{verdict:?}"
        );
    }
    // Pinned as it is today (it looks wrong): a delay chrono cannot hold counts as zero.
    assert_eq!(
        settle(Verdict::Failed, at, now, || Some(Duration::MAX)),
        ("pending", now)
    );
}

#[test]
fn retry_after_parses_seconds_and_http_dates() {
    let now = DateTime::parse_from_rfc3339("1994-11-06T08:48:37Z")
        .unwrap()
        .with_timezone(&Utc);
    #[rustfmt::skip]
    let cases: &[(&str, &str, Option<Duration>)] = &[
        ("seconds", "120", Some(Duration::from_secs(120))),
        ("zero seconds", "0", Some(Duration::ZERO)),
        ("spaces around", "  7 ", Some(Duration::from_secs(7))),
        ("the largest u64", "18446744073709551615", Some(Duration::from_secs(u64::MAX))),
        ("past u64: not understood", "18446744073709551616", None),
        ("negative", "-5", None),
        ("a fraction", "1.5", None),
        ("a sign", "+5", Some(Duration::from_secs(5))),
        ("empty", "", None),
        ("an IMF-fixdate a minute ahead", "Sun, 06 Nov 1994 08:49:37 GMT", Some(Duration::from_secs(60))),
        ("the same with an offset", "Sun, 06 Nov 1994 16:49:37 +0800", Some(Duration::from_secs(60))),
        ("a date that is now", "Sun, 06 Nov 1994 08:48:37 GMT", Some(Duration::ZERO)),
        ("a date in the past", "Sun, 06 Nov 1994 08:48:36 GMT", None),
        ("a date far ahead (capped later, by next_delay)", "Fri, 01 Jan 2100 00:00:00 GMT", Some(Duration::from_secs(3_318_333_083))),
        // HTTP also allows these two older forms; they are not understood today.
        ("RFC 850 date", "Sunday, 06-Nov-94 08:49:37 GMT", None),
        ("asctime date", "Sun Nov  6 08:49:37 1994", None),
    ];
    for (what, v, d) in cases {
        assert_eq!(parse_retry_after(v, now), *d, "{what}: {v:?}");
    }
}
