//! Operations: liveness, readiness, metrics and the OpenAPI document (its browsable page is
//! `docs.rs`).

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{app::AppState, db::replica::ReplicaStatus};

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    /// `ready`; `degraded` while the primary answers but the read replica does not serve reads;
    /// `unavailable` (503) while the primary does not answer.
    pub status: &'static str,
    pub database: &'static str,
    pub redis: &'static str,
    /// The read replica (`DATABASE_READ_URL`): `up` (reads go to it), `down` (it does not answer),
    /// `not_synchronous` (the primary does not wait for it to apply commits: reads stay on the
    /// primary) or `none` (not configured).
    #[schema(example = "up")]
    pub replica: &'static str,
}

/// Alive.
#[utoipa::path(operation_id = "healthz", tag = "operations", responses((status = 200, description = "Success", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Ready when the database answers; Redis is reported as degraded, never down.
///
/// A read replica (`DATABASE_READ_URL`) that does not serve reads makes the service `degraded`
/// (200): reads go to the primary.
#[utoipa::path(operation_id = "readyz", tag = "operations", responses((status = 200, description = "Success", body = Readiness), (status = 503, description = "Not ready: the database does not answer", body = Readiness)))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let database = match state.db.get().await {
        Ok(mut conn) => match crate::db::ping(&mut conn).await {
            Ok(_) => "up",
            Err(_) => "down",
        },
        Err(_) => "down",
    };
    let redis = state.cache.status();
    let replica = state.reads.status();
    let body = Readiness {
        status: match (database, replica) {
            ("up", ReplicaStatus::None | ReplicaStatus::Up) => "ready",
            ("up", _) => "degraded",
            _ => "unavailable",
        },
        database,
        redis,
        replica: replica.as_str(),
    };
    if database == "up" {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

fn gauge(out: &mut String, name: &str, help: &str, value: f64) {
    out.push_str(&format!(
        "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n"
    ));
}

/// Prometheus metrics.
#[utoipa::path(operation_id = "metrics", tag = "operations", responses((status = 200, description = "Success", content_type = "text/plain", body = String)))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let mut body = crate::metrics::handle()
        .map(|h| h.render())
        .unwrap_or_default();
    let s = state.db.status();
    gauge(
        &mut body,
        "shixin_db_pool_size",
        "Connections in the database pool.",
        s.size as f64,
    );
    gauge(
        &mut body,
        "shixin_db_pool_available",
        "Idle connections in the database pool.",
        s.available as f64,
    );
    gauge(
        &mut body,
        "shixin_db_pool_waiting",
        "Requests waiting for a database connection.",
        s.waiting as f64,
    );
    // One family, its HELP and TYPE once (the text format refuses them repeated).
    if let Some((_, h)) = &state.reads.replica {
        let (replica, primary) = h.counts();
        body.push_str(&format!(
            "# HELP shixin_reads_total Public searches, checks, feed pages and snapshots read from the replica or, when it is not up, the primary.\n\
             # TYPE shixin_reads_total counter\n\
             shixin_reads_total{{server=\"replica\"}} {replica}\n\
             shixin_reads_total{{server=\"primary\"}} {primary}\n"
        ));
        gauge(
            &mut body,
            "shixin_replica_up",
            "1 while reads go to the replica (it answers and is synchronous).",
            f64::from(u8::from(h.usable())),
        );
    }
    let (written, dropped) = state.check_log.counts();
    body.push_str(&format!(
        "# HELP shixin_check_log_subjects_total Checked subjects written to the check log, or dropped because its writer was far behind.\n\
         # TYPE shixin_check_log_subjects_total counter\n\
         shixin_check_log_subjects_total{{outcome=\"written\"}} {written}\n\
         shixin_check_log_subjects_total{{outcome=\"dropped\"}} {dropped}\n"
    ));
    gauge(
        &mut body,
        "shixin_check_filter_keys",
        "Restricted keys held in memory for checks (0 while not loaded or turned off).",
        state.subject_filter.len() as f64,
    );
    if let Ok(mut conn) = state.db.get().await {
        let q = crate::db::deliveries::queue_stats(&mut conn).await;
        if let Ok(Some(r)) = q {
            gauge(
                &mut body,
                "shixin_webhook_queue_pending",
                "Deliveries waiting to be sent (due or scheduled for a retry).",
                r.pending as f64,
            );
            gauge(
                &mut body,
                "shixin_webhook_queue_failed",
                "Deliveries whose retries are used up (replayable).",
                r.failed as f64,
            );
            gauge(
                &mut body,
                "shixin_webhook_queue_oldest_due_seconds",
                "How long the oldest due delivery has waited: the delivery lag.",
                r.oldest_due_seconds,
            );
        }
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(body)
}

/// The OpenAPI document as served at `/openapi.json` (built once by the router).
pub struct OpenApiJson(pub String);

pub async fn openapi_json(doc: web::Data<OpenApiJson>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.0.clone())
}

/// The public keys that verify credit-repair certificates (RFC 7517 JWK Set; Ed25519 `OKP` keys
/// named by `kid`, the signing key first, retired keys after it).
#[utoipa::path(operation_id = "certificates_jwks", tag = "certificates", responses((status = 200, description = "JWK Set", content_type = "application/jwk-set+json")))]
#[get("/.well-known/jwks.json")]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/jwk-set+json")
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(state.signing_keys.jwks())
}
