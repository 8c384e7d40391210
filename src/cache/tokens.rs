//! Coalesced token reads. Every cached lookup needs, from Redis, the epoch, the generation of its
//! name and (with the rate limit) its client's count. Lookups that arrive while a read is in flight
//! wait for the next read, which carries all of them in one pipeline of plain commands (`GET` the
//! epoch, `MGET` the generations, `INCRBY` each client's counter by its lookups in the batch, with `PEXPIRE NX`): one
//! round trip per batch instead of per request (group commit, for reads). No Lua: a script call
//! costs Redis tens of microseconds, a batch of plain commands a few.
//!
//! Freshness is kept: a lookup joins a batch whose pipeline is *sent after the lookup was queued*,
//! so a write that replaced a generation and answered before the lookup arrived is seen by it. A
//! missing token is created with `SET NX` and read back with `GET`: whichever token that returns
//! was current after the lookup arrived, which is all a lookup needs. While generations are found
//! missing (a cold cache), the lane reads them with `SET NX GET` instead of `MGET`, which creates
//! them in the same round trip.

use std::{collections::HashMap, sync::Weak};

use actix_web::web::Bytes;
use redis::{FromRedisValue, Value, aio::ConnectionManager};
use tokio::sync::{mpsc, oneshot};

use super::{ANSWER_TTL_SECS, GENERATION_TTL_SECS, Inner, REDIS_DEADLINE, master::LaneConn, token};

/// Most lookups in one pipeline.
const MAX_BATCH: usize = 256;

/// The tokens a lookup reads before it looks for an answer.
pub struct Tokens {
    pub epoch: String,
    pub generation: String,
    /// The client's count in the current window (0 without a counter).
    pub count: u64,
    /// The generation (or the epoch) was created by this read: nothing can be stored under it yet.
    pub fresh: bool,
}

/// Why a batch brought no tokens (Redis failed or was slow: the cache is not trusted until the
/// epoch is replaced).
#[derive(Debug, Clone)]
pub struct TokenError(pub String);

/// Where an answer read from Redis goes.
pub(super) type AnswerReply = oneshot::Sender<Result<Option<Vec<u8>>, TokenError>>;

/// What a lookup asks of its lane: its tokens, the answer under them, or to store an answer.
pub(super) enum Op {
    Tokens(Want),
    Answer { key: String, reply: AnswerReply },
    Fill { key: String, body: Bytes },
}

pub(super) struct Want {
    pub gen_key: String,
    /// (key, window in ms)
    pub counter: Option<(String, u64)>,
    pub reply: oneshot::Sender<Result<Tokens, TokenError>>,
}

/// This thread's way to Redis for the cache `inner`: its own connection and batch queue
/// ([`crate::lanes`]), created on first use, so that a lookup, its batch and the connection's I/O
/// all run on the thread that serves the request.
pub(super) fn lane(inner: &std::sync::Arc<Inner>) -> Option<mpsc::UnboundedSender<Op>> {
    crate::lanes::lane(inner.id, |waiting| {
        start(
            std::sync::Arc::downgrade(inner),
            waiting,
            LaneConn::default(),
        );
        Some(())
    })
}

