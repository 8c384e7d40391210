//! Assembles the indicators from the queries of `db::models::indicators` (one snapshot).

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use diesel_async::AsyncPgConnection;

use super::wire::{
    CourtDeadline, CourtIndicators, Deadlines, IndicatorsOut, ListingCounts, OrderCounts,
    PeriodIndicators, ProvinceIndicators, Scope, Totals,
};
use crate::{
    db::models::{
        court::CourtRef,
        indicators::{self as q, Counted, CourtIds, StatusCount},
        notice,
    },
    domain::{
        calendar,
        listing_rules::{ListingStatus, RemovalReason},
        notices::NoticeStatus as S,
        period::{Period, bucket_of},
        status::RestrictionStatus,
    },
    error::ApiError,
};

/// How many listing ids a deadline entry names.
pub const IDS_PER_COURT: usize = 20;

fn add_listing(c: &mut ListingCounts, status: ListingStatus, n: i64) {
    match status {
        ListingStatus::Pending => c.pending += n,
        ListingStatus::Active => c.active += n,
        ListingStatus::Removed => c.removed += n,
        ListingStatus::Expired => c.expired += n,
        ListingStatus::Revoked => c.revoked += n,
    }
}

fn add_order(c: &mut OrderCounts, status: RestrictionStatus, n: i64) {
    match status {
        RestrictionStatus::Active => c.active += n,
        RestrictionStatus::Lifted => c.lifted += n,
    }
}

fn add_counts(l: &mut ListingCounts, o: &mut OrderCounts, from: &CourtIndicators) {
    let f = &from.listings;
    l.pending += f.pending;
    l.active += f.active;
    l.removed += f.removed;
    l.expired += f.expired;
    l.revoked += f.revoked;
    o.active += from.orders.active;
    o.lifted += from.orders.lifted;
}

fn by_court(courts: &[CourtRef], counts: &[StatusCount]) -> Vec<CourtIndicators> {
    let mut map: BTreeMap<&str, (ListingCounts, OrderCounts)> = BTreeMap::new();
    for c in counts {
        let e = map.entry(c.court_code.as_str()).or_default();
        match c.counted {
            Counted::Listing(s) => add_listing(&mut e.0, s, c.n),
            Counted::Restriction(s) => add_order(&mut e.1, s, c.n),
        }
    }
    courts
        .iter()
        .filter_map(|c| {
            map.remove(c.code.as_str())
                .map(|(listings, orders)| CourtIndicators {
                    court_code: c.code.clone(),
                    court_name: c.name.clone(),
                    province: c.province.clone(),
                    listings,
                    orders,
                })
        })
        .collect()
}

fn by_province(courts: &[CourtIndicators]) -> Vec<ProvinceIndicators> {
    let mut map: BTreeMap<&str, ProvinceIndicators> = BTreeMap::new();
    for c in courts {
        let p = map
            .entry(c.province.as_str())
            .or_insert_with(|| ProvinceIndicators {
                province: c.province.clone(),
                courts: 0,
                listings: ListingCounts::default(),
                orders: OrderCounts::default(),
            });
        p.courts += 1;
        add_counts(&mut p.listings, &mut p.orders, c);
    }
    map.into_values().collect()
}

fn deadline_entries(rows: Vec<CourtIds>, names: &HashMap<&str, &str>) -> Vec<CourtDeadline> {
    rows.into_iter()
        .map(|r| CourtDeadline {
            court_name: names.get(r.court_code.as_str()).unwrap_or(&"").to_string(),
            court_code: r.court_code,
            count: r.n,
            listing_ids: r.ids,
        })
        .collect()
}

/// The start of a CST date, as a UTC instant.
fn cst_start(d: NaiveDate) -> chrono::DateTime<Utc> {
    Shanghai
        .from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN)))
}

