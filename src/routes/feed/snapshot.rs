//! `GET /v1/snapshot`: every active restricted subject the subscriber may see, as NDJSON, streamed
//! from one repeatable-read snapshot (memory stays flat), with the feed cursor it is consistent with.

use actix_web::{HttpResponse, get, web};

use serde_json::json;
use uuid::Uuid;

use crate::{
    app::AppState,
    auth::Principal,
    db::{
        DbConn,
        models::restriction::documents_of,
        read_only_snapshot,
        snapshot::{chunk, listing_chunk},
    },
    domain::status::PartyKind,
    error::ApiError,
    events::feed::position,
};

const CHUNK: i64 = 2000;

/// What a snapshot streams: the subjects of the active orders carrying the sector's `items`, or
/// (L15) the active listings that name a notice recipient; each with the position after its last
/// chunk (`None` once a short chunk ended it).
enum Lines {
    Subjects {
        items: Vec<String>,
        watcher: Option<Uuid>,
        last: Option<(Uuid, String, String)>,
    },
    Listings {
        subscriber_id: Uuid,
        last: Option<Uuid>,
    },
}

impl Lines {
    /// The next chunk as NDJSON; `None` when there is no more.
    async fn next(&mut self, conn: &mut DbConn) -> Result<Option<String>, crate::db::DbError> {
        let mut buf = String::new();
        let mut push = |line: serde_json::Value| {
            buf.push_str(&line.to_string());
            buf.push('\n');
        };
        match self {
            Lines::Subjects {
                items,
                watcher,
                last,
            } => {
                let Some(after) = last.take() else {
                    return Ok(None);
                };
                let lines = chunk(conn, items, *watcher, &after, CHUNK).await?;
                let keys: Vec<String> = lines
                    .iter()
                    .filter(|l| l.kind == PartyKind::Person)
                    .map(|l| l.subject_key.clone())
                    .collect();
                let docs = documents_of(conn, &keys).await.unwrap_or_default();
                for l in &lines {
                    let documents: Vec<_> = docs
                        .iter()
                        .filter(|(k, _, _)| *k == l.subject_key)
                        .map(|(_, t, n)| json!({"type": t, "number": n}))
                        .collect();
                    let visible: Vec<&String> =
                        l.items.iter().filter(|i| items.contains(i)).collect();
                    let (id_number, credit_code) = if l.kind == PartyKind::Person {
                        (Some(&l.subject_key), None)
                    } else {
                        (None, l.credit_code.as_ref())
                    };
                    let mut line = json!({"restriction_id": l.restriction_id, "role": l.role, "name": l.name, "id_number": id_number,
                        "documents": documents, "items": visible, "since": l.issued_on, "version": l.version});
                    if let (Some(c), Some(o)) = (credit_code, line.as_object_mut()) {
                        o.insert("credit_code".into(), json!(c));
                    }
                    push(line);
                }
                *last = lines
                    .last()
                    .filter(|_| lines.len() as i64 == CHUNK)
                    .map(|l| (l.restriction_id, l.subject_key.clone(), l.role.clone()));
            }
            Lines::Listings {
                subscriber_id,
                last,
            } => {
                let Some(after) = last.take() else {
                    return Ok(None);
                };
                let lines = listing_chunk(conn, *subscriber_id, after, CHUNK).await?;
                for l in &lines {
                    let mut line = json!({"listing_id": l.listing_id, "name": l.name,
                        "court_name": l.court_name, "case_number": l.case_number,
                        "expires_on": l.expires_on, "version": l.version});
                    if let Some(o) = line.as_object_mut() {
                        match (&l.id_number, &l.credit_code) {
                            (Some(i), _) => o.insert("id_number".into(), json!(i)),
                            (None, c) => o.insert("credit_code".into(), json!(c)),
                        };
                    }
                    push(line);
                }
                *last = lines
                    .last()
                    .filter(|_| lines.len() as i64 == CHUNK)
                    .map(|l| l.listing_id);
            }
        }
        Ok(Some(buf))
    }
}

/// Sends the chunks of `lines` until there is no more or the client has gone; a failed read ends
/// the body with an error. Closes the snapshot's transaction.
async fn stream_lines(
    mut conn: DbConn,
    mut lines: Lines,
    tx: tokio::sync::mpsc::Sender<Result<web::Bytes, std::io::Error>>,
) {
    loop {
        match lines.next(&mut conn).await {
            Ok(None) => break,
            Ok(Some(buf)) if buf.is_empty() => {}
            Ok(Some(buf)) => {
                if tx.send(Ok(web::Bytes::from(buf))).await.is_err() {
                    break;
                }
            }
            Err(e) => {
                tracing::error!(error = ?e, "snapshot read failed");
                let _ = tx
                    .send(Err(std::io::Error::other("snapshot interrupted")))
                    .await;
                break;
            }
        }
    }
    if let Err(e) = crate::db::rollback(&mut conn).await {
        tracing::warn!(error = %e, "closing the snapshot transaction failed");
    }
}

/// The current state as NDJSON lines `{restriction_id, role, name, id_number, documents, items, since,
/// version}`; the snapshot plus the feed after `Shixin-Feed-Cursor` is the complete state. A notice
/// recipient (L15) gets instead one line per active listing that names it; a subscriber of scope
/// `watchlist` only the subjects on its watch-list.
#[utoipa::path(operation_id = "snapshot", tag = "feed", security(("bearer" = [])),
    responses((status = 200, description = "Success", content_type = "application/x-ndjson", body = String,
        headers(("Shixin-Feed-Cursor" = String, description = "Read the feed after this cursor")))))]
#[get("/v1/snapshot")]
pub async fn snapshot(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let subscriber = state.subscribers.require(&state.db, &principal).await?;
    let items = subscriber.item_codes();
    // The snapshot's transaction opens on the replica while it is up, on the primary if the replica
    // turns out unreachable; the lines stream on that connection.
    let (conn, cursor) = state
        .reads
        .read(async |conn| {
            crate::db::begin(conn).await?;
            let cursor = async {
                read_only_snapshot(conn).await?;
                position(conn).await
            }
            .await;
            if cursor.is_err() {
                let _ = crate::db::rollback(conn).await;
            }
            cursor
        })
        .await?;
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    // L15: a notice recipient reads the listings that name it.
    let lines = if subscriber.sector.is_notice_recipient() {
        Lines::Listings {
            subscriber_id: subscriber.id,
            last: Some(Uuid::nil()),
        }
    } else {
        Lines::Subjects {
            items,
            watcher: subscriber.watcher(),
            last: Some((Uuid::nil(), String::new(), String::new())),
        }
    };
    tokio::spawn(stream_lines(conn, lines, tx));
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    Ok(HttpResponse::Ok()
        .content_type("application/x-ndjson")
        .insert_header(("Shixin-Feed-Cursor", cursor.encode()))
        .streaming(body))
}
