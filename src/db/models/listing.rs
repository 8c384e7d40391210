//! Listings (失信被执行人名单条目) and their queries.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{
    AsChangeset, BoolExpressionMethods, ExpressionMethods, Insertable, OptionalExtension, QueryDsl,
    Queryable, Selectable, SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    db::schema::{courts, listings},
    domain::{
        correction::ServiceMethod,
        grounds::Ground,
        listing_rules::{InitiatedBy, ListingStatus, Performance, RemovalReason},
        status::PartyKind,
    },
};

/// The content of a listing that a court states (create) or corrects (PATCH).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = listings, treat_none_as_null = true)]
pub struct ListingValues {
    pub court_code: String,
    pub case_number: String,
    pub debtor_kind: PartyKind,
    pub debtor_key: String,
    pub debtor_name: String,
    pub name_folded: String,
    pub id_number: Option<String>,
    pub credit_code: Option<String>,
    pub debtor: Value,
    pub associated_persons: Value,
    pub filed_on: NaiveDate,
    pub basis_document_number: String,
    pub basis_issuer: String,
    pub obligation: String,
    pub performance: Performance,
    pub grounds: Vec<Ground>,
    pub extension_years: i32,
    pub decided_on: NaiveDate,
    pub grace_until: Option<NaiveDate>,
    pub initiated_by: InitiatedBy,
    pub expires_on: Option<NaiveDate>,
    /// L14: who signed the decision (院长签发) and when: `{"signed_by", "signed_on"}`.
    pub decision: Option<Value>,
}

#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = listings)]
pub struct ListingRow {
    pub id: Uuid,
    pub court_code: String,
    pub case_number: String,
    pub debtor_kind: PartyKind,
    pub debtor_key: String,
    pub debtor_name: String,
    pub name_folded: String,
    pub id_number: Option<String>,
    pub credit_code: Option<String>,
    pub debtor: Value,
    pub associated_persons: Value,
    pub filed_on: NaiveDate,
    pub basis_document_number: String,
    pub basis_issuer: String,
    pub obligation: String,
    pub performance: Performance,
    pub grounds: Vec<Ground>,
    pub extension_years: i32,
    pub decided_on: NaiveDate,
    pub grace_until: Option<NaiveDate>,
    pub initiated_by: InitiatedBy,
    pub status: ListingStatus,
    pub version: i32,
    pub published_at: Option<DateTime<Utc>>,
    pub expires_on: Option<NaiveDate>,
    pub restriction_id: Option<Uuid>,
    pub removal: Option<Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// L14: `{"signed_by", "signed_on"}`, as `ListingValues::decision`.
    pub decision: Option<Value>,
    /// L14: when and how the decision was served on the parties.
    pub served_on: Option<NaiveDate>,
    pub service_method: Option<ServiceMethod>,
}

impl ListingRow {
    /// L15: the `notice_recipient` subscriber the debtor names as employer or supervising body
    /// (also the stored column `listings.notice_subscriber_id`, generated from `debtor`).
    pub fn notice_subscriber_id(&self) -> Option<Uuid> {
        notice_subscriber_of(&self.debtor)
    }
}

/// L15: the subscriber named in a debtor's `employer` or `supervising_body`.
pub fn notice_subscriber_of(debtor: &Value) -> Option<Uuid> {
    ["employer", "supervising_body"]
        .iter()
        .find_map(|k| debtor[k]["subscriber_id"].as_str())
        .and_then(|s| Uuid::parse_str(s).ok())
}

impl std::fmt::Debug for ListingRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ListingRow({}, v{}, {})",
            self.id, self.version, self.status
        )
    }
}

/// A listing with its court's name and province.
#[derive(Debug, Clone)]
pub struct Listing {
    pub row: ListingRow,
    pub court_name: String,
    pub province: String,
}

pub const OPEN_DEBTOR_CASE_INDEX: &str = "listings_open_debtor_case_uidx";

#[derive(Debug, Default)]
pub struct ListingFilter {
    pub court_code: Option<String>,
    pub status: Option<String>,
    pub id_number: Option<String>,
    pub debtor_key: Option<String>,
    pub case_number: Option<String>,
    pub after: Option<Uuid>,
}

impl Listing {
    pub async fn find(
        conn: &mut AsyncPgConnection,
        id: Uuid,
    ) -> Result<Option<Listing>, diesel::result::Error> {
        let r: Option<(ListingRow, String, String)> = listings::table
            .inner_join(courts::table)
            .filter(listings::id.eq(id))
            .select((ListingRow::as_select(), courts::name, courts::province))
            .first(conn)
            .await
            .optional()?;
        Ok(r.map(|(row, court_name, province)| Listing {
            row,
            court_name,
            province,
        }))
    }

    /// Locks the row for the rest of the transaction.
    pub async fn lock(
        conn: &mut AsyncPgConnection,
        id: Uuid,
    ) -> Result<Option<ListingRow>, diesel::result::Error> {
        listings::table
            .filter(listings::id.eq(id))
            .select(ListingRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()
    }

    pub async fn page(
        conn: &mut AsyncPgConnection,
        f: &ListingFilter,
        limit: i64,
    ) -> Result<Vec<Listing>, diesel::result::Error> {
        let mut q = listings::table
            .inner_join(courts::table)
            .select((ListingRow::as_select(), courts::name, courts::province))
            .into_boxed();
        if let Some(c) = &f.court_code {
            q = q.filter(listings::court_code.eq(c.clone()));
        }
        if let Some(s) = &f.status {
            q = q.filter(listings::status.eq(s.clone()));
        }
        if let Some(i) = &f.id_number {
            let i = i.clone();
            q = q.filter(
                listings::debtor_key
                    .eq(i.clone())
                    .or(listings::id_number.eq(i)),
            );
        }
        if let Some(k) = &f.debtor_key {
            q = q.filter(listings::debtor_key.eq(k.clone()));
        }
        if let Some(c) = &f.case_number {
            q = q.filter(listings::case_number.eq(c.clone()));
        }
        if let Some(a) = f.after {
            q = q.filter(listings::id.gt(a));
        }
        let rows: Vec<(ListingRow, String, String)> =
            q.order(listings::id.asc()).limit(limit).load(conn).await?;
        Ok(rows
            .into_iter()
            .map(|(row, court_name, province)| Listing {
                row,
                court_name,
                province,
            })
            .collect())
    }

    /// L8: the latest removal on the creditor's request of this debtor in this case, as a CST date.
    pub async fn last_creditor_removal(
        conn: &mut AsyncPgConnection,
        debtor_key: &str,
        case_number: &str,
    ) -> Result<Option<DateTime<Utc>>, diesel::result::Error> {
        let removals: Vec<Option<Value>> = listings::table
            .filter(listings::debtor_key.eq(debtor_key))
            .filter(listings::case_number.eq(case_number))
            .filter(listings::status.eq(ListingStatus::Removed))
            .select(listings::removal)
            .load(conn)
            .await?;
        Ok(removals
            .into_iter()
            .flatten()
            .filter(|r| {
                r.get("reason")
                    .and_then(Value::as_str)
                    .and_then(|s| RemovalReason::parse(s).ok())
                    == Some(RemovalReason::CreditorRequest)
            })
            .filter_map(|r| {
                r.get("removed_at")
                    .and_then(Value::as_str)
                    .and_then(|s| s.parse().ok())
            })
            .max())
    }
}
