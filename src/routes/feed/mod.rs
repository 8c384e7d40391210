//! The change feed and the snapshot (subscriber; docs/API.md "Change feed, snapshot, webhooks").

pub mod snapshot;

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::{
    app::AppState,
    auth::Principal,
    error::ApiError,
    events::{cursor::Cursor, feed as event_feed},
    routes::{opt, page_limit},
};

#[derive(Debug, Deserialize, IntoParams)]
pub struct FeedQuery {
    /// The `next` of the previous page (opaque); from the beginning when absent.
    pub after: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedPage {
    /// `{id, cursor, type, occurred_at, data}`; `data` carries the whole current state and its version.
    pub events: Vec<Value>,
    /// Pass back as `after`; equal to `after` on an empty page.
    pub next: String,
}

/// Every change the subscriber may see, in order, each exactly once for a reader that follows `next`.
/// A notice recipient (L15) reads only the events of listings that name it; for it and for a
/// credit reference agency, a page that returns an event settles its notice (`delivered`).
#[utoipa::path(operation_id = "feed", tag = "feed", params(FeedQuery), security(("bearer" = [])),
    responses((status = 200, description = "Success", body = FeedPage)))]
#[get("/v1/feed")]
pub async fn feed(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    let subscriber = state.subscribers.require(&state.db, &principal).await?;
    let limit = page_limit(q.limit)?;
    let after = match opt(&q.after) {
        Some(c) => Cursor::decode(c)?,
        None => Cursor::START,
    };
    let items = subscriber.item_codes();
    // On the replica while it is up; again on the primary if it turns out unreachable.
    let (conn, page) = state
        .reads
        .read(async |conn| {
            let reader = event_feed::Reader {
                sector_items: &items,
                audience: subscriber
                    .sector
                    .is_notice_recipient()
                    .then_some(subscriber.id),
                watcher: subscriber.watcher(),
            };
            event_feed::page(conn, after, reader, limit).await
        })
        .await?;
    drop(conn);
    let (seqs, events): (Vec<i64>, Vec<_>) = page.into_iter().unzip();
    crate::notices::received_by_feed(&state.db, &subscriber, &seqs).await?;
    let next = events
        .last()
        .and_then(|e| e["cursor"].as_str().map(str::to_string))
        .unwrap_or_else(|| after.encode());
    Ok(HttpResponse::Ok().json(FeedPage { events, next }))
}
