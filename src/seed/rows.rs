//! The rows: one synthetic listing at a time (court, case number, grounds, terms, status, debtor,
//! removal), gathered column by column into batches for `unnest`.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use rand::{Rng, rngs::StdRng};
use serde_json::json;

use super::{
    BATCH,
    courts::Court,
    names::{ORG_TRADES, ORG_WORDS, credit_code, id_number, person_name},
};
use crate::domain::{
    listing_rules::{ListingStatus, RemovalReason},
    name::fold_name,
};

fn date_between(rng: &mut StdRng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0);
    from + Duration::days(rng.random_range(0..=span))
}

/// One batch of rows, column by column (for `unnest`).
#[derive(Default)]
pub(super) struct Columns {
    pub(super) c: Vec<Vec<Option<String>>>,
}

impl Columns {
    pub(super) fn new() -> Self {
        Columns {
            c: (0..25).map(|_| Vec::with_capacity(BATCH)).collect(),
        }
    }
    pub(super) fn push(&mut self, row: [Option<String>; 25]) {
        for (col, v) in self.c.iter_mut().zip(row) {
            col.push(v);
        }
    }
    pub(super) fn len(&self) -> usize {
        self.c.first().map(Vec::len).unwrap_or(0)
    }
}

pub(super) struct Gen {
    pub(super) rng: StdRng,
    pub(super) courts: Vec<Court>,
    pub(super) case_seq: HashMap<(usize, i32), u32>,
    /// Case sequence numbers start after this (the listings already there), so seeds add up.
    pub(super) case_base: u32,
    pub(super) folded: HashMap<String, String>,
    pub(super) today: NaiveDate,
}

impl Gen {
    fn fold(&mut self, name: &str) -> String {
        if let Some(f) = self.folded.get(name) {
            return f.clone();
        }
        let f = fold_name(name);
        self.folded.insert(name.to_string(), f.clone());
        f
    }

    pub(super) fn row(&mut self) -> [Option<String>; 25] {
        let today = self.today;
        let rng = &mut self.rng;
        let ci = rng.random_range(0..self.courts.len());
        let (code, court_name, region) = {
            let c = &self.courts[ci];
            (c.code, c.name, c.region)
        };
        // grounds (L1) and the status mix
        let grounds: Vec<&str> = match rng.random_range(0..100) {
            0..=44 => vec!["able_but_refuses"],
            45..=74 => vec!["violates_asset_reporting"],
            75..=82 => vec!["evades_enforcement"],
            83..=87 => vec!["obstructs_enforcement"],
            88..=92 => vec!["violates_consumption_restriction"],
            93..=96 => vec!["refuses_settlement"],
            _ => vec!["able_but_refuses", "violates_asset_reporting"],
        };
        let fixed_term = grounds != ["able_but_refuses"];
        let aggravated = grounds.contains(&"obstructs_enforcement") || grounds.len() > 1;
        let extension = if aggravated && rng.random_range(0..3) == 0 {
            rng.random_range(1..=3)
        } else {
            0
        };
        let roll = rng.random_range(0..100);
        let status = match roll {
            0..=69 => ListingStatus::Active,
            70..=84 => ListingStatus::Removed,
            85..=91 if fixed_term => ListingStatus::Expired,
            85..=91 => ListingStatus::Removed,
            92..=93 => ListingStatus::Revoked,
            _ => ListingStatus::Pending,
        };
        let term = |d: NaiveDate| {
            d.checked_add_months(chrono::Months::new(24 + 12 * extension))
                .unwrap_or(d)
        };
        let start = NaiveDate::from_ymd_opt(2017, 1, 1).unwrap_or(today);
        let decided = match status {
            ListingStatus::Pending => today - Duration::days(rng.random_range(0..20)),
            ListingStatus::Expired => date_between(
                rng,
                start,
                today - Duration::days(365 * (2 + extension as i64) + 5),
            ),
            ListingStatus::Active if fixed_term => {
                date_between(rng, today - Duration::days(700), today - Duration::days(1))
            }
            _ => date_between(rng, start, today - Duration::days(30)),
        };
        let filed = (decided - Duration::days(rng.random_range(30..400)))
            .max(NaiveDate::from_ymd_opt(2016, 1, 4).unwrap_or(decided));
        let year = filed.year();
        let seq = self.case_seq.entry((ci, year)).or_insert(self.case_base);
        *seq += 1;
        let case_type = if rng.random_range(0..8) == 0 {
            "执恢"
        } else {
            "执"
        };
        let case_number = format!("（{year}）{code}{case_type}{seq}号");
        let basis_number = format!("（{}）{code}民初{}号", year - 1, rng.random_range(1..20000));
        let amount = rng.random_range(5..5000) * 1000;
        let obligation = match rng.random_range(0..4) {
            0 => format!("支付货款人民币{amount}元及利息"),
            1 => format!("偿还借款本金人民币{amount}元及逾期利息"),
            2 => format!("支付工程款人民币{amount}元"),
            _ => format!("支付租金人民币{amount}元及违约金"),
        };
        let is_org = rng.random_range(0..100) < 15;
        let (kind, name, key, idn, cc, debtor) = if is_org {
            let name = format!(
                "{}{}{}有限公司",
                &court_name.chars().take(2).collect::<String>(),
                ORG_WORDS[rng.random_range(0..ORG_WORDS.len())],
                ORG_TRADES[rng.random_range(0..ORG_TRADES.len())]
            );
            let code_ = credit_code(rng, region);
            let rep = person_name(rng);
            let rep_id = id_number(rng, region, decided);
            let key = code_.get(8..17).unwrap_or("").to_string();
            let debtor = json!({"kind": "organization", "name": name, "credit_code": code_,
                "legal_representative": {"name": rep, "id_number": rep_id}});
            ("organization", name, key, None, Some(code_), debtor)
        } else {
            let name = person_name(rng);
            let id = id_number(rng, region, decided);
            let debtor = json!({"kind": "person", "name": name, "id_number": id, "documents": []});
            ("person", name, id.clone(), Some(id), None, debtor)
        };
        let mut published =
            (status != ListingStatus::Pending).then(|| format!("{decided}T02:00:00Z"));
        let mut grace = (status == ListingStatus::Pending).then(|| {
            decided
                .checked_add_months(chrono::Months::new(rng.random_range(1..=3)))
                .unwrap_or(decided)
        });
        // One active listing in ten had a grace period (L11): published on its last day, a few late.
        if status == ListingStatus::Active && rng.random_range(0..10) == 0 {
            let g = decided
                .checked_add_months(chrono::Months::new(rng.random_range(1..=3)))
                .unwrap_or(decided);
            if g <= today {
                let late = if rng.random_range(0..20) == 0 {
                    rng.random_range(1..10)
                } else {
                    0
                };
                grace = Some(g);
                published = Some(format!(
                    "{}T01:00:00Z",
                    (g + Duration::days(late)).min(today)
                ));
            }
        }
        let expires = fixed_term.then(|| term(decided));
        let removal = removal(rng, status, fixed_term, decided, expires, today);
        let initiated = if rng.random_range(0..5) == 0 {
            "creditor_application"
        } else {
            "court"
        };
        let performance = if rng.random_range(0..4) == 0 {
            "partial"
        } else {
            "none"
        };
        let folded = self.fold(&name);
        [
            Some(uuid::Uuid::new_v4().to_string()),
            Some(code.to_string()),
            Some(case_number),
            Some(kind.to_string()),
            Some(key),
            Some(name),
            Some(folded),
            idn,
            cc,
            Some(debtor.to_string()),
            Some(filed.to_string()),
            Some(basis_number),
            Some(court_name.to_string()),
            Some(obligation),
            Some(performance.to_string()),
            Some(format!("{{{}}}", grounds.join(","))),
            Some(extension.to_string()),
            Some(decided.to_string()),
            grace.map(|d| d.to_string()),
            Some(initiated.to_string()),
            Some(status.code().to_string()),
            published,
            expires.map(|d| d.to_string()),
            removal.map(|r| r.to_string()),
            // R1: the order an active listing carries (rows written by `derive_orders`).
            (status == ListingStatus::Active).then(|| uuid::Uuid::new_v4().to_string()),
        ]
    }
}

