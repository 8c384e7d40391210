//! Authentication (JWT) and the principals of DOMAIN.md §5 as actix extractors.

pub mod jwt;
pub mod principal;
pub mod scope;

pub use principal::{Principal, Role};
