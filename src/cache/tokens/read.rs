//! One batch's token read: the epoch and the generations this lane does not remember
//! ([`Tracked`]), the counters of the batch's clients, and a `PING` when there is nothing else to
//! send (its reply orders the invalidation pushes), in one pipeline.

use std::collections::HashMap;

use redis::aio::MultiplexedConnection;

use super::{TokenError, Tokens, Want, parse, query};
use crate::cache::{
    GENERATION_TTL_SECS, Inner, token,
    tracked::{Invalidated, Tracked},
};

/// Reads the batch's tokens; after any error the lane forgets what it remembers and its connection.
pub(super) async fn read(
    inner: &Inner,
    tracked: &mut Tracked,
    batch: &[Want],
    creating: &mut bool,
) -> Result<Vec<Tokens>, TokenError> {
    let result = read_tracked(inner, tracked, batch, creating).await;
    if result.is_err() {
        tracked.forget();
    }
    result
}

/// One pipeline for the whole batch. A second one only when a remembered token was invalidated by
/// a push that came with the reply (it is read again), when the epoch is missing, or when
/// generations are missing and the lane was not `creating` them already.
async fn read_tracked(
    inner: &Inner,
    tracked: &mut Tracked,
    batch: &[Want],
    creating: &mut bool,
) -> Result<Vec<Tokens>, TokenError> {
    let conn = tracked.conn(inner).await?;
    let counters = tally(batch);
    let epoch_key = inner.epoch_key();
    let mut epoch = tracked.get(&epoch_key).cloned();
    let read_epoch = epoch.is_none();
    // A lookup that wants no generation (a name's first lookup, only counted) has an empty one.
    let mut gens: Vec<Option<String>> = batch
        .iter()
        .map(|w| match &w.gen_key {
            Some(k) => tracked.get(k).cloned(),
            None => Some(String::new()),
        })
        .collect();
    let remembered: Vec<bool> = gens.iter().map(Option::is_some).collect();
    let unknown: Vec<usize> = (0..batch.len()).filter(|i| !remembered[*i]).collect();
    let was_creating = *creating;
    // What is read with a read command (tracked, so remembered): the epoch unless remembered, and
    // the generations not remembered unless the lane is creating them.
    let tracked_read = TrackedRead {
        epoch: read_epoch.then_some(epoch_key.as_str()),
        gens: if was_creating {
            Vec::new()
        } else {
            unknown.clone()
        },
    };
    let mut pipe = redis::pipe();
    tracked_read.add(&mut pipe, batch);
    let mine: Vec<String> = if was_creating {
        // The lane's last batch met missing generations (a cold cache): create them in this same
        // round trip. `SET NX GET` (Redis 7) answers the current token, or nil when it set ours.
        let mine: Vec<String> = unknown.iter().map(|_| token()).collect();
        for (i, t) in unknown.iter().zip(&mine) {
            pipe.cmd("SET")
                .arg(key(&batch[*i]))
                .arg(t)
                .arg("EX")
                .arg(GENERATION_TTL_SECS)
                .arg("NX")
                .arg("GET");
        }
        mine
    } else {
        Vec::new()
    };
    for (key, n, window_ms) in &counters {
        // INCRBY creates a new window's counter; PEXPIRE … NX (Redis 7) then gives it its expiry
        // and keeps an existing one. (Setting the expiry first, with SET … NX, could lose it: the
        // pipeline is not atomic, so a counter that expired between the two commands would be
        // created again by INCRBY without one, and its client limited for good.)
        pipe.cmd("INCRBY").arg(*key).arg(*n);
        pipe.cmd("PEXPIRE")
            .arg(*key)
            .arg(*window_ms)
            .arg("NX")
            .ignore();
    }
    if tracked_read.is_empty() && unknown.is_empty() && counters.is_empty() {
        // Everything is remembered: the reply to this orders the pushes (module comment).
        pipe.cmd("PING");
    }
    let mut out = query(&conn, &pipe).await?.into_iter();
    let invalidated = tracked.drain();
    tracked_read.take(
        &mut out,
        &invalidated,
        tracked,
        batch,
        &mut epoch,
        &mut gens,
    )?;
    let mut fresh = vec![false; batch.len()];
    if was_creating {
        // Not remembered: Redis tracks what read commands read, and SET is none.
        for (i, t) in unknown.iter().zip(mine) {
            let current: Option<String> = parse(out.next())?;
            fresh[*i] = current.is_none();
            gens[*i] = Some(current.unwrap_or(t));
        }
    }
    *creating = still_creating(was_creating, &fresh, &gens);
    let mut totals = HashMap::new();
    for (key, n, _) in &counters {
        let total: u64 = parse(out.next())?;
        // The batch's lookups of this client take the counts total-n+1 ..= total, in order.
        totals.insert(*key, total.saturating_sub(*n));
    }
    // What was remembered but invalidated by a push that came with the reply is read again.
    let stale_epoch = !read_epoch && invalidated.covers(&epoch_key);
    let stale: Vec<usize> = (0..batch.len())
        .filter(|i| {
            let key = batch[*i].gen_key.as_deref();
            remembered[*i] && key.is_some_and(|k| invalidated.covers(k))
        })
        .collect();
    let again = TrackedRead {
        epoch: stale_epoch.then_some(epoch_key.as_str()),
        gens: stale,
    };
    if !again.is_empty() {
        let mut out = query(&conn, &again.pipeline(batch)).await?.into_iter();
        let invalidated = tracked.drain();
        again.take(
            &mut out,
            &invalidated,
            tracked,
            batch,
            &mut epoch,
            &mut gens,
        )?;
    }
    if epoch.is_none() || gens.iter().any(Option::is_none) {
        create_missing(inner, &conn, batch, &mut epoch, &mut gens, &mut fresh).await?;
    }
    let epoch = epoch.ok_or_else(|| TokenError("no epoch".into()))?;
    gens.into_iter()
        .zip(fresh)
        .zip(counts(batch, totals))
        .map(|((g, fresh), count)| {
            Ok(Tokens {
                epoch: epoch.clone(),
                generation: g.ok_or_else(|| TokenError("no generation".into()))?,
                count,
                fresh,
            })
        })
        .collect()
}

