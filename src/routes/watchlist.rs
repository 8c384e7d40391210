//! The watch-list of a subscriber of scope `watchlist` (docs/API.md "Checks", bullet
//! "Watch-lists"): `POST`/`DELETE /v1/watchlist/items`, `GET /v1/watchlist`. The service is
//! `crate::watchlist`.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};

use crate::{
    app::AppState,
    auth::Principal,
    checks::parse::batch_size,
    error::ApiError,
    routes::parse_json,
    subscribers::ActiveSubscriber,
    watchlist::{
        self, MAX_SUBJECTS,
        wire::{WatchAdded, WatchCount, WatchIn, WatchRemoved},
    },
};

/// The watching subscriber and its body's subjects: 409 for scope `all`, 413 beyond 10,000, 422
/// when empty.
async fn watcher_and_body(
    state: &AppState,
    principal: &Principal,
    req: &HttpRequest,
    body: &web::Bytes,
) -> Result<(ActiveSubscriber, WatchIn), ApiError> {
    let subscriber = state.subscribers.require(&state.db, principal).await?;
    watchlist::require_scope(&subscriber)?;
    let input: WatchIn = parse_json(req, body)?;
    batch_size(input.subjects.len(), MAX_SUBJECTS, "call")?;
    Ok((subscriber, input))
}

/// Watch up to 10,000 subjects (subscriber of scope `watchlist`); says which are restricted now.
/// Malformed subjects are 422, each by its index, and nothing is added.
#[utoipa::path(operation_id = "watchlist_add", tag = "watchlist", request_body = WatchIn, security(("bearer" = [])),
    responses((status = 200, description = "Success", body = WatchAdded), (status = 409, description = "Conflicts with the current state (problem+json)", body = crate::error::Problem),
        (status = 413, description = "Too large (problem+json)", body = crate::error::Problem), (status = 422, description = "Invalid input; the problem names each field (problem+json)", body = crate::error::Problem)))]
#[post("/v1/watchlist/items")]
pub async fn add(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (subscriber, input) = watcher_and_body(&state, &principal, &req, &body).await?;
    let out = watchlist::add(&state, &subscriber, &input.subjects).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Stop watching up to 10,000 subjects: no event of theirs reaches the subscriber from now on.
#[utoipa::path(operation_id = "watchlist_remove", tag = "watchlist", request_body = WatchIn, security(("bearer" = [])),
    responses((status = 200, description = "Success", body = WatchRemoved), (status = 409, description = "Conflicts with the current state (problem+json)", body = crate::error::Problem),
        (status = 413, description = "Too large (problem+json)", body = crate::error::Problem), (status = 422, description = "Invalid input; the problem names each field (problem+json)", body = crate::error::Problem)))]
#[delete("/v1/watchlist/items")]
pub async fn remove(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (subscriber, input) = watcher_and_body(&state, &principal, &req, &body).await?;
    let out = watchlist::remove(&state, &subscriber, &input.subjects).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// How many subjects the subscriber watches.
#[utoipa::path(operation_id = "watchlist_count", tag = "watchlist", security(("bearer" = [])),
    responses((status = 200, description = "Success", body = WatchCount), (status = 409, description = "Conflicts with the current state (problem+json)", body = crate::error::Problem)))]
#[get("/v1/watchlist")]
pub async fn count(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let subscriber = state.subscribers.require(&state.db, &principal).await?;
    watchlist::require_scope(&subscriber)?;
    let count = watchlist::count(&state, &subscriber).await?;
    Ok(HttpResponse::Ok().json(WatchCount { count }))
}
