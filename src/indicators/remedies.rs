//! The listed party's remedies on the wall chart (L13, L16): per court, the correction and
//! credit-repair applications received and decided in the range, those open now and the median days to a first decision;
//! and every application past a due date (the review's 15 days, the reconsideration's 15 days),
//! named by id, under the court that owes the step.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::models::{
    indicators::CourtIds,
    indicators_remedies::{self as q, RemedyFlowRow},
};

/// Applications of one kind, in the range (`received`, `decided`) and now (`open`).
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct RemedyCounts {
    pub received: i64,
    /// First decisions (`decision.decided_on`) in the range.
    pub decided: i64,
    /// Under review or in reconsideration now.
    pub open: i64,
    /// Median days from receipt to the first decision, of those decided in the range.
    pub median_days_to_decide: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CourtRemedies {
    pub court_code: String,
    pub court_name: String,
    /// Correction applications (L13) of listings of this court.
    pub corrections: RemedyCounts,
    /// Credit-repair applications (L16); no deadline binds them, so none is overdue.
    pub credit_repairs: RemedyCounts,
}

/// Applications of one court past a due date: how many, and the first 20 application ids.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CourtOverdue {
    pub court_code: String,
    pub court_name: String,
    pub count: i64,
    pub ids: Vec<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Remedies {
    /// Every court of the scope together.
    pub totals: CourtTotals,
    /// Courts of the scope with applications, by code.
    pub by_court: Vec<CourtRemedies>,
    /// L13: applications still under review after `review_due_on`, under the enforcing court.
    pub review_overdue: Vec<CourtOverdue>,
    /// L13: reconsiderations still open after their `due_on`, under the court that received them.
    pub reconsideration_overdue: Vec<CourtOverdue>,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct CourtTotals {
    pub corrections: RemedyCounts,
    pub credit_repairs: RemedyCounts,
}

fn counts(r: &RemedyFlowRow) -> RemedyCounts {
    RemedyCounts {
        received: r.received,
        decided: r.decided,
        open: r.open,
        median_days_to_decide: r.median_days,
    }
}

fn overdue(rows: Vec<CourtIds>, names: &HashMap<&str, &str>) -> Vec<CourtOverdue> {
    rows.into_iter()
        .map(|r| CourtOverdue {
            court_name: names.get(r.court_code.as_str()).unwrap_or(&"").to_string(),
            court_code: r.court_code,
            count: r.n,
            ids: r.ids,
        })
        .collect()
}

/// The remedies of the courts `codes` (named in `names`), flows in `from..=to`, overdue at `today`.
pub async fn remedies(
    conn: &mut AsyncPgConnection,
    codes: &[String],
    names: &HashMap<&str, &str>,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<Remedies, diesel::result::Error> {
    let mut totals = CourtTotals::default();
    let mut by_court: std::collections::BTreeMap<String, CourtRemedies> = Default::default();
    let corrections = q::correction_flows(conn, codes, from, to).await?;
    let repairs = q::credit_repair_flows(conn, codes, from, to).await?;
    for (rows, repair) in [(corrections, false), (repairs, true)] {
        for r in rows {
            let counts = counts(&r);
            let Some(code) = r.court_code else {
                *if repair {
                    &mut totals.credit_repairs
                } else {
                    &mut totals.corrections
                } = counts;
                continue;
            };
            let court = by_court
                .entry(code.clone())
                .or_insert_with(|| CourtRemedies {
                    court_name: names.get(code.as_str()).unwrap_or(&"").to_string(),
                    court_code: code,
                    corrections: RemedyCounts::default(),
                    credit_repairs: RemedyCounts::default(),
                });
            *if repair {
                &mut court.credit_repairs
            } else {
                &mut court.corrections
            } = counts;
        }
    }
    let by_court: Vec<CourtRemedies> = by_court.into_values().collect();
    Ok(Remedies {
        totals,
        by_court,
        review_overdue: overdue(q::reviews_overdue(conn, codes, today).await?, names),
        reconsideration_overdue: overdue(
            q::reconsiderations_overdue(conn, codes, today).await?,
            names,
        ),
    })
}
