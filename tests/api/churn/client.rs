//! The churn test's clients: writers and readers that spread their requests over the instances and
//! send a request again to the next instance when one does not answer.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::{
    helpers::{make_id, order_body, person_listing},
    public_helpers::q,
};

/// A listing as its last acknowledged write left it.
pub struct Acked {
    pub case_number: String,
    pub version: i64,
    pub removed: bool,
}

/// What the clients saw.
#[derive(Default)]
pub struct Tally {
    pub listings: HashMap<String, Acked>,
    /// Standalone orders: case number → id.
    pub orders: HashMap<String, String>,
    /// "what status" → how many answers.
    pub answers: HashMap<String, u64>,
    /// Connection errors, timeouts, 503s and 409 "still running": each sent again elsewhere.
    pub retried: u64,
    /// Writes sent again after an acknowledgement taken as lost, and answers marked replayed.
    pub resent: u64,
    pub replayed: u64,
    pub failures: Vec<String>,
    /// The `check_id` of every answered check (each must be in the check log).
    pub checks: Vec<String>,
}

#[derive(Clone)]
pub struct Spread {
    pub http: reqwest::Client,
    pub ports: Arc<Vec<u16>>,
    pub tally: Arc<Mutex<Tally>>,
}

impl Spread {
    /// Sends what `build` makes (given an instance's base URL) to instance `*at`; after a
    /// connection error, a 503 or a 409 "still running", sends it again (for 30 s at most) to the
    /// next instance. Answers the body of an answer with status `ok`; any other status is a failure.
    async fn call(
        &self,
        at: &mut usize,
        what: &str,
        ok: u16,
        build: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> Option<Value> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut last = String::new();
        while Instant::now() < deadline {
            let base = format!("http://127.0.0.1:{}", self.ports[*at % 3]);
            match build(&base).send().await {
                Err(e) => last = format!("{e}"),
                Ok(r) => {
                    let status = r.status().as_u16();
                    let replayed = r.headers().contains_key("idempotency-replayed");
                    match r.text().await {
                        Err(e) => last = format!("{status}, then {e}"),
                        Ok(text) => {
                            let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
                            let mut t = self.tally.lock().unwrap();
                            *t.answers.entry(format!("{what} {status}")).or_default() += 1;
                            t.replayed += u64::from(replayed);
                            if status == ok {
                                return Some(v);
                            }
                            let running = v["code"] == "idempotency_request_in_progress";
                            if status != 503 && !(status == 409 && running) {
                                let body: String = v.to_string().chars().take(300).collect();
                                t.failures.push(format!("{what}: {status} {body}"));
                                return None;
                            }
                            last = format!("{status} {v}");
                        }
                    }
                }
            }
            self.tally.lock().unwrap().retried += 1;
            *at += 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let failure = format!("{what}: no answer within 30 s (last: {last})");
        self.tally.lock().unwrap().failures.push(failure);
        None
    }

    /// A write; with `lose`, its acknowledgement is taken as lost (as when the instance dies
    /// between its commit and its answer) and the same request goes to the next instance, which
    /// must answer what the first answered (the first answer stands when it does not).
    async fn write(
        &self,
        at: &mut usize,
        what: &str,
        ok: u16,
        lose: bool,
        build: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> Option<Value> {
        let first = self.call(at, what, ok, &build).await?;
        if !lose {
            return Some(first);
        }
        *at += 1;
        let Some(again) = self.call(at, what, ok, &build).await else {
            return Some(first);
        };
        let mut t = self.tally.lock().unwrap();
        t.resent += 1;
        if again != first {
            let (a, f) = (again.to_string(), first.to_string());
            t.failures.push(format!(
                "{what} sent again answered {a:.300}, first {f:.300}"
            ));
        }
        Some(again)
    }
}

/// A court's POST of `body` with an `Idempotency-Key` (and `If-Match` when a version is given).
fn post(
    c: &Spread,
    path: String,
    court: &str,
    key: String,
    version: Option<i64>,
    body: Value,
) -> impl Fn(&str) -> reqwest::RequestBuilder + use<> {
    let (http, court) = (c.http.clone(), court.to_string());
    move |base| {
        let r = http
            .post(format!("{base}{path}"))
            .bearer_auth(&court)
            .header("Idempotency-Key", &key)
            .json(&body);
        match version {
            Some(v) => r.header("If-Match", format!("\"{v}\"")),
            None => r,
        }
    }
}

/// Writer `w`: listings (created, corrected, every third removed) and, every fifth, a standalone
/// order of air travel only; each write with its own `Idempotency-Key`, every fourth one sent twice.
pub async fn writer(c: Spread, w: u32, court: String, halt: Arc<AtomicBool>) {
    let mut at = w as usize;
    for i in 0..100_000u32 {
        if halt.load(Ordering::SeqCst) {
            break;
        }
        let seq = 1 + w * 100_000 + i;
        let id_number = make_id("110105", "19800101", (w * 300 + i) % 1000);
        let key = |step: &str| format!("churn-{w}-{i}-{step}");
        let lose = i % 4 == 1;
        if i % 5 == 4 {
            let mut body = order_body(&id_number, 5_000_000 + seq);
            body["items"] = json!(["air_travel"]);
            let case = body["case_number"].as_str().unwrap().to_string();
            let req = post(
                &c,
                "/v1/restrictions".into(),
                &court,
                key("order"),
                None,
                body,
            );
            if let Some(v) = c.write(&mut at, "order", 201, lose, req).await {
                let id = v["id"].as_str().unwrap_or_default().to_string();
                c.tally.lock().unwrap().orders.insert(case, id);
            }
            continue;
        }
        let body = person_listing(&id_number, seq);
        let case_number = body["case_number"].as_str().unwrap().to_string();
        let req = post(&c, "/v1/listings".into(), &court, key("create"), None, body);
        let Some(v) = c.write(&mut at, "create", 201, lose, req).await else {
            continue;
        };
        let id = v["id"].as_str().unwrap_or_default().to_string();
        let acked = |v: &Value, removed| Acked {
            case_number: case_number.clone(),
            version: v["version"].as_i64().unwrap_or(-1),
            removed,
        };
        let record = |v: &Value, removed| {
            let a = acked(v, removed);
            c.tally.lock().unwrap().listings.insert(id.clone(), a);
        };
        record(&v, false);
        let patch = json!({"obligation": format!("支付货款人民币{seq}元")}).to_string();
        let (http, k) = (c.http.clone(), key("correct"));
        let correct = |base: &str| {
            http.patch(format!("{base}/v1/listings/{id}"))
                .bearer_auth(&court)
                .header("Idempotency-Key", &k)
                .header("If-Match", "\"1\"")
                .header("Content-Type", "application/merge-patch+json")
                .body(patch.clone())
        };
        let Some(v) = c.write(&mut at, "correct", 200, lose, correct).await else {
            continue;
        };
        record(&v, false);
        if i % 3 == 0 {
            let path = format!("/v1/listings/{id}/removal");
            let body = json!({"reason": "early_deletion"});
            let req = post(&c, path, &court, key("remove"), Some(2), body);
            if let Some(v) = c.write(&mut at, "remove", 200, lose, req).await {
                record(&v, true);
            }
        }
    }
}

/// Reader `r`: a subscriber's checks and public searches, in turn.
pub async fn reader(c: Spread, r: u32, token: String, halt: Arc<AtomicBool>) {
    let mut at = r as usize;
    let search = format!("/v1/public/listings?name={}&limit=5", q("张三"));
    for i in 0..1_000_000u32 {
        if halt.load(Ordering::SeqCst) {
            break;
        }
        let id_number = make_id("110105", "19800101", (r * 7 + i) % 1000);
        let body = json!({"subjects": [{"id_number": id_number}]});
        let check = |base: &str| {
            c.http
                .post(format!("{base}/v1/checks"))
                .bearer_auth(&token)
                .json(&body)
        };
        if let Some(v) = c.call(&mut at, "check", 200, check).await
            && let Some(id) = v["check_id"].as_str()
        {
            c.tally.lock().unwrap().checks.push(id.to_string());
        }
        let public = |base: &str| c.http.get(format!("{base}{search}"));
        c.call(&mut at, "search", 200, public).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
