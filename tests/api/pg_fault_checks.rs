//! PostgreSQL stopped while checks run (issue 20, "PostgreSQL stopped → checks answer 503 and
//! nothing unlogged"): every check is answered either 200 with a `check_id` or 503
//! (`service_unavailable` when its log row could not be committed, `database_unavailable` when the
//! database could not be read), never a 500; once the database is back, checks are answered again
//! without a restart, and every check answered 200 is in the check log. The log may hold a row for a
//! check that was refused (committed, then the acknowledgement was lost), never more such rows than
//! refusals.
//!
//! The database is the private cluster of `pg_fault` (its own port), crashed with `-m immediate`.

use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, make_id, person_listing},
    pg_fault::{PrivatePostgres, app_on_private_cluster},
};

#[derive(Default)]
struct Answers {
    /// The `check_id` of every check answered 200.
    answered: Vec<String>,
    /// Checks answered 503 (`service_unavailable` or `database_unavailable`).
    refused: usize,
    /// Anything else: (status, code), 0 when no answer came.
    other: Vec<(u16, String)>,
}

/// One subscriber's client: checks the restricted person with three others, over and over.
async fn checker(
    app: Arc<TestApp>,
    token: String,
    t: u32,
    listed: String,
    stop: Arc<AtomicBool>,
    answers: Arc<Mutex<Answers>>,
) {
    let birth = format!("1990010{}", t + 1);
    let mut k = 0u32;
    while !stop.load(Ordering::SeqCst) {
        let subjects: Vec<Value> = std::iter::once(listed.clone())
            .chain((0..3).map(|j| make_id("110105", &birth, (3 * k + j) % 1000)))
            .map(|id| json!({"id_number": id}))
            .collect();
        k += 1;
        let sent = app
            .client
            .post(app.url("/v1/checks"))
            .bearer_auth(&token)
            .json(&json!({ "subjects": subjects }))
            .timeout(Duration::from_secs(20))
            .send()
            .await;
        let Ok(r) = sent else {
            answers.lock().unwrap().other.push((0, "no answer".into()));
            continue;
        };
        let status = r.status().as_u16();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        let refused = {
            let mut a = answers.lock().unwrap();
            match (status, v["code"].as_str()) {
                (200, _) if v["results"][0]["decision"] == "deny" => {
                    match v["check_id"].as_str() {
                        Some(id) => a.answered.push(id.to_string()),
                        None => a.other.push((200, "no check_id".into())),
                    }
                    false
                }
                (503, Some("service_unavailable" | "database_unavailable")) => {
                    a.refused += 1;
                    true
                }
                _ => {
                    a.other.push((status, v["code"].to_string()));
                    false
                }
            }
        };
        if refused {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Runs a blocking cluster operation (`pg_ctl`) off the test's runtime.
async fn on_cluster(pg: &Arc<PrivatePostgres>, op: fn(&PrivatePostgres)) {
    let pg = pg.clone();
    tokio::task::spawn_blocking(move || op(&pg)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn evidence_postgres_stopped_checks_answer_503_and_nothing_unlogged() {
    let (pg, app) = app_on_private_cluster("shixin_pgcheck").await;
    let listed = make_id("110105", "19800101", 701);
    app.create_listing(&person_listing(&listed, 701)).await;
    let (_, airline) = app.subscriber_token("airline").await;

    let stop = Arc::new(AtomicBool::new(false));
    let answers = Arc::new(Mutex::new(Answers::default()));
    let checkers: Vec<_> = (0..4)
        .map(|t| {
            tokio::spawn(checker(
                app.clone(),
                airline.clone(),
                t,
                listed.clone(),
                stop.clone(),
                answers.clone(),
            ))
        })
        .collect();
    let count = |f: fn(&Answers) -> usize| f(&answers.lock().unwrap());

    let flowing_by = Instant::now() + Duration::from_secs(10);
    while count(|a| a.answered.len()) < 20 {
        assert!(Instant::now() < flowing_by, "checks are not answered");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Crashed under load; down for two seconds, longer than the log writer retries a batch.
    on_cluster(&pg, PrivatePostgres::kill).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let refused_while_down = count(|a| a.refused);
    assert!(
        refused_while_down > 0,
        "checks were refused with 503 while the database was down"
    );
    on_cluster(&pg, PrivatePostgres::up).await;

    // Checks are answered again without a restart.
    let back_at = count(|a| a.answered.len());
    let recovered_by = Instant::now() + Duration::from_secs(15);
    while count(|a| a.answered.len()) < back_at + 20 {
        assert!(
            Instant::now() < recovered_by,
            "checks were not answered again after the database came back"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::SeqCst);
    for c in checkers {
        c.await.expect("checker");
    }

    let a = std::mem::take(&mut *answers.lock().unwrap());
    assert!(
        a.other.is_empty(),
        "answers other than 200 with a check_id or 503: {:?}",
        &a.other[..a.other.len().min(10)]
    );
    let answered: HashSet<&str> = a.answered.iter().map(String::as_str).collect();
    assert_eq!(
        answered.len(),
        a.answered.len(),
        "a check_id answered twice"
    );

    // The log as the database kept it across the crash.
    let logged = app
        .scalar_text(
            "SELECT coalesce(string_agg(check_id::text, ','), '') AS t FROM check_requests",
        )
        .await;
    let mut rows: HashMap<&str, usize> = HashMap::new();
    for id in logged.split(',').filter(|s| !s.is_empty()) {
        *rows.entry(id).or_default() += 1;
    }
    let unlogged: Vec<&&str> = answered
        .iter()
        .filter(|id| !rows.contains_key(**id))
        .collect();
    assert!(
        unlogged.is_empty(),
        "{} of {} checks answered 200 are not in the check log (e.g. {:?}); {} refused",
        unlogged.len(),
        answered.len(),
        &unlogged[..unlogged.len().min(3)],
        a.refused
    );
    // Every row beyond one per answered check stands for a refused check whose row was committed.
    let total: usize = rows.values().sum();
    let extra = total - answered.len();
    assert!(
        extra <= a.refused,
        "the log holds {extra} rows for no answered check, more than the {} checks refused",
        a.refused
    );
    eprintln!(
        "{} checks answered 200 (all logged), {} refused with 503 ({refused_while_down} while \
         PostgreSQL was down), {extra} logged rows of refused checks",
        answered.len(),
        a.refused
    );
}
