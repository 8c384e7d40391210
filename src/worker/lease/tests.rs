use super::*;

const MS: Duration = Duration::from_millis(1);

#[test]
fn the_lease_is_asked_in_whole_milliseconds_and_an_unrepresentable_one_becomes_30s() {
    let max_ms = u64::try_from(i64::MAX).unwrap();
    #[rustfmt::skip]
    let cases: &[(&str, Duration, i64)] = &[
        ("the default", Duration::from_secs(30), 30_000),
        ("zero", Duration::ZERO, 0),
        ("a fraction of a millisecond is dropped", Duration::from_micros(1_999), 1),
        ("under a millisecond is zero", Duration::from_micros(999), 0),
        ("the largest i64", Duration::from_millis(max_ms), i64::MAX),
        ("one past it falls back to 30 s", Duration::from_millis(max_ms + 1), 30_000),
        ("Duration::MAX falls back to 30 s", Duration::MAX, 30_000),
    ];
    for (what, lease, ms) in cases {
        assert_eq!(lease_ms(*lease), *ms, "{what}");
    }
}

#[test]
fn a_group_stops_starting_attempts_half_a_lease_after_it_began_sending() {
    let t0 = Instant::now();
    #[rustfmt::skip]
    let cases: &[(&str, Duration, Duration)] = &[
        ("the default lease", Duration::from_secs(30), Duration::from_secs(15)),
        ("an odd millisecond", MS, Duration::from_micros(500)),
        ("one nanosecond rounds down to none", Duration::from_nanos(1), Duration::ZERO),
        ("a zero lease", Duration::ZERO, Duration::ZERO),
    ];
    for (what, lease, after) in cases {
        assert_eq!(send_deadline(t0, *lease) - t0, *after, "{what}");
    }
}

#[test]
fn rows_are_handed_back_from_the_deadline_on_never_before_it() {
    let deadline = send_deadline(Instant::now(), Duration::from_secs(30));
    #[rustfmt::skip]
    let cases: &[(&str, Instant, bool, bool, bool)] = &[
        // (what, now, gone, stopping, handed back)
        ("well before the deadline", deadline - Duration::from_secs(10), false, false, false),
        ("a millisecond before it", deadline - MS, false, false, false),
        ("exactly at the deadline", deadline, false, false, true),
        ("just after it", deadline + MS, false, false, true),
        ("long after it (the lease has run out)", deadline + Duration::from_secs(60), false, false, true),
        ("the receiver answered 410", deadline - Duration::from_secs(10), true, false, true),
        ("the process is stopping", deadline - Duration::from_secs(10), false, true, true),
    ];
    for (what, now, gone, stopping, back) in cases {
        assert_eq!(hand_back(*now, deadline, *gone, *stopping), *back, "{what}");
    }
}

#[test]
fn a_zero_lease_hands_back_every_row_at_once() {
    let t0 = Instant::now();
    let deadline = send_deadline(t0, Duration::ZERO);
    assert!(hand_back(t0, deadline, false, false));
    // A lease shorter than 2 ns is zero once halved: the same.
    assert!(hand_back(
        t0,
        send_deadline(t0, Duration::from_nanos(1)),
        false,
        false
    ));
}

#[test]
fn an_attempt_may_start_with_less_lease_left_than_its_timeout() {
    // Today the deadline only decides whether an attempt *starts*; the attempt itself is bounded by
    // the client's timeout, not by what is left of the lease.
    let t0 = Instant::now();
    let (lease, timeout) = (Duration::from_secs(30), Duration::from_secs(20));
    let deadline = send_deadline(t0, lease);
    let now = deadline - MS;
    assert!(
        !hand_back(now, deadline, false, false),
        "the attempt starts"
    );
    assert!(
        now + timeout > t0 + lease,
        "and may still run after the lease has ended"
    );
    // With the defaults (30 s lease, 15 s timeout) it ends just within the lease, counted from when
    // the group began sending.
    let timeout = Duration::from_secs(15);
    assert!(now + timeout < t0 + lease);
    assert_eq!(
        deadline + timeout,
        t0 + lease,
        "a start at the deadline would end at the lease's end"
    );
}

#[test]
fn time_spent_waiting_for_a_sender_after_the_claim_is_not_counted() {
    // The lease runs from the claim (PostgreSQL's `locked_until`), the deadline from the moment the
    // group began sending. A group that waited 20 s of a 30 s lease for a free sender still starts
    // attempts until 35 s after its claim, 5 s after its lease has ended.
    let claimed = Instant::now();
    let lease = Duration::from_secs(30);
    let started = claimed + Duration::from_secs(20);
    let deadline = send_deadline(started, lease);
    assert_eq!(deadline - claimed, Duration::from_secs(35));
    let after_the_lease = claimed + lease + Duration::from_secs(1);
    assert!(!hand_back(after_the_lease, deadline, false, false));
}
