//! What the churn test checks once the load stopped: the stored writes against the acknowledged
//! ones, the events each webhook should have had, and the audit chain.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    time::{Duration, Instant},
};

use diesel::{
    QueryableByName, sql_query,
    sql_types::{Array, Integer, Text},
};

use super::client::Tally;
use crate::{
    helpers::TestApp,
    receiver::{Received, Receiver},
};

#[derive(QueryableByName)]
pub struct Row {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub t: String,
    #[diesel(sql_type = Integer)]
    pub n: i32,
    #[diesel(sql_type = Array<Text>)]
    pub items: Vec<String>,
}

/// Rows of `q`, which selects `id`, `t`, `n` and `items`.
pub async fn rows(app: &TestApp, q: &str) -> Vec<Row> {
    let mut conn = app.db().await;
    diesel_async::RunQueryDsl::load(sql_query(q), &mut conn)
        .await
        .expect(q)
}

/// A webhook of the test: its subscriber's sector, its receiver path, its event types (None: all),
/// and the sector's restriction items.
pub struct Hook {
    pub sector: &'static str,
    pub path: &'static str,
    pub types: Option<&'static [&'static str]>,
    pub items: &'static [&'static str],
}

pub const HOOKS: [Hook; 3] = [
    Hook {
        sector: "airline",
        path: "/air",
        types: None,
        items: &["air_travel"],
    },
    Hook {
        sector: "rail",
        path: "/rail",
        types: None,
        items: &[
            "emu_first_class_or_above",
            "g_train_any_seat",
            "train_soft_sleeper",
        ],
    },
    Hook {
        sector: "education",
        path: "/edu",
        types: Some(&["listing.published", "listing.removed"]),
        items: &["private_school"],
    },
];

/// Problems with the stored writes: each acknowledged one there exactly once, nothing else.
pub async fn check_writes(app: &TestApp, t: &Tally, problems: &mut Vec<String>) {
    let q = "SELECT id::text AS id, case_number || ' ' || status AS t, version AS n, \
             '{}'::text[] AS items FROM listings";
    let stored = rows(app, q).await;
    let mut cases: HashMap<String, u32> = HashMap::new();
    for r in &stored {
        *cases
            .entry(r.t.split(' ').next().unwrap().to_string())
            .or_default() += 1;
    }
    if stored.len() != t.listings.len() {
        let (n, m) = (stored.len(), t.listings.len());
        problems.push(format!("{n} listings stored, {m} acknowledged"));
    }
    let by_id: HashMap<&str, &Row> = stored.iter().map(|r| (r.id.as_str(), r)).collect();
    for (id, a) in &t.listings {
        let status = if a.removed { "removed" } else { "active" };
        let want = (format!("{} {status}", a.case_number), a.version);
        match by_id.get(id.as_str()) {
            None => problems.push(format!("acknowledged listing {id} is not stored")),
            Some(r) if (r.t.clone(), i64::from(r.n)) != want => {
                problems.push(format!(
                    "listing {id}: stored {} v{}, acked {want:?}",
                    r.t, r.n
                ));
            }
            Some(_) if cases[&a.case_number] != 1 => {
                let n = cases[&a.case_number];
                problems.push(format!("case {} stored {n} times", a.case_number));
            }
            Some(_) => {}
        }
    }
    let q = "SELECT id::text AS id, case_number AS t, 0 AS n, '{}'::text[] AS items \
             FROM restrictions WHERE listing_id IS NULL";
    let orders = rows(app, q).await;
    let mut by_case: HashMap<&str, Vec<&str>> = HashMap::new();
    for r in &orders {
        by_case.entry(&r.t).or_default().push(&r.id);
    }
    if orders.len() != t.orders.len() {
        let (n, m) = (orders.len(), t.orders.len());
        problems.push(format!("{n} standalone orders stored, {m} acknowledged"));
    }
    for (case, id) in &t.orders {
        if by_case.get(case.as_str()) != Some(&vec![id.as_str()]) {
            let got = by_case.get(case.as_str());
            problems.push(format!("order {case}: acked {id}, stored {got:?}"));
        }
    }
}

