#![forbid(unsafe_code)]
//! shixin: the national publication service for the list of dishonest judgment debtors
//! (失信被执行人名单) and the consumption restrictions that follow from it (限制消费令).

pub mod app;
pub mod audit;
pub mod auth;
pub mod bulk;
pub mod cache;
pub mod certificates;
pub mod checklog;
pub mod checks;
pub mod clock;
pub mod config;
pub mod corrections;
pub mod courts;
pub mod credit_repair;
pub mod db;
pub mod domain;
pub mod error;
pub mod events;
pub mod indicators;
pub mod lanes;
pub mod listings;
pub mod local;
pub mod memo;
pub mod metrics;
pub mod notices;
pub mod orders;
pub mod paging;
pub mod public;
pub mod router;
pub mod routes;
pub mod secret;
pub mod seed;
pub mod startup;
pub mod subscribers;
pub mod tasks;
pub mod telemetry;
pub mod tick;
pub mod watchlist;
pub mod web;
pub mod webhooks;
pub mod worker;
pub mod write;
