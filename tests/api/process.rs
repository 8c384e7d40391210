//! The real binary as an operator runs it: logs that never carry an ID number, a name, a token or a
//! secret (even at RUST_LOG=trace, through listings, correction applications and a credit repair
//! with its certificate), graceful stop on SIGTERM, refusal to start insecurely (in production, with
//! an unknown `SHIXIN_ENV`, or with the development secret on a non-loopback address).

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use serde_json::json;
use shixin::{
    auth::jwt::{MintRequest, mint},
    config::DEVELOPMENT_JWT_SECRET,
};

use crate::{
    helpers::{TEST_DATA_DIR, TEST_SECRET, make_id, person_listing, spawn_app},
    public_helpers::scan,
};

#[test]
fn production_refuses_a_missing_or_short_secret() {
    for secret in [None, Some("tiny-xyz")] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_shixin"));
        cmd.arg("serve")
            .env("SHIXIN_ENV", "production")
            .env("SHIXIN_BIND", "127.0.0.1:0")
            .env_remove("SHIXIN_JWT_SECRET");
        if let Some(s) = secret {
            cmd.env("SHIXIN_JWT_SECRET", s);
        }
        let out = cmd.output().unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("SHIXIN_JWT_SECRET"), "{err}");
        assert!(
            !err.contains("tiny-xyz"),
            "the secret itself must not be printed: {err}"
        );
    }
}

/// `shixin serve` with `vars` (and nothing else of ours from the environment): its exit status and
/// standard error. A service that starts anyway is stopped after 20 s and reported as such.
fn serve_refused(vars: &[(&str, &str)]) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shixin"));
    cmd.arg("serve")
        // Never the developer's database, should the service start after all.
        .env(
            "DATABASE_URL",
            "postgres://postgres@127.0.0.1:1/shixin_refused",
        )
        .env("REDIS_URL", "none")
        .env("SHIXIN_TICK_INTERVAL", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for k in ["SHIXIN_ENV", "SHIXIN_BIND", "SHIXIN_JWT_SECRET"] {
        cmd.env_remove(k);
    }
    cmd.envs(vars.iter().copied());
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let refused = out.status.code().is_some_and(|c| c != 0);
    (refused, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn an_unknown_environment_or_a_public_address_with_the_development_secret_is_refused() {
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[
                ("SHIXIN_ENV", "staging"),
                ("SHIXIN_BIND", "127.0.0.1:0"),
                ("SHIXIN_JWT_SECRET", TEST_SECRET),
            ],
            "SHIXIN_ENV must be development or production",
        ),
        (
            &[("SHIXIN_ENV", "prod"), ("SHIXIN_BIND", "127.0.0.1:0")],
            "SHIXIN_ENV must be development or production",
        ),
        (
            &[("SHIXIN_BIND", "0.0.0.0:0")],
            "SHIXIN_JWT_SECRET is not set; refusing to start with SHIXIN_BIND=0.0.0.0:0",
        ),
        (
            &[
                ("SHIXIN_BIND", "0.0.0.0:0"),
                ("SHIXIN_JWT_SECRET", DEVELOPMENT_JWT_SECRET),
            ],
            "SHIXIN_JWT_SECRET is the development secret",
        ),
    ];
    for (vars, expected) in cases {
        let (refused, err) = serve_refused(vars);
        assert!(refused, "{vars:?} started: {err}");
        assert!(err.contains(expected), "{vars:?}: {err}");
        assert!(!err.contains(DEVELOPMENT_JWT_SECRET), "{err}");
        assert!(!err.contains(TEST_SECRET), "{err}");
    }
}

