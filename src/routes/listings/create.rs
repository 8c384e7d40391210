use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Utc;
use diesel::{ExpressionMethods, insert_into};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::{
    out_json, publish, reload,
    wire::{ListingIn, ListingOut},
};
use crate::{
    app::AppState,
    audit::{self, Actor},
    auth::{Principal, scope::ensure_court_scope},
    db::{
        models::{
            court::Court,
            listing::{Listing, OPEN_DEBTOR_CASE_INDEX},
        },
        schema::listings,
    },
    domain::calendar::cst_date,
    domain::{
        listing_rules::{InitiatedBy, relisting_barred},
        today_cst,
    },
    error::{ApiError, is_unique_violation},
    listings::validate::{Mode, validate},
    routes::parse_json,
    write::{Outcome, run_write},
};

/// List a debtor (court, supervisor). Enforces L1–L11 and I1–I4; a grace period makes it `pending`.
#[utoipa::path(tag = "listings", request_body = ListingIn, security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses((status = 201, body = ListingOut), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/v1/listings")]
pub async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require_court_actor()?;
    let input: ListingIn = parse_json(&req, &body)?;
    let valid = validate(&input, today_cst(), Mode::Create)?;
    let actor = Actor::from(&principal);
    let p = principal.clone();
    run_write(&state, &principal, &req, &body, move |conn| {
        Box::pin(async move {
            let court = valid.court.as_str();
            if Court::find(conn, court).await?.is_none() {
                return Err(ApiError::rule("unknown_court", Some("court_code"), format!("no court {court} is registered")));
            }
            ensure_court_scope(conn, &p, court).await?;
            let v = &valid.values;
            if valid.initiated_by == InitiatedBy::CreditorApplication
                && let Some(at) =
                    Listing::last_creditor_removal(conn, &v.debtor_key, &v.case_number).await?
                && relisting_barred(cst_date(at), v.decided_on)
            {
                return Err(ApiError::rule(
                    "relisting_barred",
                    Some("initiated_by"),
                    "within 6 months of a removal on the creditor's request, the creditor may not apply again in the same case (L8)",
                ));
            }
            let id = Uuid::now_v7();
            let now = Utc::now();
            let pending = v.grace_until.is_some();
            let inserted = insert_into(listings::table)
                .values((
                    v,
                    listings::id.eq(id),
                    listings::status.eq(if pending { "pending" } else { "active" }),
                    listings::version.eq(1),
                    listings::published_at.eq(if pending { None } else { Some(now) }),
                    listings::created_at.eq(now),
                    listings::updated_at.eq(now),
                ))
                .execute(conn)
                .await;
            match inserted {
                Err(e) if is_unique_violation(&e, OPEN_DEBTOR_CASE_INDEX) => {
                    return Err(ApiError::conflict("listing_exists", "this debtor already has an active or pending listing in this case"));
                }
                other => other?,
            };
            for person in &valid.persons {
                person.upsert(conn).await?;
            }
            if !pending {
                publish(conn, &actor, id).await?;
            }
            let listing = reload(conn, id).await?;
            let after = out_json(&listing)?;
            audit::append(conn, &actor, "listing.create", "listing", &id.to_string(), None, Some(&after)).await?;
            Ok(Outcome::created(after, Some(1), format!("/v1/listings/{id}"))
                .affecting([listing.row.name_folded.clone()]))
        })
    })
    .await
}