/// Starts the task that sends the batches; it stops when the cache is dropped. Each batch goes to
/// the current master ([`LaneConn`]: the lane's connection is replaced when the master changes).
fn start(inner: Weak<Inner>, mut rx: mpsc::UnboundedReceiver<Op>, mut lane: LaneConn) {
    tokio::spawn(async move {
        let mut ops = Vec::with_capacity(MAX_BATCH);
        // Whether the last token read met missing generations (see `read`).
        let mut creating = false;
        while let Some(first) = rx.recv().await {
            ops.push(first);
            // Let the requests that are ready on this thread queue theirs first: bigger batches,
            // fewer round trips, for the time of one turn of the scheduler.
            tokio::task::yield_now().await;
            while ops.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(op) => ops.push(op),
                    Err(_) => break,
                }
            }
            let Some(inner) = inner.upgrade() else { break };
            let Some(conn) = lane.get(&inner.master) else {
                // No master known yet (Sentinel), so the cache is not trusted and nothing is sent
                // here; should something be, its dropped reply reads as a failure.
                ops.clear();
                continue;
            };
            let (mut wants, mut answers, mut fills) = (Vec::new(), Vec::new(), Vec::new());
            for op in ops.drain(..) {
                match op {
                    Op::Tokens(w) => wants.push(w),
                    Op::Answer { key, reply } => answers.push((key, reply)),
                    Op::Fill { key, body } => fills.push((key, body)),
                }
            }
            let tokens = async {
                if wants.is_empty() {
                    return;
                }
                metrics::counter!(crate::metrics::CACHE_TOKEN_READS).increment(1);
                metrics::counter!(crate::metrics::CACHE_TOKEN_LOOKUPS)
                    .increment(wants.len() as u64);
                match read(&inner, &conn, &wants, &mut creating).await {
                    Ok(tokens) => {
                        for (w, t) in wants.drain(..).zip(tokens) {
                            let _ = w.reply.send(Ok(t));
                        }
                    }
                    Err(e) => {
                        fail(&inner, &e, "redis token read failed");
                        for w in wants.drain(..) {
                            let _ = w.reply.send(Err(e.clone()));
                        }
                    }
                }
            };
            tokio::join!(
                tokens,
                answers_and_fills(&inner, &conn, &mut answers, &mut fills)
            );
            drop(inner);
        }
    });
}

/// The answers asked for (one `MGET`) and the answers to store (`SET … EX`), in one pipeline.
async fn answers_and_fills(
    inner: &Inner,
    conn: &ConnectionManager,
    answers: &mut Vec<(String, AnswerReply)>,
    fills: &mut Vec<(String, Bytes)>,
) {
    if answers.is_empty() && fills.is_empty() {
        return;
    }
    let mut pipe = redis::pipe();
    if !answers.is_empty() {
        pipe.cmd("MGET");
        for (key, _) in answers.iter() {
            pipe.arg(inner.answer_key(key));
        }
    }
    for (key, body) in fills.iter() {
        pipe.cmd("SET")
            .arg(inner.answer_key(key))
            .arg(body.as_ref())
            .arg("EX")
            .arg(ANSWER_TTL_SECS)
            .ignore();
    }
    let result = query(conn, &pipe).await.and_then(|out| {
        if answers.is_empty() {
            Ok(Vec::new())
        } else {
            parse::<Vec<Option<Vec<u8>>>>(out.into_iter().next())
        }
    });
    fills.clear();
    match result {
        Ok(bodies) if bodies.len() == answers.len() => {
            for ((_, reply), body) in answers.drain(..).zip(bodies) {
                let _ = reply.send(Ok(body));
            }
        }
        other => {
            // A lost fill is harmless, but Redis is in trouble: stop trusting it for now.
            let e = match other {
                Err(e) => e,
                Ok(_) => TokenError("MGET returned a short answer".into()),
            };
            fail(inner, &e, "redis answer read or fill failed");
            for (_, reply) in answers.drain(..) {
                let _ = reply.send(Err(e.clone()));
            }
        }
    }
}

