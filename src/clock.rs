//! The process's wall clock for the time that lives only in this process: the public rate limit's
//! fixed windows (`cache::rate_limit`). It reads the system time plus an offset that is zero unless
//! a test moves it ([`Clock::set_offset`]), so a test can place its requests inside one window
//! instead of hoping that no window boundary falls between them.
//!
//! Time that lives in the database (release windows, retention, delivery leases) is compared by
//! PostgreSQL's own `now()` or by the tick against stored rows; tests move that time by moving the
//! rows (e.g. an `UPDATE` that puts a release's end in the past), never by waiting for it.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    /// The current time (system time plus the offset).
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Milliseconds since the Unix epoch (0 before it).
    pub fn unix_ms(&self) -> u64 {
        u64::try_from(self.now().timestamp_millis()).unwrap_or(0)
    }

    /// Moves this clock `offset` away from the system time (tests only; zero in a running service).
    pub fn set_offset(&self, offset: Duration) {
        self.offset_ms
            .store(offset.num_milliseconds(), Ordering::Relaxed);
    }

    /// How far this clock is from the system time.
    pub fn offset(&self) -> Duration {
        Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// The offset that puts this clock `after` past the start of the next window of `window`
    /// (aligned to the Unix epoch, as the rate limit's windows are).
    pub fn offset_to_next_window(&self, window: std::time::Duration, after: Duration) -> Duration {
        let w = i64::try_from(window.as_millis()).unwrap_or(i64::MAX).max(1);
        let now = self.now().timestamp_millis();
        let to_next = w - now.rem_euclid(w);
        self.offset() + Duration::milliseconds(to_next) + after
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_moves_now_and_nothing_else() {
        let clock = Clock::default();
        let before = Utc::now();
        assert!((clock.now() - before).num_seconds().abs() < 5);
        clock.set_offset(Duration::hours(2));
        let moved = clock.now() - Utc::now();
        assert!(
            (moved - Duration::hours(2)).num_seconds().abs() < 5,
            "{moved}"
        );
    }

    #[test]
    fn the_next_window_starts_on_a_multiple_of_the_window() {
        let clock = Clock::default();
        let hour = std::time::Duration::from_secs(3600);
        clock.set_offset(clock.offset_to_next_window(hour, Duration::seconds(1)));
        let into = clock.now().timestamp_millis().rem_euclid(3_600_000);
        // One second into the window, give or take the time this test took.
        assert!((1000..6000).contains(&into), "{into} ms into the hour");
    }
}