/// The generation key a lookup wants ("" for none: its generation is never missing).
fn key(w: &Want) -> &str {
    w.gen_key.as_deref().unwrap_or_default()
}

/// What a pipeline reads with read commands, which Redis tracks: the epoch (`GET`) and generations
/// (one `MGET`, by index into the batch). What it reads is remembered unless a push that came with
/// the reply invalidated it ([`Tracked::keep`]).
struct TrackedRead<'a> {
    epoch: Option<&'a str>,
    gens: Vec<usize>,
}

impl TrackedRead<'_> {
    fn is_empty(&self) -> bool {
        self.epoch.is_none() && self.gens.is_empty()
    }

    fn add(&self, pipe: &mut redis::Pipeline, batch: &[Want]) {
        if let Some(key) = self.epoch {
            pipe.get(key);
        }
        if !self.gens.is_empty() {
            pipe.cmd("MGET");
            for i in &self.gens {
                pipe.arg(key(&batch[*i]));
            }
        }
    }

    fn pipeline(&self, batch: &[Want]) -> redis::Pipeline {
        let mut pipe = redis::pipe();
        self.add(&mut pipe, batch);
        pipe
    }

    /// Takes this read's replies from `out` (in the order `add` put the commands).
    fn take(
        &self,
        out: &mut impl Iterator<Item = redis::Value>,
        invalidated: &Invalidated,
        tracked: &mut Tracked,
        batch: &[Want],
        epoch: &mut Option<String>,
        gens: &mut [Option<String>],
    ) -> Result<(), TokenError> {
        if let Some(key) = self.epoch {
            *epoch = parse(out.next())?;
            if let Some(e) = epoch.as_deref() {
                tracked.keep(invalidated, key, e);
            }
        }
        if self.gens.is_empty() {
            return Ok(());
        }
        let read: Vec<Option<String>> = parse(out.next())?;
        if read.len() != self.gens.len() {
            return Err(TokenError(format!(
                "MGET returned {} of {} generations",
                read.len(),
                self.gens.len()
            )));
        }
        for (i, g) in self.gens.iter().zip(read) {
            if let Some(g) = &g {
                tracked.keep(invalidated, key(&batch[*i]), g);
            }
            gens[*i] = g;
        }
        Ok(())
    }
}

