//! Helpers of the public tests: every public body goes through [`scan`], which fails the test when a
//! full person ID number appears in it (docs/LAW.md L10).

use serde_json::{Value, json};

use crate::helpers::{TestApp, make_id, person_listing};

/// A generous limit, so that the public tests are not rate-limited by default.
pub const NO_LIMIT: (&str, &str) = ("SHIXIN_PUBLIC_RATE_LIMIT", "1000000/s");

/// Fails when `body` holds an 18-character run that is a valid resident ID number.
pub fn scan(body: &str) {
    let chars: Vec<char> = body.chars().collect();
    for start in 0..chars.len() {
        if start > 0 && chars[start - 1].is_ascii_alphanumeric() {
            continue;
        }
        let end = start + 18;
        if end > chars.len() {
            break;
        }
        let window = &chars[start..end];
        let boundary = chars.get(end).is_none_or(|c| !c.is_ascii_alphanumeric());
        let run: String = window.iter().collect();
        if boundary
            && window[..17].iter().all(|c| c.is_ascii_digit())
            && shixin::domain::id_number::IdNumber::parse(&run).is_ok()
        {
            panic!("a full ID number appears in a public answer: {body}");
        }
    }
}

/// GET a public path (no token), scan the body, and return status, headers and body text.
pub async fn public_raw(app: &TestApp, path: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let r = app.get(path, None).await;
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    scan(&text);
    (status, headers, text)
}

pub async fn public_get(app: &TestApp, path: &str) -> (u16, Value) {
    let (s, _, text) = public_raw(app, path).await;
    (
        s,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pub fn q(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub async fn search(app: &TestApp, name: &str) -> (u16, Value) {
    public_get(app, &format!("/v1/public/listings?name={}", q(name))).await
}

/// Ids of the items of a search for `name`.
pub async fn search_ids(app: &TestApp, name: &str) -> Vec<String> {
    let (s, v) = search(app, name).await;
    assert_eq!(s, 200, "{v}");
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

/// A person listing of `name` with the `seq`-th ID number of a 1980 birth.
pub fn named(name: &str, seq: u32) -> Value {
    let mut b = person_listing(&make_id("110105", "19800101", 100 + 2 * (seq % 400)), seq);
    b["debtor"]["name"] = json!(name);
    b
}

pub async fn remove(app: &TestApp, id: &str, version: i64) {
    let r = app
        .post_if(
            &format!("/v1/listings/{id}/removal"),
            &app.court("京0105"),
            version,
            &json!({"reason": "early_deletion", "note": "信用修复"}),
        )
        .await;
    assert_eq!(r.status(), 200);
}

/// Waits until the cache is trusted (an instance starts by replacing the epoch).
pub async fn wait_redis_up(app: &TestApp) {
    for _ in 0..100 {
        let v: Value = app.get("/readyz", None).await.json().await.unwrap();
        if v["redis"] == "up" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("redis never came up");
}