/// The `removal` of an ended listing, with a plausible event date: for the L5 reasons the event comes
/// 0 to 2 days before the removal, one in ten 5 to 20 days (late), one in ten has none (unknown); an
/// expiry's event is the end of the term (L6), and one in thirty is removed days late.
fn removal(
    rng: &mut StdRng,
    status: ListingStatus,
    fixed_term: bool,
    decided: NaiveDate,
    expires: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<serde_json::Value> {
    match status {
        ListingStatus::Removed => {
            let reason = if fixed_term {
                RemovalReason::EarlyDeletion
            } else {
                [
                    RemovalReason::Performed,
                    RemovalReason::SettlementPerformed,
                    RemovalReason::CreditorRequest,
                    RemovalReason::NoAssetsAfterTermination,
                    RemovalReason::EarlyDeletion,
                ][rng.random_range(0..5)]
            };
            let at = date_between(rng, decided + Duration::days(1), today);
            let lag = match rng.random_range(0..10) {
                0 => Some(rng.random_range(5..=20)),
                1 => None,
                _ => Some(rng.random_range(0..=2)),
            };
            let event_on = lag
                .filter(|_| reason != RemovalReason::EarlyDeletion)
                .map(|l| (at - Duration::days(l)).max(decided));
            Some(
                json!({"reason": reason, "note": "", "removed_at": format!("{at}T03:00:00Z"),
                "event_on": event_on}),
            )
        }
        ListingStatus::Revoked => Some(json!({"reason": RemovalReason::WrongfulListing, "note": "",
            "removed_at": format!("{}T03:00:00Z", decided + Duration::days(10)), "event_on": null})),
        ListingStatus::Expired => expires.map(|e| {
            let late = if rng.random_range(0..30) == 0 {
                rng.random_range(5..15)
            } else {
                0
            };
            let at = (e + Duration::days(late)).min(today);
            json!({"reason": RemovalReason::TermExpired, "note": "", "removed_at": format!("{at}T00:00:00Z"),
                "event_on": e})
        }),
        ListingStatus::Pending | ListingStatus::Active => None,
    }
}