/// Each client's lookups in the batch, with its window: `(counter key, lookups, window in ms)`.
pub(super) fn tally(batch: &[Want]) -> Vec<(&str, u64, u64)> {
    let mut counters: HashMap<&str, (u64, u64)> = HashMap::new();
    for (key, window_ms) in batch.iter().filter_map(|w| w.counter.as_ref()) {
        counters.entry(key.as_str()).or_insert((0, *window_ms)).0 += 1;
    }
    counters.into_iter().map(|(k, (n, w))| (k, n, w)).collect()
}

/// Whether the lane's next read creates generations (`SET NX GET`): while this one met missing
/// generations; back to one `MGET` once they are all there.
pub(super) fn still_creating(was_creating: bool, fresh: &[bool], gens: &[Option<String>]) -> bool {
    if was_creating {
        fresh.iter().any(|f| *f)
    } else {
        gens.iter().any(Option::is_none)
    }
}

/// Each lookup's count: a client's lookups take `before + 1`, `before + 2`, … in batch order, where
/// `before` (in `totals`) is its count before the batch; 0 without a counter.
pub(super) fn counts<'a>(batch: &'a [Want], mut totals: HashMap<&'a str, u64>) -> Vec<u64> {
    batch
        .iter()
        .map(|w| match &w.counter {
            Some((key, _)) => {
                let c = totals.entry(key.as_str()).or_insert(0);
                *c += 1;
                *c
            }
            None => 0,
        })
        .collect()
}

/// Creates the missing epoch and generations (`SET NX`) and reads them back. A lookup whose epoch or
/// generation is the token this read created is `fresh`: no answer can be stored under it yet.
async fn create_missing(
    inner: &Inner,
    conn: &MultiplexedConnection,
    batch: &[Want],
    epoch: &mut Option<String>,
    gens: &mut [Option<String>],
    fresh: &mut [bool],
) -> Result<(), TokenError> {
    let mut pipe = redis::pipe();
    let mut keys: Vec<(&str, String)> = Vec::new();
    let new_epoch = epoch.is_none().then(token);
    if let Some(t) = &new_epoch {
        let key = inner.epoch_key();
        pipe.cmd("SET").arg(&key).arg(t).arg("NX").ignore();
        pipe.get(&key);
    }
    for (w, g) in batch.iter().zip(gens.iter()) {
        if g.is_none() && !keys.iter().any(|(k, _)| *k == key(w)) {
            let t = token();
            pipe.cmd("SET")
                .arg(key(w))
                .arg(&t)
                .arg("EX")
                .arg(GENERATION_TTL_SECS)
                .arg("NX")
                .ignore();
            pipe.get(key(w));
            keys.push((key(w), t));
        }
    }
    let mut out = query(conn, &pipe).await?.into_iter();
    let epoch_is_new = match &new_epoch {
        Some(t) => {
            *epoch = parse(out.next())?;
            epoch.as_ref() == Some(t)
        }
        None => false,
    };
    let mut read = HashMap::new();
    for (key, t) in keys {
        let g = parse::<Option<String>>(out.next())?;
        let created = g.as_ref() == Some(&t);
        read.insert(key, (g, created));
    }
    for ((w, g), fresh) in batch.iter().zip(gens.iter_mut()).zip(fresh.iter_mut()) {
        *fresh |= epoch_is_new;
        if g.is_none()
            && let Some((read, created)) = read.get(key(w))
        {
            *g = read.clone();
            *fresh |= *created;
        }
    }
    Ok(())
}
