//! A check as evidence (docs/API.md "Checks", Evidence): what the log holds of one answered check,
//! for the subscriber that made it (`GET /v1/checks/{check_id}`) and, per subject, for the person's
//! court (`GET /v1/check-log`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    db::{DbPool, check_log::find_check},
    domain::status::Decision,
    error::ApiError,
    subscribers::ActiveSubscriber,
};

/// One subject of a logged check: its decision and the orders and releases it rested on.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoggedSubject {
    pub index: usize,
    /// `deny` or `allow`.
    #[schema(value_type = String)]
    pub decision: Decision,
    pub restriction_ids: Vec<Uuid>,
    pub release_ids: Vec<Uuid>,
}

/// A logged check (no ID numbers: the subscriber has them, and a document's holder is not theirs).
#[derive(Debug, Serialize, ToSchema)]
pub struct LoggedCheckOut {
    pub check_id: Uuid,
    pub checked_at: DateTime<Utc>,
    /// The feed position the answer was consistent with.
    pub as_of: Option<String>,
    pub results: Vec<LoggedSubject>,
}

/// The restriction and release ids that subject `index` (0-based) rested on, from the log's
/// `matches` (`[{"i", "r", "l"}]`).
pub fn matched_ids(matches: Option<&Value>, index: usize) -> (Vec<Uuid>, Vec<Uuid>) {
    let entry = matches
        .and_then(Value::as_array)
        .and_then(|a| a.iter().find(|m| m["i"].as_u64() == Some(index as u64)));
    let ids = |k: &str| -> Vec<Uuid> {
        entry
            .and_then(|m| m[k].as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().and_then(|s| Uuid::parse_str(s).ok()))
                    .collect()
            })
            .unwrap_or_default()
    };
    (ids("r"), ids("l"))
}

/// The check `check_id` of `subscriber`: 404 when it is unknown or another subscriber's (the same
/// answer), 400 when it is no UUIDv7 (the log finds a check by its id's time).
pub async fn find(
    db: &DbPool,
    subscriber: &ActiveSubscriber,
    check_id: &str,
) -> Result<LoggedCheckOut, ApiError> {
    let id =
        Uuid::parse_str(check_id).map_err(|_| ApiError::invalid_parameter("check_id is a UUID"))?;
    let not_found = || ApiError::not_found(format!("no check {id} of yours"));
    let (secs, nanos) = id
        .get_timestamp()
        .map(|t| t.to_unix())
        .ok_or_else(not_found)?;
    let from = DateTime::<Utc>::from_timestamp(
        i64::try_from(secs).unwrap_or(0),
        nanos / 1_000_000 * 1_000_000,
    )
    .ok_or_else(not_found)?;
    let to = from + chrono::Duration::milliseconds(1);
    let mut conn = db.get().await?;
    let row = find_check(&mut conn, subscriber.id, id, from, to)
        .await?
        .ok_or_else(not_found)?;
    let results = row
        .decisions
        .chars()
        .enumerate()
        .map(|(index, c)| {
            let (restriction_ids, release_ids) = matched_ids(row.matches.as_ref(), index);
            LoggedSubject {
                index,
                decision: crate::checklog::Request::decision_of(c),
                restriction_ids,
                release_ids,
            }
        })
        .collect();
    Ok(LoggedCheckOut {
        check_id: row.check_id,
        checked_at: row.checked_at,
        as_of: row.as_of,
        results,
    })
}
