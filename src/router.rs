//! The routes wired to their handlers, the middleware around them, and the OpenAPI document built
//! from the same wiring. This and `src/routes/` are the only places that name `routes::`.

use actix_web::{
    App, Error,
    body::MessageBody,
    dev::{ServiceFactory, ServiceRequest, ServiceResponse},
    middleware, web,
};
use tracing_actix_web::TracingLogger;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_actix_web::{AppExt, service_config::ServiceConfig};

use crate::{
    app::AppState,
    error::ApiError,
    routes::{
        self, audit, check_log, checks, corrections, courts, credit_repair, docs, fallback, feed,
        indicators, listings, oauth, ops, public, restrictions, subscribers, watchlist, webhooks,
    },
    telemetry::RedactedRootSpan,
};

/// What the router serves besides the state: the OpenAPI document as JSON and the templates of
/// its paths (405 with `Allow` on a known path, 404 elsewhere).
#[derive(Clone)]
pub struct ApiDocument {
    pub json: web::Data<ops::OpenApiJson>,
    pub templates: web::Data<fallback::Templates>,
}

impl ApiDocument {
    pub fn build() -> anyhow::Result<Self> {
        let api = openapi();
        Ok(ApiDocument {
            json: web::Data::new(ops::OpenApiJson(api.to_pretty_json()?)),
            templates: web::Data::new(fallback::Templates(fallback::templates(&api))),
        })
    }
}

/// The OpenAPI document generated from the code (`shixin openapi`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(base_openapi())
        .configure(configure)
        .split_for_parts();
    document_problems(&mut api);
    api
}

/// One HTTP worker's application: every route, its extractor limits and the middleware.
pub fn app(
    state: web::Data<AppState>,
    doc: ApiDocument,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let max_body = state.settings.max_body;
    let (app, _) = App::new()
        .into_utoipa_app()
        .configure(configure)
        .split_for_parts();
    app.app_data(state.jwt.clone())
        .app_data(state)
        .app_data(doc.json)
        .app_data(doc.templates)
        .app_data(web::PayloadConfig::new(max_body))
        .app_data(json_config(max_body))
        .app_data(query_config())
        .app_data(path_config())
        .configure(configure_plain)
        .default_service(web::to(fallback::not_found))
        .wrap(middleware::from_fn(fallback::refuse_nul))
        .wrap(middleware::from_fn(public::limit::rate_limit))
        .wrap(fallback::problem_errors())
        .wrap(middleware::from_fn(crate::metrics::track))
        .wrap(middleware::NormalizePath::trim())
        .wrap(TracingLogger::<RedactedRootSpan>::new())
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "shixin",
        description = "National publication service for the list of dishonest judgment debtors (失信被执行人名单) and consumption restriction orders (限制消费令).",
    ),
    modifiers(&BearerAuth),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A JWT: `shixin token --role …` prints one; a subscriber gets one from \
                         `POST /v1/oauth/token` (client credentials). At /docs, \"Authorize\" takes \
                         the token alone, without `Bearer `.",
                    ))
                    .build(),
            ),
        );
    }
}

pub fn base_openapi() -> utoipa::openapi::OpenApi {
    let mut api = ApiDoc::openapi();
    api.info.version = env!("CARGO_PKG_VERSION").to_string();
    api
}

