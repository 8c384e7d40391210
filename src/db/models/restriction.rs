//! Restriction orders (限制消费令), their subjects (R3) and releases (R4): rows and queries.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{
    ExpressionMethods, OptionalExtension, QueryDsl, Queryable, Selectable, SelectableHelper,
    insert_into,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    db::schema::{courts, person_documents, releases, restriction_subjects, restrictions},
    domain::{
        restriction::{ReleaseReason, SubjectRole},
        status::{PartyKind, ReleaseStatus, RestrictionStatus},
    },
};

#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = restrictions)]
pub struct RestrictionRow {
    pub id: Uuid,
    pub listing_id: Option<Uuid>,
    pub court_code: String,
    pub case_number: String,
    pub debtor: Value,
    pub associated_persons: Value,
    pub items: Vec<String>,
    pub issued_on: NaiveDate,
    pub status: RestrictionStatus,
    pub version: i32,
    pub lifted: Option<Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// R6: the last day of a standalone order's period (CST); none = until lifted.
    pub valid_until: Option<NaiveDate>,
    /// R6: the president who signed the order.
    pub signed_by: Option<String>,
}

impl std::fmt::Debug for RestrictionRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RestrictionRow({}, v{}, {})",
            self.id, self.version, self.status
        )
    }
}

/// One person or organisation an order binds.
#[derive(Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = restriction_subjects)]
pub struct SubjectRow {
    pub restriction_id: Uuid,
    pub role: SubjectRole,
    pub kind: PartyKind,
    pub subject_key: String,
    pub name: String,
}

#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = releases)]
pub struct ReleaseRow {
    pub id: Uuid,
    pub restriction_id: Uuid,
    pub subject_key: String,
    pub items: Vec<String>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub reason: ReleaseReason,
    pub note: Option<String>,
    pub status: ReleaseStatus,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default)]
pub struct RestrictionFilter {
    pub court_code: Option<String>,
    pub status: Option<RestrictionStatus>,
    pub subject_key: Option<String>,
    pub listing_id: Option<Uuid>,
    pub case_number: Option<String>,
    pub after: Option<Uuid>,
}

impl RestrictionRow {
    /// Several orders with their court names (any order; missing ids are left out).
    pub async fn find_many(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> Result<Vec<(RestrictionRow, String)>, diesel::result::Error> {
        restrictions::table
            .inner_join(courts::table)
            .filter(restrictions::id.eq_any(ids))
            .select((RestrictionRow::as_select(), courts::name))
            .load(conn)
            .await
    }

    /// The subjects of several orders, by order, role and key.
    pub async fn subjects_of(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> Result<Vec<SubjectRow>, diesel::result::Error> {
        restriction_subjects::table
            .filter(restriction_subjects::restriction_id.eq_any(ids))
            .select(SubjectRow::as_select())
            .order((
                restriction_subjects::restriction_id.asc(),
                restriction_subjects::role.asc(),
                restriction_subjects::subject_key.asc(),
            ))
            .load(conn)
            .await
    }

    /// The releases of several orders, in id order.
    pub async fn releases_of(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> Result<Vec<ReleaseRow>, diesel::result::Error> {
        releases::table
            .filter(releases::restriction_id.eq_any(ids))
            .select(ReleaseRow::as_select())
            .order(releases::id.asc())
            .load(conn)
            .await
    }

    pub async fn lock(
        conn: &mut AsyncPgConnection,
        id: Uuid,
    ) -> Result<Option<RestrictionRow>, diesel::result::Error> {
        restrictions::table
            .filter(restrictions::id.eq(id))
            .select(RestrictionRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()
    }

    pub async fn page(
        conn: &mut AsyncPgConnection,
        f: &RestrictionFilter,
        limit: i64,
    ) -> Result<Vec<Uuid>, diesel::result::Error> {
        let mut q = restrictions::table.select(restrictions::id).into_boxed();
        if let Some(c) = &f.court_code {
            q = q.filter(restrictions::court_code.eq(c.clone()));
        }
        if let Some(s) = &f.status {
            q = q.filter(restrictions::status.eq(*s));
        }
        if let Some(l) = f.listing_id {
            q = q.filter(restrictions::listing_id.eq(l));
        }
        if let Some(c) = &f.case_number {
            q = q.filter(restrictions::case_number.eq(c.clone()));
        }
        if let Some(k) = &f.subject_key {
            let ids = restriction_subjects::table
                .filter(restriction_subjects::subject_key.eq(k.clone()))
                .select(restriction_subjects::restriction_id);
            q = q.filter(restrictions::id.eq_any(ids));
        }
        if let Some(a) = f.after {
            q = q.filter(restrictions::id.gt(a));
        }
        q.order(restrictions::id.asc())
            .limit(limit)
            .load(conn)
            .await
    }

    pub async fn subjects(
        conn: &mut AsyncPgConnection,
        id: Uuid,
    ) -> Result<Vec<SubjectRow>, diesel::result::Error> {
        restriction_subjects::table
            .filter(restriction_subjects::restriction_id.eq(id))
            .select(SubjectRow::as_select())
            .order((
                restriction_subjects::role.asc(),
                restriction_subjects::subject_key.asc(),
            ))
            .load(conn)
            .await
    }

    /// Replaces the order's subjects.
    pub async fn set_subjects(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        subjects: &[SubjectRow],
    ) -> Result<(), diesel::result::Error> {
        diesel::delete(
            restriction_subjects::table.filter(restriction_subjects::restriction_id.eq(id)),
        )
        .execute(conn)
        .await?;
        for s in subjects {
            insert_into(restriction_subjects::table)
                .values((
                    restriction_subjects::restriction_id.eq(id),
                    restriction_subjects::role.eq(s.role),
                    restriction_subjects::kind.eq(s.kind),
                    restriction_subjects::subject_key.eq(&s.subject_key),
                    restriction_subjects::name.eq(&s.name),
                ))
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
        }
        Ok(())
    }
}

/// The travel documents bound to each person (by ID number).
pub async fn documents_of(
    conn: &mut AsyncPgConnection,
    keys: &[String],
) -> Result<Vec<(String, String, String)>, diesel::result::Error> {
    person_documents::table
        .filter(person_documents::id_number.eq_any(keys))
        .select((
            person_documents::id_number,
            person_documents::doc_type,
            person_documents::doc_number,
        ))
        .order((
            person_documents::id_number,
            person_documents::doc_type,
            person_documents::doc_number,
        ))
        .load(conn)
        .await
}

impl ReleaseRow {
    pub async fn lock(
        conn: &mut AsyncPgConnection,
        id: Uuid,
    ) -> Result<Option<ReleaseRow>, diesel::result::Error> {
        releases::table
            .filter(releases::id.eq(id))
            .select(ReleaseRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()
    }
}
