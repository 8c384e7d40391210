//! A subscriber's webhooks and their queries.

use chrono::{DateTime, Utc};
use diesel::{
    ExpressionMethods, OptionalExtension, QueryDsl, Queryable, Selectable, SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{db::schema::webhooks, domain::status::DisabledReason};

/// A webhook; as its subscriber sees it, never with its secrets (shown only on creation and
/// rotation) nor the columns the service keeps for itself.
#[derive(Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = webhooks)]
pub struct Webhook {
    pub id: Uuid,
    #[serde(skip)]
    pub subscriber_id: Uuid,
    pub url: String,
    pub description: Option<String>,
    /// The event types sent; null for all.
    pub event_types: Option<Vec<String>>,
    /// The subscriber's sector items (which restriction and release events it gets).
    #[serde(skip)]
    pub items: Vec<String>,
    #[serde(skip)]
    pub secret: String,
    #[serde(skip)]
    pub previous_secret: Option<String>,
    #[serde(skip)]
    pub previous_secret_until: Option<DateTime<Utc>>,
    pub enabled: bool,
    /// Why it was disabled: `gone` (the receiver answered 410), `failing` (failures for longer than
    /// `SHIXIN_WEBHOOK_DISABLE_AFTER`) or `subscriber` (disabled by its owner).
    #[schema(value_type = Option<String>)]
    pub disabled_reason: Option<DisabledReason>,
    /// The first failure since the last success, if it is failing.
    pub failing_since: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Webhook({}, enabled={})", self.id, self.enabled)
    }
}

impl Webhook {
    /// The subscriber's webhook `id` (None when it does not exist or belongs to someone else).
    pub async fn find_owned(
        conn: &mut AsyncPgConnection,
        subscriber_id: Uuid,
        id: Uuid,
    ) -> Result<Option<Webhook>, diesel::result::Error> {
        webhooks::table
            .filter(webhooks::id.eq(id))
            .filter(webhooks::subscriber_id.eq(subscriber_id))
            .select(Webhook::as_select())
            .first(conn)
            .await
            .optional()
    }

    /// The same, locked for a change.
    pub async fn lock_owned(
        conn: &mut AsyncPgConnection,
        subscriber_id: Uuid,
        id: Uuid,
    ) -> Result<Option<Webhook>, diesel::result::Error> {
        webhooks::table
            .filter(webhooks::id.eq(id))
            .filter(webhooks::subscriber_id.eq(subscriber_id))
            .select(Webhook::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()
    }

    /// A page of the subscriber's webhooks in id order, after `after`.
    pub async fn list(
        conn: &mut AsyncPgConnection,
        subscriber_id: Uuid,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Webhook>, diesel::result::Error> {
        let mut q = webhooks::table
            .filter(webhooks::subscriber_id.eq(subscriber_id))
            .select(Webhook::as_select())
            .order(webhooks::id)
            .limit(limit)
            .into_boxed();
        if let Some(a) = after {
            q = q.filter(webhooks::id.gt(a));
        }
        q.load(conn).await
    }
}
