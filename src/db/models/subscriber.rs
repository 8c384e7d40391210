//! Subscribers (carriers, banks …) and their OAuth client credentials.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use diesel::{
    ExpressionMethods, OptionalExtension, QueryDsl, Queryable, Selectable, SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::subscribers;

#[derive(Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = subscribers)]
pub struct Subscriber {
    pub id: Uuid,
    pub name: String,
    /// The sector (docs/LAW.md "Roles"): which restriction items the subscriber sees.
    pub sector: String,
    pub client_id: String,
    #[serde(skip)]
    pub secret_hash: String,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// `all` (everything of its sector) or `watchlist` (only what its watch-list names).
    pub scope: String,
}

impl std::fmt::Debug for Subscriber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Subscriber({}, {}, enabled={})",
            self.id, self.sector, self.enabled
        )
    }
}

fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new client id and a new secret with its hash.
pub fn new_credentials() -> (String, String, String) {
    let secret = format!("sxs_{}", random_token(32));
    let hash = hash_secret(&secret);
    (format!("sx_{}", random_token(12)), secret, hash)
}

/// Constant-time comparison of a presented secret with the stored hash.
pub fn secret_matches(secret: &str, hash: &str) -> bool {
    let a = hash_secret(secret);
    a.len() == hash.len()
        && a.bytes()
            .zip(hash.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl Subscriber {
    pub async fn find(
        conn: &mut AsyncPgConnection,
        id: Uuid,
    ) -> Result<Option<Subscriber>, diesel::result::Error> {
        subscribers::table
            .filter(subscribers::id.eq(id))
            .select(Subscriber::as_select())
            .first(conn)
            .await
            .optional()
    }

    pub async fn by_client_id(
        conn: &mut AsyncPgConnection,
        client_id: &str,
    ) -> Result<Option<Subscriber>, diesel::result::Error> {
        subscribers::table
            .filter(subscribers::client_id.eq(client_id))
            .select(Subscriber::as_select())
            .first(conn)
            .await
            .optional()
    }

    pub async fn page(
        conn: &mut AsyncPgConnection,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Subscriber>, diesel::result::Error> {
        let mut q = subscribers::table
            .select(Subscriber::as_select())
            .into_boxed();
        if let Some(a) = after {
            q = q.filter(subscribers::id.gt(a));
        }
        q.order(subscribers::id.asc()).limit(limit).load(conn).await
    }
}

impl Subscriber {
    /// Registers a subscriber with the hash of its client secret.
    pub async fn insert(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        name: &str,
        sector: &str,
        client_id: &str,
        secret_hash: &str,
        scope: &str,
    ) -> Result<(), diesel::result::Error> {
        diesel::insert_into(subscribers::table)
            .values((
                subscribers::id.eq(id),
                subscribers::name.eq(name),
                subscribers::sector.eq(sector),
                subscribers::scope.eq(scope),
                subscribers::client_id.eq(client_id),
                subscribers::secret_hash.eq(secret_hash),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }

    /// Enables or disables a subscriber.
    pub async fn set_enabled(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        enabled: bool,
    ) -> Result<(), diesel::result::Error> {
        diesel::update(subscribers::table.filter(subscribers::id.eq(id)))
            .set((
                subscribers::enabled.eq(enabled),
                subscribers::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }

    /// Replaces the hash of the client secret (the old secret stops working at once).
    pub async fn set_secret_hash(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        secret_hash: &str,
    ) -> Result<(), diesel::result::Error> {
        diesel::update(subscribers::table.filter(subscribers::id.eq(id)))
            .set((
                subscribers::secret_hash.eq(secret_hash),
                subscribers::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_verified_against_their_hash() {
        let (id1, s1, h1) = new_credentials();
        let (id2, s2, _) = new_credentials();
        assert_ne!(id1, id2);
        assert_ne!(s1, s2);
        assert!(secret_matches(&s1, &h1));
        assert!(!secret_matches(&s2, &h1));
        assert!(!h1.contains(&s1));
    }
}
