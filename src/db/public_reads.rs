//! Public searches read from PostgreSQL in batches. Searches that miss the cache at the same time
//! on one HTTP worker thread go to PostgreSQL as one statement (`unnest` of the searches, each
//! answered by its own index scan), instead of one statement each: one round trip, one executor
//! start and one wake-up of the database per batch. Most searches find nobody, so the work of a
//! cold lookup is mostly that overhead (bench/public_lookup).
//!
//! Freshness is that of a single query: a search joins a batch whose statement is sent after the
//! search was queued, so it sees every change committed before the search began, and a cache fill
//! still stores what was read after its tokens were (see `crate::cache`).
//!
//! When a batch fails (PostgreSQL down, a connection closed), each of its searches runs again
//! alone on the pool, which gives it its own error. Batches go to the replica while it is up
//! (`db::replica`); one that finds it unreachable marks it down first, so the searches run again
//! on the primary.

use std::sync::{Arc, Weak};

use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio_postgres::{Client, Row, Statement, types::Type};
use uuid::Uuid;

use crate::db::{
    DbError,
    models::{
        listing::{Listing, ListingRow},
        public_listing::PublicSearch,
    },
    prepared::{Connections, Statements},
    replica::{ReplicaHealth, Routed},
};

/// Most searches in one statement.
const MAX_BATCH: usize = 128;
/// Batches of one thread in flight at once, each on its own connection of that thread (opened and
/// driven by the thread itself: no hop to another thread's connection task); searches arriving
/// meanwhile wait for the next batch.
const IN_FLIGHT: usize = 2;

/// `$1` folded names, `$2` cursors (the nil UUID for none), `$3` page sizes, `$4` the debtor keys
/// of an ID-number filter joined by commas (NULL for none). The scan of each search is that of the
/// single query (`listings_public_status_name_id_idx`, from the cursor, stopping after the page).
const SEARCH_SQL: &str = "SELECT q.i, l.*, c.name AS court_name, c.province \
     FROM unnest($1::text[], $2::uuid[], $3::int8[], $4::text[]) WITH ORDINALITY AS q(name, after, lim, keys, i) \
     CROSS JOIN LATERAL ( \
         SELECT l.* FROM listings l \
         WHERE l.status = 'active' AND l.name_folded = q.name AND l.id > q.after \
           AND (q.keys IS NULL OR l.debtor_key = ANY(string_to_array(q.keys, ','))) \
         ORDER BY l.id LIMIT q.lim) l \
     JOIN courts c ON c.code = l.court_code \
     ORDER BY q.i, l.id";

pub struct SearchStatement(Statement);

impl Statements for SearchStatement {
    async fn prepare(client: &Client) -> Result<Self, tokio_postgres::Error> {
        let types = [
            Type::TEXT_ARRAY,
            Type::UUID_ARRAY,
            Type::INT8_ARRAY,
            Type::TEXT_ARRAY,
        ];
        Ok(SearchStatement(
            client.prepare_typed(SEARCH_SQL, &types).await?,
        ))
    }
}

/// A search waiting for its batch; `None` back means "run it alone".
struct Read {
    search: PublicSearch,
    reply: oneshot::Sender<Option<Vec<Listing>>>,
}

struct Inner {
    owner: u64,
    url: String,
    /// The replica's health, for the replica's lanes: a batch that finds it unreachable says so.
    replica: Option<Arc<ReplicaHealth>>,
}

impl Inner {
    fn new(url: &str, replica: Option<Arc<ReplicaHealth>>) -> Arc<Self> {
        Arc::new(Inner {
            owner: crate::lanes::owner_id(),
            url: url.to_string(),
            replica,
        })
    }
}

/// The batched public reads of one service: lanes to the primary, and to the replica when there is
/// one.
pub struct PublicReads {
    inner: Routed<Arc<Inner>>,
}

impl PublicReads {
    pub fn new(url: &str, replica: Option<(&str, Arc<ReplicaHealth>)>) -> Self {
        Self {
            inner: Routed {
                primary: Inner::new(url, None),
                replica: replica.map(|(u, h)| (Inner::new(u, Some(h.clone())), h)),
            },
        }
    }

    /// The active listings of one search, read with the searches arriving meanwhile; `None` when
    /// the batch failed (the caller runs the search alone).
    pub async fn search(&self, search: &PublicSearch) -> Option<Vec<Listing>> {
        let (inner, on_replica) = self.inner.pick();
        let found = Self::search_on(inner, search).await?;
        match (on_replica, &self.inner.replica) {
            (Some(h), _) => h.served(true),
            (None, Some((_, h))) => h.served(false),
            (None, None) => {}
        }
        Some(found)
    }

    async fn search_on(inner: &Arc<Inner>, search: &PublicSearch) -> Option<Vec<Listing>> {
        let queue = crate::lanes::lane(inner.owner, |waiting| {
            tokio::spawn(run(Arc::downgrade(inner), waiting));
            Some(())
        })?;
        let (reply, answer) = oneshot::channel();
        queue
            .send(Read {
                search: search.clone(),
                reply,
            })
            .ok()?;
        answer.await.ok().flatten()
    }
}

