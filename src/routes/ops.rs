//! Operations: liveness, readiness, metrics, the OpenAPI document and its browsable page.

use actix_web::{HttpResponse, get, web};
use diesel::sql_query;
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use crate::startup::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    pub status: &'static str,
    pub database: &'static str,
    pub redis: &'static str,
}

/// Alive.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Ready when the database answers; Redis is reported as degraded, never down.
#[utoipa::path(tag = "operations", responses((status = 200, body = Readiness), (status = 503, body = Readiness)))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let database = match state.db.get().await {
        Ok(mut conn) => match sql_query("SELECT 1").execute(&mut conn).await {
            Ok(_) => "up",
            Err(_) => "down",
        },
        Err(_) => "down",
    };
    let redis = state.cache.status();
    let body = Readiness {
        status: if database == "up" {
            "ready"
        } else {
            "unavailable"
        },
        database,
        redis,
    };
    if database == "up" {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// Prometheus metrics.
#[utoipa::path(tag = "operations", responses((status = 200, content_type = "text/plain", body = String)))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let s = state.db.status();
    let body = format!(
        "# HELP shixin_db_pool_size Connections in the database pool.\n# TYPE shixin_db_pool_size gauge\nshixin_db_pool_size {}\n# HELP shixin_db_pool_available Idle connections in the database pool.\n# TYPE shixin_db_pool_available gauge\nshixin_db_pool_available {}\n",
        s.size, s.available
    );
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(body)
}

pub async fn openapi_json(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(state.openapi_json.clone())
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A browsable page of every operation, rendered on the server from the OpenAPI document.
pub async fn docs() -> HttpResponse {
    let api = crate::startup::openapi();
    let mut html = String::from(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>shixin API</title>\
         <style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}code{background:#eee}\
         li{margin:.3rem 0}</style></head><body><h1>shixin API</h1>\
         <p>The machine-readable document is at <a href=\"/openapi.json\">/openapi.json</a>.</p><ul>",
    );
    for (path, item) in &api.paths.paths {
        let ops = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PATCH", &item.patch),
            ("PUT", &item.put),
            ("DELETE", &item.delete),
        ];
        for (method, op) in ops {
            if let Some(op) = op {
                let summary = op
                    .summary
                    .clone()
                    .or(op.description.clone())
                    .unwrap_or_default();
                html.push_str(&format!(
                    "<li><code>{method} {}</code> — {}</li>",
                    esc(path),
                    esc(&summary)
                ));
            }
        }
    }
    html.push_str("</ul></body></html>");
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html)
}
