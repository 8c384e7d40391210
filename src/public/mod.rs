//! The public search (docs/API.md "Public", docs/LAW.md L9–L10): parsing a query, answering it from
//! the cache or from PostgreSQL (batched reads), and the public item of one listing. Used by the
//! API's public routes and by the web page alike.

pub mod wire;

use actix_web::{
    http::{StatusCode, header},
    web::Bytes,
};
use uuid::Uuid;

use crate::domain::ErrorCode;
use crate::{
    app::AppState,
    cache::{Lookup, rate_limit::DeferredLimit},
    db::models::public_listing::{self, PublicSearch},
    domain::{credit_code::CreditCode, id_number::IdNumber, name::fold_name},
    error::ApiError,
    listings::view::public_item,
    paging::{encode_cursor, opt, page_limit, uuid_cursor},
};
use wire::{PublicItem, PublicPage, PublicQuery};

/// 429 `rate_limited` with `Retry-After` (the public API's refusal over the limit).
pub fn too_many(retry_after: u64) -> ApiError {
    metrics::counter!(crate::metrics::RATE_LIMITED).increment(1);
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
        format!("too many requests; retry in {retry_after} s"),
    )
    .with_header(header::RETRY_AFTER, retry_after.to_string())
}

/// Longest accepted `name`, in characters.
const MAX_QUERY_NAME_CHARS: usize = 100;
/// Names whose folding each HTTP worker thread remembers (the same names are looked up again and again).
const FOLDED_MEMO: usize = 10_000;

thread_local! {
    static FOLDED: crate::memo::Memo<String, String> = Default::default();
}

/// Parses the query: `name` required (≥ 2 characters after folding), `id_number` an ID number or a
/// credit code (matched by its organisation code, I2), `cursor`, `limit`.
pub fn parse_search(q: &PublicQuery) -> Result<PublicSearch, ApiError> {
    let name = opt(&q.name).ok_or_else(|| ApiError::invalid_parameter("name is required"))?;
    if name.chars().count() > MAX_QUERY_NAME_CHARS {
        return Err(ApiError::invalid_parameter(format!(
            "name must be at most {MAX_QUERY_NAME_CHARS} characters"
        )));
    }
    let folded = crate::memo::remember(&FOLDED, name, FOLDED_MEMO, fold_name);
    if folded.chars().count() < 2 {
        return Err(ApiError::invalid_parameter(
            "name must have at least 2 characters",
        ));
    }
    let debtor_keys = match opt(&q.id_number) {
        None => None,
        Some(s) => {
            let mut keys = Vec::new();
            if let Ok(id) = IdNumber::parse(s) {
                keys.push(id.as_str().to_string());
            }
            if let Ok(c) = CreditCode::parse(s) {
                keys.push(c.org_code().to_string());
            }
            if keys.is_empty() {
                return Err(ApiError::invalid_parameter(
                    "id_number must be a valid ID number or credit code",
                ));
            }
            keys.sort();
            keys.dedup();
            Some(keys)
        }
    };
    let after = uuid_cursor(&q.cursor)?;
    Ok(PublicSearch {
        folded_name: folded,
        debtor_keys,
        after,
        limit: page_limit(q.limit)?,
    })
}

