//! Duplicates inside an import file (the API's `listing_exists`): the same id, a second open
//! listing of a debtor in a case, or the same debtor, case and decision date as an earlier line.

use crate::domain::ErrorCode;
use std::collections::{HashMap, hash_map::Entry};
use std::hash::{BuildHasher, RandomState};

use super::{line::Staged, report::BadLine};

/// Duplicates inside the file, by 128-bit keyed hashes of the identities (no value is kept).
#[derive(Default)]
pub struct Seen {
    hasher: (RandomState, RandomState),
    ids: HashMap<u128, u64>,
    open: HashMap<u128, u64>,
    decided: HashMap<u128, u64>,
}

impl Seen {
    fn key(&self, parts: &[&str]) -> u128 {
        let a = self.hasher.0.hash_one(parts);
        let b = self.hasher.1.hash_one(parts);
        (u128::from(a) << 64) | u128::from(b)
    }

    /// The bad lines of `s` as a duplicate of an earlier line (the API's `listing_exists`).
    pub fn check(&mut self, s: &Staged) -> Vec<BadLine> {
        let v = &s.values;
        let (id, decided) = (s.id.to_string(), v.decided_on.to_string());
        let by_id = self.key(&[&id]);
        let by_open = s
            .status
            .is_open()
            .then(|| self.key(&[&v.debtor_key, &v.case_number]));
        let by_decision = self.key(&[&v.debtor_key, &v.case_number, &decided]);
        let mut bad = Vec::new();
        let mut dup = |map: &mut HashMap<u128, u64>, key: u128, field: &str, what: &str| match map
            .entry(key)
        {
            Entry::Occupied(first) => {
                bad.push(BadLine::new(
                    s.line,
                    Some(field),
                    ErrorCode::ListingExists,
                    format!("{what} as line {}", first.get()),
                ));
                true
            }
            Entry::Vacant(e) => {
                e.insert(s.line);
                false
            }
        };
        dup(&mut self.ids, by_id, "id", "the same id");
        let open_twice = by_open.is_some_and(|k| {
            dup(
                &mut self.open,
                k,
                "case_number",
                "an open listing of the same debtor in the same case",
            )
        });
        if !open_twice {
            dup(
                &mut self.decided,
                by_decision,
                "decided_on",
                "the same debtor, case and decision date",
            );
        }
        bad
    }
}
