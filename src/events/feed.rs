//! Reading the outbox as a subscriber's change feed (docs/API.md "Change feed, snapshot,
//! webhooks").

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde_json::{Value, json};
use uuid::Uuid;

use super::cursor::Cursor;
use crate::db::{DbError, models::event};

pub(crate) fn cursor_of(txid: &str, seq: i64) -> Cursor {
    Cursor {
        txid: txid.parse().unwrap_or(0),
        seq,
    }
}

/// Keeps only the items a sector may see, in `data.items` and in each release of `data.releases`.
pub fn filter_items(mut data: Value, sector_items: &[String]) -> Value {
    let keep = |v: &mut Value| {
        if let Some(items) = v.get_mut("items").and_then(Value::as_array_mut) {
            items.retain(|i| {
                i.as_str()
                    .is_some_and(|s| sector_items.iter().any(|x| x == s))
            });
        }
    };
    keep(&mut data);
    if let Some(releases) = data.get_mut("releases").and_then(Value::as_array_mut) {
        releases.iter_mut().for_each(keep);
        releases.retain(|r| {
            r.get("items")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty())
        });
    }
    data
}

/// Who reads the feed: the items of its sector, for a notice recipient (L15) its id, and for a
/// subscriber of scope `watchlist` its id (only events of subjects on its list).
pub struct Reader<'a> {
    pub sector_items: &'a [String],
    pub audience: Option<Uuid>,
    pub watcher: Option<Uuid>,
}

/// Events after `after`, in commit-safe order, that the reader may see: every `listing.*` event
/// (public content), and `restriction.*`/`release.*` events carrying one of its items; a notice
/// recipient only the `listing.*` events of listings that name it. Each with its `seq`.
pub async fn page(
    conn: &mut AsyncPgConnection,
    after: Cursor,
    reader: Reader<'_>,
    limit: i64,
) -> Result<Vec<(i64, Value)>, DbError> {
    let sector_items = reader.sector_items;
    let rows = event::page(
        conn,
        after.txid.to_string(),
        after.seq,
        sector_items,
        reader.audience,
        reader.watcher,
        limit,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.seq,
                event_json(
                    r.id,
                    &r.txid_text,
                    r.seq,
                    &r.event_type,
                    r.occurred_at,
                    r.data,
                    sector_items,
                ),
            )
        })
        .collect())
}

/// An event as a subscriber reads it, in the feed and in a webhook's body: `{id, cursor, type,
/// occurred_at, data}`, its items filtered to the subscriber's sector.
pub fn event_json(
    id: Uuid,
    txid_text: &str,
    seq: i64,
    event_type: &str,
    occurred_at: DateTime<Utc>,
    data: Value,
    sector_items: &[String],
) -> Value {
    json!({
        "id": id,
        "cursor": cursor_of(txid_text, seq).encode(),
        "type": event_type,
        "occurred_at": occurred_at,
        "data": filter_items(data, sector_items),
    })
}

/// The position of the newest event every reader can already see: an answer read in the same
/// snapshot reflects at least every event up to it.
pub async fn position(conn: &mut AsyncPgConnection) -> Result<Cursor, DbError> {
    Ok(event::position(conn)
        .await?
        .map(|r| cursor_of(&r.txid_text, r.seq))
        .unwrap_or(Cursor::START))
}
