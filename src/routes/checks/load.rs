//! The queries of one batch: a bounded number (documents, orders, releases, feed position), each
//! answering every subject at once with `= ANY(…)` on an index, inside one repeatable-read snapshot.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{
    QueryableByName, sql_query,
    sql_types::{Array, Date, Nullable, Text, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::filter::Probe;
use crate::error::ApiError;

#[derive(QueryableByName)]
pub struct DocHit {
    #[diesel(sql_type = Text)]
    pub doc_type: String,
    #[diesel(sql_type = Text)]
    pub doc_number: String,
    #[diesel(sql_type = Text)]
    pub id_number: String,
}

#[derive(QueryableByName, Clone)]
pub struct OrderHit {
    #[diesel(sql_type = Text)]
    pub subject_key: String,
    #[diesel(sql_type = Text)]
    pub role: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = SqlUuid)]
    pub restriction_id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub listing_id: Option<Uuid>,
    #[diesel(sql_type = Array<Text>)]
    pub items: Vec<String>,
    #[diesel(sql_type = Text)]
    pub case_number: String,
    #[diesel(sql_type = Date)]
    pub issued_on: NaiveDate,
    #[diesel(sql_type = Text)]
    pub court_name: String,
    /// JSON array of the releases valid now for this subject on this order.
    #[diesel(sql_type = Text)]
    pub releases: String,
}

#[derive(Clone)]
pub struct ReleaseHit {
    pub id: Uuid,
    pub restriction_id: Uuid,
    pub subject_key: String,
    pub items: Vec<String>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub reason: String,
}

/// Statements run on a shared connection reference so that they pipeline (one round trip).
pub type Shared<'a> = &'a AsyncPgConnection;

pub async fn documents(
    mut conn: Shared<'_>,
    types: Vec<String>,
    numbers: Vec<String>,
) -> Result<Vec<DocHit>, ApiError> {
    if types.is_empty() {
        return Ok(Vec::new());
    }
    Ok(sql_query(
        "SELECT d.doc_type, d.doc_number, d.id_number FROM person_documents d \
         JOIN unnest($1::text[], $2::text[]) AS q(t, n) ON d.doc_type = q.t AND d.doc_number = q.n",
    )
    .bind::<Array<Text>, _>(types)
    .bind::<Array<Text>, _>(numbers)
    .load(&mut conn)
    .await?)
}

/// Every active order binding any subject (by ID number or organisation code, or by a document
/// bound to a person), with the releases valid now of that subject on that order as JSON.
/// `probe` comes from the in-memory filter (`filter.rs`): the keys it may restrict, plus any key of
/// `all` written since its watermark.
pub async fn orders(
    mut conn: Shared<'_>,
    probe: Probe,
    all: Vec<String>,
    types: Vec<String>,
    numbers: Vec<String>,
) -> Result<Vec<OrderHit>, ApiError> {
    let recent = if probe.since.is_some() {
        all
    } else {
        Vec::new()
    };
    Ok(sql_query(
        "SELECT s.subject_key, s.role, s.name, r.id AS restriction_id, r.listing_id, r.items, \
                r.case_number, r.issued_on, c.name AS court_name, \
                coalesce((SELECT json_agg(json_build_object('id', rl.id, 'items', rl.items, \
                              'valid_from', rl.valid_from, 'valid_until', rl.valid_until, 'reason', rl.reason)) \
                          FROM releases rl \
                          WHERE rl.restriction_id = r.id AND rl.subject_key = s.subject_key \
                            AND rl.status = 'active' AND rl.valid_from <= now() AND rl.valid_until > now()), \
                         '[]')::text AS releases \
         FROM restriction_subjects s \
         JOIN restrictions r ON r.id = s.restriction_id \
         JOIN courts c ON c.code = r.court_code \
         WHERE s.subject_key = ANY(ARRAY( \
                 SELECT unnest($1::text[]) \
                 UNION ALL \
                 SELECT d.id_number FROM person_documents d \
                 JOIN unnest($2::text[], $3::text[]) AS q(t, n) ON d.doc_type = q.t AND d.doc_number = q.n \
                 UNION ALL \
                 SELECT n.subject_key FROM restriction_subjects n \
                 WHERE n.txid >= $4::text::xid8 AND n.subject_key = ANY($5::text[]))) \
           AND r.status = 'active'",
    )
    .bind::<Array<Text>, _>(probe.keys)
    .bind::<Array<Text>, _>(types)
    .bind::<Array<Text>, _>(numbers)
    .bind::<Nullable<Text>, _>(probe.since)
    .bind::<Array<Text>, _>(recent)
    .load(&mut conn)
    .await?)
}

/// The releases of an order hit, parsed from the JSON the query built.
pub fn releases_of(hit: &OrderHit) -> Vec<ReleaseHit> {
    #[derive(serde::Deserialize)]
    struct R {
        id: Uuid,
        items: Vec<String>,
        valid_from: DateTime<Utc>,
        valid_until: DateTime<Utc>,
        reason: String,
    }
    serde_json::from_str::<Vec<R>>(&hit.releases)
        .unwrap_or_default()
        .into_iter()
        .map(|r| ReleaseHit {
            id: r.id,
            restriction_id: hit.restriction_id,
            subject_key: hit.subject_key.clone(),
            items: r.items,
            valid_from: r.valid_from,
            valid_until: r.valid_until,
            reason: r.reason,
        })
        .collect()
}
