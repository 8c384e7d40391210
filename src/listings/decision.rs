//! The decision of a listing (决定书, L14): its service on the parties recorded by the court, and
//! the document itself, as the court and its supervisors read it (printable, or its fields).

use chrono::{NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    Changed, lock_for_change, record, reload,
    view::{decision_of, out_json},
};
use crate::{
    audit::Actor,
    auth::{Principal, scope::ensure_court_scope},
    db::models::listing::Listing,
    domain::{
        ErrorCode, correction::ServiceMethod, correction::check_served_on,
        grounds::LIST_PROVISIONS, id_number::IdNumber, status::PartyKind, today_cst,
    },
    error::ApiError,
};

/// Records that the decision of listing `id` (read at version `expected`) was served on
/// `served_on` by `method`: 404, 403 `court_not_in_scope`, 412, 409 `decision_already_served`,
/// 422 `invalid_served_on` (in the future, or before the decision was made or signed).
pub async fn serve(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    actor: &Actor,
    id: Uuid,
    expected: i32,
    served_on: NaiveDate,
    method: ServiceMethod,
) -> Result<Changed, ApiError> {
    let row = lock_for_change(conn, principal, id, expected, false).await?;
    if row.served_on.is_some() {
        return Err(ApiError::conflict(
            ErrorCode::DecisionAlreadyServed,
            "the decision's service is already recorded",
        ));
    }
    let signed = decision_of(&row)?.map(|d| d.signed_on);
    let made = signed.unwrap_or(row.decided_on);
    check_served_on(served_on, made, today_cst()).map_err(|e| ApiError::domain("served_on", e))?;
    let before = out_json(&reload(conn, id).await?)?;
    Listing::set_service(conn, id, served_on, method, row.version + 1, Utc::now()).await?;
    let after = reload(conn, id).await?;
    record(conn, actor, "listing.serve", Some(&before), after).await
}

/// The debtor as the decision names it: a person's ID number masked only (L9), an organisation's
/// credit code.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionDebtor {
    /// `person` or `organization`.
    #[schema(value_type = String)]
    pub kind: PartyKind,
    pub name: String,
    pub id_number_masked: Option<String>,
    pub credit_code: Option<String>,
}

/// A reason of the decision: a ground of L1 with its label and the article that states it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionReason {
    pub code: String,
    pub label: String,
    /// 《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条第X项.
    pub article: String,
}

/// The term (L2): `fixed` with its years and `expires_on`, or none (ground (1) alone).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionTerm {
    pub fixed: bool,
    /// 2 plus the extension; null without a fixed term.
    pub years: Option<i32>,
    pub expires_on: Option<NaiveDate>,
    /// `2年（至2028-03-01）`, or `无固定期限`.
    pub text: String,
}

/// The service recorded (L14).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionService {
    pub served_on: NaiveDate,
    /// `direct`, `post`, `electronic` or `public_notice`.
    pub method: String,
    /// 直接送达, 邮寄送达, 电子送达, 公告送达.
    pub method_label: String,
}

/// The decision (决定书, L14) of a listing: `GET /v1/listings/{id}/decision`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionDocument {
    pub listing_id: Uuid,
    pub court_code: String,
    pub court_name: String,
    pub case_number: String,
    pub debtor: DecisionDebtor,
    pub reasons: Vec<DecisionReason>,
    pub term: DecisionTerm,
    /// The article of the term: 《…若干规定》第二条.
    pub term_article: String,
    pub decided_on: NaiveDate,
    /// Who signed it; null when not recorded.
    pub signed_by: Option<String>,
    pub signed_on: Option<NaiveDate>,
    pub service: Option<DecisionService>,
}

/// The decision of listing `id` for a court in scope or a supervisor above it: 404, 403
/// `court_not_in_scope`.
pub async fn document(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    id: Uuid,
) -> Result<DecisionDocument, ApiError> {
    principal.require_court_actor()?;
    let l = Listing::find(conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no listing {id}")))?;
    ensure_court_scope(conn, principal, &l.row.court_code).await?;
    to_document(&l)
}

fn to_document(l: &Listing) -> Result<DecisionDocument, ApiError> {
    let r = &l.row;
    let signed = decision_of(r)?;
    let id = r.id_number.as_deref().and_then(|s| IdNumber::parse(s).ok());
    let fixed = r.expires_on.is_some();
    let years = fixed.then_some(2 + r.extension_years);
    let text = match (years, r.expires_on) {
        (Some(y), Some(e)) => format!("{y}年（自{}起，至{e}届满）", r.decided_on),
        _ => "无固定期限".to_string(),
    };
    Ok(DecisionDocument {
        listing_id: r.id,
        court_code: r.court_code.clone(),
        court_name: l.court_name.clone(),
        case_number: r.case_number.clone(),
        debtor: DecisionDebtor {
            kind: r.debtor_kind,
            name: r.debtor_name.clone(),
            id_number_masked: id.as_ref().map(IdNumber::masked),
            credit_code: if id.is_none() {
                r.credit_code.clone()
            } else {
                None
            },
        },
        reasons: r
            .grounds
            .iter()
            .map(|g| DecisionReason {
                code: g.code().to_string(),
                label: g.label().to_string(),
                article: g.article().to_string(),
            })
            .collect(),
        term: DecisionTerm {
            fixed,
            years,
            expires_on: r.expires_on,
            text,
        },
        term_article: format!("{LIST_PROVISIONS}第二条"),
        decided_on: r.decided_on,
        signed_by: signed.as_ref().map(|d| d.signed_by.clone()),
        signed_on: signed.map(|d| d.signed_on),
        service: r
            .served_on
            .zip(r.service_method)
            .map(|(served_on, m)| DecisionService {
                served_on,
                method: m.code().to_string(),
                method_label: m.label().to_string(),
            }),
    })
}
