//! A new listing (L1–L11, I1–I4): validated by the caller (`validate`), then the court's existence
//! and scope, L8's six months after a removal on the creditor's request, one open listing per
//! debtor and case, the persons named, and publication unless a grace period makes it `pending`.

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::{Changed, publish, record, reload, validate::Valid};
use crate::domain::ErrorCode;
use crate::{
    audit::Actor,
    auth::{Principal, scope::ensure_court_scope},
    db::models::{
        court::Court,
        listing::{Listing, OPEN_DEBTOR_CASE_INDEX},
    },
    domain::{
        calendar::cst_date,
        listing_rules::{InitiatedBy, relisting_barred},
    },
    error::{ApiError, is_unique_violation},
};

/// Creates the listing inside the caller's transaction; answers it as stored.
pub async fn create(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    actor: &Actor,
    valid: &Valid,
) -> Result<Changed, ApiError> {
    let court = valid.court.as_str();
    if Court::find(conn, court).await?.is_none() {
        return Err(ApiError::rule(
            ErrorCode::UnknownCourt,
            Some("court_code"),
            format!("no court {court} is registered"),
        ));
    }
    ensure_court_scope(conn, principal, court).await?;
    let v = &valid.values;
    if valid.initiated_by == InitiatedBy::CreditorApplication
        && let Some(at) =
            Listing::last_creditor_removal(conn, &v.debtor_key, &v.case_number).await?
        && relisting_barred(cst_date(at), v.decided_on)
    {
        return Err(ApiError::rule(
            ErrorCode::RelistingBarred,
            Some("initiated_by"),
            "within 6 months of a removal on the creditor's request, the creditor may not apply again in the same case (L8)",
        ));
    }
    super::recipient::check(conn, valid.recipient.as_ref()).await?;
    let id = Uuid::now_v7();
    match Listing::insert(conn, id, v, Utc::now()).await {
        Err(e) if is_unique_violation(&e, OPEN_DEBTOR_CASE_INDEX) => {
            return Err(ApiError::conflict(
                ErrorCode::ListingExists,
                "this debtor already has an active or pending listing in this case",
            ));
        }
        other => other?,
    };
    for person in &valid.persons {
        person.upsert(conn).await?;
    }
    if v.grace_until.is_none() {
        publish(conn, actor, id).await?;
    }
    let listing = reload(conn, id).await?;
    record(conn, actor, "listing.create", None, listing).await
}
