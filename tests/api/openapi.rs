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

/// A third-party validator accepts the document (issue 22, item 7): the `openapi-spec-validator`
/// Python package, installed by `scripts/test`. Every response has its description and every
/// operation id is unique (client generators name their functions after them).
#[test]
fn openapi_is_valid_for_a_third_party_validator_with_unique_operation_ids() {
    let doc = shixin::router::openapi().to_pretty_json().unwrap();
    let v: serde_json::Value = serde_json::from_str(&doc).unwrap();
    let mut ids = std::collections::HashMap::new();
    for (path, ops) in v["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            assert!(!id.is_empty(), "{method} {path} has no operationId");
            if let Some(other) = ids.insert(id.clone(), format!("{method} {path}")) {
                panic!("operationId {id} is used by {other} and by {method} {path}");
            }
        }
    }
    let script = "import json, sys\n\
        from openapi_spec_validator import OpenAPIV31SpecValidator as V\n\
        errors = [e.message for e in V(json.load(sys.stdin)).iter_errors()]\n\
        print(len(errors)); print('\\n'.join(errors[:20]))\n";
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), doc.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("ModuleNotFoundError"),
        "install the validator: pip install openapi-spec-validator ({stderr})"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the validator failed: {stderr}");
    assert_eq!(
        stdout.lines().next(),
        Some("0"),
        "validation errors:\n{stdout}"
    );
}
