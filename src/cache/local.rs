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
/// Bytes kept (keys, bodies and a map entry's own overhead); over this, half the entries are
/// dropped. Most answers are the empty `{"items":[],…}`, shorter than their key: counting bodies
/// alone would let millions of entries in.
const BUDGET: usize = 64 << 20;
/// What an entry costs besides its key and body (the map's slot, the `Bytes` and `String` headers).
const ENTRY_OVERHEAD: usize = 96;

fn cost(key_len: usize, body: &Bytes) -> usize {
    key_len + body.len() + ENTRY_OVERHEAD
}

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
        let added = cost(key.len(), &body);
        if map.bytes + added > BUDGET {
            let mut keep = false;
            map.entries.retain(|_, (at, _)| {
                keep = !keep;
                keep && at.elapsed() < TTL
            });
            map.bytes = map.entries.iter().map(|(k, (_, b))| cost(k.len(), b)).sum();
        }
        map.bytes += added;
        let key_len = key.len();
        if let Some((_, old)) = map.entries.insert(key, (Instant::now(), body)) {
            map.bytes -= cost(key_len, &old);
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
        // Small answers count their keys too: a million of them cannot fit.
        let small = Local::default();
        for i in 0..1_000_000 {
            small.put(format!("{i:0>120}"), Bytes::from_static(b"{}"));
        }
        let bytes = small.inner.lock().map(|m| m.bytes).unwrap_or(usize::MAX);
        assert!(bytes <= BUDGET, "{bytes}");
        assert!(small.len() < 1_000_000 / 2, "{}", small.len());
        assert_eq!(local.get("k199").as_deref(), Some(&body[..]));
        local.put("k199".into(), Bytes::from_static(b"{}"));
        assert_eq!(local.get("k199").as_deref(), Some(&b"{}"[..]));
    }
}
