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

mod read;

use std::sync::Weak;

use actix_web::web::Bytes;
use redis::{FromRedisValue, Value, aio::ConnectionManager};
use tokio::sync::{mpsc, oneshot};

use read::read;
#[cfg(test)]
use read::{counts, still_creating, tally};

use super::{ANSWER_TTL_SECS, Inner, REDIS_DEADLINE, master::LaneConn, tracked::Tracked};

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

impl TokenError {
    /// The error's kind only: a Redis error could quote a key or a stored answer.
    pub(super) fn of(e: &redis::RedisError) -> TokenError {
        TokenError(format!("{:?}", e.kind()))
    }
}

/// Where an answer read from Redis goes.
pub(super) type AnswerReply = oneshot::Sender<Result<Option<Vec<u8>>, TokenError>>;

/// What a lookup asks of its lane: its tokens, the answer under them, or to store an answer.
pub(super) enum Op {
    Tokens(Want),
    Answer { key: String, reply: AnswerReply },
    Fill { key: String, body: Bytes },
}

pub(super) struct Want {
    /// `None`: the lookup only counts its client (a name's first lookup, [`super::doorkeeper`]).
    pub gen_key: Option<String>,
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
        // The tokens this lane remembers, and its tracked connection.
        let mut tracked = Tracked::default();
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
                match read(&inner, &mut tracked, &wants, &mut creating).await {
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

/// What a lookup's lane sent back; `None` when it brought nothing (the lane logged the failed
/// batch and stopped the cache, or the lane itself stopped: logged and recorded here).
pub(super) async fn received<T>(
    reply: oneshot::Receiver<Result<T, TokenError>>,
    inner: &Inner,
) -> Option<T> {
    match reply.await {
        Ok(Ok(t)) => Some(t),
        Ok(Err(_)) => None,
        Err(_) => {
            tracing::warn!("the redis lane stopped; answering from PostgreSQL");
            inner.record_failure();
            None
        }
    }
}

/// Once per failed batch: the cache is off until the epoch is replaced; the lookups of the batch
/// answer from PostgreSQL.
fn fail(inner: &Inner, e: &TokenError, what: &'static str) {
    inner.record_failure();
    tracing::warn!(error_kind = %e.0, "{what}; answering from PostgreSQL until Redis is trusted again");
}

/// The error's kind only: a Redis error or an unparsed reply could quote a key or a stored answer.
async fn query<C: redis::aio::ConnectionLike + Clone>(
    conn: &C,
    pipe: &redis::Pipeline,
) -> Result<Vec<Value>, TokenError> {
    let mut conn = conn.clone();
    match tokio::time::timeout(REDIS_DEADLINE, pipe.query_async::<Vec<Value>>(&mut conn)).await {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(e)) => Err(TokenError::of(&e)),
        Err(_) => Err(TokenError("timed out".into())),
    }
}

fn parse<T: FromRedisValue>(v: Option<Value>) -> Result<T, TokenError> {
    let v = v.ok_or_else(|| TokenError("a short pipeline answer".into()))?;
    T::from_redis_value(v).map_err(|_| TokenError("an unexpected reply type".into()))
}

#[cfg(test)]
mod tests;