pub async fn indicators(
    conn: &mut AsyncPgConnection,
    scope: Scope,
    courts: Vec<CourtRef>,
    from: NaiveDate,
    to: NaiveDate,
    period: Period,
    today: NaiveDate,
) -> Result<IndicatorsOut, ApiError> {
    let codes: Vec<String> = courts.iter().map(|c| c.code.clone()).collect();
    let names: HashMap<&str, &str> = courts
        .iter()
        .map(|c| (c.code.as_str(), c.name.as_str()))
        .collect();

    let counts = q::status_counts(conn, &codes).await?;
    let by_court = by_court(&courts, &counts);
    let mut totals = Totals {
        listings: ListingCounts::default(),
        orders: OrderCounts::default(),
    };
    for c in &by_court {
        add_counts(&mut totals.listings, &mut totals.orders, c);
    }

    // Flows per period.
    let buckets = period.buckets(from, to);
    let mut periods: Vec<PeriodIndicators> = buckets
        .iter()
        .map(|(start, end)| PeriodIndicators {
            start: *start,
            end: *end,
            new_listings: 0,
            removals: RemovalReason::ALL
                .iter()
                .map(|r| (r.code().to_string(), 0))
                .collect(),
            credit_repairs: 0,
        })
        .collect();
    for d in q::new_per_day(conn, &codes, from, to).await? {
        if let Some(p) = bucket_of(&buckets, d.day).and_then(|i| periods.get_mut(i)) {
            p.new_listings += d.n;
        }
    }
    let mut unknown_event_date = 0;
    for d in q::removals_per_day(conn, &codes, from, to).await? {
        unknown_event_date += d.unknown;
        if let Some(p) = bucket_of(&buckets, d.day).and_then(|i| periods.get_mut(i)) {
            *p.removals.entry(d.reason.clone()).or_insert(0) += d.n;
            if d.reason == RemovalReason::EarlyDeletion.code() {
                p.credit_repairs += d.n;
            }
        }
    }

    // L5, L6: the calendar decides among the candidates the index found.
    let mut calendar_covered = calendar::is_covered(from) && calendar::is_covered(to);
    let mut late: BTreeMap<String, CourtIds> = BTreeMap::new();
    for c in q::late_candidates(conn, &codes, from, to).await? {
        calendar_covered &= calendar::is_covered(c.event_on);
        if !calendar::removed_late(c.event_on, c.removed_on) {
            continue;
        }
        let e = late
            .entry(c.court_code.clone())
            .or_insert_with(|| CourtIds {
                court_code: c.court_code.clone(),
                n: 0,
                ids: Vec::new(),
            });
        e.n += 1;
        if e.ids.len() < IDS_PER_COURT {
            e.ids.push(c.listing_id);
        }
    }
    let next_day = to.succ_opt().unwrap_or(to);
    let published_late =
        q::published_late(conn, &codes, cst_start(from), cst_start(next_day)).await?;
    let pending_overdue = q::pending_overdue(conn, &codes, today).await?;
    let unserved = q::unserved(conn, &codes).await?;
    let outstanding =
        notice::undelivered(conn, &codes, &[S::Pending.code(), S::Failed.code()]).await?;
    let unregistered = notice::undelivered(conn, &codes, &[S::Unregistered.code()]).await?;
    let remedies = super::remedies::remedies(conn, &codes, &names, from, to, today).await?;

    Ok(IndicatorsOut {
        as_of: Utc::now(),
        scope,
        from,
        to,
        period: period.code().to_string(),
        totals,
        by_province: by_province(&by_court),
        by_court,
        periods,
        deadlines: Deadlines {
            removal_working_days: calendar::REMOVAL_DEADLINE_WORKING_DAYS,
            removed_late: deadline_entries(late.into_values().collect(), &names),
            unknown_event_date,
            published_late: deadline_entries(published_late, &names),
            pending_overdue: deadline_entries(pending_overdue, &names),
            unserved: deadline_entries(unserved, &names),
            notices_outstanding: deadline_entries(outstanding, &names),
            notices_unregistered: deadline_entries(unregistered, &names),
            calendar_covered,
        },
        remedies,
    })
}
