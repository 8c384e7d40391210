//! `shixin seed --listings N`: realistic synthetic listings for trying the service and benchmarking.
//!
//! Common surnames and given names (so that many people share a name, as in real data), persons
//! with valid ID numbers (I1) whose region codes match their court's district, organisations with
//! valid credit codes (I2) and legal representatives, real court codes (the intermediate and basic
//! courts used are created when missing) with case numbers of the court (I3), a realistic mix of
//! grounds (L1), terms (L2) and statuses (active, pending, removed, expired, revoked). Removals carry
//! plausible event dates (`removal.event_on`, some more than 3 working days before the removal, some
//! missing, L5/L6) and one active listing in ten had a grace period (L11), a few published late, so
//! that `GET /v1/indicators` has something to show.
//!
//! **Seeding is a bulk load that bypasses the write path**: it writes `listings` rows, then derives in
//! SQL what publishing them implies (R1): a restriction order with every item for each active listing,
//! its subjects (debtor, legal representative, associated persons, R3), their `persons` rows, and a
//! passport for one person debtor in five (so checks by document find someone). It writes no audit
//! rows, events or idempotency keys (the audit chain stays valid because it simply does not mention
//! them). It is meant for development and benchmarks, never
//! for a production database. Rows go in with multi-row `INSERT … SELECT FROM unnest(…)` batches of
//! 5,000. At the end the Redis cache epoch is replaced, so running instances serve nothing stale.

mod courts;
pub mod demo;
mod load;
mod names;
mod rows;

use std::collections::HashMap;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use rand::{SeedableRng, rngs::StdRng};

use crate::{
    db::bulk::{
        courts::{NewCourt, insert_missing},
        seed::{self as sql, Table},
    },
    domain::today_cst,
};
use courts::{COURTS, basic_courts};
use load::derive_orders;
use rows::{Columns, Gen};

const BATCH: usize = 5_000;

/// Inserts `n` synthetic listings into the database at `url` (see the module comment).
pub async fn seed(url: &str, n: u64, seed: u64, quiet: bool) -> anyhow::Result<()> {
    // The driver's error is dropped: the load's own calls report a lost connection.
    let (client, driver) = crate::db::connect::open(url, |_| {})
        .await
        .context("connecting to PostgreSQL")?;
    for (code, name, province, parent, _) in COURTS {
        let level = if code.chars().count() == 3 {
            "intermediate"
        } else {
            "basic"
        };
        let court = NewCourt {
            code,
            name,
            province,
            level,
            parent_code: Some(*parent),
        };
        insert_missing(&client, &court)
            .await
            .context("creating courts")?;
    }
    let insert = sql::prepare_insert(&client)
        .await
        .context("preparing the insert")?;
    let existing = sql::count_listings(&client).await?;
    let mut g = Gen {
        rng: StdRng::seed_from_u64(seed ^ existing.unsigned_abs()),
        courts: basic_courts(),
        case_seq: HashMap::new(),
        case_base: u32::try_from(existing).unwrap_or(0),
        folded: HashMap::new(),
        today: today_cst(),
    };
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(n)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} listings ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut left = n;
    while left > 0 {
        let size = usize::try_from(left.min(BATCH as u64)).unwrap_or(BATCH);
        let mut cols = Columns::new();
        for _ in 0..size {
            cols.push(g.row());
        }
        sql::insert(&client, &insert, &cols.c)
            .await
            .context("inserting a batch")?;
        bar.inc(cols.len() as u64);
        left -= cols.len() as u64;
    }
    bar.finish();
    derive_orders(&client)
        .await
        .context("deriving restriction orders")?;
    sql::analyze(&client, &[Table::Listings]).await?;
    drop(client);
    driver.abort();
    Ok(())
}
