//! The carrier check (docs/API.md "Checks", docs/LAW.md R2–R4): may these persons buy this ticket?
//! Each subject is looked up by its key; the keys nobody restricts are dropped in memory (the
//! subject key set), the rest read in one pipelined batch (`db::checks`), and each subject decided
//! for the subscriber's sector and journey (`decide`). Every answered check goes to the check log.

pub mod decide;
pub mod evidence;
pub mod parse;
pub mod wire;

use std::collections::HashMap;

use chrono::Utc;

use crate::{
    app::AppState, checklog::Request as LoggedRequest, db::checks as load,
    domain::status::Decision, error::ApiError, subscribers::ActiveSubscriber,
};
pub use decide::Scope;
use decide::{Subject, decide};
use parse::{Key, documents, journey, keys};
use wire::{CheckIn, CheckOut};

/// What the subjects of a check are, decided: the feed position the reads are consistent with,
/// each subject's result, its logged key (its ID number or organisation code, or the document when
/// no person is bound to it) and decision character.
pub struct Assessed {
    pub position: crate::events::cursor::Cursor,
    pub results: Vec<wire::ResultOut>,
    pub logged_keys: Vec<String>,
    pub decisions: String,
}

/// Decides each of `subjects` (with their parsed `keys`, [`parse::keys`]) for `subscriber` within
/// `scope` (a journey's item, or every item of the sector): the check's work without its log. Also
/// used by the watch-list (restricted now).
pub async fn assess(
    state: &AppState,
    subscriber: &ActiveSubscriber,
    subjects: &[wire::SubjectIn],
    keys: &[Key],
    scope: Scope,
) -> Result<Assessed, ApiError> {
    let (types, numbers) = documents(keys);
    let direct: Vec<String> = keys
        .iter()
        .filter_map(|k| match k {
            Key::Id(id) => Some(id.clone()),
            Key::Doc(..) => None,
        })
        .collect();
    let probe = state.subject_filter.probe(&direct);
    let load::Loaded {
        position,
        docs,
        orders,
    } = state.check_db.load(probe, direct, types, numbers).await?;
    let releases: Vec<load::ReleaseHit> = orders.iter().flat_map(load::releases_of).collect();
    let mut by_doc: HashMap<(&str, &str), Vec<String>> = HashMap::new();
    for d in &docs {
        by_doc
            .entry((d.doc_type.as_str(), d.doc_number.as_str()))
            .or_default()
            .push(d.id_number.clone());
    }
    let mut orders_by_key: HashMap<&str, Vec<&load::OrderHit>> = HashMap::new();
    for o in &orders {
        orders_by_key
            .entry(o.subject_key.as_str())
            .or_default()
            .push(o);
    }
    let sector_items = subscriber.sector.items();
    let mut results = Vec::with_capacity(keys.len());
    let mut logged_keys = Vec::with_capacity(keys.len());
    let mut decisions = String::with_capacity(keys.len());
    for (index, (key, s)) in keys.iter().zip(subjects).enumerate() {
        let (subject_keys, log_key) = match key {
            Key::Id(id) => (vec![id.clone()], id.clone()),
            Key::Doc(t, n) => {
                let ids = by_doc
                    .get(&(t.as_str(), n.as_str()))
                    .cloned()
                    .unwrap_or_default();
                let log_key = ids
                    .first()
                    .cloned()
                    .unwrap_or_else(|| format!("doc:{t}:{n}"));
                (ids, log_key)
            }
        };
        let hits: Vec<&load::OrderHit> = subject_keys
            .iter()
            .flat_map(|k| orders_by_key.get(k.as_str()).into_iter().flatten().copied())
            .collect();
        let rels: Vec<&load::ReleaseHit> = releases
            .iter()
            .filter(|r| subject_keys.contains(&r.subject_key))
            .collect();
        let subject = Subject {
            index,
            name: s.name.as_deref(),
        };
        let result = decide(&subject, sector_items, scope, &hits, &rels);
        logged_keys.push(log_key);
        decisions.push(LoggedRequest::decision_char(result.decision));
        results.push(result);
    }
    Ok(Assessed {
        position,
        results,
        logged_keys,
        decisions,
    })
}

/// Checks the subjects of `input` for `subscriber`; the input's size is checked by the caller.
pub async fn check(
    state: &AppState,
    subscriber: &ActiveSubscriber,
    input: &CheckIn,
) -> Result<CheckOut, ApiError> {
    let scope = match &input.travel {
        Some(t) => Scope::Journey(journey(t)?.item()),
        None => Scope::Sector,
    };
    let Assessed {
        position,
        results,
        logged_keys,
        decisions,
    } = assess(
        state,
        subscriber,
        &input.subjects,
        &keys(&input.subjects)?,
        scope,
    )
    .await?;
    let now = Utc::now();
    let denied = results
        .iter()
        .filter(|r| r.decision == Decision::Deny)
        .count() as u64;
    let sector = subscriber.sector.code();
    metrics::counter!(crate::metrics::CHECK_SUBJECTS, "sector" => sector, "decision" => Decision::Deny.code())
        .increment(denied);
    metrics::counter!(crate::metrics::CHECK_SUBJECTS, "sector" => sector, "decision" => Decision::Allow.code())
        .increment(results.len() as u64 - denied);
    let as_of = position.encode();
    let check_id = check_id_at(now);
    // Evidence: the row is committed before the answer leaves (503 when it cannot be).
    state
        .check_log
        .record(LoggedRequest {
            check_id,
            subscriber_id: subscriber.id,
            checked_at: now,
            as_of: as_of.clone(),
            subject_keys: logged_keys,
            decisions,
            matches: evidence(&results),
        })
        .await
        .map_err(|_| {
            ApiError::new(
                actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
                crate::domain::ErrorCode::ServiceUnavailable,
                "the check could not be logged, so it is not answered; retry shortly",
            )
        })?;
    Ok(CheckOut {
        check_id,
        as_of,
        results,
    })
}

/// A check's id: a UUIDv7 whose time is `at` to the millisecond, so the log finds it by time.
pub fn check_id_at(at: chrono::DateTime<Utc>) -> uuid::Uuid {
    let ms = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    let ts = uuid::Timestamp::from_unix(
        uuid::NoContext,
        ms / 1000,
        u32::try_from(ms % 1000).unwrap_or(0) * 1_000_000,
    );
    uuid::Uuid::new_v7(ts)
}

/// The orders and releases each subject's answer rests on, for the subjects that have any.
fn evidence(results: &[wire::ResultOut]) -> serde_json::Value {
    serde_json::Value::Array(
        results
            .iter()
            .filter(|r| !r.matches.is_empty() || !r.releases.is_empty())
            .map(|r| {
                serde_json::json!({
                    "i": r.index,
                    "r": r.matches.iter().map(|m| m.restriction_id).collect::<Vec<_>>(),
                    "l": r.releases.iter().map(|l| l.id).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}