/// One pipeline for the whole batch; a second one only when the epoch is missing, or when
/// generations are missing and the lane was not `creating` them already.
async fn read(
    inner: &Inner,
    conn: &ConnectionManager,
    batch: &[Want],
    creating: &mut bool,
) -> Result<Vec<Tokens>, TokenError> {
    let counters = tally(batch);
    let mut pipe = redis::pipe();
    pipe.get(inner.epoch_key());
    let was_creating = *creating;
    let mine: Vec<String> = if was_creating {
        // The lane's last batch met missing generations (a cold cache): create them in this same
        // round trip. `SET NX GET` (Redis 7) answers the current token, or nil when it set ours.
        let mine: Vec<String> = batch.iter().map(|_| token()).collect();
        for (w, t) in batch.iter().zip(&mine) {
            pipe.cmd("SET")
                .arg(&w.gen_key)
                .arg(t)
                .arg("EX")
                .arg(GENERATION_TTL_SECS)
                .arg("NX")
                .arg("GET");
        }
        mine
    } else {
        pipe.cmd("MGET");
        for w in batch {
            pipe.arg(&w.gen_key);
        }
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
    let mut out = query(conn, &pipe).await?.into_iter();
    let mut epoch: Option<String> = parse(out.next())?;
    let mut fresh = vec![false; batch.len()];
    let mut gens: Vec<Option<String>> = if was_creating {
        let mut gens = Vec::with_capacity(batch.len());
        for (t, fresh) in mine.into_iter().zip(fresh.iter_mut()) {
            let current: Option<String> = parse(out.next())?;
            *fresh = current.is_none();
            gens.push(Some(current.unwrap_or(t)));
        }
        gens
    } else {
        parse(out.next())?
    };
    *creating = still_creating(was_creating, &fresh, &gens);
    let mut totals = HashMap::new();
    for (key, n, _) in &counters {
        let total: u64 = parse(out.next())?;
        // The batch's lookups of this client take the counts total-n+1 ..= total, in order.
        totals.insert(*key, total.saturating_sub(*n));
    }
    if gens.len() != batch.len() {
        return Err(TokenError(format!(
            "MGET returned {} of {} generations",
            gens.len(),
            batch.len()
        )));
    }
    if epoch.is_none() || gens.iter().any(Option::is_none) {
        create_missing(inner, conn, batch, &mut epoch, &mut gens, &mut fresh).await?;
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

/// Each client's lookups in the batch, with its window: `(counter key, lookups, window in ms)`.
fn tally(batch: &[Want]) -> Vec<(&str, u64, u64)> {
    let mut counters: HashMap<&str, (u64, u64)> = HashMap::new();
    for (key, window_ms) in batch.iter().filter_map(|w| w.counter.as_ref()) {
        counters.entry(key.as_str()).or_insert((0, *window_ms)).0 += 1;
    }
    counters.into_iter().map(|(k, (n, w))| (k, n, w)).collect()
}

/// Whether the lane's next read creates generations (`SET NX GET`): while this one met missing
/// generations; back to one `MGET` once they are all there.
fn still_creating(was_creating: bool, fresh: &[bool], gens: &[Option<String>]) -> bool {
    if was_creating {
        fresh.iter().any(|f| *f)
    } else {
        gens.iter().any(Option::is_none)
    }
}

/// Each lookup's count: a client's lookups take `before + 1`, `before + 2`, … in batch order, where
/// `before` (in `totals`) is its count before the batch; 0 without a counter.
fn counts<'a>(batch: &'a [Want], mut totals: HashMap<&'a str, u64>) -> Vec<u64> {
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
    conn: &ConnectionManager,
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
        if g.is_none() && !keys.iter().any(|(k, _)| *k == w.gen_key) {
            let t = token();
            pipe.cmd("SET")
                .arg(&w.gen_key)
                .arg(&t)
                .arg("EX")
                .arg(GENERATION_TTL_SECS)
                .arg("NX")
                .ignore();
            pipe.get(&w.gen_key);
            keys.push((w.gen_key.as_str(), t));
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
            && let Some((read, created)) = read.get(w.gen_key.as_str())
        {
            *g = read.clone();
            *fresh |= *created;
        }
    }
    Ok(())
}

/// Once per failed batch: the cache is off until the epoch is replaced; the lookups of the batch
/// answer from PostgreSQL.
fn fail(inner: &Inner, e: &TokenError, what: &'static str) {
    inner.record_failure();
    tracing::warn!(error_kind = %e.0, "{what}; answering from PostgreSQL until Redis is trusted again");
}

/// The error's kind only: a Redis error or an unparsed reply could quote a key or a stored answer.
async fn query(conn: &ConnectionManager, pipe: &redis::Pipeline) -> Result<Vec<Value>, TokenError> {
    let mut conn = conn.clone();
    match tokio::time::timeout(REDIS_DEADLINE, pipe.query_async::<Vec<Value>>(&mut conn)).await {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(e)) => Err(TokenError(format!("{:?}", e.kind()))),
        Err(_) => Err(TokenError("timed out".into())),
    }
}

fn parse<T: FromRedisValue>(v: Option<Value>) -> Result<T, TokenError> {
    let v = v.ok_or_else(|| TokenError("a short pipeline answer".into()))?;
    T::from_redis_value(v).map_err(|_| TokenError("an unexpected reply type".into()))
}

#[cfg(test)]
mod tests;
