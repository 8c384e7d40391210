//! The life of restriction orders (docs/LAW.md R1–R6): imposed by a published listing (R1) or
//! issued alone, their subjects (R3) kept in step with the listing, lifted (R5). Every change
//! writes its audit row and its `restriction.*` event, with the whole current state and a version
//! that only grows.

pub mod bulk;
pub mod court;
pub mod release;
pub mod view;

use chrono::{NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    audit::{Actor, Change},
    db::models::{
        listing::{Listing, ListingRow},
        restriction::{RestrictionRow, SubjectRow},
        restriction_write::NewRestriction,
    },
    domain::{
        DomainError, ErrorCode,
        case_number::CaseNumber,
        court_code::CourtCode,
        credit_code::CreditCode,
        restriction::{LiftReason, RestrictionItem, SubjectRole, period_ended},
        status::PartyKind,
        today_cst,
    },
    error::ApiError,
    events,
};

pub const RESTRICTION_IMPOSED: &str = "restriction.imposed";
pub const RESTRICTION_UPDATED: &str = "restriction.updated";
pub const RESTRICTION_LIFTED: &str = "restriction.lifted";

pub fn all_items() -> Vec<String> {
    RestrictionItem::ALL
        .iter()
        .map(|i| i.code().to_string())
        .collect()
}

/// The subjects an order binds (R1, R3): the debtor, and for an organisation its legal
/// representative and associated persons with their roles. One row per (person, role). A stored
/// role that is not an R3 role is an error (`invalid_value`), never skipped.
pub fn subjects_of(debtor: &Value, associated: &Value) -> Result<Vec<SubjectRow>, DomainError> {
    let mut out: Vec<SubjectRow> = Vec::new();
    let mut push = |role: SubjectRole, kind: PartyKind, key: Option<String>, name: Option<&str>| {
        if let (Some(key), Some(name)) = (key, name) {
            let row = SubjectRow {
                restriction_id: Uuid::nil(),
                role,
                kind,
                subject_key: key,
                name: name.to_string(),
            };
            if !out
                .iter()
                .any(|s| s.subject_key == row.subject_key && s.role == row.role)
            {
                out.push(row);
            }
        }
    };
    let name = debtor.get("name").and_then(Value::as_str);
    let organization = debtor
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| PartyKind::parse(k) == Ok(PartyKind::Organization));
    if organization {
        let key = debtor
            .get("credit_code")
            .and_then(Value::as_str)
            .and_then(|c| CreditCode::parse(c).ok())
            .map(|c| c.org_code().to_string());
        push(SubjectRole::Debtor, PartyKind::Organization, key, name);
        if let Some(rep) = debtor.get("legal_representative").filter(|r| !r.is_null()) {
            let key = rep
                .get("id_number")
                .and_then(Value::as_str)
                .map(str::to_string);
            push(
                SubjectRole::LegalRepresentative,
                PartyKind::Person,
                key,
                rep.get("name").and_then(Value::as_str),
            );
        }
    } else {
        let key = debtor
            .get("id_number")
            .and_then(Value::as_str)
            .map(str::to_string);
        push(SubjectRole::Debtor, PartyKind::Person, key, name);
    }
    for p in associated.as_array().into_iter().flatten() {
        let role = match p.get("role").and_then(Value::as_str) {
            Some(code) => SubjectRole::parse(code)?,
            None => SubjectRole::Principal,
        };
        let key = p
            .get("id_number")
            .and_then(Value::as_str)
            .map(str::to_string);
        push(
            role,
            PartyKind::Person,
            key,
            p.get("name").and_then(Value::as_str),
        );
    }
    Ok(out)
}

/// [`subjects_of`] inside a change: a stored role that does not parse is an internal error.
fn subjects_or_500(debtor: &Value, associated: &Value) -> Result<Vec<SubjectRow>, ApiError> {
    subjects_of(debtor, associated).map_err(|e| ApiError::internal(e.into()))
}

async fn emit(conn: &mut AsyncPgConnection, event_type: &str, id: Uuid) -> Result<Value, ApiError> {
    let state = view::order_json(conn, id).await?;
    let items: Vec<String> = state["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    events::append(conn, event_type, id, &items, view::event_data(&state)).await?;
    Ok(state)
}

/// An order to issue, built only from values already parsed: the order a published listing
/// imposes (R1, [`NewOrder::for_listing`]), or one a court issues alone ([`NewOrder::standalone`]).
pub struct NewOrder<'a> {
    listing_id: Option<Uuid>,
    court_code: &'a str,
    case_number: &'a str,
    debtor: &'a Value,
    associated: &'a Value,
    items: Vec<String>,
    issued_on: NaiveDate,
    valid_until: Option<NaiveDate>,
    signed_by: Option<&'a str>,
}

impl<'a> NewOrder<'a> {
    /// R1: the order a listing imposes when it is published, with every item (R2), issued today
    /// (CST), on its court, case and parties.
    pub fn for_listing(listing: &'a ListingRow) -> Self {
        NewOrder {
            listing_id: Some(listing.id),
            court_code: &listing.court_code,
            case_number: &listing.case_number,
            debtor: &listing.debtor,
            associated: &listing.associated_persons,
            items: all_items(),
            issued_on: today_cst(),
            valid_until: None,
            signed_by: None,
        }
    }

    /// An order a court issues without a listing, on the parties' JSON (`debtor`, associated
    /// persons) with some items (R2).
    pub fn standalone(
        court: &'a CourtCode,
        case: &'a CaseNumber,
        parties: (&'a Value, &'a Value),
        items: &[RestrictionItem],
        issued_on: NaiveDate,
    ) -> Self {
        NewOrder {
            listing_id: None,
            court_code: court.as_str(),
            case_number: case.as_str(),
            debtor: parties.0,
            associated: parties.1,
            items: items.iter().map(|i| i.code().to_string()).collect(),
            issued_on,
            valid_until: None,
            signed_by: None,
        }
    }

