//! `shixin serve --demo` (issue #22, `src/seed/demo.rs`): the real binary on a database without
//! listings seeds them, creates its courts and an airline, and prints once, in a box, what it takes
//! to try the service; everything in the box works when used as printed. A second start on the same
//! database seeds nothing and says so.

use std::process::Command;

use serde_json::{Value, json};

use crate::{
    helpers::{json, make_id, person_listing, spawn_app_with},
    public_helpers::scan,
    serve::Serve,
};

const LISTINGS: i64 = 500;

fn start_demo(db_url: &str) -> Serve {
    Serve::start_with(
        db_url,
        &["serve", "--demo"],
        &[
            ("SHIXIN_DEMO_LISTINGS", "500"),
            ("SHIXIN_TICK_INTERVAL", "off"),
        ],
    )
}

/// The box's lines (without the frame's `│ `), from its top `┌` to its bottom `└`.
fn the_box(stdout: &[String]) -> Vec<String> {
    let top = stdout.iter().position(|l| l.starts_with('┌'));
    let top = top.unwrap_or_else(|| panic!("no box on stdout:\n{}", stdout.join("\n")));
    let bottom = top
        + stdout[top..]
            .iter()
            .position(|l| l.starts_with('└'))
            .unwrap();
    assert_eq!(
        stdout.iter().filter(|l| l.starts_with('┌')).count(),
        1,
        "the box is printed once"
    );
    stdout[top + 1..bottom]
        .iter()
        .map(|l| l.trim_start_matches('│').trim().to_string())
        .collect()
}

/// The value after `label` on its line.
fn after(lines: &[String], label: &str) -> String {
    let line = lines.iter().find(|l| l.starts_with(label));
    let line = line.unwrap_or_else(|| panic!("no {label:?} in the box:\n{}", lines.join("\n")));
    line[label.len()..].trim().to_string()
}

/// The line under the one that starts with `label` (where a token is printed).
fn under(lines: &[String], label: &str) -> String {
    let at = lines.iter().position(|l| l.starts_with(label));
    let at = at.unwrap_or_else(|| panic!("no {label:?} in the box:\n{}", lines.join("\n")));
    lines[at + 1].clone()
}

