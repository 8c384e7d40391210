//! Diesel models; each owns its queries.

pub mod audit;
pub mod cache_invalidation;
pub mod certificate;
pub mod correction;
pub mod court;
pub mod credit_repair;
pub mod delivery;
pub mod event;
pub mod idempotency;
pub mod indicators;
pub mod indicators_remedies;
pub mod listing;
pub mod listing_write;
pub mod notice;
pub mod person;
pub mod public_listing;
pub mod restriction;
pub mod restriction_write;
pub mod subscriber;
pub mod watchlist;
pub mod webhook;
