//! Webhooks (docs/API.md "Change feed, snapshot, webhooks"): Standard Webhooks signatures and the
//! guard against requests to private addresses. Delivery itself lives in `crate::worker`.

pub mod guard;
pub mod signing;

/// Event types a webhook may ask for (`event_types`); `webhook.test` is always sent on request.
pub const EVENT_TYPES: &[&str] = &[
    "restriction.imposed",
    "restriction.updated",
    "restriction.lifted",
    "release.granted",
    "release.revoked",
    "listing.published",
    "listing.updated",
    "listing.removed",
];
