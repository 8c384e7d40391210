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
async fn openapi_json_and_health_are_served() {
    let app = spawn_app().await;
    let (s, v) = json(app.get("/openapi.json", None).await).await;
    assert_eq!(s, 200);
    assert!(v["paths"]["/v1/listings"]["post"].is_object());
    let (s, v) = json(app.get("/healthz", None).await).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("ok")));
    let (s, v) = json(app.get("/readyz", None).await).await;
    assert_eq!((s, v["database"].as_str()), (200, Some("up")));
}

/// `GET /docs` (issue 22 item 6): Swagger UI served from the binary (no other host named by the
/// page), under its own Content-Security-Policy, with a link to the document for readers without
/// JavaScript; the vendored files with their types and a long cache. The bundle, the code and
/// assets/swagger-ui/README.md name the same Swagger UI version.
#[tokio::test]
async fn docs_page_serves_swagger_ui_from_the_binary() {
    use shixin::routes::docs::{BUNDLE_PATH, CSP, CSS_PATH, INIT_PATH, SWAGGER_UI_VERSION};
    let app = spawn_app().await;
    let r = app.get("/docs", None).await;
    assert_eq!(r.status(), 200);
    let header = |r: &reqwest::Response, h: &str| {
        r.headers()
            .get(h)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert_eq!(header(&r, "content-type"), "text/html; charset=utf-8");
    let csp = header(&r, "content-security-policy");
    assert_eq!(csp, CSP);
    assert!(
        csp.contains("script-src 'self';") && !csp.contains("unsafe"),
        "{csp}"
    );
    let html = r.text().await.unwrap();
    let v = format!("?v={SWAGGER_UI_VERSION}");
    for src in [
        format!("<script src=\"{BUNDLE_PATH}{v}\">"),
        format!("<script src=\"{INIT_PATH}\">"),
        format!("<link rel=\"stylesheet\" href=\"{CSS_PATH}{v}\">"),
    ] {
        assert!(html.contains(&src), "{src} missing: {html}");
    }
    assert!(
        !html.contains("//"),
        "another host or a comment in the page: {html}"
    );
    let noscript = &html[html.find("<noscript>").unwrap()..html.find("</noscript>").unwrap()];
    assert!(
        noscript.contains("<a href=\"/openapi.json\">"),
        "{noscript}"
    );
    let init = app.get(INIT_PATH, None).await.text().await.unwrap();
    assert!(init.contains("url: \"/openapi.json\"") && init.contains("validatorUrl: null"));

    for (path, ty, needle) in [
        (
            BUNDLE_PATH,
            "text/javascript; charset=utf-8",
            "SwaggerUIBundle",
        ),
        (CSS_PATH, "text/css; charset=utf-8", ".swagger-ui"),
    ] {
        let r = app.get(&format!("{path}{v}"), None).await;
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(header(&r, "content-type"), ty, "{path}");
        assert_eq!(
            header(&r, "cache-control"),
            "public, max-age=31536000, immutable"
        );
        assert!(r.text().await.unwrap().contains(needle), "{path}");
    }
    let bundle = app.get(BUNDLE_PATH, None).await.text().await.unwrap();
    assert!(
        bundle.contains(&format!("PACKAGE_VERSION:\"{SWAGGER_UI_VERSION}\"")),
        "the vendored bundle is not version {SWAGGER_UI_VERSION}"
    );
    let readme = std::fs::read_to_string("assets/swagger-ui/README.md").unwrap();
    assert!(readme.contains(&format!("**{SWAGGER_UI_VERSION}**")));
    assert_eq!(app.get("/docs/missing.js", None).await.status(), 404);
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
