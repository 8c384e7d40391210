//! The decision for one subject (docs/API.md "Checks", docs/LAW.md R2–R4): denied when an active
//! order binds it (as debtor or R3 role) with an item of the subscriber's sector that the journey
//! touches, and no release valid now covers that item. Only the sector's items are ever revealed.

use super::wire::{MatchOut, ReleaseMatch, ResultOut};
use crate::{
    db::checks::{OrderHit, ReleaseHit},
    domain::{name::fold_name, restriction::RestrictionItem, status::Decision},
};

/// What the journey asks about: every item the sector sees, or the one item it touches (or none).
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    Sector,
    Journey(Option<RestrictionItem>),
}

pub struct Subject<'a> {
    pub index: usize,
    pub name: Option<&'a str>,
}

pub fn decide(
    subject: &Subject<'_>,
    sector_items: &[RestrictionItem],
    scope: Scope,
    orders: &[&OrderHit],
    releases: &[&ReleaseHit],
) -> ResultOut {
    let visible = |items: &[String]| -> Vec<String> {
        items
            .iter()
            .filter(|i| RestrictionItem::parse(i).is_ok_and(|it| sector_items.contains(&it)))
            .cloned()
            .collect()
    };
    let mut denied: Vec<String> = Vec::new();
    let mut matches = Vec::new();
    let mut release_out = Vec::new();
    for o in orders {
        let seen = visible(&o.items);
        if seen.is_empty() {
            continue;
        }
        matches.push(MatchOut {
            restriction_id: o.restriction_id,
            listing_id: o.listing_id,
            role: o.role.clone(),
            court_name: o.court_name.clone(),
            case_number: o.case_number.clone(),
            since: o.issued_on,
        });
        let own: Vec<&&ReleaseHit> = releases
            .iter()
            .filter(|r| r.restriction_id == o.restriction_id && r.subject_key == o.subject_key)
            .collect();
        for r in &own {
            let items = visible(&r.items);
            if !items.is_empty() && !release_out.iter().any(|x: &ReleaseMatch| x.id == r.id) {
                release_out.push(ReleaseMatch {
                    id: r.id,
                    restriction_id: r.restriction_id,
                    items,
                    valid_from: r.valid_from,
                    valid_until: r.valid_until,
                    reason: r.reason.clone(),
                });
            }
        }
        let relevant: Vec<String> = match scope {
            Scope::Sector => seen,
            Scope::Journey(Some(item)) => seen.into_iter().filter(|i| i == item.code()).collect(),
            Scope::Journey(None) => Vec::new(),
        };
        for item in relevant {
            let released = own.iter().any(|r| r.items.contains(&item));
            if !released && !denied.contains(&item) {
                denied.push(item);
            }
        }
    }
    let name_mismatch = match subject.name {
        Some(given) if !matches.is_empty() => {
            let folded = fold_name(given);
            !orders.iter().any(|o| fold_name(&o.name) == folded)
        }
        _ => false,
    };
    denied.sort();
    ResultOut {
        index: subject.index,
        decision: if denied.is_empty() {
            Decision::Allow
        } else {
            Decision::Deny
        },
        items: denied,
        matches,
        name_mismatch,
        releases: release_out,
    }
}
