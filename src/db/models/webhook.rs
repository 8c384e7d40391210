//! A subscriber's webhooks and their queries: registration, the owner's reads and changes (settings,
//! secret rotation, deletion).

use chrono::{DateTime, Utc};
use diesel::{
    ExpressionMethods, OptionalExtension, QueryDsl, Queryable, Selectable, SelectableHelper,
    insert_into,
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

/// A webhook to register: its new secret, and its subscriber's sector items.
pub struct NewWebhook<'a> {
    pub id: Uuid,
    pub subscriber_id: Uuid,
    pub url: &'a str,
    pub description: &'a Option<String>,
    pub event_types: &'a Option<Vec<String>>,
    pub items: Vec<String>,
    pub secret: &'a str,
}

/// What an owner's change (PATCH) leaves: the settings, the enabled state with its record, and
/// the new version with the time of the change.
pub struct WebhookSettings {
    pub url: String,
    pub event_types: Option<Vec<String>>,
    pub description: Option<String>,
    pub enabled: bool,
    pub disabled_reason: Option<DisabledReason>,
    pub failing_since: Option<DateTime<Utc>>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

/// A rotation of the signing secret: the old secret keeps signing until `previous_until`.
pub struct SecretRotation {
    pub previous: String,
    pub previous_until: DateTime<Utc>,
    pub secret: String,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

impl Webhook {
    /// Registers a webhook; returns it as stored.
    pub async fn insert(
        conn: &mut AsyncPgConnection,
        new: &NewWebhook<'_>,
    ) -> Result<Webhook, diesel::result::Error> {
        insert_into(webhooks::table)
            .values((
                webhooks::id.eq(new.id),
                webhooks::subscriber_id.eq(new.subscriber_id),
                webhooks::url.eq(new.url),
                webhooks::description.eq(new.description),
                webhooks::event_types.eq(new.event_types),
                webhooks::items.eq(&new.items),
                webhooks::secret.eq(new.secret),
            ))
            .returning(Webhook::as_returning())
            .get_result(conn)
            .await
    }

    /// Writes an owner's change of webhook `id`; returns it as stored.
    pub async fn update_settings(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        s: WebhookSettings,
    ) -> Result<Webhook, diesel::result::Error> {
        diesel::update(webhooks::table.find(id))
            .set((
                webhooks::url.eq(s.url),
                webhooks::event_types.eq(s.event_types),
                webhooks::description.eq(s.description),
                webhooks::enabled.eq(s.enabled),
                webhooks::disabled_reason.eq(s.disabled_reason),
                webhooks::failing_since.eq(s.failing_since),
                webhooks::version.eq(s.version),
                webhooks::updated_at.eq(s.updated_at),
            ))
            .returning(Webhook::as_returning())
            .get_result(conn)
            .await
    }

    /// Writes a new signing secret of webhook `id`; returns it as stored.
    pub async fn rotate_secret(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        r: SecretRotation,
    ) -> Result<Webhook, diesel::result::Error> {
        diesel::update(webhooks::table.find(id))
            .set((
                webhooks::previous_secret.eq(Some(r.previous)),
                webhooks::previous_secret_until.eq(Some(r.previous_until)),
                webhooks::secret.eq(r.secret),
                webhooks::version.eq(r.version),
                webhooks::updated_at.eq(r.updated_at),
            ))
            .returning(Webhook::as_returning())
            .get_result(conn)
            .await
    }

    /// Deletes the subscriber's webhook `id` (its deliveries go with it); how many rows went.
    pub async fn delete_owned(
        conn: &mut AsyncPgConnection,
        subscriber_id: Uuid,
        id: Uuid,
    ) -> Result<usize, diesel::result::Error> {
        diesel::delete(
            webhooks::table
                .filter(webhooks::id.eq(id))
                .filter(webhooks::subscriber_id.eq(subscriber_id)),
        )
        .execute(conn)
        .await
    }

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
