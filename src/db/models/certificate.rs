//! Credit-repair certificates (L16) as signed: the certified fields and the JWS over them.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{
    ExpressionMethods, Insertable, OptionalExtension, QueryDsl, Queryable, Selectable,
    SelectableHelper, insert_into, result::Error,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::{db::schema::certificates, domain::status::PartyKind};

/// A certificate: what it certifies (public data only: a person's ID number masked) and its JWS.
#[derive(Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = certificates)]
pub struct CertificateRow {
    pub id: Uuid,
    pub listing_id: Uuid,
    pub credit_repair_id: Uuid,
    pub kind: PartyKind,
    pub name: String,
    pub id_number_masked: Option<String>,
    pub credit_code: Option<String>,
    pub court_name: String,
    pub case_number: String,
    pub listed_on: NaiveDate,
    pub removed_on: NaiveDate,
    pub reason: String,
    pub issued_at: DateTime<Utc>,
    pub jws: String,
}

/// Never the name.
impl std::fmt::Debug for CertificateRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CertificateRow({})", self.id)
    }
}

impl CertificateRow {
    pub async fn insert(conn: &mut AsyncPgConnection, row: &CertificateRow) -> Result<(), Error> {
        insert_into(certificates::table)
            .values(row)
            .execute(conn)
            .await
            .map(|_| ())
    }

    pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Self>, Error> {
        certificates::table
            .filter(certificates::id.eq(id))
            .select(Self::as_select())
            .first(conn)
            .await
            .optional()
    }
}
