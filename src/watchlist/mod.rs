//! Watch-lists (docs/API.md "Checks", bullet "Watch-lists"): a bank, or any subscriber created with
//! scope `watchlist`, names the subjects it monitors and receives, in its feed, snapshot and
//! webhooks, only the events and subjects of those. The same events and the same delivery queue as
//! everyone else: the watch-list filters them (`db/sql/event_fanout.sql`, `event_page.sql`,
//! `replay_deliveries.sql`, `snapshot_chunk.sql`), it is no second stream.
//!
//! **Keyed hashes.** A watched subject is stored as the first 16 bytes of SHA-256(key ‖ subject
//! key), the subject key being the ID number or the 9-character organisation code. The 32-byte key
//! is derived from `SHIXIN_WATCHLIST_KEY` (unset: the JWT secret) and lives only in the service: it
//! is passed to the statements that compare hashes (`shixin_watch_hash` in migration
//! 2026-12-05-000010), so the database never holds a watched ID number, nor the key that would let
//! one be found by trying every possible number. Every instance must share the key; a new key
//! empties the lists in effect (the subscribers add their subjects again).
//!
//! **From then on.** A subject added later appears in the feed and snapshot at once and its
//! webhooks from the next change on. So that no change falls between the two, adding waits (at
//! most [`SETTLE_LIMIT`]) until every write in flight when the subjects were added has ended
//! before it reads whether they are restricted now: a write that fanned out its deliveries before
//! the subjects were on the list is in the answer, any later one reaches the webhooks.

pub mod wire;

use std::{
    collections::{HashMap, HashSet},
    sync::OnceLock,
    time::{Duration, Instant},
};

use sha2::{Digest, Sha256};

use crate::{
    app::AppState,
    checks::{
        Scope, assess,
        parse::{Key, documents, keys},
    },
    db::models::watchlist as store,
    domain::{ErrorCode, status::Decision},
    error::{ApiError, FieldError},
    subscribers::ActiveSubscriber,
};
use wire::{Restricted, WatchAdded, WatchRemoved};

/// At most this many subjects per call (413 beyond).
pub const MAX_SUBJECTS: usize = 10_000;
/// The longest an addition waits for the writes in flight (see the module comment).
pub const SETTLE_LIMIT: Duration = Duration::from_secs(5);
/// Subjects decided per read when an addition reports which are restricted now.
const ASSESS_CHUNK: usize = 1000;

static KEY: OnceLock<Vec<u8>> = OnceLock::new();

/// The hashing key from `secret` (`Settings::watchlist_key`), installed once per process by every
/// entry point (`Application::build`, the command line) before any event is written.
pub fn install(secret: &str) {
    let _ = KEY.set(derive(secret));
}

fn derive(secret: &str) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"shixin watch-list key v1\0");
    h.update(secret.as_bytes());
    h.finalize().to_vec()
}

/// The hashing key (the development key when no entry point installed one, as in unit tests).
pub fn key() -> &'static [u8] {
    KEY.get_or_init(|| derive(crate::config::DEVELOPMENT_JWT_SECRET))
}

/// The keyed hash of a subject key; the same as SQL's `shixin_watch_hash(key, subject)`.
pub fn hash(subject_key: &str) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(key());
    h.update(subject_key.as_bytes());
    h.finalize()[..16].to_vec()
}

/// 409 unless the subscriber was created with scope `watchlist`.
pub fn require_scope(subscriber: &ActiveSubscriber) -> Result<(), ApiError> {
    if subscriber.watches() {
        Ok(())
    } else {
        Err(ApiError::conflict(
            ErrorCode::WatchlistScopeRequired,
            "this subscriber sees everything of its sector (scope all); watch-lists are for subscribers created with scope watchlist",
        ))
    }
}

/// Each subject's keyed hashes (a document: the ID numbers bound to it); 422 with every subject
/// that names a document bound to nobody, before anything is stored.
async fn hashes_of(state: &AppState, keys: &[Key]) -> Result<Vec<Vec<Vec<u8>>>, ApiError> {
    let (types, numbers) = documents(keys);
    let mut bound: HashMap<(String, String), Vec<String>> = HashMap::new();
    if !types.is_empty() {
        let mut conn = state.db.get().await?;
        for b in store::bound_ids(&mut conn, &types, &numbers).await? {
            bound
                .entry((b.doc_type, b.doc_number))
                .or_default()
                .push(b.id_number);
        }
    }
    let mut errors = Vec::new();
    let mut out = Vec::with_capacity(keys.len());
    for (i, k) in keys.iter().enumerate() {
        match k {
            Key::Id(id) => out.push(vec![hash(id)]),
            Key::Doc(t, n) => match bound.get(&(t.clone(), n.clone())) {
                Some(ids) => out.push(ids.iter().map(|id| hash(id)).collect()),
                None => errors.push(FieldError::new(
                    format!("subjects[{i}].document"),
                    ErrorCode::DocumentNotBound,
                    "no court has bound this document to a person; watch the person by id_number",
                )),
            },
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::validation(errors))
    }
}

