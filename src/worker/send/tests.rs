use chrono::TimeZone;
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

use super::*;

fn headers(values: &[&[u8]]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for v in values {
        h.append(RETRY_AFTER, HeaderValue::from_bytes(v).unwrap());
    }
    h
}

/// (what, the Retry-After headers in order, the delay in seconds)
type Case = (&'static str, &'static [&'static [u8]], Option<u64>);

#[test]
fn retry_after_is_read_from_the_first_header_as_seconds_or_a_date() {
    let now = Utc.with_ymd_and_hms(2026, 12, 5, 12, 0, 0).unwrap();
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("absent", &[], None),
        ("seconds", &[b"120"], Some(120)),
        ("a date a minute ahead", &[b"Sat, 05 Dec 2026 12:01:00 GMT"], Some(60)),
        ("a date in the past", &[b"Sat, 05 Dec 2026 11:59:00 GMT"], None),
        ("not visible ASCII", &[b"12\xff"], None),
        ("garbage", &[b"later"], None),
        ("several: the first one", &[b"30", b"600"], Some(30)),
        ("several, the first unreadable: none", &[b"later", b"600"], None),
    ];
    for (what, values, secs) in cases {
        assert_eq!(
            retry_after(&headers(values), now),
            secs.map(Duration::from_secs),
            "{what}"
        );
    }
}
