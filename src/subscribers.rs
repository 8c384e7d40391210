//! The subscriber behind a subscriber token: it must exist and be enabled (docs/API.md "JWT").
//! Looked up with a short-lived in-process cache, so disabling a subscriber stops its tokens within
//! seconds.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use uuid::Uuid;

use crate::domain::ErrorCode;
use crate::{
    auth::{Principal, Role},
    db::{
        DbPool,
        models::subscriber::{Subscriber, new_credentials},
    },
    domain::{restriction::Sector, status::SubscriberScope},
    error::ApiError,
};

/// How long a looked-up subscriber is trusted without asking the database again.
pub const CACHE_TTL: Duration = Duration::from_secs(2);

#[derive(Default)]
pub struct SubscriberCache {
    entries: Mutex<HashMap<Uuid, (Option<Subscriber>, Instant)>>,
}

/// An enabled subscriber, as the checks, feed and webhooks see it.
#[derive(Debug, Clone)]
pub struct ActiveSubscriber {
    pub id: Uuid,
    pub name: String,
    pub sector: Sector,
    pub scope: SubscriberScope,
}

impl ActiveSubscriber {
    /// Whether only its watch-list's events and subjects reach it (scope `watchlist`).
    pub fn watches(&self) -> bool {
        self.scope == SubscriberScope::Watchlist
    }

    /// The subscriber whose watch-list filters a read: itself when it watches, else none.
    pub fn watcher(&self) -> Option<Uuid> {
        self.watches().then_some(self.id)
    }

    /// The codes of the restriction items the subscriber's sector sees (docs/LAW.md "Roles").
    pub fn item_codes(&self) -> Vec<String> {
        self.sector
            .items()
            .iter()
            .map(|i| i.code().to_string())
            .collect()
    }
}

impl SubscriberCache {
    pub fn forget(&self, id: Uuid) {
        if let Ok(mut m) = self.entries.lock() {
            m.remove(&id);
        }
    }

    fn cached(&self, id: Uuid) -> Option<Option<Subscriber>> {
        let m = self.entries.lock().ok()?;
        m.get(&id)
            .filter(|(_, at)| at.elapsed() < CACHE_TTL)
            .map(|(s, _)| s.clone())
    }

    fn store(&self, id: Uuid, s: Option<Subscriber>) {
        if let Ok(mut m) = self.entries.lock() {
            if m.len() > 10_000 {
                m.retain(|_, (_, at)| at.elapsed() < CACHE_TTL);
            }
            m.insert(id, (s, Instant::now()));
        }
    }

    /// 403 unless the principal is a subscriber; 401 unless it exists and is enabled.
    pub async fn require(
        &self,
        db: &DbPool,
        principal: &Principal,
    ) -> Result<ActiveSubscriber, ApiError> {
        if principal.role != Role::Subscriber {
            return Err(ApiError::forbidden(
                ErrorCode::Forbidden,
                format!(
                    "a {} may not do this; it is for subscribers",
                    principal.role.as_str()
                ),
            ));
        }
        let id = principal
            .subscriber_id
            .as_deref()
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| ApiError::unauthorized("the token names no subscriber"))?;
        let sub = match self.cached(id) {
            Some(s) => s,
            None => {
                let mut conn = db.get().await?;
                let s = Subscriber::find(&mut conn, id).await?;
                self.store(id, s.clone());
                s
            }
        };
        match sub {
            Some(s) if s.enabled => Ok(ActiveSubscriber {
                id: s.id,
                name: s.name,
                sector: Sector::parse(&s.sector).map_err(|e| ApiError::internal(e.into()))?,
                scope: SubscriberScope::parse(&s.scope)
                    .map_err(|e| ApiError::internal(e.into()))?,
            }),
            _ => Err(ApiError::unauthorized(
                "the subscriber is unknown or disabled",
            )),
        }
    }
}

/// A subscriber just created, with its client secret (shown once, never stored: only its hash is).
pub struct Created {
    pub subscriber: Subscriber,
    pub client_secret: String,
}

/// Creates a subscriber with new client credentials in one transaction with its audit row
/// (`subscriber.create`): what `POST /v1/subscribers` does once it has parsed the body, and what
/// `shixin serve --demo` does for its airline. 422 for an empty or over-long name, or for a notice
/// recipient with a watch-list scope.
pub async fn create(
    conn: &mut diesel_async::AsyncPgConnection,
    actor: crate::audit::Actor,
    name: &str,
    sector: Sector,
    scope: SubscriberScope,
) -> Result<Created, ApiError> {
    if scope == SubscriberScope::Watchlist && sector.is_notice_recipient() {
        return Err(ApiError::rule(
            ErrorCode::InvalidValue,
            Some("scope"),
            "a notice recipient reads the listings that name it; it has no watch-list",
        ));
    }
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::rule(
            ErrorCode::InvalidValue,
            Some("name"),
            "name must be 1 to 200 characters",
        ));
    }
    crate::write::in_transaction(conn, move |conn| {
        Box::pin(async move {
            let id = Uuid::now_v7();
            let (client_id, client_secret, hash) = new_credentials();
            Subscriber::insert(
                conn,
                id,
                &name,
                sector.code(),
                &client_id,
                &hash,
                scope.code(),
            )
            .await?;
            let subscriber = Subscriber::find(conn, id)
                .await?
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("subscriber vanished")))?;
            crate::audit::Change::new("subscriber.create", "subscriber", id)
                .after(&serde_json::to_value(&subscriber)?)
                .append(conn, &actor)
                .await?;
            Ok(Created {
                subscriber,
                client_secret,
            })
        })
    })
    .await
}
