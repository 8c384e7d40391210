//! Which subjects of a check need PostgreSQL at all: an in-memory set of every key any restriction
//! order binds (R2, R3), kept by each instance, so that the 95 % of a batch nobody restricts is
//! answered without an index probe (bench/checks).
//!
//! The set holds a 64-bit hash of every `restriction_subjects.subject_key` (a superset of the keys of
//! active orders: keys are never taken out, a false positive only costs a probe). It is exact up to a
//! **watermark**: the `xmin` of the snapshot it last caught up in, below which every transaction has
//! ended. A check sends to PostgreSQL the keys in the set, and asks PostgreSQL in the same statement
//! for any of its keys written by a transaction at or above the watermark
//! (`restriction_subjects.txid`, migration 000010). So an order committed before the check began is
//! always seen, whether or not the set has caught up with it, on every instance.

use std::{
    collections::HashSet,
    hash::{BuildHasherDefault, Hasher},
    sync::{
        Arc, RwLock,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use diesel::{
    QueryableByName, sql_query,
    sql_types::{Array, Text},
};
use diesel_async::RunQueryDsl;

use crate::db::{DbPool, replica::Reads};

/// The set's keys are already hashes: use them as they are.
#[derive(Default)]
pub struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type KeySet = HashSet<u64, BuildHasherDefault<Identity>>;

/// FNV-1a, 64 bits: stable across processes and cheap on 18-byte keys.
pub fn key_hash(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// No watermark yet: the set is not loaded and every key goes to PostgreSQL.
const UNLOADED: u64 = u64::MAX;

#[derive(Clone)]
pub struct SubjectFilter {
    keys: Arc<RwLock<KeySet>>,
    watermark: Arc<AtomicU64>,
}

impl Default for SubjectFilter {
    fn default() -> Self {
        Self {
            keys: Arc::default(),
            watermark: Arc::new(AtomicU64::new(UNLOADED)),
        }
    }
}

/// What one check asks PostgreSQL for.
pub struct Probe {
    /// The keys of the batch that may be restricted (all of them when the set is not loaded).
    pub keys: Vec<String>,
    /// Keys written at or above this transaction id are looked up among all the batch's keys.
    pub since: Option<String>,
}

#[derive(QueryableByName)]
struct CatchUp {
    #[diesel(sql_type = Text)]
    xmin: String,
    #[diesel(sql_type = Array<Text>)]
    keys: Vec<String>,
}

impl SubjectFilter {
    /// Splits a batch: the watermark is read before the set, and the set only grows, so every key
    /// written below the watermark that the batch names is in `keys`.
    pub fn probe(&self, direct: &[String]) -> Probe {
        let wm = AtomicU64::load(&self.watermark, Ordering::Acquire);
        if wm == UNLOADED {
            return Probe {
                keys: direct.to_vec(),
                since: None,
            };
        }
        let set = self.keys.read().unwrap_or_else(|p| p.into_inner());
        let keys = direct
            .iter()
            .filter(|k| set.contains(&key_hash(k)))
            .cloned()
            .collect();
        Probe {
            keys,
            since: Some(wm.to_string()),
        }
    }

    /// Adds every key written at or above the watermark (all of them on the first call) and moves
    /// the watermark to the `xmin` of the same snapshot. Returns how many keys were read.
    pub async fn catch_up(&self, pool: &DbPool) -> anyhow::Result<usize> {
        let wm = match AtomicU64::load(&self.watermark, Ordering::Acquire) {
            UNLOADED => 0,
            n => n,
        };
        let mut conn = pool.get().await?;
        let row: CatchUp = sql_query(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin, \
                    ARRAY(SELECT subject_key FROM restriction_subjects WHERE txid >= $1::text::xid8) AS keys",
        )
        .bind::<Text, _>(wm.to_string())
        .get_result(&mut conn)
        .await?;
        let xmin: u64 = row.xmin.parse()?;
        {
            let mut set = self.keys.write().unwrap_or_else(|p| p.into_inner());
            set.reserve(row.keys.len());
            for k in &row.keys {
                set.insert(key_hash(k));
            }
        }
        // Only after the keys are in: a check that reads this watermark finds them in the set.
        self.watermark.store(xmin, Ordering::Release);
        Ok(row.keys.len())
    }

    pub fn len(&self) -> usize {
        self.keys.read().map(|s| s.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Loads the set, then keeps catching up every `every`, from where reads go at the time
    /// (`db::replica`: the transaction ids, hence the watermark, are the same on the primary and
    /// its physical standbys). A failed catch-up leaves the watermark where it was (checks still see
    /// everything newer through PostgreSQL) and is retried.
    pub async fn start(&self, reads: Reads, every: Duration, tasks: &crate::tasks::Tasks) {
        match self.catch_up(reads.pool()).await {
            Ok(n) => tracing::info!(keys = n, "restricted-key set loaded"),
            Err(e) => {
                tracing::warn!(error = %e, "restricted-key set not loaded yet; checks query every key")
            }
        }
        let filter = self.clone();
        let stop = tasks.clone();
        tasks.spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    () = stop.stopping() => return,
                }
                if let Err(e) = filter.catch_up(reads.pool()).await {
                    tracing::debug!(error = %e, "restricted-key set catch-up failed");
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unloaded_filter_sends_every_key() {
        let f = SubjectFilter::default();
        let p = f.probe(&["a".into(), "b".into()]);
        assert_eq!(p.keys, vec!["a", "b"]);
        assert!(p.since.is_none());
    }

    #[test]
    fn loaded_filter_keeps_only_known_keys_and_names_the_watermark() {
        let f = SubjectFilter::default();
        f.keys
            .write()
            .unwrap()
            .insert(key_hash("11010519491231002X"));
        f.watermark.store(42, Ordering::Release);
        let p = f.probe(&["11010519491231002X".into(), "110105198001010011".into()]);
        assert_eq!(p.keys, vec!["11010519491231002X"]);
        assert_eq!(p.since.as_deref(), Some("42"));
    }

    #[test]
    fn key_hash_is_fnv1a() {
        assert_eq!(key_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(key_hash("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
