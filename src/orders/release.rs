//! Releases (R4): a court lets one subject do some restricted items inside a window.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde_json::Value;
use uuid::Uuid;

use super::view::release_json;
use crate::{
    audit::{Actor, Change},
    db::models::{
        restriction::{ReleaseRow, RestrictionRow},
        restriction_write::NewReleaseRow,
    },
    domain::{
        ErrorCode,
        restriction::{ReleaseReason, SubjectRole},
        status::ReleaseStatus,
    },
    error::ApiError,
    events,
};

pub const RELEASE_GRANTED: &str = "release.granted";
pub const RELEASE_REVOKED: &str = "release.revoked";

pub struct NewRelease {
    pub subject_key: String,
    pub items: Vec<String>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub reason: ReleaseReason,
    pub note: Option<String>,
}

async fn emit(
    conn: &mut AsyncPgConnection,
    event_type: &str,
    r: &ReleaseRow,
) -> Result<Value, ApiError> {
    let subjects = RestrictionRow::subjects(conn, r.restriction_id).await?;
    let state = release_json(r, subjects.iter().find(|s| s.subject_key == r.subject_key));
    let mut data = state.clone();
    if let Some(o) = data.as_object_mut()
        && let Some(id) = o.remove("id")
    {
        o.insert("release_id".into(), id);
    }
    let keys = [r.subject_key.clone()];
    events::append_for(conn, event_type, r.id, &r.items, data, None, Some(&keys)).await?;
    Ok(state)
}

async fn load(conn: &mut AsyncPgConnection, id: Uuid) -> Result<ReleaseRow, ApiError> {
    ReleaseRow::lock(conn, id)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("release vanished")))
}

/// Grants a release on an active order (checked by the caller) for one of its subjects and items.
pub async fn grant(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    order: &RestrictionRow,
    new: NewRelease,
) -> Result<Value, ApiError> {
    let subjects = RestrictionRow::subjects(conn, order.id).await?;
    let Some(subject) = subjects.iter().find(|s| s.subject_key == new.subject_key) else {
        return Err(ApiError::rule(
            ErrorCode::SubjectNotInOrder,
            Some("id_number"),
            "the order does not bind this person (R4)",
        ));
    };
    if new.reason == ReleaseReason::PrivateFunds && subject.role == SubjectRole::Debtor {
        return Err(ApiError::rule(
            ErrorCode::ReasonNotApplicable,
            Some("reason"),
            "private_funds releases are for the persons bound with an organisation (R3, R4)",
        ));
    }
    if let Some(item) = new.items.iter().find(|i| !order.items.contains(i)) {
        return Err(ApiError::rule(
            ErrorCode::ItemNotInOrder,
            Some("items"),
            format!("{item} is not restricted by this order"),
        ));
    }
    let id = Uuid::now_v7();
    let row = NewReleaseRow {
        id,
        restriction_id: order.id,
        subject_key: &new.subject_key,
        items: &new.items,
        valid_from: new.valid_from,
        valid_until: new.valid_until,
        reason: new.reason,
        note: &new.note,
        created_at: Utc::now(),
    };
    ReleaseRow::insert(conn, &row).await?;
    let row = load(conn, id).await?;
    let state = emit(conn, RELEASE_GRANTED, &row).await?;
    Change::new("release.grant", "release", id)
        .after(&state)
        .append(conn, actor)
        .await?;
    Ok(state)
}

/// Ends an active release: `revoked` by a court, `expired` when its window has passed.
/// `Ok(None)` when it was no longer active.
pub async fn end(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    status: ReleaseStatus,
) -> Result<Option<Value>, ApiError> {
    let row = load(conn, id).await?;
    if row.status != ReleaseStatus::Active {
        return Ok(None);
    }
    let subjects = RestrictionRow::subjects(conn, row.restriction_id).await?;
    let before = release_json(
        &row,
        subjects.iter().find(|s| s.subject_key == row.subject_key),
    );
    ReleaseRow::set_ended(conn, id, status, row.version + 1, Utc::now()).await?;
    let row = load(conn, id).await?;
    let after = emit(conn, RELEASE_REVOKED, &row).await?;
    let action = match status {
        ReleaseStatus::Expired => "release.expire",
        ReleaseStatus::Active | ReleaseStatus::Revoked => "release.revoke",
    };
    Change::new(action, "release", id)
        .before(&before)
        .after(&after)
        .append(conn, actor)
        .await?;
    Ok(Some(after))
}
