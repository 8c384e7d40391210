//! The tokens a lane remembers between its batches, kept fresh by Redis's server-assisted
//! client-side caching: the lane reads tokens on a RESP3 connection of its own with
//! `CLIENT TRACKING ON`, so Redis remembers which keys that connection read and, when any of them
//! changes (`SET`, expiry, eviction, `FLUSHDB`, its tracking table full), writes an `invalidate`
//! push to it. A warm batch then reads no key: one reply (its rate-limit `INCRBY`, or a `PING`)
//! orders the pushes.
//!
//! Why a remembered token is as fresh as one read in the batch:
//! - Redis writes an invalidation to the connection when it applies a change to a key the
//!   connection read, before it processes any later command of that connection; TCP keeps the
//!   order, and the client hands pushes and replies over in the order they arrived (the push goes
//!   into this lane's channel before the reply completes the pipeline). A batch's pipeline is sent
//!   after its lookups were queued; after its reply the lane applies every push received, and only
//!   then uses what it remembers. So every change that a write applied and answered before a lookup
//!   was queued has removed its token from memory by the time the lookup gets its tokens.
//! - A push is lost only with its connection (TCP delivers in order or not at all). Whatever ends
//!   the connection — an error, a timeout, a `Disconnection` push, Redis restarting, a new master —
//!   forgets everything, and the next batch opens a new connection that reads every key again.
//! - Only values read by a read command (`GET`, `MGET`) are remembered: Redis tracks only those.
//!   A token created or read back by `SET … NX GET` is used for its batch and read again next time.
//! - A value whose key is invalidated by a push that arrived with the same reply is used for its
//!   batch (it was current after the lookups were queued) but not remembered: the push may come
//!   from a change after the read. A remembered value invalidated that way is read again before
//!   it is used ([`super::tokens`]).
//! - Any cache failure recorded by this instance (`Inner::failures` moved) also forgets everything:
//!   safety over speed.

use std::collections::{HashMap, HashSet};

use redis::{
    AsyncConnectionConfig, ProtocolVersion, PushInfo, PushKind, Value, aio::MultiplexedConnection,
};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use super::{Inner, REDIS_DEADLINE, tokens::TokenError};

/// Tokens remembered by one lane; over this, all are forgotten (they are read again as needed).
const MOST_REMEMBERED: usize = 200_000;

/// What the pushes received since the last look invalidated.
#[derive(Debug, Default)]
pub(super) struct Invalidated {
    /// Everything (a flush, or the connection ended).
    pub all: bool,
    pub keys: HashSet<String>,
}

impl Invalidated {
    pub fn covers(&self, key: &str) -> bool {
        self.all || self.keys.contains(key)
    }
}

/// A lane's tracked connection and the tokens read on it.
#[derive(Default)]
pub(super) struct Tracked {
    /// The master node the connection goes to (`master::Node::serial`).
    serial: u64,
    conn: Option<MultiplexedConnection>,
    pushes: Option<UnboundedReceiver<PushInfo>>,
    /// `Inner::failures` when the memory was last trusted.
    failures: u64,
    values: HashMap<String, String>,
}

impl Tracked {
    /// The connection for the next batch: the current one, or a new tracked one to the current
    /// master (with nothing remembered).
    pub async fn conn(&mut self, inner: &Inner) -> Result<MultiplexedConnection, TokenError> {
        // Pushes first: a connection that ended is replaced now rather than failing the batch.
        self.drain();
        let failures = inner.failures.load(std::sync::atomic::Ordering::SeqCst);
        if failures != self.failures {
            self.values.clear();
            self.failures = failures;
        }
        if let Some(conn) = &self.conn
            && self.serial == inner.master.serial()
        {
            return Ok(conn.clone());
        }
        self.forget();
        let node = inner
            .master
            .node()
            .ok_or_else(|| TokenError("no master known".into()))?;
        let (tx, rx) = unbounded_channel();
        let info = node.client().get_connection_info().clone();
        let settings = info
            .redis_settings()
            .clone()
            .set_protocol(ProtocolVersion::RESP3);
        let client = redis::Client::open(info.set_redis_settings(settings))
            .map_err(|e| TokenError::of(&e))?;
        // No deadlines of the connection's own: every call on it has ours.
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(None)
            .set_response_timeout(None)
            .set_push_sender(tx);
        let open = async {
            let mut conn = client
                .get_multiplexed_async_connection_with_config(&config)
                .await?;
            redis::pipe()
                .cmd("CLIENT")
                .arg("SETNAME")
                .arg(client_name(&inner.prefix))
                .ignore()
                .cmd("CLIENT")
                .arg("TRACKING")
                .arg("ON")
                .ignore()
                .exec_async(&mut conn)
                .await?;
            Ok::<_, redis::RedisError>(conn)
        };
        let conn = match tokio::time::timeout(REDIS_DEADLINE, open).await {
            Ok(Ok(conn)) => conn,
            Ok(Err(e)) => return Err(TokenError::of(&e)),
            Err(_) => return Err(TokenError("timed out".into())),
        };
        self.serial = node.serial;
        self.conn = Some(conn.clone());
        self.pushes = Some(rx);
        Ok(conn)
    }

    /// Closes the connection and forgets every token (after any error on it).
    pub fn forget(&mut self) {
        self.conn = None;
        self.pushes = None;
        self.values.clear();
    }

    /// Applies the pushes received so far and says what they invalidated.
    pub fn drain(&mut self) -> Invalidated {
        let mut out = Invalidated::default();
        let Some(rx) = self.pushes.as_mut() else {
            out.all = true;
            return out;
        };
        let mut ended = false;
        while let Ok(push) = rx.try_recv() {
            match push.kind {
                PushKind::Invalidate => match push.data.into_iter().next() {
                    Some(Value::Array(keys)) => {
                        for k in keys {
                            if let Ok(k) = redis::from_redis_value::<String>(k) {
                                self.values.remove(&k);
                                out.keys.insert(k);
                            }
                        }
                    }
                    // `FLUSHALL`/`FLUSHDB`, or a shape we do not know: forget everything.
                    _ => {
                        self.values.clear();
                        out.all = true;
                    }
                },
                PushKind::Disconnection => ended = true,
                _ => {}
            }
        }
        if ended || rx.is_closed() && rx.is_empty() {
            self.forget();
            out.all = true;
        }
        out
    }

    pub fn get(&self, key: &str) -> Option<&String> {
        self.values.get(key)
    }

    /// Remembers a value read by a read command in the batch whose pushes are `invalidated`.
    pub fn keep(&mut self, invalidated: &Invalidated, key: &str, value: &str) {
        if invalidated.covers(key) || self.conn.is_none() {
            return;
        }
        if self.values.len() >= MOST_REMEMBERED {
            self.values.clear();
        }
        self.values.insert(key.to_string(), value.to_string());
    }

    #[cfg(test)]
    pub fn remembered(&self) -> usize {
        self.values.len()
    }
}

/// The name of a lane's token connection in `CLIENT LIST`: `shixin-tokens@{key prefix}`.
pub(super) fn client_name(prefix: &str) -> String {
    format!("shixin-tokens@{prefix}")
}
