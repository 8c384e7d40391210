//! When a failed delivery is tried again: `SHIXIN_WEBHOOK_RETRY_SCHEDULE` with ±20 % jitter, never
//! before the receiver's `Retry-After`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;

use super::send::Verdict;

/// A `Retry-After` longer than this is read as this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// The delay before the next attempt, after `attempts` attempts (the one just made included);
/// `None` when the schedule is used up and the delivery has failed.
pub fn next_delay(
    schedule: &[Duration],
    attempts: i32,
    retry_after: Option<Duration>,
) -> Option<Duration> {
    let base = base_delay(schedule, attempts)?;
    let factor = rand::rng().random_range(0.8..=1.2);
    Some(delay(base, factor, retry_after))
}

/// The schedule's entry for the attempt after `attempts` (fewer than 1 counts as 1); `None` past its
/// end.
pub fn base_delay(schedule: &[Duration], attempts: i32) -> Option<Duration> {
    schedule
        .get(usize::try_from(attempts.max(1) - 1).ok()?)
        .copied()
}

/// `base` times the jitter `factor`, but never shorter than `retry_after` (capped at
/// [`MAX_RETRY_AFTER`]).
pub fn delay(base: Duration, factor: f64, retry_after: Option<Duration>) -> Duration {
    let jittered = base.mul_f64(factor);
    match retry_after {
        Some(r) => jittered.max(r.min(MAX_RETRY_AFTER)),
        None => jittered,
    }
}

/// A delivery's status and next attempt time after an attempt made at `attempted_at`: delivered
/// then; else pending until `now` plus `next_delay()` (asked only then), or failed then once the
/// schedule is used up. A delay too long for a `chrono::Duration` counts as zero.
pub fn settle(
    verdict: Verdict,
    attempted_at: DateTime<Utc>,
    now: DateTime<Utc>,
    next_delay: impl FnOnce() -> Option<Duration>,
) -> (&'static str, DateTime<Utc>) {
    match verdict {
        Verdict::Delivered => ("delivered", attempted_at),
        Verdict::Gone | Verdict::Failed => match next_delay() {
            Some(d) => (
                "pending",
                now + chrono::Duration::from_std(d).unwrap_or_default(),
            ),
            None => ("failed", attempted_at),
        },
    }
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
mod tests;
