//! `POST /v1/checks`: may these persons buy this ticket? (API.md "Checks").

pub mod decide;
pub mod wire;

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, post, web};
use chrono::Utc;

use crate::{
    app::AppState,
    auth::Principal,
    checklog::Request as LoggedRequest,
    db::checks as load,
    domain::{
        credit_code::CreditCode,
        document::{DocumentType, normalize_document_number},
        id_number::IdNumber,
        status::Decision,
        travel::{Journey, SeatClass, TrainKind},
    },
    error::{ApiError, FieldError},
    routes::parse_json,
};
use decide::{Scope, Subject, decide};
use wire::{CheckIn, CheckOut, TravelIn};

pub const MAX_SUBJECTS: usize = 1000;

fn journey(t: &TravelIn) -> Result<Journey, ApiError> {
    match t.mode.as_str() {
        "air" => Ok(Journey::Air),
        "rail" => {
            let train = t.train.as_deref().ok_or_else(|| {
                ApiError::rule(
                    "invalid_value",
                    Some("travel.train"),
                    "rail travel names the train",
                )
            })?;
            let seat = t.seat_class.as_deref().ok_or_else(|| {
                ApiError::rule(
                    "invalid_value",
                    Some("travel.seat_class"),
                    "rail travel names the seat class",
                )
            })?;
            let kind =
                TrainKind::of_train(train).map_err(|e| ApiError::domain("travel.train", e))?;
            let seat =
                SeatClass::parse(seat).map_err(|e| ApiError::domain("travel.seat_class", e))?;
            Ok(Journey::Rail(kind, seat))
        }
        _ => Err(ApiError::rule(
            "invalid_value",
            Some("travel.mode"),
            "mode is air or rail",
        )),
    }
}

/// What a subject is looked up by: its ID number or organisation code, or a document.
enum Key {
    Id(String),
    Doc(String, String),
}

/// Check up to 1,000 subjects (subscriber). Denied when an active order binds a subject with an item of
/// the subscriber's sector (that the journey touches) and no release valid now covers it.
#[utoipa::path(tag = "checks", request_body = CheckIn, security(("bearer" = [])),
    responses((status = 200, body = CheckOut), (status = 413, body = crate::error::Problem)))]
#[post("/v1/checks")]
pub async fn check(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let subscriber = state.subscribers.require(&state.db, &principal).await?;
    let input: CheckIn = parse_json(&req, &body)?;
    if input.subjects.len() > MAX_SUBJECTS {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!("at most {MAX_SUBJECTS} subjects per check"),
        ));
    }
    if input.subjects.is_empty() {
        return Err(ApiError::rule(
            "invalid_value",
            Some("subjects"),
            "name at least one subject",
        ));
    }
    let scope = match &input.travel {
        Some(t) => Scope::Journey(journey(t)?.item()),
        None => Scope::Sector,
    };
    let mut errors = Vec::new();
    let mut keys = Vec::with_capacity(input.subjects.len());
    for (i, s) in input.subjects.iter().enumerate() {
        let key = if let Some(id) = &s.id_number {
            IdNumber::parse(id)
                .map(|id| Key::Id(id.as_str().to_string()))
                .map_err(|e| FieldError::from_domain(format!("subjects[{i}].id_number"), e))
        } else if let Some(c) = &s.credit_code {
            CreditCode::parse(c)
                .map(|c| Key::Id(c.org_code().to_string()))
                .map_err(|e| FieldError::from_domain(format!("subjects[{i}].credit_code"), e))
        } else if let Some(d) = &s.document {
            DocumentType::parse(&d.doc_type)
                .and_then(|t| {
                    Ok(Key::Doc(
                        t.code().to_string(),
                        normalize_document_number(&d.number)?,
                    ))
                })
                .map_err(|e| FieldError::from_domain(format!("subjects[{i}].document"), e))
        } else {
            Err(FieldError::new(
                format!("subjects[{i}]"),
                "invalid_value",
                "a subject has an id_number, a document or a credit_code",
            ))
        };
        match key {
            Ok(k) => keys.push(k),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let (types, numbers): (Vec<String>, Vec<String>) = keys
        .iter()
        .filter_map(|k| match k {
            Key::Doc(t, n) => Some((t.clone(), n.clone())),
            Key::Id(_) => None,
        })
        .unzip();
    let direct: Vec<String> = keys
        .iter()
        .filter_map(|k| match k {
            Key::Id(id) => Some(id.clone()),
            Key::Doc(..) => None,
        })
        .collect();
    let probe = state.subject_filter.probe(&direct);
    let load::Loaded {
        position,
        docs,
        orders,
    } = state.check_db.load(probe, direct, types, numbers).await?;
    let releases: Vec<load::ReleaseHit> = orders.iter().flat_map(load::releases_of).collect();
    let mut by_doc: HashMap<(&str, &str), Vec<String>> = HashMap::new();
    for d in &docs {
        by_doc
            .entry((d.doc_type.as_str(), d.doc_number.as_str()))
            .or_default()
            .push(d.id_number.clone());
    }
    let mut orders_by_key: HashMap<&str, Vec<&load::OrderHit>> = HashMap::new();
    for o in &orders {
        orders_by_key
            .entry(o.subject_key.as_str())
            .or_default()
            .push(o);
    }
    let sector_items = subscriber.sector.items();
    let now = Utc::now();
    let mut results = Vec::with_capacity(keys.len());
    let mut logged_keys = Vec::with_capacity(keys.len());
    let mut decisions = String::with_capacity(keys.len());
    for (index, (key, s)) in keys.iter().zip(&input.subjects).enumerate() {
        let (subject_keys, log_key) = match key {
            Key::Id(id) => (vec![id.clone()], id.clone()),
            Key::Doc(t, n) => {
                let ids = by_doc
                    .get(&(t.as_str(), n.as_str()))
                    .cloned()
                    .unwrap_or_default();
                let log_key = ids
                    .first()
                    .cloned()
                    .unwrap_or_else(|| format!("doc:{t}:{n}"));
                (ids, log_key)
            }
        };
        let hits: Vec<&load::OrderHit> = subject_keys
            .iter()
            .flat_map(|k| orders_by_key.get(k.as_str()).into_iter().flatten().copied())
            .collect();
        let rels: Vec<&load::ReleaseHit> = releases
            .iter()
            .filter(|r| subject_keys.contains(&r.subject_key))
            .collect();
        let subject = Subject {
            index,
            name: s.name.as_deref(),
        };
        let result = decide(&subject, sector_items, scope, &hits, &rels);
        logged_keys.push(log_key);
        decisions.push(LoggedRequest::decision_char(result.decision));
        results.push(result);
    }
    let denied = results
        .iter()
        .filter(|r| r.decision == Decision::Deny)
        .count() as u64;
    let sector = subscriber.sector.code();
    metrics::counter!(crate::metrics::CHECK_SUBJECTS, "sector" => sector, "decision" => Decision::Deny.code())
        .increment(denied);
    metrics::counter!(crate::metrics::CHECK_SUBJECTS, "sector" => sector, "decision" => Decision::Allow.code())
        .increment(results.len() as u64 - denied);
    state
        .check_log
        .record(LoggedRequest {
            subscriber_id: subscriber.id,
            checked_at: now,
            subject_keys: logged_keys,
            decisions,
        })
        .await;
    Ok(HttpResponse::Ok().json(CheckOut {
        as_of: position.encode(),
        results,
    }))
}
