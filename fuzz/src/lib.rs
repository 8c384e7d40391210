//! The domain layer of shixin (`../src/domain`), compiled alone for the fuzz targets: it is pure
//! (no I/O, no actix, no diesel), so it needs nothing else of the service.
#![forbid(unsafe_code)]

#[path = "../../src/domain/mod.rs"]
pub mod domain;