/// A lane's task: gathers the searches queued on its thread, at most `IN_FLIGHT` batches at once.
async fn run(inner: Weak<Inner>, mut waiting: mpsc::UnboundedReceiver<Read>) {
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    let (conns, replica) = match inner.upgrade() {
        Some(i) => (
            Arc::new(Connections::<SearchStatement>::new(&i.url, IN_FLIGHT)),
            i.replica.clone(),
        ),
        None => return,
    };
    while let Some(first) = waiting.recv().await {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            break;
        };
        // Let the searches that are ready on this thread queue theirs first.
        tokio::task::yield_now().await;
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match waiting.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
        if inner.strong_count() == 0 {
            break;
        }
        metrics::counter!(crate::metrics::PUBLIC_READ_BATCHES).increment(1);
        metrics::counter!(crate::metrics::PUBLIC_READ_SEARCHES).increment(batch.len() as u64);
        let conns = conns.clone();
        let replica = replica.clone();
        tokio::spawn(async move {
            let mut found = read(&conns, &batch, replica.as_deref())
                .await
                .map(Vec::into_iter);
            for r in batch {
                let _ = r
                    .reply
                    .send(found.as_mut().map(|f| f.next().unwrap_or_default()));
            }
            drop(slot);
        });
    }
}

/// One statement for the batch: the listings of each search, by its position.
async fn read(
    conns: &Connections<SearchStatement>,
    batch: &[Read],
    replica: Option<&ReplicaHealth>,
) -> Option<Vec<Vec<Listing>>> {
    let unreachable = |e: &DbError| {
        if let (true, Some(h)) = (e.is_unavailable(), replica) {
            h.failed();
        }
    };
    let p = conns.get().await.map_err(|e| unreachable(&e)).ok()?;
    let names: Vec<&str> = batch
        .iter()
        .map(|r| r.search.folded_name.as_str())
        .collect();
    let afters: Vec<Uuid> = batch
        .iter()
        .map(|r| r.search.after.unwrap_or(Uuid::nil()))
        .collect();
    let limits: Vec<i64> = batch.iter().map(|r| r.search.limit).collect();
    let keys: Vec<Option<String>> = batch
        .iter()
        .map(|r| r.search.debtor_keys.as_ref().map(|k| k.join(",")))
        .collect();
    let rows = match p
        .client
        .query(&p.statements.0, &[&names, &afters, &limits, &keys])
        .await
    {
        Ok(rows) => rows,
        Err(e) => {
            tracing::warn!(error_kind = ?e.code(), "a batch of public searches failed; running them alone");
            unreachable(&DbError::Postgres(e));
            return None;
        }
    };
    let mut found: Vec<Vec<Listing>> = vec![Vec::new(); batch.len()];
    for row in &rows {
        let slot = row
            .try_get::<_, i64>("i")
            .ok()
            .and_then(|i| usize::try_from(i - 1).ok())
            .filter(|i| *i < found.len());
        match (slot, listing_of(row)) {
            (Some(i), Ok(listing)) => found[i].push(listing),
            _ => {
                tracing::error!(
                    "a public search row does not read as a listing; running the batch alone"
                );
                return None;
            }
        }
    }
    Some(found)
}

/// A listing with its court's name and province, from a row of `SEARCH_SQL`.
fn listing_of(r: &Row) -> Result<Listing, tokio_postgres::Error> {
    Ok(Listing {
        row: ListingRow {
            id: r.try_get("id")?,
            court_code: r.try_get("court_code")?,
            case_number: r.try_get("case_number")?,
            debtor_kind: r.try_get("debtor_kind")?,
            debtor_key: r.try_get("debtor_key")?,
            debtor_name: r.try_get("debtor_name")?,
            name_folded: r.try_get("name_folded")?,
            id_number: r.try_get("id_number")?,
            credit_code: r.try_get("credit_code")?,
            debtor: r.try_get("debtor")?,
            associated_persons: r.try_get("associated_persons")?,
            filed_on: r.try_get("filed_on")?,
            basis_document_number: r.try_get("basis_document_number")?,
            basis_issuer: r.try_get("basis_issuer")?,
            obligation: r.try_get("obligation")?,
            performance: r.try_get("performance")?,
            grounds: r.try_get("grounds")?,
            extension_years: r.try_get("extension_years")?,
            decided_on: r.try_get("decided_on")?,
            grace_until: r.try_get("grace_until")?,
            initiated_by: r.try_get("initiated_by")?,
            status: r.try_get("status")?,
            version: r.try_get("version")?,
            published_at: r.try_get("published_at")?,
            expires_on: r.try_get("expires_on")?,
            restriction_id: r.try_get("restriction_id")?,
            removal: r.try_get("removal")?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
            // The decision and its service (L14) are the court's, never public: not read here.
            decision: None,
            served_on: None,
            service_method: None,
        },
        court_name: r.try_get("court_name")?,
        province: r.try_get("province")?,
    })
}
