//! The removal an imported listing states (L3, L5–L7): present exactly when the listing has ended,
//! with a reason that leads to its status and applies to its kind of term.

use crate::domain::ErrorCode;
use serde::Deserialize;
use serde_json::Value;

use super::report::BadLine;
use crate::{
    domain::listing_rules::{ListingStatus, RemovalReason},
    listings::wire::Removal,
};

/// L3, L5–L7: an ended listing states its removal, whose reason leads to its status; an open one
/// has none.
pub fn removal(
    bad: &mut Vec<BadLine>,
    line: u64,
    status: ListingStatus,
    removal: Option<&Value>,
    fixed_term: bool,
) -> Option<Value> {
    let removal = removal.filter(|r| !r.is_null());
    let mut fail = |code: ErrorCode, msg: String| {
        bad.push(BadLine::new(line, Some("removal"), code, msg));
        None
    };
    if status.is_open() {
        return match removal {
            Some(_) => fail(
                ErrorCode::InvalidValue,
                format!("a {} listing has no removal", status.code()),
            ),
            None => None,
        };
    }
    let Some(r) = removal else {
        return fail(
            ErrorCode::InvalidValue,
            format!(
                "a {} listing states its removal {{reason, note, removed_at}}",
                status.code()
            ),
        );
    };
    let Ok(parsed) = Removal::deserialize(r) else {
        return fail(
            ErrorCode::InvalidValue,
            "removal is {reason, note, removed_at (RFC 3339), keep_restriction}".into(),
        );
    };
    let reason = match RemovalReason::parse(&parsed.reason) {
        Ok(reason) => reason,
        Err(e) => return fail(e.code, e.message),
    };
    if reason.resulting_status() != status {
        return fail(
            ErrorCode::ReasonNotApplicable,
            format!(
                "removal reason `{}` leads to status `{}`, not `{}`",
                reason.code(),
                reason.resulting_status().code(),
                status.code()
            ),
        );
    }
    let applicable = match reason {
        RemovalReason::TermExpired if fixed_term => Ok(()),
        RemovalReason::TermExpired => Err(crate::domain::DomainError::new(
            ErrorCode::ReasonNotApplicable,
            "a listing without a fixed term does not expire (L2, L6)",
        )),
        other => other.check_applicable(fixed_term),
    };
    if let Err(e) = applicable {
        return fail(e.code, e.message);
    }
    serde_json::to_value(&parsed).ok()
}