/// Adds the subjects to the subscriber's watch-list and says which are restricted now.
pub async fn add(
    state: &AppState,
    subscriber: &ActiveSubscriber,
    subjects: &[crate::checks::wire::SubjectIn],
) -> Result<WatchAdded, ApiError> {
    let keys = keys(subjects)?;
    let per_subject = hashes_of(state, &keys).await?;
    let all: Vec<Vec<u8>> = per_subject.iter().flatten().cloned().collect();
    let mut conn = state.db.get().await?;
    let mut new: HashSet<Vec<u8>> = store::add(&mut conn, subscriber.id, &all)
        .await?
        .into_iter()
        .collect();
    let (mut added, mut already) = (0, 0);
    for hs in &per_subject {
        // A subject is added when one of its hashes went in now (a repeat in the body is `already`).
        if hs.iter().filter(|h| new.remove(*h)).count() > 0 {
            added += 1;
        } else {
            already += 1;
        }
    }
    settle(&mut conn).await?;
    drop(conn);
    let mut restricted = Vec::new();
    for (n, (chunk, chunk_keys)) in subjects
        .chunks(ASSESS_CHUNK)
        .zip(keys.chunks(ASSESS_CHUNK))
        .enumerate()
    {
        let a = assess(state, subscriber, chunk, chunk_keys, Scope::Sector).await?;
        restricted.extend(
            a.results
                .into_iter()
                .filter(|r| r.decision == Decision::Deny)
                .map(|r| Restricted {
                    index: n * ASSESS_CHUNK + r.index,
                    items: r.items,
                    matches: r.matches,
                }),
        );
    }
    Ok(WatchAdded {
        added,
        already,
        restricted,
    })
}

/// Waits until every write in flight now has ended (at most [`SETTLE_LIMIT`]).
async fn settle(conn: &mut crate::db::DbConn) -> Result<(), ApiError> {
    let xmax = store::horizon(conn).await?;
    let started = Instant::now();
    while !store::horizon_passed(conn, &xmax).await? {
        if started.elapsed() > SETTLE_LIMIT {
            tracing::warn!("a write outlasted the watch-list's wait; answering without it");
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Ok(())
}

/// Takes the subjects off the subscriber's watch-list: no event of theirs reaches it from now on.
pub async fn remove(
    state: &AppState,
    subscriber: &ActiveSubscriber,
    subjects: &[crate::checks::wire::SubjectIn],
) -> Result<WatchRemoved, ApiError> {
    let per_subject = hashes_of(state, &keys(subjects)?).await?;
    let all: Vec<Vec<u8>> = per_subject.iter().flatten().cloned().collect();
    let mut conn = state.db.get().await?;
    let mut gone: HashSet<Vec<u8>> = store::remove(&mut conn, subscriber.id, &all)
        .await?
        .into_iter()
        .collect();
    let removed = per_subject
        .iter()
        .filter(|hs| hs.iter().filter(|h| gone.remove(*h)).count() > 0)
        .count();
    Ok(WatchRemoved {
        removed,
        absent: per_subject.len() - removed,
    })
}

/// How many subjects the subscriber watches.
pub async fn count(state: &AppState, subscriber: &ActiveSubscriber) -> Result<i64, ApiError> {
    let mut conn = state.db.get().await?;
    Ok(store::count(&mut conn, subscriber.id).await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_subject_hash_is_16_bytes_keyed_and_stable() {
        let a = super::hash("110105198001010012");
        assert_eq!(a.len(), 16);
        assert_eq!(a, super::hash("110105198001010012"));
        assert_ne!(a, super::hash("110105198001010020"));
        // Keyed: not the plain SHA-256 of the number.
        use sha2::Digest;
        assert_ne!(
            a,
            sha2::Sha256::digest(b"110105198001010012")[..16].to_vec()
        );
    }
}
