//! Webhooks with the real binary and an independent verifier (issue 6 "Reliability tests"):
//! `kill -9` of the delivering service in the middle of a burst loses nothing, and the signatures
//! verify with the Python `standardwebhooks` package.

use std::{
    collections::HashSet,
    process::{Command, Stdio},
    sync::atomic::Ordering,
};

use diesel::{QueryableByName, sql_query, sql_types::Text};
use serde_json::json;

use crate::{
    helpers::{TestApp, spawn_app_with},
    receiver::{Received, Receiver},
    serve::Serve,
    webhooks::{list_person, register, worker_app},
};

/// The real `shixin serve` delivering webhooks for the database of `app` (no HTTP needed from it).
fn start_deliverer(app: &TestApp) -> Serve {
    crate::shutdown::serve(
        app,
        &[
            ("SHIXIN_TICK_INTERVAL", "off"),
            ("SHIXIN_WEBHOOK_ALLOW_PRIVATE", "true"),
            ("SHIXIN_WEBHOOK_LEASE", "2s"),
            ("SHIXIN_WEBHOOK_CONCURRENCY", "4"),
        ],
    )
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Text)]
    id: String,
}

async fn event_ids(app: &TestApp) -> HashSet<String> {
    let mut conn = app.db().await;
    let rows: Vec<Id> =
        diesel_async::RunQueryDsl::load(sql_query("SELECT id::text AS id FROM events"), &mut conn)
            .await
            .expect("events");
    rows.into_iter().map(|r| r.id).collect()
}

#[tokio::test]
async fn kill_9_in_the_middle_of_a_burst_loses_no_event() {
    let app = spawn_app_with(&[("SHIXIN_WEBHOOK_ALLOW_PRIVATE", "true")]).await;
    let rx = Receiver::start();
    rx.b.delay_ms.store(10, Ordering::SeqCst);
    let (_, token) = app.subscriber_token("airline").await;
    register(&app, &token, json!({"url": rx.url("/k")})).await;
    let mut child = start_deliverer(&app);
    for seq in 1..=40 {
        list_person(&app, 500 + seq).await;
    }
    rx.wait_until(20, |g| g.len() >= 15).await;
    child.kill_9();
    let at_kill = rx.got().len();
    // Changes keep coming while no deliverer runs.
    for seq in 41..=50 {
        list_person(&app, 500 + seq).await;
    }
    let all = event_ids(&app).await;
    assert_eq!(all.len(), 100);
    assert!(
        at_kill < all.len(),
        "the kill came after the burst: {at_kill}"
    );
    let mut child = start_deliverer(&app);
    let got = rx
        .wait_until(60, |g| {
            let seen: HashSet<&str> = g.iter().map(|r| r.id.as_str()).collect();
            all.iter().all(|id| seen.contains(id.as_str()))
        })
        .await;
    child.kill_9();
    assert!(got.len() >= all.len(), "at least once");
}

/// Verifies with the Python reference implementation (`pip install standardwebhooks`).
fn python_verifies(secret: &str, r: &Received) -> bool {
    let script = "import sys, json\n\
        from standardwebhooks.webhooks import Webhook\n\
        a = json.load(sys.stdin)\n\
        Webhook(a['secret']).verify(a['body'].encode(), {'webhook-id': a['id'], \
          'webhook-timestamp': a['ts'], 'webhook-signature': a['sig']})\n\
        print('verified')\n";
    let input = json!({"secret": secret, "body": String::from_utf8(r.body.clone()).unwrap(),
        "id": r.id, "ts": r.timestamp, "sig": r.signature});
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    std::io::Write::write_all(
        &mut child.stdin.take().unwrap(),
        input.to_string().as_bytes(),
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("ModuleNotFoundError"),
        "install the verifier: pip install standardwebhooks ({stderr})"
    );
    String::from_utf8_lossy(&out.stdout).contains("verified")
}

#[tokio::test]
async fn signatures_verify_with_the_python_standardwebhooks_package() {
    let app = worker_app(&[]).await;
    let rx = Receiver::start();
    let (_, token) = app.subscriber_token("airline").await;
    let (id, old, _) = register(&app, &token, json!({"url": rx.url("/py")})).await;
    list_person(&app, 601).await;
    let got = rx.wait_until(10, |g| g.len() >= 2).await;
    for r in &got {
        assert!(python_verifies(&old, r), "{}", r.event_type());
    }
    let mut tampered = got[0].clone();
    tampered.body.extend_from_slice(b" ");
    assert!(!python_verifies(&old, &tampered), "a changed body fails");
    assert!(!python_verifies(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        &got[0]
    ));

    // After a rotation both secrets verify for 24 h.
    let (s, v) = crate::helpers::json(
        app.post(
            &format!("/v1/webhooks/{id}/secret/rotate"),
            &token,
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let new = v["secret"].as_str().unwrap().to_string();
    app.post(&format!("/v1/webhooks/{id}/test"), &token, &json!({}))
        .await;
    let got = rx.wait_until(10, |g| g.len() >= 3).await;
    let last = got.last().unwrap();
    assert!(python_verifies(&new, last) && python_verifies(&old, last));
}
