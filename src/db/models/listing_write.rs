//! The writes of a listing's life (`crate::listings`): insert, correct, publish, extend, end, each
//! bumping the version (`If-Match`) and `updated_at` with the change it makes; the order it carries
//! (R1); and the tick's queries for listings whose grace period or term has run out.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{ExpressionMethods, QueryDsl, insert_into, result::Error};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use super::listing::{Listing, ListingValues};
use crate::{
    db::schema::listings,
    domain::{correction::ServiceMethod, listing_rules::ListingStatus},
};

impl Listing {
    /// L11: pending listings whose grace period ended by `today`, the oldest first.
    pub async fn due_for_publication(
        conn: &mut AsyncPgConnection,
        today: NaiveDate,
        limit: i64,
    ) -> Result<Vec<Uuid>, Error> {
        listings::table
            .filter(listings::status.eq(ListingStatus::Pending))
            .filter(listings::grace_until.le(today))
            .select(listings::id)
            .order(listings::grace_until.asc())
            .limit(limit)
            .load(conn)
            .await
    }

    /// L6: active listings whose term ended by `today`, the oldest first.
    pub async fn due_for_expiry(
        conn: &mut AsyncPgConnection,
        today: NaiveDate,
        limit: i64,
    ) -> Result<Vec<Uuid>, Error> {
        listings::table
            .filter(listings::status.eq(ListingStatus::Active))
            .filter(listings::expires_on.le(today))
            .select(listings::id)
            .order(listings::expires_on.asc())
            .limit(limit)
            .load(conn)
            .await
    }

    /// A new listing, version 1: `pending` in its grace period (L11), else `active` and published.
    pub async fn insert(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        values: &ListingValues,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let pending = values.grace_until.is_some();
        let status = if pending {
            ListingStatus::Pending
        } else {
            ListingStatus::Active
        };
        insert_into(listings::table)
            .values((
                values,
                listings::id.eq(id),
                listings::status.eq(status),
                listings::version.eq(1),
                listings::published_at.eq(if pending { None } else { Some(now) }),
                listings::created_at.eq(now),
                listings::updated_at.eq(now),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }

    /// A correction (L7): the stated content replaced.
    pub async fn correct(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        values: &ListingValues,
        version: i32,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        diesel::update(listings::table.filter(listings::id.eq(id)))
            .set((
                values,
                listings::version.eq(version),
                listings::updated_at.eq(now),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }

    /// Published now (L11): `active`, with its publication time.
    pub async fn set_published(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        version: i32,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        diesel::update(listings::table.filter(listings::id.eq(id)))
            .set((
                listings::status.eq(ListingStatus::Active),
                listings::published_at.eq(Some(now)),
                listings::version.eq(version),
                listings::updated_at.eq(now),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }

    /// An extension (L2): the years added in total and the new end of the term.
    pub async fn set_extension(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        extension_years: i32,
        expires_on: Option<NaiveDate>,
        version: i32,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        diesel::update(listings::table.filter(listings::id.eq(id)))
            .set((
                listings::extension_years.eq(extension_years),
                listings::expires_on.eq(expires_on),
                listings::version.eq(version),
                listings::updated_at.eq(now),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }

    /// The end of a listing (L3, L5–L7): its final status and the removal record.
    pub async fn set_ended(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        status: ListingStatus,
        removal: Value,
        version: i32,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        diesel::update(listings::table.filter(listings::id.eq(id)))
            .set((
                listings::status.eq(status),
                listings::removal.eq(removal),
                listings::version.eq(version),
                listings::updated_at.eq(now),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }

    /// L14: the decision served on `served_on` by `method`.
    pub async fn set_service(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        served_on: NaiveDate,
        method: ServiceMethod,
        version: i32,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        diesel::update(listings::table.filter(listings::id.eq(id)))
            .set((
                listings::served_on.eq(Some(served_on)),
                listings::service_method.eq(Some(method)),
                listings::version.eq(version),
                listings::updated_at.eq(now),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }

    /// The order a published listing imposed (R1).
    pub async fn set_restriction(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        restriction_id: Uuid,
    ) -> Result<(), Error> {
        diesel::update(listings::table.filter(listings::id.eq(id)))
            .set(listings::restriction_id.eq(Some(restriction_id)))
            .execute(conn)
            .await
            .map(|_| ())
    }
}