#[tokio::test]
async fn logs_never_carry_id_numbers_names_or_tokens_and_sigterm_stops_gracefully() {
    let app = spawn_app().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_shixin"))
        .arg("serve")
        .env("DATABASE_URL", &app.db_url)
        .env("SHIXIN_BIND", "127.0.0.1:0")
        .env("SHIXIN_JWT_SECRET", TEST_SECRET)
        .env("SHIXIN_DATA_DIR", TEST_DATA_DIR)
        .env("SHIXIN_LOG_FORMAT", "json")
        .env("RUST_LOG", "trace")
        .env("REDIS_URL", "none")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    drop(tx);
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let port = loop {
        let line = rx
            .recv_timeout(deadline - Instant::now())
            .expect("the service did not start");
        let found = line
            .contains("shixin is serving")
            .then(|| serde_json::from_str::<serde_json::Value>(&line).ok())
            .flatten()
            .and_then(|v| v["port"].as_u64());
        lines.push(line);
        if let Some(p) = found {
            break p;
        }
    };
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let settings = app.settings.clone();
    let token = mint(
        &settings,
        &MintRequest {
            sub: "clerk".into(),
            role: "court".into(),
            court: Some("京0105".into()),
            sector: None,
            subscriber_id: None,
            ttl_secs: 600,
        },
    )
    .unwrap();
    let id_number = make_id("110105", "19800101", 501);
    let legacy = format!("{}{}", &id_number[..6], &id_number[8..17]);
    let mut body = person_listing(&legacy, 1);
    body["debtor"]["name"] = json!("欧阳娜娜");
    let r = client
        .post(format!("{base}/v1/listings"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let listing: serde_json::Value = r.json().await.unwrap();
    // L13: the listed party's application names them (its ID number as they wrote it).
    let application = json!({"applicant": {"name": "欧阳娜娜", "id_number": legacy},
        "grounds": "should_not_be_listed", "statement": "不应纳入", "received_on": listing["decided_on"]});
    let r = client
        .post(format!(
            "{base}/v1/listings/{}/corrections",
            listing["id"].as_str().unwrap()
        ))
        .bearer_auth(&token)
        .json(&application)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let bad = person_listing("110105198001015010", 2);
    assert_eq!(
        client
            .post(format!("{base}/v1/listings"))
            .bearer_auth(&token)
            .json(&bad)
            .send()
            .await
            .unwrap()
            .status(),
        422
    );
    // An ID number in the path or the query is never logged, whatever the answer.
    for (path, want, items) in [
        (format!("/v1/listings?id_number={id_number}"), 200, Some(1)),
        (format!("/v1/listings/{id_number}"), 404, None),
        (format!("/v1/x/{id_number}"), 404, None),
    ] {
        let r = client
            .get(format!("{base}{path}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        let v: serde_json::Value = r.json().await.unwrap_or_default();
        assert_eq!(s, want, "{v}");
        if let Some(n) = items {
            assert_eq!(v["items"].as_array().map(Vec::len), Some(n), "{v}");
        }
    }
    // L16: credit repair granted (the listing deleted early), its certificate read as JSON and page.
    let repair = json!({"applicant": {"name": "欧阳娜娜", "id_number": legacy},
        "statement": "已履行", "received_on": listing["decided_on"]});
    let lid = listing["id"].as_str().unwrap();
    let r = client
        .post(format!("{base}/v1/listings/{lid}/credit-repair"))
        .bearer_auth(&token)
        .json(&repair)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let repair: serde_json::Value = r.json().await.unwrap();
    let decision =
        json!({"outcome": "granted", "reasons": "已履行", "decided_on": listing["decided_on"]});
    let r = client
        .post(format!(
            "{base}/v1/credit-repairs/{}/decision",
            repair["id"].as_str().unwrap()
        ))
        .bearer_auth(&token)
        .header("If-Match", "\"1\"")
        .json(&decision)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let decided: serde_json::Value = r.json().await.unwrap();
    let page = decided["certificate"]["url"].as_str().unwrap().to_string();
    for path in [
        page.clone(),
        page.replace("/certificates/", "/v1/public/certificates/"),
    ] {
        let r = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let text = r.text().await.unwrap();
        scan(&text);
        assert!(text.contains("欧阳娜娜") && !text.contains(&id_number));
    }
    assert_eq!(
        client
            .get(format!("{base}/v1/listings"))
            .bearer_auth(format!("{token}x"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    // SIGTERM: the service stops by itself, successfully.
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let stop_deadline = Instant::now() + Duration::from_secs(15);
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < stop_deadline,
            "the service did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "exit status {exit:?}");
    lines.extend(rx.try_iter());
    let all = lines.join("\n");
    assert!(all.contains("request finished"), "the requests were logged");
    for secret in [
        id_number.as_str(),
        legacy.as_str(),
        "110105198001015010",
        "欧阳娜娜",
        "张三",
        token.as_str(),
        TEST_SECRET,
    ] {
        assert!(!all.contains(secret), "the log carries {secret:?}");
    }
}
