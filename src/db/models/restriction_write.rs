//! The writes of an order's life (`crate::orders`): issue, parties kept in step with a corrected
//! listing, a subject removed, lifting, each bumping the version and `updated_at`; and of its
//! releases (R4): grant, end, and the tick's query for releases whose window has passed.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{ExpressionMethods, QueryDsl, insert_into, result::Error};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use super::restriction::{ReleaseRow, RestrictionRow};
use crate::{
    db::schema::{releases, restrictions},
    domain::{
        restriction::ReleaseReason,
        status::{ReleaseStatus, RestrictionStatus},
    },
};

/// A new order, `active` at version 1.
pub struct NewRestriction<'a> {
    pub id: Uuid,
    pub listing_id: Option<Uuid>,
    pub court_code: &'a str,
    pub case_number: &'a str,
    pub debtor: &'a Value,
    pub associated_persons: &'a Value,
    pub items: &'a [String],
    pub issued_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub signed_by: Option<&'a str>,
    pub created_at: DateTime<Utc>,
}

/// A new release, `active` at version 1.
pub struct NewReleaseRow<'a> {
    pub id: Uuid,
    pub restriction_id: Uuid,
    pub subject_key: &'a str,
    pub items: &'a [String],
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub reason: ReleaseReason,
    pub note: &'a Option<String>,
    pub created_at: DateTime<Utc>,
}

impl RestrictionRow {
    pub async fn insert(conn: &mut AsyncPgConnection, r: &NewRestriction<'_>) -> Result<(), Error> {
        insert_into(restrictions::table)
            .values((
                restrictions::id.eq(r.id),
                restrictions::listing_id.eq(r.listing_id),
                restrictions::court_code.eq(r.court_code),
                restrictions::case_number.eq(r.case_number),
                restrictions::debtor.eq(r.debtor),
                restrictions::associated_persons.eq(r.associated_persons),
                restrictions::items.eq(r.items),
                restrictions::issued_on.eq(r.issued_on),
                restrictions::valid_until.eq(r.valid_until),
                restrictions::signed_by.eq(r.signed_by),
                restrictions::status.eq(RestrictionStatus::Active),
                restrictions::version.eq(1),
                restrictions::created_at.eq(r.created_at),
                restrictions::updated_at.eq(r.created_at),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }

    /// The parties and case of its listing, as corrected.
    pub async fn set_parties(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        parties: (&Value, &Value),
        case_number: &str,
        version: i32,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let (debtor, associated_persons) = parties;
        diesel::update(restrictions::table.filter(restrictions::id.eq(id)))
            .set((
                restrictions::debtor.eq(debtor),
                restrictions::associated_persons.eq(associated_persons),
                restrictions::case_number.eq(case_number),
                restrictions::version.eq(version),
                restrictions::updated_at.eq(now),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }

    /// Lifted (R5), with its lifting record.
    pub async fn set_lifted(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        lifted: Value,
        version: i32,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        diesel::update(restrictions::table.filter(restrictions::id.eq(id)))
            .set((
                restrictions::status.eq(RestrictionStatus::Lifted),
                restrictions::lifted.eq(Some(lifted)),
                restrictions::version.eq(version),
                restrictions::updated_at.eq(now),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }

    /// A new version with no change of its own (its subjects changed).
    pub async fn set_version(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        version: i32,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        diesel::update(restrictions::table.filter(restrictions::id.eq(id)))
            .set((
                restrictions::version.eq(version),
                restrictions::updated_at.eq(now),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }
}

impl RestrictionRow {
    /// R6: active orders whose period ended before `today` (CST), the earliest first.
    pub async fn period_ended(
        conn: &mut AsyncPgConnection,
        today: NaiveDate,
        limit: i64,
    ) -> Result<Vec<Uuid>, Error> {
        restrictions::table
            .filter(restrictions::status.eq(RestrictionStatus::Active))
            .filter(restrictions::valid_until.lt(today))
            .select(restrictions::id)
            .order((restrictions::valid_until.asc(), restrictions::id.asc()))
            .limit(limit)
            .load(conn)
            .await
    }
}

impl ReleaseRow {
    pub async fn insert(conn: &mut AsyncPgConnection, r: &NewReleaseRow<'_>) -> Result<(), Error> {
        insert_into(releases::table)
            .values((
                releases::id.eq(r.id),
                releases::restriction_id.eq(r.restriction_id),
                releases::subject_key.eq(r.subject_key),
                releases::items.eq(r.items),
                releases::valid_from.eq(r.valid_from),
                releases::valid_until.eq(r.valid_until),
                releases::reason.eq(r.reason),
                releases::note.eq(r.note),
                releases::status.eq(ReleaseStatus::Active),
                releases::version.eq(1),
                releases::created_at.eq(r.created_at),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }

    /// Ended (`revoked` or `expired`) at `ended_at`.
    pub async fn set_ended(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        status: ReleaseStatus,
        version: i32,
        ended_at: DateTime<Utc>,
    ) -> Result<(), Error> {
        diesel::update(releases::table.filter(releases::id.eq(id)))
            .set((
                releases::status.eq(status),
                releases::version.eq(version),
                releases::ended_at.eq(Some(ended_at)),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }

    /// Active releases whose window has passed by `now`, the oldest first.
    pub async fn due(
        conn: &mut AsyncPgConnection,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Uuid>, Error> {
        releases::table
            .filter(releases::status.eq(ReleaseStatus::Active))
            .filter(releases::valid_until.le(now))
            .select(releases::id)
            .order(releases::valid_until.asc())
            .limit(limit)
            .load(conn)
            .await
    }
}
