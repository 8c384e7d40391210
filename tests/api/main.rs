//! One integration binary: the real application against a fresh database per test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit_trail;
mod auth;
mod auth_keys;
mod checks;
mod courts;
mod errors;
mod events;
mod feed;
mod helpers;
mod idempotency;
mod listings_change;
mod listings_create;
mod openapi;
mod process;
mod public;
mod public_cache;
mod public_helpers;
mod rate_limit;
mod releases;
mod restrictions;
mod seed;
mod subscribers;
mod tick;
mod web;