/// Documented routes (collected into the OpenAPI document).
pub fn configure(cfg: &mut ServiceConfig) {
    // Routes are tried in this order (twice: the metrics middleware resolves the pattern before
    // routing), so the busiest come first.
    cfg.service(ops::healthz)
        .service(public::search)
        .service(public::detail)
        .service(checks::check)
        .service(checks::logged)
        .service(watchlist::add)
        .service(watchlist::remove)
        .service(watchlist::count)
        .service(ops::readyz)
        .service(ops::metrics)
        .service(ops::jwks)
        .service(courts::create)
        .service(courts::list)
        .service(courts::get)
        .service(listings::create::create)
        .service(listings::list::list)
        .service(listings::get::get)
        .service(listings::patch::patch)
        .service(listings::removal::removal)
        .service(listings::extension::extension)
        .service(listings::history::history)
        .service(listings::notices::notices)
        .service(listings::service::service)
        .service(crate::web::decision::decision)
        .service(corrections::apply::apply)
        .service(corrections::read::of_listing)
        .service(corrections::read::list)
        .service(corrections::read::get)
        .service(corrections::decision::decision)
        .service(corrections::steps::service)
        .service(corrections::steps::reconsideration)
        .service(corrections::decision::reconsideration_decision)
        .service(credit_repair::apply::apply)
        .service(credit_repair::read::of_listing)
        .service(credit_repair::read::list)
        .service(credit_repair::read::get)
        .service(credit_repair::decision::decision)
        .service(public::certificates::certificate)
        .service(audit::list)
        .service(restrictions::create::create)
        .service(restrictions::list::list)
        .service(restrictions::list::get)
        .service(restrictions::lifting::lifting)
        .service(restrictions::releases::grant)
        .service(restrictions::releases::revoke)
        .service(subscribers::create)
        .service(subscribers::list)
        .service(subscribers::update)
        .service(subscribers::rotate)
        .service(oauth::token)
        .service(check_log::list)
        .service(indicators::indicators)
        .service(feed::feed)
        .service(feed::snapshot::snapshot)
        .service(webhooks::create::create)
        .service(webhooks::manage::list)
        .service(webhooks::manage::get)
        .service(webhooks::manage::update)
        .service(webhooks::manage::remove)
        .service(webhooks::actions::rotate)
        .service(webhooks::actions::replay)
        .service(webhooks::actions::test)
        .service(webhooks::deliveries::list)
        .service(webhooks::deliveries::get);
}

/// Routes outside the API document.
pub fn configure_plain(cfg: &mut web::ServiceConfig) {
    cfg.route("/openapi.json", web::get().to(ops::openapi_json))
        .route("/docs", web::get().to(docs::page))
        .route(docs::INIT_PATH, web::get().to(docs::init_js))
        .route(docs::BUNDLE_PATH, web::get().to(docs::bundle_js))
        .route(docs::CSS_PATH, web::get().to(docs::css))
        .route("/", web::get().to(crate::web::index))
        .route("/listings/{id}", web::get().to(crate::web::detail))
        .route(
            "/certificates/{id}",
            web::get().to(crate::web::certificate::certificate),
        )
        .route("/supervise", web::get().to(crate::web::supervise::form))
        .route("/supervise", web::post().to(crate::web::supervise::show));
}

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(|e, _| routes::json_error(&e.to_string()).into())
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default()
        .error_handler(|e, _| ApiError::invalid_parameter(e.to_string()).into())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|e, _| ApiError::invalid_parameter(e.to_string()).into())
}

/// Every error response is `application/problem+json` with the `Problem` schema, and every operation
/// documents the errors any request may meet (malformed input, authentication, limits, outages).
pub fn document_problems(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let problem = |d: &str| {
        ResponseBuilder::new()
            .description(d)
            .content(
                crate::error::PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
    };
    for (path, item) in api.paths.paths.iter_mut() {
        let has_params = path.contains('{');
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.patch,
            &mut item.put,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            for (code, resp) in op.responses.responses.iter_mut() {
                if (code.starts_with('4') || code.starts_with('5'))
                    && let RefOr::T(r) = resp
                {
                    let entries: Vec<_> = r.content.drain(..).collect();
                    for (_, c) in entries {
                        r.content.insert(crate::error::PROBLEM_JSON.to_string(), c);
                    }
                }
            }
            let mut codes = vec![
                ("400", "Malformed parameters (`invalid_parameter`)"),
                ("405", "Wrong method"),
                ("500", "Internal error (never carries internals)"),
                ("503", "The database is unavailable"),
            ];
            if op.security.is_some() {
                codes.push(("401", "No or invalid bearer token"));
                codes.push(("403", "Not allowed for this principal"));
            }
            if has_params {
                codes.push(("404", "Not found"));
            }
            let has_if_match = op.parameters.as_ref().is_some_and(|ps| {
                ps.iter()
                    .any(|p| matches!(p, RefOr::T(p) if p.name == "If-Match"))
            });
            if has_if_match {
                codes.push((
                    "412",
                    "The version in If-Match is stale (`version_mismatch`)",
                ));
                codes.push(("428", "If-Match is missing (`precondition_required`)"));
            }
            if op.request_body.is_some() {
                codes.push(("413", "Body too large"));
                codes.push(("415", "Not JSON"));
                codes.push(("422", "Well-formed but invalid or against a rule"));
            }
            for (c, d) in codes {
                op.responses
                    .responses
                    .entry(c.to_string())
                    .or_insert_with(|| RefOr::T(problem(d)));
            }
        }
    }
}
