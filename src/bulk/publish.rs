//! The events an imported active listing brings, with the data the API's publication writes
//! (`listings::publish`): `listing.published` with the public item, then
//! `restriction.imposed` with the state of the order it carries (R1), built by the same functions.

use serde_json::Value;
use uuid::Uuid;

use super::line::{Context, Staged};
use crate::{
    db::models::{
        listing::{Listing, ListingRow},
        restriction::RestrictionRow,
    },
    domain::{DomainError, calendar::cst_date, status::RestrictionStatus},
    listings::{view::event_data, wire::ListingEventData},
    orders::{self, view},
};

/// The two events of an imported active listing: (event id, data) each, written by the COPY.
#[derive(Debug)]
pub struct LineEvents {
    /// `listing.published`: the public item with the listing's id, version and status.
    pub published: (Uuid, ListingEventData),
    /// `restriction.imposed`: the state of the order the listing carries (R1).
    pub imposed: (Uuid, Value),
}

/// `listing.published` and `restriction.imposed` with their event ids. The order's documents are
/// those the file gives for its persons. An associated person's role that is not an R3 role is an
/// error (validation has refused it already).
pub fn events(ctx: &Context, s: &Staged) -> Result<LineEvents, DomainError> {
    let v = &s.values;
    let (court_name, province) = ctx.courts.get(&v.court_code).cloned().unwrap_or_default();
    let published_at = s.published_at.unwrap_or(ctx.now);
    let restriction_id = s.restriction_id.unwrap_or_default();
    let listing = Listing {
        row: ListingRow {
            id: s.id,
            court_code: v.court_code.clone(),
            case_number: v.case_number.clone(),
            debtor_kind: v.debtor_kind,
            debtor_key: v.debtor_key.clone(),
            debtor_name: v.debtor_name.clone(),
            name_folded: v.name_folded.clone(),
            id_number: v.id_number.clone(),
            credit_code: v.credit_code.clone(),
            debtor: v.debtor.clone(),
            associated_persons: v.associated_persons.clone(),
            filed_on: v.filed_on,
            basis_document_number: v.basis_document_number.clone(),
            basis_issuer: v.basis_issuer.clone(),
            obligation: v.obligation.clone(),
            performance: v.performance,
            grounds: v.grounds.clone(),
            extension_years: v.extension_years,
            decided_on: v.decided_on,
            grace_until: v.grace_until,
            initiated_by: v.initiated_by,
            status: s.status,
            version: s.version,
            published_at: Some(published_at),
            expires_on: v.expires_on,
            restriction_id: s.restriction_id,
            removal: None,
            created_at: s.created_at,
            updated_at: ctx.now,
            decision: v.decision.clone(),
            served_on: s.service.map(|(on, _)| on),
            service_method: s.service.map(|(_, m)| m),
        },
        court_name,
        province,
    };
    let published = event_data(&listing, None);
    let order = RestrictionRow {
        id: restriction_id,
        listing_id: Some(s.id),
        court_code: v.court_code.clone(),
        case_number: v.case_number.clone(),
        debtor: v.debtor.clone(),
        associated_persons: v.associated_persons.clone(),
        items: orders::all_items(),
        issued_on: cst_date(published_at),
        status: RestrictionStatus::Active,
        version: 1,
        lifted: None,
        created_at: ctx.now,
        updated_at: ctx.now,
        valid_until: None,
        signed_by: None,
    };
    let mut subjects = orders::subjects_of(&v.debtor, &v.associated_persons)?;
    for subject in &mut subjects {
        subject.restriction_id = restriction_id;
    }
    // By the role's code, as the database orders them (`RestrictionRow::subjects`).
    subjects.sort_by(|a, b| (a.role.code(), &a.subject_key).cmp(&(b.role.code(), &b.subject_key)));
    let mut docs: Vec<(String, String, String)> = s
        .persons
        .iter()
        .flat_map(|p| {
            p.documents
                .iter()
                .map(|(t, n)| (p.id_number.clone(), t.clone(), n.clone()))
        })
        .collect();
    docs.sort();
    docs.dedup();
    let state = view::state_json(&order, &listing.court_name, &subjects, &docs, &[]);
    Ok(LineEvents {
        published: (Uuid::now_v7(), published),
        imposed: (Uuid::now_v7(), view::event_data(&state)),
    })
}
