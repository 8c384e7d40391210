//! Bodies of the watch-list routes (docs/API.md "Checks", bullet "Watch-lists").

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::checks::wire::{MatchOut, SubjectIn};

#[derive(Debug, Deserialize, ToSchema)]
pub struct WatchIn {
    /// 1 to 10,000 subjects, in the forms of a check: `id_number`, `credit_code`, or a `document`
    /// a court has bound to a person.
    pub subjects: Vec<SubjectIn>,
}

/// A subject of the call that is restricted now.
#[derive(Debug, Serialize, ToSchema)]
pub struct Restricted {
    /// Its index in `subjects`.
    pub index: usize,
    /// The restricted items of the subscriber's sector.
    pub items: Vec<String>,
    pub matches: Vec<MatchOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WatchAdded {
    /// Subjects now on the list that were not.
    pub added: usize,
    /// Subjects that were on it already (or named twice in the call).
    pub already: usize,
    /// Those restricted now for an item of the subscriber's sector: their state at the time of the
    /// answer; every later change arrives by the feed and the webhooks.
    pub restricted: Vec<Restricted>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WatchRemoved {
    /// Subjects taken off the list.
    pub removed: usize,
    /// Subjects that were not on it.
    pub absent: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WatchCount {
    /// How many subjects the subscriber watches.
    pub count: i64,
}
