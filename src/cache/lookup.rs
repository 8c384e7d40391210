//! Reading and storing answers: a lookup reads the tokens (and counts the client for the rate
//! limit) in its lane's next batch ([`tokens`]), then takes the answer from this process's copy
//! ([`local`](super::local)) or from Redis; a fill stores the answer under the tokens read before
//! its query.

use actix_web::web::Bytes;

use super::{Cache, FillKey, Lookup, hash, rate_limit, tokens};

/// What became of a lookup, for `shixin_cache_lookups_total{result}`.
#[derive(Clone, Copy)]
enum Outcome {
    Hit,
    Miss,
    /// A name's first lookup lately: not cached ([`super::doorkeeper`]).
    First,
}

/// Counts a lookup's outcome (the handles are looked up once, not on every lookup).
fn count_lookup(outcome: Outcome) {
    static CELLS: [std::sync::OnceLock<metrics::Counter>; 3] =
        [const { std::sync::OnceLock::new() }; 3];
    let result = match outcome {
        Outcome::Hit => "hit",
        Outcome::Miss => "miss",
        Outcome::First => "first",
    };
    CELLS[outcome as usize]
        .get_or_init(|| metrics::counter!(crate::metrics::CACHE_LOOKUPS, "result" => result))
        .increment(1);
}

/// Hashes of folded names each HTTP worker thread remembers (the same names come again and again).
const NAME_KEYS_MEMO: usize = 10_000;

thread_local! {
    static NAME_KEYS: crate::memo::Memo<String, String> = Default::default();
}

impl Cache {
    /// Reads the answer for `folded` + `variant` (filter, cursor, limit). The tokens come from a
    /// batched read shared with the lookups arriving meanwhile ([`tokens`]); with a rate-limit
    /// counter, the client is counted in that read too (the count is returned). The answer under
    /// the tokens comes from this process's copy, else from Redis in the lane's next batch; a
    /// generation this read created has no answer yet and is a miss at once.
    pub async fn lookup(
        &self,
        folded: &str,
        variant: String,
        counter: Option<&rate_limit::Counter>,
    ) -> (Lookup, Option<u64>) {
        let Some((inner, mark)) = self
            .inner
            .as_ref()
            .and_then(|i| i.mark().map(|mark| (i, mark)))
        else {
            return (Lookup::Bypass, None);
        };
        let name = crate::memo::remember(&NAME_KEYS, folded, NAME_KEYS_MEMO, hash);
        // A name's first lookup lately is answered from PostgreSQL and stores nothing; it only
        // counts its client (in the same batch as the others).
        let first = !inner.doorkeeper.seen(&name);
        if first && counter.is_none() {
            count_lookup(Outcome::First);
            return (Lookup::Bypass, None);
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        let want = tokens::Want {
            gen_key: (!first).then(|| inner.gen_key_hashed(&name)),
            counter: counter.map(|c| (c.key.clone(), c.window_ms)),
            reply,
        };
        let Some(lane) = tokens::lane(inner) else {
            return (Lookup::Bypass, None);
        };
        if lane.send(tokens::Op::Tokens(want)).is_err() {
            return (Lookup::Bypass, None);
        }
        if first {
            count_lookup(Outcome::First);
            let pending = super::PendingCount {
                reply: answer,
                inner: inner.clone(),
            };
            return (Lookup::First(pending), None);
        }
        // No timer per request: every call of the lane has the deadline, so the answer comes
        // within a few deadlines (the batch in flight, then this one's).
        let Some(t) = tokens::received(answer, inner).await else {
            return (Lookup::Bypass, None);
        };
        let count = counter.map(|_| t.count);
        if !inner.unchanged_since(mark) {
            // A failure (a new master among them) since this lookup began: the tokens may come
            // from a server whose epoch is not replaced yet.
            return (Lookup::Bypass, count);
        }
        // A variant without ID numbers ("|cursor|limit") holds nothing to hide: no hash needed.
        let variant = if variant.starts_with('|') {
            variant
        } else {
            hash(&variant)
        };
        let key = format!("{}:{}:{name}:{variant}", t.epoch, t.generation);
        if t.fresh {
            // Created by this read: no answer can be stored under it yet (saves a round trip).
            count_lookup(Outcome::Miss);
            return (Lookup::Miss(FillKey(key)), count);
        }
        if let Some(body) = inner.local.get(&key) {
            count_lookup(Outcome::Hit);
            return (Lookup::Hit(body), count);
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        if lane
            .send(tokens::Op::Answer {
                key: key.clone(),
                reply,
            })
            .is_err()
        {
            return (Lookup::Bypass, count);
        }
        match tokens::received(answer, inner).await {
            None => (Lookup::Bypass, count),
            Some(_) if !inner.unchanged_since(mark) => (Lookup::Bypass, count),
            Some(Some(body)) => {
                count_lookup(Outcome::Hit);
                let body = Bytes::from(body);
                inner.local.put(key, body.clone());
                (Lookup::Hit(body), count)
            }
            Some(None) => {
                count_lookup(Outcome::Miss);
                (Lookup::Miss(FillKey(key)), count)
            }
        }
    }

    /// Stores an answer under the tokens read before its query: here at once, in Redis with the
    /// lane's next batch (a lost fill is harmless; a failed one stops the cache until the epoch is
    /// replaced).
    pub fn fill(&self, key: FillKey, body: Bytes) {
        let Some(inner) = self.inner.as_ref().filter(|i| i.usable()) else {
            return;
        };
        inner.local.put(key.0.clone(), body.clone());
        if let Some(lane) = tokens::lane(inner) {
            let _ = lane.send(tokens::Op::Fill { key: key.0, body });
        }
    }
}
