//! The Art. 8 notices of a listing (docs/LAW.md L15): to whom, for which event, and whether it
//! arrived. They are written with the listing's publication and removal events
//! (`listings::announce`), travel by the outbox like every event (feed, webhooks: no second
//! delivery path), and are settled by a webhook's 2xx answer (`db/sql/record_deliveries.sql`) or by
//! a feed read that passed the event ([`received_by_feed`]).

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    db::{DbPool, models::notice},
    domain::notices::{NoticeStatus, RecipientKind},
    error::ApiError,
    subscribers::ActiveSubscriber,
};

/// Whom a notice is for.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecipientOut {
    /// `credit_reference`, `employer` or `supervising_body`.
    pub kind: RecipientKind,
    pub name: String,
    /// The subscriber it goes to; null when `unregistered`.
    pub subscriber_id: Option<Uuid>,
}

/// One notice of a listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeOut {
    pub recipient: RecipientOut,
    /// The event that carries it (`listing.published` or `listing.removed`).
    pub event_id: Uuid,
    pub event_type: String,
    /// `pending`, `delivered`, `failed` or `unregistered`.
    pub status: NoticeStatus,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticesPage {
    pub items: Vec<NoticeOut>,
}

/// Every notice a listing owed, in the order they were owed.
pub async fn of_listing(
    conn: &mut AsyncPgConnection,
    listing_id: Uuid,
) -> Result<NoticesPage, ApiError> {
    let rows = notice::of_listing(conn, listing_id).await?;
    let items = rows
        .into_iter()
        .map(|r| {
            Ok(NoticeOut {
                recipient: RecipientOut {
                    kind: RecipientKind::parse(&r.recipient_kind)
                        .map_err(|e| ApiError::internal(e.into()))?,
                    name: r.recipient_name,
                    subscriber_id: r.subscriber_id,
                },
                event_id: r.event_id,
                event_type: r.event_type,
                status: NoticeStatus::parse(&r.status).map_err(|e| ApiError::internal(e.into()))?,
                created_at: r.created_at,
                delivered_at: r.delivered_at,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(NoticesPage { items })
}

/// L15: the feed returned `seqs` to `reader`: for a credit reference agency or a notice recipient,
/// their notices are delivered (written on the primary, whatever served the read).
pub async fn received_by_feed(
    db: &DbPool,
    reader: &ActiveSubscriber,
    seqs: &[i64],
) -> Result<(), ApiError> {
    if !reader.sector.receives_notices() || seqs.is_empty() {
        return Ok(());
    }
    let mut conn = db.get().await?;
    notice::received_by_feed(&mut conn, reader.id, seqs).await?;
    Ok(())
}
