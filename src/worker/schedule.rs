//! When a failed delivery is tried again: `SHIXIN_WEBHOOK_RETRY_SCHEDULE` with ±20 % jitter, never
//! before the receiver's `Retry-After`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;

/// A `Retry-After` longer than this is read as this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// The delay before the next attempt, after `attempts` attempts (the one just made included);
/// `None` when the schedule is used up and the delivery has failed.
pub fn next_delay(
    schedule: &[Duration],
    attempts: i32,
    retry_after: Option<Duration>,
) -> Option<Duration> {
    let base = *schedule.get(usize::try_from(attempts.max(1) - 1).ok()?)?;
    let factor = rand::rng().random_range(0.8..=1.2);
    let jittered = base.mul_f64(factor);
    Some(match retry_after {
        Some(r) => jittered.max(r.min(MAX_RETRY_AFTER)),
        None => jittered,
    })
}

/// `Retry-After`: delay-seconds or an HTTP date.
pub fn parse_retry_after(v: &str, now: DateTime<Utc>) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(v).ok()?.with_timezone(&Utc);
    (at - now).to_std().ok()
}

#[cfg(test)]
mod tests {
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
}
