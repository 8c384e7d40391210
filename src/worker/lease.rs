//! The arithmetic of a claim's lease, as the worker does it today (its tests pin it, so that a change
//! of the lease mechanism changes them knowingly): the lease asked of PostgreSQL, the point where a
//! group stops starting attempts, and whether the next claimed row is sent or handed back.

use std::time::Duration;

use tokio::time::Instant;

/// The lease asked of a claim, in whole milliseconds (PostgreSQL sets `locked_until` to the claim's
/// statement time plus this). A lease too long for an `i64` of milliseconds falls back to 30 s.
pub fn lease_ms(lease: Duration) -> i64 {
    i64::try_from(lease.as_millis()).unwrap_or(30_000)
}

/// When a group stops starting attempts: half the lease after `started`, the moment the group
/// *began sending*. The time between the claim and that moment (a group waits for a free sender)
/// is not counted.
pub fn send_deadline(started: Instant, lease: Duration) -> Instant {
    started + lease / 2
}

/// Whether the next row of a group is handed back unsent (its lease cleared): the receiver answered
/// 410, the deadline is reached (`now == deadline` included), or the process is stopping. An attempt
/// started before the deadline is not bounded by it or by the lease: it may run its whole timeout.
pub fn hand_back(now: Instant, deadline: Instant, gone: bool, stopping: bool) -> bool {
    gone || now >= deadline || stopping
}

#[cfg(test)]
mod tests;
