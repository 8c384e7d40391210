//! L15 (c)/(d): the body a listing's court must notify besides the credit reference agencies: a
//! listed official's employer, a state debtor's supervising body. Parsed with the listing
//! (`validate`), checked against the subscribers inside the write's transaction ([`check`]), and
//! kept in the debtor's JSON with the subscriber it names in `listings.notice_subscriber_id`.

use diesel_async::AsyncPgConnection;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::domain::ErrorCode;
use crate::{
    db::models::subscriber::Subscriber,
    domain::{
        notices::{OfficialStatus, Ownership, RecipientKind, required_recipient},
        restriction::Sector,
        status::PartyKind,
    },
    error::ApiError,
    listings::{
        parties::{Errors, text},
        wire::{DebtorIn, RecipientIn},
    },
};

/// The recipient a listing names (L15 (c) or (d)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedRecipient {
    pub kind: RecipientKind,
    pub name: String,
    pub subscriber_id: Option<Uuid>,
}

/// The request field that names a recipient of `kind`.
fn field_of(kind: RecipientKind) -> &'static str {
    match kind {
        RecipientKind::Employer => "debtor.employer",
        _ => "debtor.supervising_body",
    }
}

/// `invalid_value` for each field given that the debtor may not carry, saying why.
fn refuse(e: &mut Errors, fields: [(&str, bool); 2], why: &str) {
    for (field, given) in fields {
        if given {
            e.push(field, ErrorCode::InvalidValue, format!("{field} {why}"));
        }
    }
}

fn recipient(e: &mut Errors, field: &str, r: &RecipientIn) -> (String, Option<Uuid>) {
    let name = text(e, &format!("{field}.name"), &r.name, 200);
    let id = r.subscriber_id.as_deref().and_then(|s| {
        let id = Uuid::parse_str(s.trim()).ok();
        if id.is_none() {
            e.push(
                &format!("{field}.subscriber_id"),
                ErrorCode::InvalidValue,
                "subscriber_id is a subscriber's UUID",
            );
        }
        id
    });
    (name, id)
}

/// Reads the debtor's `official_status` and `employer` (a person) or `ownership` and
/// `supervising_body` (an organisation) into `debtor_json`; answers the recipient the law calls
/// for. Field errors: a value outside the list or on the wrong kind of debtor (`invalid_value`),
/// a status without its recipient (`notice_recipient_required`).
pub fn parse(
    e: &mut Errors,
    debtor: &DebtorIn,
    kind: PartyKind,
    debtor_json: &mut Value,
) -> Option<NamedRecipient> {
    match kind {
        PartyKind::Person => refuse(
            e,
            [
                ("debtor.ownership", debtor.ownership.is_some()),
                ("debtor.supervising_body", debtor.supervising_body.is_some()),
            ],
            "is for an organisation debtor (L15)",
        ),
        PartyKind::Organization => refuse(
            e,
            [
                ("debtor.official_status", debtor.official_status.is_some()),
                ("debtor.employer", debtor.employer.is_some()),
            ],
            "is for a person debtor (L15)",
        ),
    }
    let status = debtor
        .official_status
        .as_deref()
        .and_then(|s| e.take("debtor.official_status", OfficialStatus::parse(s.trim())));
    let ownership = debtor
        .ownership
        .as_deref()
        .and_then(|s| e.take("debtor.ownership", Ownership::parse(s.trim())));
    let employer = debtor
        .employer
        .as_ref()
        .map(|r| recipient(e, field_of(RecipientKind::Employer), r));
    let body = debtor
        .supervising_body
        .as_ref()
        .map(|r| recipient(e, field_of(RecipientKind::SupervisingBody), r));
    let (status, ownership) = match kind {
        PartyKind::Person => (status, None),
        PartyKind::Organization => (None, ownership),
    };
    let needed = match required_recipient(
        status,
        ownership,
        employer.is_some() && kind == PartyKind::Person,
        body.is_some() && kind == PartyKind::Organization,
    ) {
        Ok(k) => k,
        Err((k, err)) => e
            .take::<Option<RecipientKind>>(field_of(k), Err(err))
            .flatten(),
    };
    if let Some(o) = debtor_json.as_object_mut() {
        if let Some(s) = status {
            o.insert("official_status".into(), json!(s.code()));
        }
        if let Some(s) = ownership {
            o.insert("ownership".into(), json!(s.code()));
        }
    }
    let (kind, (name, subscriber_id)) = match needed? {
        RecipientKind::Employer => (RecipientKind::Employer, employer?),
        k => (k, body?),
    };
    let named = NamedRecipient {
        kind,
        name,
        subscriber_id,
    };
    if let Some(o) = debtor_json.as_object_mut() {
        o.insert(
            kind.code().into(),
            json!({"name": named.name, "subscriber_id": named.subscriber_id}),
        );
    }
    Some(named)
}

/// 422 `unknown_subscriber` when the named subscriber does not exist or is disabled, 422
/// `not_a_notice_recipient` when it is of another sector (docs/LAW.md "Roles").
pub async fn check(
    conn: &mut AsyncPgConnection,
    named: Option<&NamedRecipient>,
) -> Result<(), ApiError> {
    let Some((named, id)) = named.and_then(|n| n.subscriber_id.map(|id| (n, id))) else {
        return Ok(());
    };
    let field = format!("{}.subscriber_id", field_of(named.kind));
    match Subscriber::find(conn, id).await? {
        Some(s) if s.enabled && Sector::parse(&s.sector).ok() == Some(Sector::NoticeRecipient) => {
            Ok(())
        }
        Some(s) if s.enabled => Err(ApiError::rule(
            ErrorCode::NotANoticeRecipient,
            Some(&field),
            format!(
                "subscriber {id} is of sector {}; an employer or supervising body subscribes as notice_recipient (L15)",
                s.sector
            ),
        )),
        _ => Err(ApiError::rule(
            ErrorCode::UnknownSubscriber,
            Some(&field),
            format!("no enabled subscriber {id}"),
        )),
    }
}

/// L15 notices follow a listing's publication: a standalone restriction order's debtor takes no
/// `official_status`, `employer`, `ownership` or `supervising_body` (each `invalid_value`, rather
/// than being dropped unseen).
pub fn refuse_on_order(e: &mut Errors, debtor: &DebtorIn) {
    let why = "is for listings: Art. 8 notices follow a listing's publication (L15)";
    refuse(
        e,
        [
            ("debtor.official_status", debtor.official_status.is_some()),
            ("debtor.employer", debtor.employer.is_some()),
        ],
        why,
    );
    refuse(
        e,
        [
            ("debtor.ownership", debtor.ownership.is_some()),
            ("debtor.supervising_body", debtor.supervising_body.is_some()),
        ],
        why,
    );
}
