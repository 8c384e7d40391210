//! Authentication (JWT) and the principals of docs/LAW.md "Roles" as actix extractors.

pub mod jwt;
pub mod principal;
pub mod scope;

pub use principal::{Principal, Role};