/// The JSON body of a search (`{items, next_cursor}`): from the cache, else from PostgreSQL (then
/// cached under the tokens read before the query; see `crate::cache`).
///
/// With a deferred rate limit (set by the middleware), the client is counted in the same Redis round
/// trip as the lookup, or in process when Redis does not answer.
pub async fn search_body(
    state: &AppState,
    s: &PublicSearch,
    limit: Option<DeferredLimit>,
) -> Result<Bytes, ApiError> {
    let variant = format!(
        "{}|{}|{}",
        s.debtor_keys
            .as_ref()
            .map(|k| k.join(","))
            .unwrap_or_default(),
        s.after.map(|a| a.to_string()).unwrap_or_default(),
        s.limit
    );
    let counter = limit.map(|DeferredLimit(ip)| state.rate_limiter.counter(&state.cache, ip));
    let (found, count) = state
        .cache
        .lookup(&s.folded_name, variant, counter.as_ref())
        .await;
    let judged = limit.zip(counter.as_ref());
    let found = match found {
        Lookup::First(pending) => return first_lookup(state, s, judged, pending).await,
        found => found,
    };
    if let Some((DeferredLimit(ip), c)) = judged {
        judge(state, ip, c, count).await?;
    }
    let fill = match found {
        Lookup::Hit(body) => return Ok(body),
        Lookup::Miss(key) => Some(key),
        Lookup::Bypass | Lookup::First(_) => None,
    };
    let body = answer(state, s).await?;
    if let Some(key) = fill {
        state.cache.fill(key, body.clone());
    }
    Ok(body)
}

/// A name's first lookup (not cached): its query runs while its client's count comes back from
/// Redis, unless the client was over its limit lately; then the count comes first, so a client
/// over its limit costs no query.
async fn first_lookup(
    state: &AppState,
    s: &PublicSearch,
    judged: Option<(DeferredLimit, &crate::cache::rate_limit::Counter)>,
    pending: crate::cache::PendingCount,
) -> Result<Bytes, ApiError> {
    let Some((DeferredLimit(ip), c)) = judged else {
        return answer(state, s).await;
    };
    if state.rate_limiter.limited_lately(ip) {
        judge(state, ip, c, pending.count().await).await?;
        return answer(state, s).await;
    }
    let (count, body) = tokio::join!(pending.count(), answer(state, s));
    judge(state, ip, c, count).await?;
    body
}

/// The rate limit's verdict on a count read from Redis; without one (the cache was bypassed), the
/// client is counted in Redis alone, or in process when it does not answer.
async fn judge(
    state: &AppState,
    ip: std::net::IpAddr,
    c: &crate::cache::rate_limit::Counter,
    count: Option<u64>,
) -> Result<(), ApiError> {
    let verdict = match count {
        Some(n) => state.rate_limiter.verdict(n, c.retry_after),
        None => state.rate_limiter.check(&state.cache, ip).await,
    };
    if verdict.is_err() {
        state.rate_limiter.note_limited(ip);
    }
    verdict.map_err(too_many)
}

/// The answer from PostgreSQL (batched with the searches of this thread, `db::public_reads`).
async fn answer(state: &AppState, s: &PublicSearch) -> Result<Bytes, ApiError> {
    let mut q = s.clone();
    q.limit += 1;
    let mut rows = match state.public_reads.search(&q).await {
        Some(rows) => rows,
        None => {
            let mut conn = state.public_db().get().await?;
            public_listing::search(&mut conn, &q).await?
        }
    };
    let next_cursor = if rows.len() as i64 > s.limit {
        rows.truncate(usize::try_from(s.limit).unwrap_or(0));
        rows.last().map(|l| encode_cursor(&l.row.id.to_string()))
    } else {
        None
    };
    let page = PublicPage {
        items: rows.iter().map(public_item).collect(),
        next_cursor,
    };
    Ok(Bytes::from(serde_json::to_vec(&page)?))
}

/// A search, typed (the HTML pages use it); read back from the body, which may come from the cache.
pub async fn search_page(state: &AppState, s: &PublicSearch) -> Result<PublicPage, ApiError> {
    let body = search_body(state, s, None).await?;
    Ok(serde_json::from_slice(&body)?)
}

/// One active listing, as the public sees it; `None` unless active.
pub async fn find_item(state: &AppState, id: &str) -> Result<Option<PublicItem>, ApiError> {
    let Ok(id) = Uuid::parse_str(id.trim()) else {
        return Ok(None);
    };
    let mut conn = state.public_db().get().await?;
    Ok(public_listing::find_active(&mut conn, id)
        .await?
        .as_ref()
        .map(public_item))
}