#[tokio::test]
async fn serve_demo_seeds_an_empty_database_and_prints_working_credentials_once() {
    let app = spawn_app_with(&[("REDIS_URL", "none")]).await;
    // As migrated: the harness's fixture courts go, so the demo must create the ones it uses.
    app.sql("DELETE FROM courts WHERE level IN ('intermediate', 'basic')")
        .await;
    assert_eq!(app.scalar("SELECT count(*) AS n FROM listings").await, 0);
    let mut serve = start_demo(&app.db_url);
    let port = serve.port();
    let stdout = serve.stdout();
    let lines = the_box(&stdout);
    let text = lines.join("\n");
    assert_eq!(
        app.scalar("SELECT count(*) AS n FROM listings").await,
        LISTINGS
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let get = |url: String, token: Option<String>| {
        let client = client.clone();
        async move {
            let mut r = client.get(&url);
            if let Some(t) = token {
                r = r.bearer_auth(t);
            }
            let r = r.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };

    // The page and the docs.
    let page = after(&lines, "page");
    assert_eq!(page, format!("{base}/"));
    assert_eq!(get(page, None).await.0, 200);
    let docs = after(&lines, "API docs");
    assert_eq!(docs, format!("{base}/docs"));
    assert_eq!(get(docs, None).await.0, 200);

    // The search it suggests finds the name it names.
    let search = after(&lines, "search");
    let name = search
        .split_once("?name=")
        .map(|(_, n)| n.to_string())
        .unwrap();
    let (s, html) = get(search.clone(), None).await;
    assert_eq!(s, 200);
    assert!(html.contains(&name), "{search}");
    let (s, body) = get(format!("{base}/v1/public/listings?name={name}"), None).await;
    assert_eq!(s, 200, "{body}");
    let found: Value = serde_json::from_str(&body).unwrap();
    assert!(!found["items"].as_array().unwrap().is_empty(), "{body}");

    // The court token writes a listing of its court (京0105, created by the demo).
    let court = under(&lines, "court token: a clerk of 京0105");
    let id_number = make_id("110105", "19800101", 901);
    let r = client
        .post(format!("{base}/v1/listings"))
        .bearer_auth(&court)
        .json(&person_listing(&id_number, 99_901))
        .send()
        .await
        .unwrap();
    let (s, v) = json(r).await;
    assert_eq!(s, 201, "{v}");

    // The supervisor of 京01 sees the listings of the courts beneath it; the admin the subscribers.
    let supervisor = under(&lines, "supervisor token: 京01");
    let (s, body) = get(format!("{base}/v1/listings?limit=5"), Some(supervisor)).await;
    assert_eq!(s, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(!v["items"].as_array().unwrap().is_empty(), "{body}");
    let admin = under(&lines, "admin token");
    let (s, body) = get(format!("{base}/v1/subscribers"), Some(admin.clone())).await;
    assert_eq!(s, 200, "{body}");
    let subs: Value = serde_json::from_str(&body).unwrap();
    let client_id = after(&lines, "client id");
    assert_eq!(
        subs["items"],
        json!([{"id": subs["items"][0]["id"], "name": "示例航空 (demo)", "sector": "airline",
            "client_id": client_id, "enabled": true, "created_at": subs["items"][0]["created_at"],
            "updated_at": subs["items"][0]["updated_at"], "scope": "all"}])
    );
    // Created as POST /v1/subscribers creates one: with its audit row.
    let (s, body) = get(format!("{base}/v1/audit?limit=100"), Some(admin)).await;
    assert_eq!(s, 200, "{body}");
    assert!(body.contains("subscriber.create"), "{body}");

    // The curl line, run as printed, gets the airline a token; its check of a listed person is deny.
    let curl = after(&lines, "curl");
    let secret = after(&lines, "client secret");
    assert!(curl.contains(&format!("{client_id}:{secret}")), "{curl}");
    let out = Command::new("sh")
        .args(["-c", &format!("curl {curl}")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let issued: Value = serde_json::from_slice(&out.stdout).unwrap();
    let token = issued["access_token"].as_str().unwrap();
    let listed = app
        .scalar_text(
            "SELECT id_number AS t FROM listings WHERE status = 'active' \
             AND debtor_kind = 'person' ORDER BY id LIMIT 1",
        )
        .await;
    let r = client
        .post(format!("{base}/v1/checks"))
        .bearer_auth(token)
        .json(&json!({"subjects": [{"id_number": listed}]}))
        .send()
        .await
        .unwrap();
    let (s, v) = json(r).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["results"][0]["decision"], "deny", "{v}");
    assert_eq!(v["results"][0]["items"], json!(["air_travel"]), "{v}");

    // No listed person's ID number in the box; the tokens and the secret nowhere but in the box.
    scan(&text);
    let ids = app
        .scalar_text("SELECT coalesce(string_agg(id_number, ','), '') AS t FROM listings")
        .await;
    for id in ids.split(',') {
        assert!(!text.contains(id), "the box shows {id}");
    }
    let top = stdout.iter().position(|l| l.starts_with('┌')).unwrap();
    let outside: Vec<&String> = stdout
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < top || *i > top + lines.len() + 1)
        .map(|(_, l)| l)
        .collect();
    for l in outside {
        for s in [court.as_str(), secret.as_str(), token] {
            assert!(!l.contains(s), "a secret outside the box: {l}");
        }
    }
    let status = serve.stop();
    assert!(status.is_some_and(|s| s.success()), "{status:?}");

    // Started again on the same database: nothing seeded, and it says so.
    let mut again = start_demo(&app.db_url);
    let port = again.port();
    let (s, _) = get(format!("http://127.0.0.1:{port}/"), None).await;
    assert_eq!(s, 200);
    let stdout = again.stdout();
    assert!(!stdout.iter().any(|l| l.starts_with('┌')));
    assert!(
        stdout.iter().any(|l| l.starts_with(&format!(
            "the database already holds {} listings: --demo seeded nothing",
            LISTINGS + 1
        ))),
        "{}",
        stdout.join("\n")
    );
    assert_eq!(
        app.scalar("SELECT count(*) AS n FROM listings").await,
        LISTINGS + 1
    );
    assert_eq!(app.scalar("SELECT count(*) AS n FROM subscribers").await, 1);
    let status = again.stop();
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
}

#[tokio::test]
async fn serve_demo_is_refused_in_production_and_seeds_nothing() {
    let app = spawn_app_with(&[("REDIS_URL", "none")]).await;
    let out = Command::new(env!("CARGO_BIN_EXE_shixin"))
        .args(["serve", "--demo"])
        .env("DATABASE_URL", &app.db_url)
        .env("SHIXIN_ENV", "production")
        .env("SHIXIN_BIND", "127.0.0.1:0")
        .env("SHIXIN_JWT_SECRET", crate::helpers::TEST_SECRET)
        .env("SHIXIN_DEMO_LISTINGS", "50")
        .env("REDIS_URL", "none")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("--demo") && err.contains("not in production"),
        "{err}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains('┌'));
    assert_eq!(app.scalar("SELECT count(*) AS n FROM listings").await, 0);
}