    /// R6: the last day of the period (none = until lifted) and the president who signed it.
    pub fn period(mut self, valid_until: Option<NaiveDate>, signed_by: Option<&'a str>) -> Self {
        self.valid_until = valid_until;
        self.signed_by = signed_by;
        self
    }
}

/// Issues an order and records it (audit row, `restriction.imposed`).
pub async fn issue(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    order: NewOrder<'_>,
) -> Result<Value, ApiError> {
    let id = Uuid::now_v7();
    let new = NewRestriction {
        id,
        listing_id: order.listing_id,
        court_code: order.court_code,
        case_number: order.case_number,
        debtor: order.debtor,
        associated_persons: order.associated,
        items: &order.items,
        issued_on: order.issued_on,
        valid_until: order.valid_until,
        signed_by: order.signed_by,
        created_at: Utc::now(),
    };
    RestrictionRow::insert(conn, &new).await?;
    let subjects = subjects_or_500(order.debtor, order.associated)?;
    RestrictionRow::set_subjects(conn, id, &subjects).await?;
    let state = emit(conn, RESTRICTION_IMPOSED, id).await?;
    Change::new("restriction.impose", "restriction", id)
        .after(&state)
        .append(conn, actor)
        .await?;
    Ok(state)
}

/// R1: publishing a listing imposes an order with every item on its debtor and R3 persons.
pub async fn impose_for_listing(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    listing: &Listing,
) -> Result<Uuid, ApiError> {
    let r = &listing.row;
    let state = issue(conn, actor, NewOrder::for_listing(r)).await?;
    let id = state["id"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("order without id")))?;
    Listing::set_restriction(conn, r.id, id).await?;
    Ok(id)
}

/// A correction of an active listing updates its active order's parties and subjects.
pub async fn update_for_listing(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    listing: &Listing,
) -> Result<(), ApiError> {
    let Some(id) = listing.row.restriction_id else {
        return Ok(());
    };
    let Some(row) = RestrictionRow::lock(conn, id).await? else {
        return Ok(());
    };
    let r = &listing.row;
    let unchanged = row.debtor == r.debtor
        && row.associated_persons == r.associated_persons
        && row.case_number == r.case_number;
    if !row.status.is_active() || unchanged {
        return Ok(());
    }
    let before = view::order_json(conn, id).await?;
    let parties = (&r.debtor, &r.associated_persons);
    RestrictionRow::set_parties(
        conn,
        id,
        parties,
        &r.case_number,
        row.version + 1,
        Utc::now(),
    )
    .await?;
    let subjects = subjects_or_500(&r.debtor, &r.associated_persons)?;
    RestrictionRow::set_subjects(conn, id, &subjects).await?;
    let after = emit(conn, RESTRICTION_UPDATED, id).await?;
    Change::new("restriction.update", "restriction", id)
        .before(&before)
        .after(&after)
        .append(conn, actor)
        .await
}

/// R5: lifts an active order; `Ok(None)` when it was not active.
pub async fn lift(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    reason: LiftReason,
    note: Option<&str>,
) -> Result<Option<Value>, ApiError> {
    let Some(row) = RestrictionRow::lock(conn, id).await? else {
        return Ok(None);
    };
    if !row.status.is_active() {
        return Ok(None);
    }
    let before = view::order_json(conn, id).await?;
    let lifted = json!({"reason": reason, "note": note, "at": Utc::now()});
    RestrictionRow::set_lifted(conn, id, lifted, row.version + 1, Utc::now()).await?;
    let after = emit(conn, RESTRICTION_LIFTED, id).await?;
    Change::new("restriction.lift", "restriction", id)
        .before(&before)
        .after(&after)
        .append(conn, actor)
        .await?;
    Ok(Some(after))
}

/// R6: lifts order `id` when its period ended before `today` (CST) and it is still active, with
/// reason `period_ended`; `Ok(None)` when it is not (or no longer) due: two ticks lift it once.
pub async fn lift_period_ended(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    today: NaiveDate,
) -> Result<Option<Value>, ApiError> {
    let Some(row) = RestrictionRow::lock(conn, id).await? else {
        return Ok(None);
    };
    if !row.status.is_active() || !period_ended(row.valid_until, today) {
        return Ok(None);
    }
    lift(conn, &Actor::system(), id, LiftReason::PeriodEnded, None).await
}

/// R5 `subject_removed`: a replaced legal representative (or other R3 person) leaves the order.
pub async fn remove_subject(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    row: &RestrictionRow,
    subject_key: &str,
) -> Result<Value, ApiError> {
    let subjects = RestrictionRow::subjects(conn, row.id).await?;
    if !subjects
        .iter()
        .any(|s| s.subject_key == subject_key && s.role != SubjectRole::Debtor)
    {
        return Err(ApiError::rule(
            ErrorCode::SubjectNotInOrder,
            Some("id_number"),
            "that person is not bound by this order other than as its debtor (R5)",
        ));
    }
    let before = view::order_json(conn, row.id).await?;
    let keep: Vec<SubjectRow> = subjects
        .into_iter()
        .filter(|s| s.subject_key != subject_key || s.role == SubjectRole::Debtor)
        .collect();
    RestrictionRow::set_subjects(conn, row.id, &keep).await?;
    RestrictionRow::set_version(conn, row.id, row.version + 1, Utc::now()).await?;
    let after = emit(conn, RESTRICTION_UPDATED, row.id).await?;
    Change::new("restriction.remove_subject", "restriction", row.id)
        .before(&before)
        .after(&after)
        .append(conn, actor)
        .await?;
    Ok(after)
}
