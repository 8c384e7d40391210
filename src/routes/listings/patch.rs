use actix_web::{HttpRequest, HttpResponse, patch, web};
use chrono::Utc;
use diesel::{ExpressionMethods, QueryDsl};
use diesel_async::RunQueryDsl;
use serde_json::Value;

use super::{
    as_input, event_data, lock_for_change, out_json, parse_id, publish, reload,
    wire::{ListingIn, ListingOut},
};
use crate::{
    app::AppState,
    audit::{self, Actor},
    auth::Principal,
    db::{models::listing::OPEN_DEBTOR_CASE_INDEX, schema::listings},
    domain::{listing_rules::ListingStatus, today_cst},
    error::{ApiError, is_unique_violation},
    events,
    listings::validate::{Mode, validate},
    routes::parse_json,
    write::{Outcome, if_match, run_write},
};

/// Fields a correction may carry (L7): the create fields except `court_code`.
const CORRECTABLE: [&str; 12] = [
    "debtor",
    "associated_persons",
    "case_number",
    "filed_on",
    "basis",
    "obligation",
    "performance",
    "grounds",
    "extension_years",
    "decided_on",
    "grace_until",
    "initiated_by",
];

/// Correct a listing (L7) with a JSON merge patch (RFC 7396); `If-Match` required.
#[utoipa::path(tag = "listings", request_body(content = ListingIn, content_type = "application/merge-patch+json"),
    security(("bearer" = [])), params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ListingOut), (status = 412, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
#[patch("/v1/listings/{id}")]
pub async fn patch(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require_court_actor()?;
    let id = parse_id(&id)?;
    let expected = if_match(&req)?;
    let patch: Value = parse_json(&req, &body)?;
    let Some(fields) = patch.as_object().cloned() else {
        return Err(ApiError::rule(
            "invalid_body",
            None,
            "a merge patch is a JSON object",
        ));
    };
    let actor = Actor::from(&principal);
    let p = principal.clone();
    run_write(&state, &principal, &req, &body, move |conn| {
        Box::pin(async move {
            let row = lock_for_change(conn, &p, id, expected, false).await?;
            let before = reload(conn, id).await?;
            let before_json = out_json(&before)?;
            for (k, v) in &fields {
                if !CORRECTABLE.contains(&k.as_str()) && before_json.get(k) != Some(v) {
                    return Err(ApiError::rule(
                        "field_not_correctable",
                        Some(k),
                        format!("{k} cannot be corrected"),
                    ));
                }
            }
            let mut merged = as_input(&before);
            let correctable: serde_json::Map<String, Value> = fields
                .into_iter()
                .filter(|(k, _)| CORRECTABLE.contains(&k.as_str()))
                .collect();
            json_patch::merge(&mut merged, &Value::Object(correctable));
            let input: ListingIn = serde_json::from_value(merged).map_err(|e| {
                ApiError::rule(
                    "invalid_body",
                    None,
                    format!("the corrected listing does not have the expected shape: {e}"),
                )
            })?;
            let pending = row.status == ListingStatus::Pending;
            let valid = validate(&input, today_cst(), Mode::Correct { pending })?;
            let publish_now = pending && valid.values.grace_until.is_none();
            let now = Utc::now();
            let updated = diesel::update(listings::table.filter(listings::id.eq(id)))
                .set((
                    &valid.values,
                    listings::version.eq(row.version + 1),
                    listings::updated_at.eq(now),
                ))
                .execute(conn)
                .await;
            match updated {
                Err(e) if is_unique_violation(&e, OPEN_DEBTOR_CASE_INDEX) => {
                    return Err(ApiError::conflict(
                        "listing_exists",
                        "this debtor already has an active or pending listing in this case",
                    ));
                }
                other => other?,
            };
            if publish_now {
                diesel::update(listings::table.filter(listings::id.eq(id)))
                    .set((
                        listings::status.eq("active"),
                        listings::published_at.eq(Some(now)),
                    ))
                    .execute(conn)
                    .await?;
            }
            for person in &valid.persons {
                person.upsert(conn).await?;
            }
            if publish_now {
                publish(conn, &actor, id).await?;
            } else if row.status == ListingStatus::Active {
                let updated = reload(conn, id).await?;
                events::append(
                    conn,
                    events::LISTING_UPDATED,
                    id,
                    &[],
                    event_data(&updated, None),
                )
                .await?;
                crate::orders::update_for_listing(conn, &actor, &updated).await?;
            }
            let after = reload(conn, id).await?;
            let after_json = out_json(&after)?;
            audit::append(
                conn,
                &actor,
                "listing.correct",
                "listing",
                &id.to_string(),
                Some(&before_json),
                Some(&after_json),
            )
            .await?;
            Ok(Outcome::ok(after_json, after.row.version).affecting([
                before.row.name_folded.clone(),
                after.row.name_folded.clone(),
            ]))
        })
    })
    .await
}
