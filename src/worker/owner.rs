//! Who sends to a webhook: the instance holding the webhook's advisory lock on its *owner
//! connection*, one session per instance opened for nothing else.
//!
//! A claim is a session-level `pg_try_advisory_lock`, not a lease with a clock: it lasts as long as
//! the session that took it, however slow the receiver, and PostgreSQL drops it the moment that
//! session ends. A process killed with `kill -9` closes its sockets, so its claims are free at once
//! and the next poll of any instance (or of the restarted process) takes them over. A machine that
//! goes silent (power cut, network cut) is noticed by TCP keepalives set on both ends from
//! `SHIXIN_WEBHOOK_LEASE` ([`keepalive`]): within that time the server closes the session and the
//! claims are free. A sender checks its session before each attempt; when it is gone (the database
//! restarted, the network cut), it stops, since another instance may already hold the webhook.
//!
//! The owner connection must be a real session: behind a transaction-pooling proxy advisory locks
//! do not hold (point `DATABASE_URL` at PostgreSQL or at a session-pooling proxy).

use std::{sync::Arc, time::Duration};

use tokio_postgres::Client;
use uuid::Uuid;

use crate::db::claims::{self, Keepalive};

/// Keepalives that close a silent connection within `lease` (whole seconds, at least 1 s apart:
/// `idle + count × interval ≤ lease` once the lease is 3 s or more).
pub fn keepalive(lease: Duration) -> Keepalive {
    let quarter = (lease.as_secs() / 4).max(1);
    Keepalive {
        idle_s: quarter,
        interval_s: quarter,
        count: 2,
        user_timeout_ms: u64::try_from(lease.as_millis())
            .unwrap_or(u64::MAX)
            .clamp(1000, i32::MAX as u64),
    }
}

/// The webhook's lock key within [`claims::CLAIM_SPACE`]: four bytes of its (random) id. Two webhooks that
/// share a key are never sent to at once, which is slower but still right.
fn key(webhook_id: Uuid) -> i32 {
    let b = webhook_id.as_bytes();
    i32::from_be_bytes([b[12], b[13], b[14], b[15]])
}

/// The owner session of this instance (opened again after it is lost).
pub struct Owner {
    url: String,
    keepalive: Keepalive,
    session: tokio::sync::Mutex<Option<Arc<Client>>>,
}

/// A webhook claimed by this instance, on the session that took it.
pub struct Claim {
    pub webhook_id: Uuid,
    session: Arc<Client>,
    released: bool,
}

impl Claim {
    /// The claim still holds: the session that took it is open.
    pub fn holds(&self) -> bool {
        !self.session.is_closed()
    }

    /// Lets the webhook go (when the session is gone, so is the lock).
    pub async fn release(mut self) {
        self.released = true;
        unlock(&self.session, self.webhook_id).await;
    }
}

async fn unlock(session: &Client, webhook_id: Uuid) {
    if !session.is_closed()
        && let Err(e) = claims::unlock(session, key(webhook_id)).await
    {
        tracing::warn!(error = %e, webhook = %webhook_id, "releasing a webhook claim failed");
    }
}

/// A claim dropped without [`Claim::release`] (its sender panicked) is let go all the same: a lock
/// left on a live session would keep its webhook from every instance.
impl Drop for Claim {
    fn drop(&mut self) {
        if !self.released
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            let (session, webhook_id) = (self.session.clone(), self.webhook_id);
            rt.spawn(async move { unlock(&session, webhook_id).await });
        }
    }
}

impl Owner {
    pub fn new(url: &str, lease: Duration) -> Owner {
        Owner {
            url: url.to_string(),
            keepalive: keepalive(lease),
            session: tokio::sync::Mutex::new(None),
        }
    }

    /// The open owner session, opening one when there is none (or it was lost).
    async fn session(&self) -> Result<Arc<Client>, tokio_postgres::Error> {
        let mut held = self.session.lock().await;
        if let Some(s) = held.as_ref().filter(|s| !s.is_closed()) {
            return Ok(s.clone());
        }
        let client = claims::open_owner(&self.url, &self.keepalive).await?;
        let client = Arc::new(client);
        *held = Some(client.clone());
        Ok(client)
    }

    /// Opens the owner session now if it is not open (so that a lost database shows up before
    /// anything is looked for).
    pub async fn ready(&self) -> Result<(), tokio_postgres::Error> {
        self.session().await.map(|_| ())
    }

    /// Claims the webhook unless another session holds it.
    pub async fn try_claim(
        &self,
        webhook_id: Uuid,
    ) -> Result<Option<Claim>, tokio_postgres::Error> {
        let session = self.session().await?;
        let locked = claims::try_lock(&session, key(webhook_id)).await?;
        Ok(locked.then_some(Claim {
            webhook_id,
            session,
            released: false,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keepalives_close_a_silent_connection_within_the_lease() {
        type Case = (&'static str, u64, (u64, u64, u32, u64));
        #[rustfmt::skip]
        let cases: &[Case] = &[
            ("the default", 5, (1, 1, 2, 5_000)),
            ("a long lease", 30, (7, 7, 2, 30_000)),
            ("a short lease keeps 1 s probes", 2, (1, 1, 2, 2_000)),
            ("zero still probes and times out", 0, (1, 1, 2, 1_000)),
        ];
        for (what, secs, (idle, interval, count, user)) in cases {
            let k = keepalive(Duration::from_secs(*secs));
            assert_eq!(
                k,
                Keepalive {
                    idle_s: *idle,
                    interval_s: *interval,
                    count: *count,
                    user_timeout_ms: *user
                },
                "{what}"
            );
            if *secs >= 3 {
                assert!(
                    k.idle_s + u64::from(k.count) * k.interval_s <= *secs,
                    "{what}"
                );
            }
        }
    }

    #[test]
    fn a_webhook_key_is_four_bytes_of_its_id() {
        let id = Uuid::parse_str("00000000-0000-4000-8000-0000000000ff").unwrap();
        assert_eq!(key(id), 255);
        let id = Uuid::parse_str("00000000-0000-4000-8000-0000ffffffff").unwrap();
        assert_eq!(key(id), -1);
    }
}
