//! The in-process copy of answers. An answer is stored in Redis under the epoch and generation read
//! before its query; those tokens are random and never reused, so the answer under a given
//! `{epoch}:{generation}:{name}:{variant}` never changes. This map keeps such answers by the same
//! key: it is as fresh as Redis by construction (a change replaces the generation, and the next
//! lookup reads the new one), needs no invalidation, and saves moving the body out of Redis.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use actix_web::web::Bytes;

/// Answers older than this are read from Redis again (Redis keeps them as long).
const TTL: Duration = Duration::from_secs(super::ANSWER_TTL_SECS);
/// Bytes of bodies kept; over this, half the entries are dropped.
const BUDGET: usize = 64 << 20;

#[derive(Default)]
pub(super) struct Local {
    inner: Mutex<Map>,
}

#[derive(Default)]
struct Map {
    entries: HashMap<String, (Instant, Bytes)>,
    bytes: usize,
}

impl Local {
    pub fn get(&self, key: &str) -> Option<Bytes> {
        let map = self.inner.lock().ok()?;
        map.entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, body)| body.clone())
    }

    pub fn put(&self, key: String, body: Bytes) {
        let Ok(mut map) = self.inner.lock() else {
            return;
        };
        if map.bytes + body.len() > BUDGET {
            let mut keep = false;
            map.entries.retain(|_, (at, _)| {
                keep = !keep;
                keep && at.elapsed() < TTL
            });
            map.bytes = map.entries.values().map(|(_, b)| b.len()).sum();
        }
        map.bytes += body.len();
        if let Some((_, old)) = map.entries.insert(key, (Instant::now(), body)) {
            map.bytes -= old.len();
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().map(|m| m.entries.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_within_its_budget() {
        let local = Local::default();
        let body = Bytes::from(vec![b'x'; 1 << 20]);
        for i in 0..200 {
            local.put(format!("k{i}"), body.clone());
        }
        let bytes = local.inner.lock().map(|m| m.bytes).unwrap_or(usize::MAX);
        assert!(bytes <= BUDGET, "{bytes}");
        assert!(local.len() >= 32, "{}", local.len());
        assert_eq!(local.get("k199").as_deref(), Some(&body[..]));
        local.put("k199".into(), Bytes::from_static(b"{}"));
        assert_eq!(local.get("k199").as_deref(), Some(&b"{}"[..]));
    }
}
