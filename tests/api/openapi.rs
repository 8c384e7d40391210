//! The committed `openapi/openapi.json` is what the code generates, and the service serves it.

use crate::helpers::{json, spawn_app};

#[test]
fn committed_openapi_matches_the_code() {
    let generated = shixin::router::openapi().to_pretty_json().unwrap();
    let committed = std::fs::read_to_string("openapi/openapi.json").unwrap_or_default();
    assert!(
        committed.trim() == generated.trim(),
        "openapi/openapi.json is stale: regenerate it with `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[tokio::test]
async fn openapi_json_and_docs_are_served() {
    let app = spawn_app().await;
    let (s, v) = json(app.get("/openapi.json", None).await).await;
    assert_eq!(s, 200);
    assert!(v["paths"]["/v1/listings"]["post"].is_object());
    let r = app.get("/docs", None).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("/v1/listings/{id}/removal")
    );
    let (s, v) = json(app.get("/healthz", None).await).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("ok")));
    let (s, v) = json(app.get("/readyz", None).await).await;
    assert_eq!((s, v["database"].as_str()), (200, Some("up")));
}
