//! `GET /docs`: an interactive reference of `/openapi.json` (Swagger UI), served entirely from the
//! binary so it works offline: the page, its start script and the vendored Swagger UI files of
//! `assets/swagger-ui/` (see its README for the package, version and integrity). Without
//! JavaScript the page still links to `/openapi.json`.

use actix_web::{HttpResponse, http::header};

/// The vendored Swagger UI's version (npm `swagger-ui-dist`; `assets/swagger-ui/README.md`). The
/// page asks for its files with `?v=` this version, so they may be cached for a year: a service
/// upgraded to another Swagger UI asks for other URLs.
macro_rules! swagger_ui_version {
    () => {
        "5.36.0"
    };
}
pub const SWAGGER_UI_VERSION: &str = swagger_ui_version!();

const BUNDLE_JS: &str = include_str!("../../assets/swagger-ui/swagger-ui-bundle.js");
const CSS: &str = include_str!("../../assets/swagger-ui/swagger-ui.css");

/// Paths of the page's own files (routes in `router::configure_plain`).
pub const BUNDLE_PATH: &str = "/docs/swagger-ui-bundle.js";
pub const CSS_PATH: &str = "/docs/swagger-ui.css";
pub const INIT_PATH: &str = "/docs/init.js";

/// The page's policy: scripts and styles from this origin only (no inline script, no CDN), the
/// `data:` images Swagger UI draws its icons with, and calls ("Try it out") to this origin only.
/// Swagger UI sets element styles from script (`style` properties), which a CSP does not govern.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// The vendored files change only with their version, which their URLs carry.
const VENDORED_CACHE: &str = "public, max-age=31536000, immutable";
/// The start script is ours and may change with any release: an hour.
const INIT_CACHE: &str = "public, max-age=3600";

const PAGE: &str = concat!(
    r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>shixin API reference</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/swagger-ui.css?v="#,
    swagger_ui_version!(),
    r#"">
</head>
<body>
<noscript>
<h1>shixin API reference</h1>
<p>This interactive reference needs JavaScript. The machine-readable OpenAPI document is at
<a href="/openapi.json">/openapi.json</a>; the contract in prose is docs/API.md.</p>
</noscript>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js?v="#,
    swagger_ui_version!(),
    r#""></script>
<script src="/docs/init.js"></script>
</body>
</html>
"#
);

/// Starts Swagger UI on `/openapi.json`. `validatorUrl: null` keeps it from fetching a badge from
/// validator.swagger.io; operation ids are shown (client generators name their functions after
/// them); the token entered under "Authorize" is kept for the page's life only, not stored.
const INIT_JS: &str = r##"window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    displayOperationId: true,
    displayRequestDuration: true,
    filter: true,
    persistAuthorization: false,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
"##;

fn asset(content_type: &'static str, cache: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body)
}

/// `GET /docs`: the page, with its own Content-Security-Policy.
pub async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(PAGE)
}

/// `GET /docs/init.js`.
pub async fn init_js() -> HttpResponse {
    asset("text/javascript; charset=utf-8", INIT_CACHE, INIT_JS)
}

/// `GET /docs/swagger-ui-bundle.js`.
pub async fn bundle_js() -> HttpResponse {
    asset("text/javascript; charset=utf-8", VENDORED_CACHE, BUNDLE_JS)
}

/// `GET /docs/swagger-ui.css`.
pub async fn css() -> HttpResponse {
    asset("text/css; charset=utf-8", VENDORED_CACHE, CSS)
}
