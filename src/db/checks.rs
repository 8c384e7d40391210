//! The queries of one batch: a bounded number (feed position, documents, orders with their releases),
//! each answering every subject at once with `= ANY(…)` on an index, pipelined in one round trip.
//!
//! They run on the checks' own connections (`SHIXIN_CHECK_CONNECTIONS`, default 4, to
//! `DATABASE_READ_URL` while the replica is up, `db::replica`) as prepared statements with generic
//! plans: planning the orders query took twice as long as running it (bench/checks). The statements are written so that the generic
//! plan is the good one (see `ORDERS_SQL`).

use chrono::{DateTime, NaiveDate, Utc};
use tokio_postgres::{Client, Statement, types::Type};
use uuid::Uuid;

use super::subject_filter::Probe;
use std::sync::Arc;

use crate::{
    db::DbError,
    db::prepared::{Connections, Statements, pg_error},
    db::replica::{ReplicaHealth, Routed},
    events::cursor::Cursor,
};

pub struct DocHit {
    pub doc_type: String,
    pub doc_number: String,
    pub id_number: String,
}

#[derive(Clone)]
pub struct OrderHit {
    pub subject_key: String,
    pub role: String,
    pub name: String,
    pub restriction_id: Uuid,
    pub listing_id: Option<Uuid>,
    pub items: Vec<String>,
    pub case_number: String,
    pub issued_on: NaiveDate,
    pub court_name: String,
    /// JSON array of the releases valid now for this subject on this order.
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

const DOCUMENTS_SQL: &str = "SELECT d.doc_type, d.doc_number, d.id_number FROM person_documents d \
     JOIN unnest($1::text[], $2::text[]) AS q(t, n) ON d.doc_type = q.t AND d.doc_number = q.n";

/// Every active order in its period (R6: one whose last day has passed allows before the tick lifts
/// it, by the database's clock like the releases' window) binding any subject (by ID number or organisation code, or by a document
/// bound to a person), with the releases valid now of that subject on that order as JSON.
/// `$1` are the keys the in-memory filter may restrict (`filter.rs`); `$4`/`$5` look up any key of
/// the batch written since the filter's watermark. The recent keys are read by the `txid` index
/// alone (`OFFSET 0` keeps the batch's keys out of that scan, and the closed range makes the
/// generic plan choose the index), then matched against the batch.
const ORDERS_SQL: &str = "SELECT s.subject_key, s.role, s.name, r.id AS restriction_id, r.listing_id, r.items, \
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
             SELECT k FROM (SELECT n.subject_key AS k FROM restriction_subjects n \
                            WHERE n.txid BETWEEN $4::text::xid8 AND '18446744073709551615'::xid8 \
                            OFFSET 0) recent \
             WHERE k = ANY($5::text[]))) \
       AND r.status = 'active' \
       AND (r.valid_until IS NULL OR r.valid_until >= (now() AT TIME ZONE 'Asia/Shanghai')::date)";

/// The three statements of a check batch, prepared on each of the checks' connections.
pub struct CheckStatements {
    position: Statement,
    documents: Statement,
    orders: Statement,
}

impl Statements for CheckStatements {
    async fn prepare(client: &Client) -> Result<Self, tokio_postgres::Error> {
        let text_array = Type::TEXT_ARRAY;
        Ok(CheckStatements {
            position: client.prepare(super::models::event::POSITION_SQL).await?,
            documents: client
                .prepare_typed(DOCUMENTS_SQL, &[text_array.clone(), text_array.clone()])
                .await?,
            orders: client
                .prepare_typed(
                    ORDERS_SQL,
                    &[
                        text_array.clone(),
                        text_array.clone(),
                        text_array.clone(),
                        Type::TEXT,
                        text_array,
                    ],
                )
                .await?,
        })
    }
}

/// The checks' connections, used in turn: to the replica while it is up, else to the primary
/// (`db::replica`; a batch that finds the replica unreachable runs again on the primary).
pub struct CheckDb(Routed<Connections<CheckStatements>>);

/// What one batch reads, in one snapshot order: the feed position first, so every event up to it is
/// visible to the statements after it (the answer is consistent with `as_of`).
pub struct Loaded {
    pub position: Cursor,
    pub docs: Vec<DocHit>,
    pub orders: Vec<OrderHit>,
}

impl CheckDb {
    /// `connections` to the primary at `url`, and as many to the replica when there is one (each
    /// opened on its first use).
    pub fn new(url: &str, replica: Option<(&str, Arc<ReplicaHealth>)>, connections: usize) -> Self {
        Self(Routed {
            primary: Connections::new(url, connections),
            replica: replica.map(|(u, h)| (Connections::new(u, connections), h)),
        })
    }

    /// The three statements of a batch, pipelined on one connection.
    pub async fn load(
        &self,
        probe: Probe,
        all: Vec<String>,
        types: Vec<String>,
        numbers: Vec<String>,
    ) -> Result<Loaded, DbError> {
        let recent = if probe.since.is_some() {
            all
        } else {
            Vec::new()
        };
        let batch = Batch {
            probe: &probe,
            recent: &recent,
            types: &types,
            numbers: &numbers,
        };
        self.0
            .run(async |conns: &Connections<CheckStatements>| load_on(conns, &batch).await)
            .await
    }
}

/// A check batch's parameters.
struct Batch<'a> {
    probe: &'a Probe,
    recent: &'a Vec<String>,
    types: &'a Vec<String>,
    numbers: &'a Vec<String>,
}

async fn load_on(conns: &Connections<CheckStatements>, b: &Batch<'_>) -> Result<Loaded, DbError> {
    let p = conns.get().await?;
    let s = &p.statements;
    let c = &p.client;
    let orders_params: [&(dyn tokio_postgres::types::ToSql + Sync); 5] =
        [&b.probe.keys, b.types, b.numbers, &b.probe.since, b.recent];
    let (position, docs, orders) = futures_util::try_join!(
        c.query(&s.position, &[]),
        async {
            if b.types.is_empty() {
                Ok(Vec::new())
            } else {
                c.query(&s.documents, &[b.types, b.numbers]).await
            }
        },
        c.query(&s.orders, &orders_params),
    )
    .map_err(pg_error)?;
    let position = position
        .first()
        .map(|r| crate::events::feed::cursor_of(&r.get::<_, String>(0), r.get(1)))
        .unwrap_or(Cursor::START);
    let docs = docs
        .iter()
        .map(|r| DocHit {
            doc_type: r.get(0),
            doc_number: r.get(1),
            id_number: r.get(2),
        })
        .collect();
    let orders = orders
        .iter()
        .map(|r| OrderHit {
            subject_key: r.get(0),
            role: r.get(1),
            name: r.get(2),
            restriction_id: r.get(3),
            listing_id: r.get(4),
            items: r.get(5),
            case_number: r.get(6),
            issued_on: r.get(7),
            court_name: r.get(8),
            releases: r.get(9),
        })
        .collect();
    Ok(Loaded {
        position,
        docs,
        orders,
    })
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