/// Problems with the events of the acknowledged writes: each write's events once, no others.
pub async fn check_events(app: &TestApp, t: &Tally, baseline: i64, problems: &mut Vec<String>) {
    let q = format!(
        "SELECT '' AS id, type AS t, count(*)::int AS n, '{{}}'::text[] AS items FROM events \
         WHERE seq > {baseline} GROUP BY type"
    );
    let got: BTreeMap<String, usize> = rows(app, &q)
        .await
        .into_iter()
        .map(|r| (r.t, r.n as usize))
        .collect();
    let (l, o) = (t.listings.len(), t.orders.len());
    let corrected = t.listings.values().filter(|a| a.version >= 2).count();
    let removed = t.listings.values().filter(|a| a.removed).count();
    let want: BTreeMap<String, usize> = [
        ("listing.published", l),
        ("restriction.imposed", l + o),
        ("listing.updated", corrected),
        ("listing.removed", removed),
        ("restriction.lifted", removed),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(k, n)| (k.to_string(), n))
    .collect();
    if got != want {
        problems.push(format!(
            "events by type: stored {got:?}, acknowledged {want:?}"
        ));
    }
}

/// The ids of the events (after `baseline`) each webhook should get, by its path: its event types,
/// and a restriction event only when it carries one of the sector's items.
pub async fn expected(app: &TestApp, baseline: i64) -> HashMap<&'static str, HashSet<String>> {
    let q = format!(
        "SELECT id::text AS id, type AS t, 0 AS n, items FROM events WHERE seq > {baseline}"
    );
    let events = rows(app, &q).await;
    let concerns = |e: &Row, types: Option<&[&str]>, items: &[&str]| {
        types.is_none_or(|t| t.contains(&e.t.as_str()))
            && (e.t.starts_with("listing.") || e.items.iter().any(|i| items.contains(&i.as_str())))
    };
    HOOKS
        .iter()
        .map(|h| {
            let ids = events.iter().filter(|e| concerns(e, h.types, h.items));
            (h.path, ids.map(|e| e.id.clone()).collect())
        })
        .collect()
}

/// What each webhook received against what it should: the problems (events missing, events it
/// should not have had) and, by path, (requests, duplicates).
pub fn compare(
    got: &[Received],
    expected: &HashMap<&'static str, HashSet<String>>,
) -> (Vec<String>, BTreeMap<&'static str, (usize, usize)>) {
    let (mut problems, mut counts) = (Vec::new(), BTreeMap::new());
    for (path, want) in expected {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for r in got.iter().filter(|r| r.path == *path) {
            *seen.entry(r.id.as_str()).or_default() += 1;
        }
        let missing = want
            .iter()
            .filter(|id| !seen.contains_key(id.as_str()))
            .count();
        let stray = seen.keys().filter(|id| !want.contains(**id)).count();
        if missing > 0 || stray > 0 {
            let n = want.len();
            problems.push(format!(
                "{path}: {missing} of {n} events never arrived, {stray} arrived that it should not get"
            ));
        }
        let requests = seen.values().sum::<usize>();
        counts.insert(*path, (requests, requests - seen.len()));
    }
    (problems, counts)
}

/// Waits (60 s at most) until no delivery is left undelivered; adds to `problems` the events a
/// webhook never received or should not have. Answers, by webhook, (requests, duplicates).
pub async fn drain(
    app: &TestApp,
    rx: &Receiver,
    expected: &HashMap<&'static str, HashSet<String>>,
    problems: &mut Vec<String>,
) -> BTreeMap<&'static str, (usize, usize)> {
    let began = Instant::now();
    let undelivered = "SELECT count(*) AS n FROM webhook_deliveries WHERE status <> 'delivered'";
    loop {
        // The receiver records a request before it answers: once every delivery is recorded as
        // delivered, nothing more will come. So the count comes first and what the receiver got
        // after it (read the other way round, a delivery recorded between the two reads would be
        // counted delivered but missing from an older copy of what arrived).
        let pending = app.scalar(undelivered).await;
        let (missing, received) = compare(&rx.got(), expected);
        let late = began.elapsed() > Duration::from_secs(60);
        if pending == 0 || late {
            problems.extend(missing);
            if pending > 0 {
                problems.push(format!("{pending} deliveries not delivered after 60 s"));
            }
            return received;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `shixin audit verify` on the database: (passed, what it said).
pub fn audit_verify(app: &TestApp) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shixin"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", &app.db_url)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text.trim().to_string())
}

/// Problems with the check log: every answered check is in it (logged before its answer, so a
/// `kill -9` after the answer cannot lose it).
pub async fn check_log(app: &TestApp, t: &Tally, problems: &mut Vec<String>) {
    if t.checks.is_empty() {
        problems.push("no check was answered".into());
        return;
    }
    let ids = t
        .checks
        .iter()
        .map(|id| format!("'{id}'"))
        .collect::<Vec<_>>()
        .join(",");
    let logged = app
        .scalar(&format!(
            "SELECT count(*) AS n FROM check_requests WHERE check_id IN ({ids})"
        ))
        .await;
    if logged != t.checks.len() as i64 {
        let n = t.checks.len();
        problems.push(format!(
            "{n} checks answered, {logged} of them in the check log"
        ));
    }
}
