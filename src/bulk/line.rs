//! One listing line of an import: the API's own validation (`listings::validate`, L1–L4,
//! L9, L11, I1–I4) in [`Mode::Import`], plus what only an import states: the id, the status, the
//! publication time and the removal of a listing that has ended (L3, L5–L7).

use crate::domain::ErrorCode;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::report::BadLine;
use crate::{
    db::models::{listing::ListingValues, person::PersonRecord},
    domain::{correction::ServiceMethod, listing_rules::ListingStatus},
    listings::{
        validate::{Mode, validate},
        wire::ListingIn,
    },
};

/// What every line is checked against.
pub struct Context {
    /// "Today" in China Standard Time (terms, grace periods, decision dates).
    pub today: NaiveDate,
    /// The time of the import (publication time of active listings that state none).
    pub now: DateTime<Utc>,
    /// Every court of the database: code → (name, province).
    pub courts: HashMap<String, (String, String)>,
    /// Whether the import writes events (and so needs their data).
    pub events: bool,
}

/// A valid line, ready for the staging table.
pub struct Staged {
    pub line: u64,
    pub id: Uuid,
    pub values: ListingValues,
    pub status: ListingStatus,
    /// The version the file states (kept, so that a round trip gives the same listing), or 1.
    pub version: i32,
    pub published_at: Option<DateTime<Utc>>,
    pub removal: Option<Value>,
    pub created_at: DateTime<Utc>,
    /// The order an active listing carries (R1).
    pub restriction_id: Option<Uuid>,
    pub persons: Vec<PersonRecord>,
    /// `listing.published` and `restriction.imposed` (id and data) of an active listing.
    pub events: Option<super::publish::LineEvents>,
    /// L14: when and how the decision was served, when the line states it.
    pub service: Option<(NaiveDate, ServiceMethod)>,
}

/// The fields an export writes beyond the create body (docs/BULK.md); the derived ones
/// (`court_name`, `expires_on`, `restriction_id`, `updated_at`) are not read.
#[derive(Deserialize)]
struct Extras {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    published_at: Option<String>,
    #[serde(default)]
    removal: Option<Value>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    version: Option<i64>,
    #[serde(default)]
    served_on: Option<String>,
    #[serde(default)]
    service_method: Option<String>,
}

fn timestamp(
    bad: &mut Vec<BadLine>,
    line: u64,
    field: &str,
    s: Option<&str>,
) -> Option<DateTime<Utc>> {
    let s = s?;
    match DateTime::parse_from_rfc3339(s.trim()) {
        Ok(t) => Some(t.with_timezone(&Utc)),
        Err(_) => {
            bad.push(BadLine::new(
                line,
                Some(field),
                ErrorCode::InvalidDate,
                "a time is RFC 3339 (2026-05-01T02:00:00Z)",
            ));
            None
        }
    }
}

/// Validates one record; every problem of the line is reported.
pub fn stage(ctx: &Context, line: u64, v: &Value) -> Result<Staged, Vec<BadLine>> {
    let mut bad = Vec::new();
    let input: ListingIn = BadLine::parse(line, v)?;
    let extras: Extras = BadLine::parse(line, v)?;
    let status = match extras.status.as_deref() {
        Some(s) => ListingStatus::parse(s)
            .map_err(|e| vec![BadLine::new(line, Some("status"), e.code, e.message)])?,
        None if input.grace_until.is_some() => ListingStatus::Pending,
        None => ListingStatus::Active,
    };
    let id = match extras.id.as_deref().map(|s| Uuid::parse_str(s.trim())) {
        None => Uuid::now_v7(),
        Some(Ok(id)) => id,
        Some(Err(_)) => {
            bad.push(BadLine::new(
                line,
                Some("id"),
                ErrorCode::InvalidValue,
                "a listing id is a UUID",
            ));
            Uuid::nil()
        }
    };
    if status == ListingStatus::Pending && input.grace_until.is_none() {
        bad.push(BadLine::new(
            line,
            Some("grace_until"),
            ErrorCode::InvalidGracePeriod,
            "a pending listing has a grace period (L11)",
        ));
    }
    let published = timestamp(
        &mut bad,
        line,
        "published_at",
        extras.published_at.as_deref(),
    );
    let published_at = match status {
        ListingStatus::Pending if published.is_some() => {
            bad.push(BadLine::new(
                line,
                Some("published_at"),
                ErrorCode::InvalidValue,
                "a pending listing is not published yet (L11)",
            ));
            None
        }
        ListingStatus::Active => Some(published.unwrap_or(ctx.now)),
        _ => published,
    };
    let version = match extras.version.map(i32::try_from) {
        None => 1,
        Some(Ok(v)) if v >= 1 => v,
        Some(_) => {
            bad.push(BadLine::new(
                line,
                Some("version"),
                ErrorCode::InvalidValue,
                "a version is a whole number from 1",
            ));
            1
        }
    };
    let created_at =
        timestamp(&mut bad, line, "created_at", extras.created_at.as_deref()).unwrap_or(ctx.now);
    let valid = validate(&input, ctx.today, Mode::Import { status });
    let valid = match valid {
        Ok(valid) => Some(valid),
        Err(e) => {
            bad.extend(BadLine::from_api_error(line, e));
            None
        }
    };
    let court = input.court_code.trim();
    if valid.is_some() && !ctx.courts.contains_key(court) {
        bad.push(BadLine::new(
            line,
            Some("court_code"),
            ErrorCode::UnknownCourt,
            format!("no court {court} is registered"),
        ));
    }
    let expires_on = valid.as_ref().and_then(|v| v.values.expires_on);
    let removal = super::removal::removal(
        &mut bad,
        line,
        status,
        extras.removal.as_ref(),
        expires_on.is_some(),
    );
    let service = super::service::service(
        &mut bad,
        line,
        extras.served_on.as_deref(),
        extras.service_method.as_deref(),
        valid.as_ref().map(|v| &v.values),
        ctx.today,
    );
    let Some(valid) = valid.filter(|_| bad.is_empty()) else {
        return Err(bad);
    };
    let restriction_id = (status == ListingStatus::Active).then(Uuid::now_v7);
    let mut staged = Staged {
        line,
        id,
        values: valid.values,
        status,
        version,
        published_at,
        removal,
        created_at,
        restriction_id,
        persons: valid.persons,
        events: None,
        service,
    };
    if ctx.events && status == ListingStatus::Active {
        let events = super::publish::events(ctx, &staged).map_err(|e| {
            vec![BadLine::new(
                line,
                Some("associated_persons"),
                e.code,
                e.message,
            )]
        })?;
        staged.events = Some(events);
    }
    Ok(staged)
}
