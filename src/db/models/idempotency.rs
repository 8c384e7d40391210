//! `idempotency_keys`: a write's `Idempotency-Key` with the hash of its request, inserted first in
//! the write's transaction (a concurrent duplicate blocks on the row), then its stored response.

use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, insert_into, result::Error};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;

use crate::db::schema::idempotency_keys;

/// A key's record: the hash of its request, and the response stored with it (status 0 and nulls
/// while its write runs).
pub struct StoredResponse {
    pub request_hash: String,
    pub status: i32,
    pub headers: Value,
    pub body: Value,
}

/// Inserts `(sub, key)` with the request's hash and no response yet; `false` when the key exists
/// (after waiting for a concurrent transaction holding it to end).
pub async fn claim(
    conn: &mut AsyncPgConnection,
    sub: &str,
    key: &str,
    request_hash: &str,
) -> Result<bool, Error> {
    let inserted = insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::sub.eq(sub),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::response_status.eq(0),
            idempotency_keys::response_headers.eq(Value::Null),
            idempotency_keys::response_body.eq(Value::Null),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted > 0)
}

/// Stores the response of the write that claimed `(sub, key)`.
pub async fn store_response(
    conn: &mut AsyncPgConnection,
    sub: &str,
    key: &str,
    status: i32,
    headers: Value,
    body: &Value,
) -> Result<(), Error> {
    diesel::update(
        idempotency_keys::table
            .filter(idempotency_keys::sub.eq(sub))
            .filter(idempotency_keys::key.eq(key)),
    )
    .set((
        idempotency_keys::response_status.eq(status),
        idempotency_keys::response_headers.eq(headers),
        idempotency_keys::response_body.eq(body),
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// The record of `(sub, key)`, if any.
pub async fn find(
    conn: &mut AsyncPgConnection,
    sub: &str,
    key: &str,
) -> Result<Option<StoredResponse>, Error> {
    let row: Option<(String, i32, Value, Value)> = idempotency_keys::table
        .filter(idempotency_keys::sub.eq(sub))
        .filter(idempotency_keys::key.eq(key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::response_status,
            idempotency_keys::response_headers,
            idempotency_keys::response_body,
        ))
        .first(conn)
        .await
        .optional()?;
    Ok(
        row.map(|(request_hash, status, headers, body)| StoredResponse {
            request_hash,
            status,
            headers,
            body,
        }),
    )
}
