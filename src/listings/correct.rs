//! A correction (L7): a JSON merge patch (RFC 7396) over the listing as the court stated it, then
//! validated again as a whole. A pending listing whose grace period is removed is published now; an
//! active one tells its subscribers (`listing.updated`) and updates its order (R1).

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{
    Changed, announce, lock_for_change, publish, record, reload,
    validate::{Mode, validate},
    view::{as_input, out_json},
    wire::ListingIn,
};
use crate::domain::ErrorCode;
use crate::{
    audit::Actor,
    auth::Principal,
    db::models::listing::{Listing, OPEN_DEBTOR_CASE_INDEX},
    domain::{listing_rules::ListingStatus, today_cst},
    error::{ApiError, is_unique_violation},
    events,
};

/// Fields a correction may carry (L7): the create fields except `court_code`, and the decision's
/// signatory (L14).
const CORRECTABLE: [&str; 13] = [
    "debtor",
    "associated_persons",
    "case_number",
    "filed_on",
    "basis",
    "obligation",
    "performance",
    "grounds",
    "extension_years",
    "decided_on",
    "grace_until",
    "initiated_by",
    "decision",
];

/// Applies the merge patch `fields` to listing `id` read at version `expected`.
pub async fn correct(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    actor: &Actor,
    id: Uuid,
    expected: i32,
    fields: Map<String, Value>,
) -> Result<Changed, ApiError> {
    let row = lock_for_change(conn, principal, id, expected, false).await?;
    let before = reload(conn, id).await?;
    let before_json = out_json(&before)?;
    for (k, v) in &fields {
        if !CORRECTABLE.contains(&k.as_str()) && before_json.get(k) != Some(v) {
            return Err(ApiError::rule(
                ErrorCode::FieldNotCorrectable,
                Some(k),
                format!("{k} cannot be corrected"),
            ));
        }
    }
    let mut merged = as_input(&before);
    let correctable: Map<String, Value> = fields
        .into_iter()
        .filter(|(k, _)| CORRECTABLE.contains(&k.as_str()))
        .collect();
    json_patch::merge(&mut merged, &Value::Object(correctable));
    let input: ListingIn = serde_json::from_value(merged).map_err(|e| {
        ApiError::rule(
            ErrorCode::InvalidBody,
            None,
            format!("the corrected listing does not have the expected shape: {e}"),
        )
    })?;
    let status = row.status;
    let pending = status == ListingStatus::Pending;
    let valid = validate(&input, today_cst(), Mode::Correct { pending })?;
    if let Some(served_on) = row.served_on {
        check_served_after(&valid, served_on)?;
    }
    let named = valid.recipient.as_ref().and_then(|r| r.subscriber_id);
    if named != row.notice_subscriber_id() {
        super::recipient::check(conn, valid.recipient.as_ref()).await?;
    }
    let publish_now = pending && valid.values.grace_until.is_none();
    let (now, version) = (Utc::now(), row.version + 1);
    match Listing::correct(conn, id, &valid.values, version, now).await {
        Err(e) if is_unique_violation(&e, OPEN_DEBTOR_CASE_INDEX) => {
            return Err(ApiError::conflict(
                ErrorCode::ListingExists,
                "this debtor already has an active or pending listing in this case",
            ));
        }
        other => other?,
    };
    if publish_now {
        Listing::set_published(conn, id, version, now).await?;
    }
    for person in &valid.persons {
        person.upsert(conn).await?;
    }
    if publish_now {
        publish(conn, actor, id).await?;
    } else if status == ListingStatus::Active {
        let updated = reload(conn, id).await?;
        let event = announce(conn, events::LISTING_UPDATED, &updated, None).await?;
        // L15: a body named anew after publication is owed the notice the first one had.
        let bodies = |d: &Value| (d["employer"].clone(), d["supervising_body"].clone());
        if bodies(&updated.row.debtor) != bodies(&before.row.debtor) {
            crate::db::models::notice::record_for_new_recipient(conn, event).await?;
        }
        crate::orders::update_for_listing(conn, actor, &updated).await?;
    }
    let after = reload(conn, id).await?;
    let changed = record(conn, actor, "listing.correct", Some(&before_json), after).await?;
    // The public answers under the old name change too.
    Ok(changed.and_name(before.row.name_folded))
}

/// L14: once the decision was served, a correction cannot date its making (`decided_on`) or its
/// signing (`decision.signed_on`) after the service.
fn check_served_after(
    valid: &super::validate::Valid,
    served_on: chrono::NaiveDate,
) -> Result<(), ApiError> {
    let v = &valid.values;
    let signed_on = v
        .decision
        .as_ref()
        .and_then(|d| d["signed_on"].as_str())
        .and_then(|s| s.parse::<chrono::NaiveDate>().ok());
    let (field, code) = if v.decided_on > served_on {
        ("decided_on", ErrorCode::InvalidDecidedOn)
    } else if signed_on.is_some_and(|s| s > served_on) {
        ("decision.signed_on", ErrorCode::InvalidSignedOn)
    } else {
        return Ok(());
    };
    Err(ApiError::rule(
        code,
        Some(field),
        format!("the decision was served on {served_on}; it cannot be made or signed later"),
    ))
}
